"""The dispute/mediation workflow (矛盾纠纷, RULES.md §2): its declaration (``flow``), state,
checks, rules in force, ledger, levels, links, periods, referrals, agreement, clocks."""
