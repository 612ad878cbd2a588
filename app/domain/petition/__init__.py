"""The petition workflow (信访, RULES.md §2): its declaration (``flow``), state, checks,
rules in force, clocks, intake, levels, sealed accusations."""
