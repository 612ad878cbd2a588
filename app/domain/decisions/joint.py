"""May the 党员大会 and the 村民代表会议 be held together (合并召开) for this matter, now?

RULES.md §3: "Party meeting and representatives' meeting may be held together where the
matter allows" (新集镇意见：党员会议与代表会议可合并进行).  The matter allows it when

* the step list says so: the step after the one open now is marked ``merge: 合并召开``
  (procedure.py; the town configures it);
* the 决议 may be made by the 村民代表会议 on that day (matters.deciding_body): an Art 24
  matter only with the 村民会议's authorisation (组织法 Art 24(2)), a 村民会议-only matter
  never (then the 村民会议 is held on its own — a joint sitting with the 村民会议 is not
  offered, judging.RecordJudge refuses it too).

The two parts are judged separately (judging.py): each its own roster (party members
with the right to vote; the representatives' meeting's members), attendance, quorum and
vote; the 决议 part counts only if the 党员大会 part passed (procedure.py).  This module
only says whether the form may offer the joint sitting, and why not in words.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.decisions import matters, meetings
from app.domain.decisions.procedure import StepDef

JOINT = "合并召开"


@dataclass(frozen=True)
class JointOption:
    step: StepDef | None      # the 决议 step that would be held together with the open one
    allowed: bool
    reason: str = ""          # why not, in words that say what to do instead


def joint_option(steps: Sequence[StepDef], current: str | None, kinds: Iterable[str],
                 authorisations: Iterable[Mapping[str, Any]], on: date) -> JointOption:
    """Whether the open step ``current`` may be held together with the step after it."""
    codes = [s.code for s in steps]
    if current not in codes:
        return JointOption(None, False, "这件事已经办结，没有要合并召开的会议")
    index = codes.index(current)
    step = steps[index]
    follower = steps[index + 1] if index + 1 < len(steps) else None
    if follower is None or follower.merge != JOINT or step.body != meetings.PARTY:
        return JointOption(None, False, "只有党员大会审议这一步可以与村民代表会议合并召开")
    verdict = matters.deciding_body(tuple(kinds), meetings.REPRESENTATIVES,
                                    tuple(authorisations), on)
    if not verdict.ok:
        return JointOption(follower, False,
                           "这件事不能由村民代表会议决定，不能合并召开：" + verdict.message)
    return JointOption(follower, True)


__all__ = ["JOINT", "JointOption", "joint_option"]
