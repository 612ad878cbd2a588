"""The numbers of the village-decision rules, read from the merged config.

Every field is the config value ``decisions.<field>`` of ``schemas/config/defaults.json``,
where each default keeps its source and, for a statutory number, its legal bound (a town
may tighten it, never loosen it).  There are deliberately no defaults here: a rule that
forgot to read the config would otherwise run on a number nobody can see or change.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

from app.domain.config import Config

PREFIX = "decisions."


@dataclass(frozen=True)
class DecisionRules:
    # quorum and majority, as phrases (see thresholds.py)
    party_meeting_attendance: str
    party_meeting_approval: str
    representatives_attendance: str
    representatives_approval: str
    villagers_attendance_adults: str
    villagers_attendance_households: str
    villagers_approval: str
    group_attendance_adults: str
    group_attendance_households: str
    group_approval: str
    collective_land_consent: str
    # who counts as present
    proxies_count_toward_quorum: bool
    remote_counts_as_present: bool
    # composition of the representatives' meeting
    representatives_share: str
    women_representatives_share: str
    # notice before meetings (calendar days)
    party_plan_notice_days: int
    villagers_meeting_notice_days: int
    # 四议两公开 / 一征三议两公开
    procedure: str
    procedures: Mapping[str, Any]
    # 村务公开
    publicity_ordinary_months: int
    publicity_finance_busy_months: int
    publicity_major_days: int

    @classmethod
    def from_config(cls, config: Config) -> "DecisionRules":
        return cls(**{f.name: config.value(PREFIX + f.name) for f in fields(cls)})

    def source(self, config: Config, name: str) -> str:
        """The source of one number as the config holds it (the town's note if changed)."""
        return config.source(PREFIX + name)
