"""The configurable numbers of disputes and mediation, read from the merged ``Config``.

RULES.md preamble: every time limit and threshold is a configurable default kept in
``schemas/config/defaults.json`` with its source; the town may change it.  The defaults
below equal the shipped ones so that pure functions can be called without a config in
tests and tools; screens always pass ``DisputeRules.from_config(config)``.

| key                                        | default | days    | source                      |
|--------------------------------------------|---------|---------|-----------------------------|
| dispute.mediation_limit_months             | 1       | months  | 人民调解工作若干规定 2002 Art 33 |
| dispute.mediation_due_soon_days            | 5       | calendar| [default]                   |
| dispute.judicial_confirmation_days         | 30      | calendar| 人民调解法 Art 33             |
| dispute.judicial_confirmation_rolls_over   | true    |         | 民事诉讼法 Art 85             |
| dispute.judicial_confirmation_remind_days  | 10      | calendar| [default]                   |
| dispute.revisit_days_after_due             | 0       | calendar| [seed] issue #4 回访          |
| dispute.alert_risk_levels                  | ["高"]  |         | [seed] issue #4               |
| dispute.screening_interval_days            | 30      | calendar| [practice] 定期排查            |
| dispute.same_matter_similarity             | 0.5     |         | [default] dispute_links      |
"""
from __future__ import annotations

from dataclasses import dataclass

from app.domain.config import Config


@dataclass(frozen=True)
class DisputeRules:
    mediation_limit_months: int = 1
    mediation_due_soon_days: int = 5
    judicial_confirmation_days: int = 30
    judicial_confirmation_rolls_over: bool = True
    judicial_confirmation_remind_days: int = 10
    revisit_days_after_due: int = 0
    alert_risk_levels: tuple[str, ...] = ("高",)
    screening_interval_days: int = 30
    same_matter_similarity: float = 0.5

    @classmethod
    def from_config(cls, config: Config) -> "DisputeRules":
        v = config.value
        return cls(
            mediation_limit_months=int(v("dispute.mediation_limit_months")),
            mediation_due_soon_days=int(v("dispute.mediation_due_soon_days")),
            judicial_confirmation_days=int(v("dispute.judicial_confirmation_days")),
            judicial_confirmation_rolls_over=bool(v("dispute.judicial_confirmation_rolls_over")),
            judicial_confirmation_remind_days=int(v("dispute.judicial_confirmation_remind_days")),
            revisit_days_after_due=int(v("dispute.revisit_days_after_due")),
            alert_risk_levels=tuple(v("dispute.alert_risk_levels")),
            screening_interval_days=int(v("dispute.screening_interval_days")),
            same_matter_similarity=float(v("dispute.same_matter_similarity")),
        )
