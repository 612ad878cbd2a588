"""Builders for the decision-rule tests: the shipped config and small rosters.

Every test reads its numbers from the shipped ``defaults.json`` (through ``RULES``), so
changing a default there makes a boundary test fail (tools/mutate_rules.py decisions.).
"""
from __future__ import annotations

from datetime import date

import schemas.config
from app.domain.config import merge_config
from app.domain.decisions.meetings import Attendance
from app.domain.decisions.roster import Person
from app.domain.decisions.rules import DecisionRules

DEFAULTS = schemas.config.load_defaults()
CONFIG = merge_config(DEFAULTS, {})
RULES = DecisionRules.from_config(CONFIG)
MEETING_DAY = date(2026, 3, 20)
ADULT_BIRTH = date(1980, 5, 1)


def rules_with(**overrides) -> DecisionRules:
    """The shipped rules with town overrides ``decisions.<name>=value`` applied."""
    config = merge_config(DEFAULTS, {f"decisions.{k}": {"value": v, "source": "测试"}
                                     for k, v in overrides.items()})
    assert config.rejected == (), config.rejected
    return DecisionRules.from_config(config)


def party(full: int, probationary: int = 0, excluded: int = 0) -> list[Person]:
    out = [Person(f"p{i}", f"党员{i}", party="正式") for i in range(full)]
    out += [Person(f"y{i}", f"预备{i}", party="预备") for i in range(probationary)]
    out += [Person(f"x{i}", f"病休{i}", party="正式", excluded_reason="长期卧床，经镇党委同意不计入应到")
            for i in range(excluded)]
    return out


def representatives(reps: int, committee: int = 0, women_reps: int = 0,
                    both: int = 0) -> list[Person]:
    """``reps`` 村民代表 (the first ``women_reps`` women), ``committee`` 村委会 members, and
    ``both`` people holding both posts."""
    out = [Person(f"r{i}", f"代表{i}", female=i < women_reps, representative=True)
           for i in range(reps)]
    out += [Person(f"c{i}", f"委员{i}", female=i == 0, committee_member=True) for i in range(committee)]
    out += [Person(f"b{i}", f"兼任{i}", committee_member=True, representative=True)
            for i in range(both)]
    return out


def villagers(adults: int, minors: int = 0, per_household: int = 1) -> list[Person]:
    out = [Person(f"v{i}", f"村民{i}", birth_date=ADULT_BIRTH, household=f"h{i // per_household}",
                  group="一组") for i in range(adults)]
    out += [Person(f"m{i}", f"少年{i}", birth_date=date(2015, 1, 1), household=f"h{i}", group="一组")
            for i in range(minors)]
    return out


def attend(ids, mode: str = "到场", vote: str | None = "赞成") -> list[Attendance]:
    return [Attendance(i, mode, vote) for i in ids]
