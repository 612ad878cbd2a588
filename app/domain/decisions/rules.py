"""The numbers of the village-decision rules, read from the merged config.

Every field is the config value ``decisions.<field>`` of ``schemas/config/defaults.json``,
where each default keeps its source and, for a statutory number, its legal bound (a town
may tighten it, never loosen it).  There are deliberately no defaults here: a rule that
forgot to read the config would otherwise run on a number nobody can see or change.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, Mapping

from app.domain.config import Config, merge_config, overrides_from_events
from app.domain.events import Event, order_key

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


class RulesHistory:
    """The decision rules in force at each clock stamp: the shipped defaults with the
    town's ``config.set`` events of ``decisions.*`` keys written up to that stamp.

    A record is judged by the rules in force when it was written (its place in the total
    order), not by today's: a town tightening a threshold after a meeting was recorded
    does not change that meeting's verdict; a meeting recorded after the change is judged
    by the new rule.  Derived from the certified event log (``events``: the config
    events in force on this node, app.authority.config_in_force), so every node holding
    the same events judges the same; nothing a village writes can choose its own rules.
    Each version is merged once."""

    def __init__(self, defaults: Mapping[str, Any], events: Iterable[Event]) -> None:
        self.defaults = defaults
        self.events = sorted((e for e in events if e.get("type") == "config.set"
                              and str(e["payload"].get("key", "")).startswith(PREFIX)),
                             key=order_key)
        self.stamps = [int(e["hlc"]) for e in self.events]
        self._versions: dict[int, DecisionRules] = {}

    def at(self, hlc: int | None) -> DecisionRules:
        """The rules in force at ``hlc`` (None: now)."""
        version = len(self.stamps) if hlc is None else bisect_right(self.stamps, hlc)
        held = self._versions.get(version)
        if held is None:
            config = merge_config(self.defaults, overrides_from_events(self.events[:version]))
            held = self._versions[version] = DecisionRules.from_config(config)
        return held
