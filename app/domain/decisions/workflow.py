"""The village-decision workflow (issue #12) declared on the workflow engine
(app.domain.workflow, issue #9): one ``Flow``; the engine's gate, check, apply, fold and
buttons replay it.  Who may write each step is ``app.domain.authority.WRITERS`` (the
village; the filing review by the town above it); the node rule adds that only the
village that opened the matter writes its steps and only that village's own town (the hub
that certified it) reviews its filing — both from certificates, via ``Act.node`` and
``Act.parent``.

| event type                  | from (filing status)                  | who                     |
|-----------------------------|---------------------------------------|-------------------------|
| decision.matter_opened      | (new record)                          | a village (creates it)  |
| decision.filing_submitted   | draft, 补正, 不同意                   | the village holding it  |
| decision.filing_reviewed    | 已报备                                | its own town            |
| decision.step_recorded      | any but new (gated steps: 同意 + risk)| the village holding it  |
| decision.stepped_back       | any but new                           | the village holding it  |

Step records are judged by the pure rules (procedure.procedure_state with
judging.RecordJudge) in the step's payload check: a record the procedure refuses (不予登记:
a later step, a gated step while the 决策前论证备案 gate is closed, an Art 24 matter before
an unauthorised 代表会议 …) is refused by the check, so the engine keeps it as rejected and
never applies it; a failed or incomplete record is the record (未通过 / 记录不完整) and
stays.  Each record is judged against the context as it stood at its place in the total
order (``Act.hlc``: roster, authorisations, filing, risk assessment, the decision rules in
force then, date — ``Judging.context_at``), so its verdict does not move when the roster
or the town's rules change later (notes/rules.md, notes/flows.md).  The step list is the
one stored with the matter when it was opened.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from app.domain.decisions import filing as filings
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.judging import Context, RecordJudge
from app.domain.decisions.matters import ART24_ITEMS, KNOWN
from app.domain.decisions.procedure import (
    REFUSED,
    Judgement,
    ProcedureState,
    StepDef,
    load_steps,
    procedure_state,
)
from app.domain.events import Event, Rejected
from app.domain.workflow import OK, Act, Effect, Flow, Step, Transition, Verdict, no

NEW, DRAFT = "new", "draft"
FILED, AMEND, REFUSED_FILING, ACCEPTED = (filings.SUBMITTED, filings.AMEND, filings.REFUSED,
                                          filings.ACCEPTED)
STATUS_NAMES = {NEW: "未立项", DRAFT: "未报备", FILED: "已报镇审核", AMEND: "镇里要求补正",
                REFUSED_FILING: "镇里不同意", ACCEPTED: "镇里已同意"}
_ANY = frozenset({DRAFT, FILED, AMEND, REFUSED_FILING, ACCEPTED})
CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Matter:
    record: str
    status: str = NEW
    level: str | None = None                   # "village" once opened (the engine's holder)
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()
    steps: tuple[Step, ...] = ()               # the timeline (the engine's)
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()
    village: str = ""                          # origin of the village that opened it
    town: str = ""                             # the hub that certified that village
    opened: Mapping[str, Any] = field(default_factory=dict)
    filing: Mapping[str, Any] | None = None    # the last filing sent
    review: Mapping[str, Any] | None = None    # the town's last answer
    trail: tuple[Mapping[str, Any], ...] = ()  # filings and reviews in order (for the file)
    records: tuple[Mapping[str, Any], ...] = ()
    contexts: Mapping[str, Context] = field(default_factory=dict)
    step_list: tuple[StepDef, ...] = ()        # the procedure stored with the matter
    last_hlc: int = 0
    # judgements already made, by (record, step, merged steps, day for a 公开): a record's
    # verdict depends only on its own context, so replaying the matter never re-counts a
    # meeting (a 村民会议 of 3,000 adults) it has counted
    judged: dict[tuple[Any, ...], Judgement] = field(default_factory=dict, compare=False,
                                                     repr=False)
    # a record judged by the check, kept for its apply right after (event id, records so
    # far) -> (records, contexts, refusal): the engine checks, then applies, the same event
    trials: dict[tuple[str, int], tuple[tuple[Mapping[str, Any], ...], Mapping[str, Context],
                                        str | None]] = field(default_factory=dict,
                                                             compare=False, repr=False)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def filing_status(self) -> str | None:
        return None if self.status in (NEW, DRAFT) else self.status

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.opened.get("kinds") or ())

    @property
    def art24(self) -> bool:
        return any(kind in ART24_ITEMS for kind in self.kinds)

    @property
    def assessment(self) -> str | None:
        value = (self.filing or {}).get("assessment")
        return str(value) if value else None


ContextAt = Callable[[Matter, int], Context]


@dataclass(frozen=True)
class Judging:
    """The decision workflow's ``Act.rules``: the judge's context at a place in the total
    order (``context_at(matter, hlc)``, app.domain.decisions.contexts).  Without it step
    records are kept unjudged (a first pass that only learns the matter's links)."""

    context_at: ContextAt | None = None


class _PerRecord:
    """procedure.Judge judging each record in its own context (``contexts``)."""

    def __init__(self, contexts: Mapping[str, Context], first: str, latest: Context,
                 today: date | None = None,
                 judged: dict[tuple[Any, ...], Judgement] | None = None) -> None:
        self.contexts, self.first, self.today = contexts, first, today
        self.latest = replace(latest, today=today) if today else latest
        self.judged = {} if judged is None else judged

    def _judge(self, record: Mapping[str, Any]) -> RecordJudge:
        context = self.contexts.get(str(record.get("id")), self.latest)
        return RecordJudge(replace(context, today=self.today) if self.today else context,
                           self.first)

    def judge(self, step: StepDef, record: Mapping[str, Any], covered: tuple[StepDef, ...]
              ) -> Judgement:
        rid = str(record.get("id"))
        judge = self._judge(record)
        dated = any(s.kind == "publicity" for s in covered)
        key = (rid, tuple(s.code for s in covered), judge.c.today if dated else None,
               judge.c.gate.allowed)
        if key not in self.judged:
            self.judged[key] = judge.judge(step, record, covered)
        return self.judged[key]

    def blocked(self, step: StepDef) -> str:
        return RecordJudge(self.latest, self.first).blocked(step)


def procedure(matter: Matter, latest: Context, today: date | None = None) -> ProcedureState:
    """Where the matter stands: each record in its own context, the open step's
    ``blocked`` under ``latest`` (today's roster, filing and risk gate)."""
    judge = _PerRecord(matter.contexts, matter.step_list[0].code, latest, today, matter.judged)
    return procedure_state(matter.step_list, matter.records, judge)


def day_of(hlc: int) -> date:
    """The calendar day (Beijing time) of a clock stamp: the date a record was made."""
    return datetime.fromtimestamp((hlc >> 16) / 1000, CHINA).date()


# payload checks ------------------------------------------------------------------------
def _text(p: Mapping[str, Any], key: str) -> str:
    value = p.get(key)
    return value.strip() if isinstance(value, str) else ""


def _opened(m: Matter, p: Mapping[str, Any], act: Act) -> Verdict:
    if not _text(p, "title"):
        return no("missing_title", "请填写事项名称")
    if not _text(p, "reason"):
        return no("missing_reason", "请填写动议事由（为什么要办这件事）")
    unknown = [k for k in p.get("kinds") or () if k not in KNOWN]
    if unknown or not p.get("kinds"):
        return no("bad_kind", "事项类别“" + "、".join(unknown) + "”不认识，请从列表中选择")
    try:
        load_steps(p.get("steps") or ())
    except DecisionError as exc:
        return no("bad_steps", exc.message)
    return OK


def _filed(m: Matter, p: Mapping[str, Any], act: Act) -> Verdict:
    doc = {**p, "complex": p.get("complex", m.opened.get("complex"))}
    missing = filings.filing_missing(doc, bool(m.opened.get("needs_assessment")))
    if missing:
        return no("filing_incomplete", "报备材料还缺：" + "、".join(missing) + "。请补齐后再报镇党委")
    return OK


def _reviewed(m: Matter, p: Mapping[str, Any], act: Act) -> Verdict:
    result = p.get("result")
    if result == AMEND and not _text(p, "asked"):
        return no("missing_asked", "要求补正的，请写明需要补充哪些材料")
    if result == REFUSED_FILING and not _text(p, "reasons"):
        return no("missing_reasons", "不同意的，请写明理由")
    return OK


def _judged(m: Matter, record: dict[str, Any], act: Act
            ) -> tuple[Matter, str | None]:
    """The matter with ``record`` added and judged in its own context (at ``act.hlc``),
    and the procedure's refusal of it (不予登记), if any."""
    with_it = replace(m, records=m.records + (record,))
    context_at = act.rules.context_at if isinstance(act.rules, Judging) else None
    if context_at is None or act.hlc is None:
        return with_it, None
    key = (str(act.event), len(m.records))
    held = m.trials.pop(key, None) if act.event is not None else None
    if held is not None:
        return replace(m, records=held[0], contexts=held[1]), held[2]
    context = context_at(with_it, act.hlc)             # its own plan_sent counts too
    with_it = replace(with_it, contexts={**m.contexts, record["id"]: context})
    trial = procedure(with_it, context)
    outcome = next((h for h in reversed(trial.history) if h.record == record["id"]), None)
    refused = outcome.message if outcome is not None and outcome.status == REFUSED else None
    if act.event is not None:
        m.trials[key] = (with_it.records, with_it.contexts, refused)
    return with_it, refused


def _held_on(p: Mapping[str, Any]) -> date | None:
    """The day the recorded meeting or step took place (``fields.date``), if readable."""
    try:
        return date.fromisoformat(str((p.get("fields") or {}).get("date")))
    except ValueError:
        return None                            # the judge refuses it with its own message


def _recorded_before_held(p: Mapping[str, Any], act: Act) -> Verdict | None:
    """A step cannot be recorded before the day it took place.  The clock stamp is the
    writer's own (a modified app chooses it) and it chooses the decision rules a record is
    judged by (``RulesHistory.at``): a record stamped before the town tightened a quorum,
    for a meeting held after it, would pass under the old rule (review-night.md H4).  So
    the stamp's day may not precede the record's own date: judged by the rules in force
    at the later of the two, which after this check is always the stamp.  A back-dated
    stamp then needs a false meeting date on a paper the 镇里参会人员 witnessed."""
    held = _held_on(p)
    if held is None or act.hlc is None or held <= day_of(act.hlc):
        return None
    return no("recorded_before_held",
              f"日期{held.isoformat()}晚于登记这一天（{day_of(act.hlc).isoformat()}），"
              "还没有办的事不能登记：请在办理当天或以后登记；如果日期没有填错，"
              "请核对平板的日期时间后再登记")


def _stepped(m: Matter, p: Mapping[str, Any], act: Act) -> Verdict:
    if not any(s.code == p.get("step") for s in m.step_list):
        return no("unknown_step", f"这件事的步骤中没有“{p.get('step')}”")
    early = _recorded_before_held(p, act)
    if early is not None:
        return early
    _, refused = _judged(m, _record("decision.step_recorded", p, act), act)
    return no("refused_step", refused) if refused is not None else OK


def _back(m: Matter, p: Mapping[str, Any], act: Act) -> Verdict:
    if not _text(p, "reason"):
        return no("missing_reason", "退回上一步，请写明原因")
    return OK


# effects --------------------------------------------------------------------------------
def _stamped(m: Matter, act: Act, **changes: Any) -> dict[str, Any]:
    return {**changes, "last_hlc": max(m.last_hlc, act.hlc or 0)}


def _apply_opened(m: Matter, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    village = str(act.node or "")
    return Effect(_stamped(m, act, status=DRAFT, level="village", owner_node=village,
                           village=village, town=str(act.parent or ""), opened=dict(p),
                           step_list=load_steps(p["steps"])), "立项")


def _apply_filed(m: Matter, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    entry = {**p, "type": e["type"], "hlc": act.hlc, "id": act.event}
    return Effect(_stamped(m, act, status=FILED, filing=dict(p), trail=m.trail + (entry,)),
                  "报镇党委备案")


def _apply_reviewed(m: Matter, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    entry = {**p, "type": e["type"], "hlc": act.hlc, "id": act.event, "by": act.node}
    return Effect(_stamped(m, act, status=p["result"], review=dict(p),
                           trail=m.trail + (entry,)), f"镇党委审核：{p['result']}")


def _apply_step(m: Matter, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    judged, _ = _judged(m, _record(str(e["type"]), p, act), act)
    label = next((s.label for s in m.step_list if s.code == p.get("step")), "")
    return Effect(_stamped(m, act, records=judged.records, contexts=judged.contexts),
                  f"登记：{label}")


def _apply_back(m: Matter, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    return Effect(_stamped(m, act, records=m.records + (_record(str(e["type"]), p, act),)),
                  f"退回上一步：{p['reason']}")


# refusals -------------------------------------------------------------------------------
_ORDER_HINT = {
    "decision.filing_submitted": "已报镇党委备案，请等镇里审核；镇里同意后不必再报",
    "decision.filing_reviewed": "这件事现在没有等待审核的备案",
}


def _wrong_status(m: Matter, step: Transition[Matter]) -> Verdict:
    if m.status == NEW:
        return no("not_opened", "找不到这件事的立项记录，请先立项或先同步")
    if step.kind == "decision.matter_opened":
        return no("duplicate", "这件事已经立项")
    return no("wrong_order", _ORDER_HINT.get(step.kind, "现在不能办理这一步"))


def _wrong_level(m: Matter, step: Transition[Matter], act: Act) -> Verdict:
    if step.kind == "decision.matter_opened":
        return no("wrong_level", "村级重大事项只能由村里立项")
    if step.kind == "decision.filing_reviewed":
        return no("wrong_level", "决策前论证备案只能由镇党委审核，村里不能自己审核")
    return _NOT_HOLDER


_NOT_HOLDER = no("not_holder", "这件事由立项的村办理，别的站点不能代办")


def _own_village_or_town(m: Matter, step: Transition[Matter], act: Act) -> Verdict | None:
    """The village that opened the matter writes its steps; only its own town (the hub
    that certified it) reviews its filing."""
    if step.kind == "decision.matter_opened":
        return None
    if step.kind == "decision.filing_reviewed":
        if not m.town:        # the village's certificate was not known: never fail open
            return no("town_unknown", "本机还不知道这个村属于哪个镇，暂时不能审核它的备案："
                                      "请先同步一次，再审核")
        if act.parent != m.town:
            return no("not_our_town", "只有这个村所在镇的镇党委可以审核它的备案")
        return None
    return None if act.node == m.village else _NOT_HOLDER


DECISION: Flow[Matter] = Flow(
    name="村级决策", record_word="决策记录",
    new=lambda record: Matter(record=record),
    steps=(
        Transition("decision.matter_opened", {NEW}, "", _apply_opened, _opened),
        Transition("decision.filing_submitted", {DRAFT, AMEND, REFUSED_FILING}, "报镇党委备案",
                   _apply_filed, _filed),
        Transition("decision.filing_reviewed", {FILED}, "审核备案", _apply_reviewed, _reviewed),
        Transition("decision.step_recorded", _ANY, "登记办理", _apply_step, _stepped),
        Transition("decision.stepped_back", _ANY, "退回上一步", _apply_back, _back),
    ),
    wrong_status=_wrong_status,
    wrong_level=_wrong_level,
    node_rule=_own_village_or_town,
    rules=Judging(),
)
EVENT_TYPES = DECISION.kinds


def fold(events: Iterable[Mapping[str, Any]], levels: Mapping[str, str],
         parents: Mapping[str, str], context_at: ContextAt | None = None) -> Matter:
    """Replay one matter in the total order (``DECISION.fold``).  ``context_at(matter,
    hlc)`` gives the judge's context at a step record's place; without it records are
    kept unjudged."""
    return DECISION.fold(events, levels, Judging(context_at), parents)


def attendance_of(part: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A payload's compact attendance ({p, m, v}) and proxies as judging reads them: a
    proxy is an attendance line of mode 委托 (recorded; counted only if the rules say so)."""
    out = [{"person": a["p"], "mode": a["m"], "vote": a.get("v")}
           for a in part.get("attendance") or ()]
    present = {a["person"] for a in out}
    out += [{"person": x["principal"], "mode": "委托", "holder": x["holder"]}
            for x in part.get("proxies") or () if x["principal"] not in present]
    return out


def _record(kind: str, p: Mapping[str, Any], act: Act) -> dict[str, Any]:
    """A step record as the procedure reads it, from the payload and the envelope."""
    base = {"id": str(act.event or "new"), "hlc": act.hlc or 0, "type": kind,
            "author": act.cadre, "officer": p.get("officer")}
    if kind == "decision.stepped_back":
        return {**base, "back_to": p["back_to"], "reason": p["reason"], "on": p["on"]}
    record = {**base, "step": p["step"], "fields": dict(p.get("fields") or {}),
              "attendance": attendance_of(p), "merged": list(p.get("merged") or ()),
              "plan_sent": dict(p.get("plan_sent") or {}),
              "attachments": list(p.get("attachments") or ()),
              "proxies": list(p.get("proxies") or ())}
    for key in ("body", "basis", "group"):
        if p.get(key):
            record[key] = p[key]
    if p.get("joint"):
        joint = p["joint"]
        record["joint"] = {"step": joint["step"], "attendance": attendance_of(joint),
                           "proxies": list(joint.get("proxies") or ()),
                           **{k: joint[k] for k in ("body", "basis", "group") if joint.get(k)}}
    return record


def plan_sent(m: Matter) -> dict[str, date]:
    """When the plan reached each party member (the latest record saying so wins)."""
    out: dict[str, date] = {}
    for record in m.records:
        for person, day in (record.get("plan_sent") or {}).items():
            out[person] = date.fromisoformat(day)
    return out


def gate_of(m: Matter, assessment: Mapping[str, Any] | None, risk_rules: Any
            ) -> filings.Gate:
    """The 决策前论证备案 gate for the matter now (filing + linked risk assessment)."""
    review = m.review or {}
    return filings.filing_gate(m.filing_status, asked=str(review.get("asked") or ""),
                               reasons=str(review.get("reasons") or ""),
                               needs_assessment=bool(m.opened.get("needs_assessment")),
                               assessment=assessment, rules=risk_rules)


__all__ = [
    "ACCEPTED",
    "AMEND",
    "DECISION",
    "EVENT_TYPES",
    "FILED",
    "REFUSED_FILING",
    "Judging",
    "Matter",
    "attendance_of",
    "day_of",
    "fold",
    "gate_of",
    "plan_sent",
    "procedure",
]
