"""The village-decision workflow (issue #12) as a declaration: for each event type, the
filing states it may be written from and its payload check; who may write it is in
``app.domain.authority.WRITERS`` (the village that opened the matter; the filing review
by its own town only).  ``fold(events, …) -> Matter`` replays one matter; pure.

| event type                  | from (filing status)                  | who                     |
|-----------------------------|---------------------------------------|-------------------------|
| decision.matter_opened      | (new record)                          | a village (creates it)  |
| decision.filing_submitted   | draft, 补正, 不同意                   | the village holding it  |
| decision.filing_reviewed    | 已报备                                | its own town            |
| decision.step_recorded      | any but new (gated steps: 同意 + risk)| the village holding it  |
| decision.stepped_back       | any but new                           | the village holding it  |

Step records are judged by the pure rules (procedure.procedure_state with
judging.RecordJudge): a record the procedure refuses (不予登记: a later step, a gated step
while the 决策前论证备案 gate is closed, an Art 24 matter before an unauthorised 代表会议
…) is kept in the log as rejected and never applied; a failed or incomplete record is the
record (未通过 / 记录不完整) and stays.  Each record is judged against the context as it
stood at its place in the total order (roster, authorisations, filing, risk assessment,
date), so its verdict does not move when the roster changes later (notes/rules.md).
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
from app.domain.events import Rejected, order_key, rejected
from app.domain.workflow import OK, Verdict, no

NEW, DRAFT = "new", "draft"
FILED, AMEND, REFUSED_FILING, ACCEPTED = (filings.SUBMITTED, filings.AMEND, filings.REFUSED,
                                          filings.ACCEPTED)
STATUS_NAMES = {NEW: "未立项", DRAFT: "未报备", FILED: "已报镇审核", AMEND: "镇里要求补正",
                REFUSED_FILING: "镇里不同意", ACCEPTED: "镇里已同意"}
_ANY = frozenset({DRAFT, FILED, AMEND, REFUSED_FILING, ACCEPTED})
CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    check: Callable[[Matter, Mapping[str, Any]], Verdict]
    village: bool = True        # written by the village holding the matter (else its town)


@dataclass(frozen=True)
class Matter:
    record: str
    status: str = NEW
    village: str = ""                          # origin of the village that opened it
    opened: Mapping[str, Any] = field(default_factory=dict)
    filing: Mapping[str, Any] | None = None    # the last filing sent
    review: Mapping[str, Any] | None = None    # the town's last answer
    trail: tuple[Mapping[str, Any], ...] = ()  # filings and reviews in order (for the file)
    records: tuple[Mapping[str, Any], ...] = ()
    contexts: Mapping[str, Context] = field(default_factory=dict)
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()
    steps: tuple[StepDef, ...] = ()
    last_hlc: int = 0
    # judgements already made, by (record, step, merged steps, day for a 公开): a record's
    # verdict depends only on its own context, so replaying the matter never re-counts a
    # meeting (a 村民会议 of 3,000 adults) it has counted
    judged: dict[tuple[Any, ...], Judgement] = field(default_factory=dict, compare=False,
                                                     repr=False)

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
        return (self.filing or {}).get("assessment")


ContextAt = Callable[[Matter, int], Context]


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
    judge = _PerRecord(matter.contexts, matter.steps[0].code, latest, today, matter.judged)
    return procedure_state(matter.steps, matter.records, judge)


def day_of(hlc: int) -> date:
    """The calendar day (Beijing time) of a clock stamp: the date a record was made."""
    return datetime.fromtimestamp((hlc >> 16) / 1000, CHINA).date()


# payload checks ------------------------------------------------------------------------
def _text(p: Mapping[str, Any], key: str) -> str:
    value = p.get(key)
    return value.strip() if isinstance(value, str) else ""


def _opened(m: Matter, p: Mapping[str, Any]) -> Verdict:
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


def _filed(m: Matter, p: Mapping[str, Any]) -> Verdict:
    doc = {**p, "complex": p.get("complex", m.opened.get("complex"))}
    missing = filings.filing_missing(doc, bool(m.opened.get("needs_assessment")))
    if missing:
        return no("filing_incomplete", "报备材料还缺：" + "、".join(missing) + "。请补齐后再报镇党委")
    return OK


def _reviewed(m: Matter, p: Mapping[str, Any]) -> Verdict:
    result = p.get("result")
    if result == AMEND and not _text(p, "asked"):
        return no("missing_asked", "要求补正的，请写明需要补充哪些材料")
    if result == REFUSED_FILING and not _text(p, "reasons"):
        return no("missing_reasons", "不同意的，请写明理由")
    return OK


def _stepped(m: Matter, p: Mapping[str, Any]) -> Verdict:
    if not any(s.code == p.get("step") for s in m.steps):
        return no("unknown_step", f"这件事的步骤中没有“{p.get('step')}”")
    return OK


def _back(m: Matter, p: Mapping[str, Any]) -> Verdict:
    if not _text(p, "reason"):
        return no("missing_reason", "退回上一步，请写明原因")
    return OK


DECLARATION: dict[str, Transition] = {
    "decision.matter_opened": Transition(frozenset({NEW}), _opened),
    "decision.filing_submitted": Transition(frozenset({DRAFT, AMEND, REFUSED_FILING}), _filed),
    "decision.filing_reviewed": Transition(frozenset({FILED}), _reviewed, village=False),
    "decision.step_recorded": Transition(_ANY, _stepped),
    "decision.stepped_back": Transition(_ANY, _back),
}
EVENT_TYPES = tuple(DECLARATION)
_ORDER_HINT = {
    "decision.filing_submitted": "已报镇党委备案，请等镇里审核；镇里同意后不必再报",
    "decision.filing_reviewed": "这件事现在没有等待审核的备案",
}


def check_transition(m: Matter, event: Mapping[str, Any], actor: str | None,
                     levels: Mapping[str, str], parents: Mapping[str, str]) -> Verdict:
    """May the node ``actor`` write ``event`` on the matter ``m``?  Levels and parents
    come from certificates (``levels``/``parents``: node id → level / certifying hub)."""
    kind = event.get("type")
    rule = DECLARATION.get(str(kind))
    if rule is None:
        return no("unknown_type", f"不认识的村级决策操作“{kind}”，请升级程序后再看")
    if event.get("v", 1) != 1:
        return no("newer_version", "这条记录来自更新版本的程序，本机暂时不能处理；请升级程序后再看")
    payload = event.get("payload")
    if not isinstance(payload, Mapping):
        return no("bad_payload", "记录内容缺失，请重新填写")
    if m.status not in rule.sources:
        if m.status == NEW:
            return no("not_opened", "找不到这件事的立项记录，请先立项或先同步")
        if kind == "decision.matter_opened":
            return no("duplicate", "这件事已经立项")
        return no("wrong_order", _ORDER_HINT.get(str(kind), "现在不能办理这一步"))
    level = levels.get(str(actor)) if actor else None
    if kind != "decision.matter_opened":
        if rule.village and (level != "village" or actor != m.village):
            return no("not_holder", "这件事由立项的村办理，别的站点不能代办")
        if not rule.village:
            if level != "town":
                return no("wrong_level", "决策前论证备案只能由镇党委审核，村里不能自己审核")
            town = parents.get(m.village)
            if town and parents.get(str(actor)) != town:
                return no("not_our_town", "只有这个村所在镇的镇党委可以审核它的备案")
    elif level != "village":
        return no("wrong_level", "村级重大事项只能由村里立项")
    return rule.check(m, payload)


def fold(events: Iterable[Mapping[str, Any]], levels: Mapping[str, str],
         parents: Mapping[str, str], context_at: ContextAt | None = None) -> Matter:
    """Replay one matter in the total order.  ``context_at(matter, hlc)`` gives the
    judge's context at a step record's place; without it records are kept unjudged."""
    ordered = sorted(events, key=order_key)
    if not ordered:
        raise ValueError("no events to fold")
    state = Matter(str(ordered[0]["record"]))
    for event in ordered:
        state = _apply(state, event, levels, parents, context_at)
    return state


def refuse(m: Matter, event: Mapping[str, Any], seen: frozenset[str], code: str,
           message: str) -> Matter:
    """Kept at its place, shown as rejected, never applied."""
    return replace(m, seen=seen, rejected=m.rejected + (rejected(event, code, message),))


def _apply(m: Matter, event: Mapping[str, Any], levels: Mapping[str, str],
           parents: Mapping[str, str], context_at: ContextAt | None) -> Matter:
    if str(event["record"]) != m.record:
        raise ValueError(f"event {event['id']} is for record {event['record']}, not {m.record}")
    if str(event["id"]) in m.seen:
        return m      # an event that arrived by two routes counts once
    seen = m.seen | {str(event["id"])}
    origin = str(event["origin"])
    verdict = check_transition(m, event, origin, levels, parents)
    if not verdict.ok:
        return refuse(m, event, seen, verdict.code, verdict.message)
    kind, p, hlc = event["type"], event["payload"], int(event["hlc"])
    m = replace(m, seen=seen, last_hlc=max(m.last_hlc, hlc))
    if kind == "decision.matter_opened":
        return replace(m, status=DRAFT, village=origin, opened=dict(p),
                       steps=load_steps(p["steps"]))
    if kind == "decision.filing_submitted":
        entry = {**p, "type": kind, "hlc": hlc, "id": event["id"]}
        return replace(m, status=FILED, filing=dict(p), trail=m.trail + (entry,))
    if kind == "decision.filing_reviewed":
        entry = {**p, "type": kind, "hlc": hlc, "id": event["id"], "by": origin}
        return replace(m, status=p["result"], review=dict(p), trail=m.trail + (entry,))
    record = _record(event)
    if kind == "decision.stepped_back" or context_at is None:
        return replace(m, records=m.records + (record,))
    context = context_at(replace(m, records=m.records + (record,)), hlc)  # its plan_sent too
    contexts = {**m.contexts, record["id"]: context}
    trial = procedure(replace(m, contexts=contexts, records=m.records + (record,)), context)
    outcome = next((h for h in reversed(trial.history) if h.record == record["id"]), None)
    if outcome is not None and outcome.status == REFUSED:
        return refuse(m, event, seen, "refused_step", outcome.message)
    return replace(m, records=m.records + (record,), contexts=contexts)


def attendance_of(part: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A payload's compact attendance ({p, m, v}) and proxies as judging reads them: a
    proxy is an attendance line of mode 委托 (recorded; counted only if the rules say so)."""
    out = [{"person": a["p"], "mode": a["m"], "vote": a.get("v")}
           for a in part.get("attendance") or ()]
    present = {a["person"] for a in out}
    out += [{"person": x["principal"], "mode": "委托", "holder": x["holder"]}
            for x in part.get("proxies") or () if x["principal"] not in present]
    return out


def _record(event: Mapping[str, Any]) -> dict[str, Any]:
    p = event["payload"]
    base = {"id": str(event["id"]), "hlc": int(event["hlc"]), "type": event["type"],
            "author": event.get("author"), "officer": p.get("officer")}
    if event["type"] == "decision.stepped_back":
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
    "DECLARATION",
    "EVENT_TYPES",
    "FILED",
    "REFUSED_FILING",
    "Matter",
    "Transition",
    "attendance_of",
    "check_transition",
    "day_of",
    "fold",
    "gate_of",
    "plan_sent",
    "procedure",
]
