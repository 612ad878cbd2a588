"""The steps of 四议两公开 / 一征三议两公开 as data, and where a matter stands.

The step list is configuration (``decisions.procedures``, chosen by ``decisions.procedure``;
RULES.md §3: keep the step list configurable).  Each step:

    {"code": "review", "label": "党员大会审议", "kind": "vote", "body": "党员大会",
     "gated": true, "merge": "合并召开"}

* ``kind`` — ``consultation`` (征求意见), ``meeting`` (提议, 商议: recorded, decided by the
  meeting itself), ``vote`` (党员大会审议, 决议: attendance and vote judged against the
  roster), ``publicity`` (决议公开, 实施结果公开), ``implementation`` (实施).
* ``gated`` — nothing is put to this step until the 决策前论证备案 gate allows it (filing.py).
* ``merge`` — this step may be done in the same record as the step before it:
  ``一肩挑`` (商议 merged into 提议 when one person is both branch secretary and committee
  chair — RULES.md §3) or ``合并召开`` (the 决议 held together with the 党员大会 — seed:
  党员会议与代表会议可合并进行).  A merged record still passes each step on its own.

``procedure_state(steps, records, judge)`` replays the matter's step records in order
(RULES.md §3, 一事一档):

* a record is taken only for the current step (the first one not yet passed); a record
  for a later step is refused ("上一步……尚未通过"), one for a passed step is refused too;
* the current step passes when its last record is complete and the judge passes it
  (attendance and vote); a failed or incomplete record is kept and shown as such — the
  step is never quietly passed, and a new record (a new meeting) can follow;
* a record ``{"back_to": code, "reason": …}`` takes the matter back one step: the step
  before the current one is open again and its earlier records are marked 已退回.

The judge (``judging.Judge``) knows the roster, the matter and the rules; this module
knows only the order.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Protocol, Sequence

from app.domain.decisions.errors import DecisionError

KINDS = ("consultation", "meeting", "vote", "publicity", "implementation")
MERGES = ("一肩挑", "合并召开")
PASSED, FAILED, INCOMPLETE, OPEN, WAITING, REFUSED, WITHDRAWN, BACK = (
    "已通过", "未通过", "记录不完整", "待办", "未开始", "不予登记", "已退回", "退回")


@dataclass(frozen=True)
class StepDef:
    code: str
    label: str
    kind: str
    body: str = ""
    gated: bool = False
    merge: str = ""


def load_steps(doc: Sequence[Mapping[str, Any]]) -> tuple[StepDef, ...]:
    """The step list of one procedure, checked (codes unique, kinds and merges known)."""
    steps, seen = [], set()
    for i, item in enumerate(doc):
        try:
            step = StepDef(str(item["code"]), str(item["label"]), str(item["kind"]),
                           str(item.get("body", "")), bool(item.get("gated", False)),
                           str(item.get("merge", "")))
        except (KeyError, TypeError) as exc:
            raise DecisionError(f"第{i + 1}步的设置不完整，请检查步骤表", code="steps") from exc
        if step.code in seen:
            raise DecisionError(f"步骤“{step.label}”重复", code="steps")
        if step.kind not in KINDS:
            raise DecisionError(f"步骤“{step.label}”的类型“{step.kind}”不认识", code="steps")
        if step.merge and (step.merge not in MERGES or i == 0):
            raise DecisionError(f"步骤“{step.label}”不能与上一步合并", code="steps")
        seen.add(step.code)
        steps.append(step)
    if not steps:
        raise DecisionError("步骤表是空的", code="steps")
    return tuple(steps)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reasons: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class Judgement:
    """What the judge says of one record: refused outright, or per step covered."""

    refused: str = ""
    missing: tuple[str, ...] = ()               # labels of missing fields
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)


class Judge(Protocol):
    def judge(self, step: StepDef, record: Mapping[str, Any], covered: tuple[StepDef, ...],
              ) -> Judgement: ...

    def blocked(self, step: StepDef) -> str: ...


@dataclass(frozen=True)
class StepStatus:
    code: str
    label: str
    status: str
    record: str = ""
    reasons: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class RecordOutcome:
    record: str
    step: str
    status: str
    message: str = ""


@dataclass(frozen=True)
class ProcedureState:
    steps: tuple[StepStatus, ...]
    history: tuple[RecordOutcome, ...]
    current: str | None                # code of the step to do next; None when finished
    blocked: str = ""                  # why the current step cannot be done now

    @property
    def finished(self) -> bool:
        return self.current is None

    def status(self, code: str) -> StepStatus:
        return next(s for s in self.steps if s.code == code)


def _covered(steps: tuple[StepDef, ...], index: int, record: Mapping[str, Any]) -> tuple[StepDef, ...] | str:
    """The steps one record covers (its own and merged followers), or why it may not."""
    merged = list(record.get("merged") or [])
    joint = record.get("joint")
    if joint:
        merged.append(str(joint.get("step", "")))
    out = [steps[index]]
    for code in merged:
        nxt = index + len(out)
        if nxt >= len(steps) or steps[nxt].code != code or not steps[nxt].merge:
            return f"“{code}”不能与“{steps[index].label}”合并办理"
        if bool(joint) != (steps[nxt].merge == "合并召开"):
            return f"“{steps[nxt].label}”的合并方式应为“{steps[nxt].merge}”"
        out.append(steps[nxt])
    return tuple(out)


def procedure_state(steps: tuple[StepDef, ...], records: Iterable[Mapping[str, Any]],
                    judge: Judge) -> ProcedureState:
    """Replay ``records`` (in order) over ``steps``; see the module docstring."""
    status = {s.code: StepStatus(s.code, s.label, WAITING) for s in steps}
    index = {s.code: i for i, s in enumerate(steps)}
    history: list[RecordOutcome] = []
    current = 0
    for record in records:
        rid, code = str(record.get("id", "")), str(record.get("step", ""))
        if record.get("back_to"):
            target = str(record["back_to"])
            if current == 0 or steps[current - 1].code != target:
                history.append(RecordOutcome(rid, target, REFUSED, "只能退回到上一步"))
                continue
            current -= 1
            history = [replace(h, status=WITHDRAWN) if h.step == target and h.status == PASSED
                       else h for h in history]
            for later in steps[current:]:
                status[later.code] = StepStatus(later.code, later.label, WAITING)
            history.append(RecordOutcome(rid, target, BACK, str(record.get("reason", ""))))
            continue
        if code not in index:
            history.append(RecordOutcome(rid, code, REFUSED, f"没有“{code}”这一步"))
            continue
        if index[code] < current:
            history.append(RecordOutcome(rid, code, REFUSED, "这一步已经通过；如需重新办理，请先退回"))
            continue
        if index[code] > current:
            history.append(RecordOutcome(rid, code, REFUSED,
                                         f"上一步“{steps[current].label}”尚未通过，不能办理这一步"))
            continue
        covered = _covered(steps, current, record)
        if isinstance(covered, str):
            history.append(RecordOutcome(rid, code, REFUSED, covered))
            continue
        verdict = judge.judge(steps[current], record, covered)
        if verdict.refused:
            history.append(RecordOutcome(rid, code, REFUSED, verdict.refused))
            continue
        if verdict.missing:
            message = "缺少：" + "、".join(verdict.missing)
            status[code] = StepStatus(code, steps[current].label, INCOMPLETE, rid, (message,))
            history.append(RecordOutcome(rid, code, INCOMPLETE, message))
            continue
        advanced, failed = 0, None
        for step in covered:
            outcome = verdict.outcomes.get(step.code) or Outcome(False, ("没有判定结果",))
            if failed is None and outcome.passed:
                status[step.code] = StepStatus(step.code, step.label, PASSED, rid, (),
                                               outcome.explanation)
                history.append(RecordOutcome(rid, step.code, PASSED, outcome.explanation))
                advanced += 1
                continue
            reasons = outcome.reasons if failed is None else (
                f"“{failed.label}”未通过，合并办理的这一步不能生效",)
            failed = failed or step
            status[step.code] = StepStatus(step.code, step.label, FAILED, rid, reasons,
                                           outcome.explanation)
            history.append(RecordOutcome(rid, step.code, FAILED, "；".join(reasons)))
        current += advanced
    blocked = ""
    if current < len(steps):
        step = steps[current]
        if status[step.code].status == WAITING:
            status[step.code] = StepStatus(step.code, step.label, OPEN)
        blocked = judge.blocked(step)
    return ProcedureState(tuple(status[s.code] for s in steps), tuple(history),
                          steps[current].code if current < len(steps) else None, blocked)


def step_before(steps: Sequence[StepDef], current: str | None) -> StepDef | None:
    """The step a 退回 may take the matter back to: the one before the open step (the last
    step once the matter is finished); None at the first step (nothing to go back to)."""
    codes = [s.code for s in steps]
    index = len(steps) if current is None else codes.index(current) if current in codes else 0
    return steps[index - 1] if index > 0 else None


def steps_for(procedures: Mapping[str, Any], name: str) -> tuple[StepDef, ...]:
    """The step list named ``name`` (``DecisionRules.procedure``) from the config."""
    if name not in procedures:
        raise DecisionError(f"镇里选用的决策步骤“{name}”不在步骤表中，请在规则设置中重新选择",
                            code="steps")
    return load_steps(procedures[name])
