"""The dispute/mediation workflow, declared: ``DISPUTE`` (its steps, from which statuses,
with which rules and effects) and its replay ``fold(events, levels) -> DisputeState``.

Like ``service.flow.fold`` (DESIGN.md "Events, not rows" and "Conflicts"): events are
replayed in the total order (hlc, origin, seq), each checked by ``DISPUTE.check``
against the state at its place; a refused one is kept as ``Rejected`` with a Chinese
reason.  Deterministic: the input is sorted here and repeated event ids are ignored.

RULES.md §2: the 首问负责人 named at registration is never replaced; escalation moves the
dispute from the village 调解室 to the town 矛盾调处化解中心 and on to the county, and the
one-month mediation limit (人民调解工作若干规定 2002 Art 33) starts again at the level
that now holds it, on the day it was sent there; an extension only replaces the limit
when both sides' consent is recorded (checked in ``dispute.checks``).
"""
from __future__ import annotations

from typing import Any, Mapping

from app.domain.dispute.agreement import effective_on
from app.domain.dispute.checks import (
    check_agreed, check_assigned, check_confirmation, check_escalated, check_extended,
    check_failed, check_registered, check_revisited, check_risk_changed, check_session,
    check_taken, dated, not_holder, not_taken, wrong_level, wrong_status)
from app.domain.dispute.state import (
    ACTIVE, ESCALATION_BY_LEVEL, LEVEL_NAMES, LEVELS, REFERRAL_METHOD, DisputeState, Session,
    party_from, received_date)
from app.domain.events import Event
from app.domain.workflow import Act, Effect, Flow, Transition, iso_date
from app.domain.workflow.payload import checked_date

P = Mapping[str, Any]


def _registered(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    parties = tuple(party_from(d) for d in p["parties"])
    on = received_date(p["received_at"])
    changes = dict(
        status="registered", level=act.level, owner_node=str(event["origin"]),
        path=((act.level, str(event["origin"])),), intake_level=act.level,
        first_officer=dict(p["first_officer"]), dispute_type=p["type"], parties=parties,
        summary=p["summary"], village=p.get("village", ""), risk=p["risk"],
        received_at=p["received_at"], received_on=on,
        first_time=bool(p.get("first_time", True)),
        links=tuple(dict(link) for link in p.get("links") or ()),
        source=p.get("source"), ledger_no=p.get("ledger_no"),
        method=p.get("method") or "人民调解", mediation_start=on,
        proposal=dict(p["proposal"]) if p.get("proposal") else None,
        override_reason=p.get("override_reason") or None,
        review_of=dict(p["review_of"]) if p.get("review_of") else None)
    flags = "（初信初访）" if changes["first_time"] else "（重复反映）"
    what = f"登记{p['type']}纠纷，激化风险{p['risk']}{flags}"
    if changes["review_of"]:
        what += f"；当事人不服{LEVEL_NAMES.get(changes['review_of'].get('level', ''), '下级')}的处理结果，本级审查"
    if changes["override_reason"] and changes["proposal"]:
        what += f"（未采纳“{changes['proposal'].get('label', '')}”的提示：{changes['override_reason']}）"
    return Effect(changes, what, None)


def _taken(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    taken = {"by": dict(p["by"]), "on": p.get("on"), "level": act.level}
    post = p["by"].get("post")
    who = p["by"]["name"] + (f"（{post}）" if post else "")
    return Effect(dict(taken=taken), f"{who}认领包案", None)


def _risk_changed(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(risk=p["risk"]), f"激化风险调整为{p['risk']}：{p['reason']}", None)


def _session(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    session = Session(str(event["id"]), checked_date(p["on"]), act.level,
                      tuple(p.get("mediators") or ()), tuple(p.get("attendees") or ()),
                      p["record_text"], tuple(dict(a) for a in p.get("attachments") or ()))
    names = "、".join(session.mediators)
    return Effect(dict(status="mediating", sessions=state.sessions + (session,)),
                  f"调解（调解员：{names}）", None)


def _extended(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    new_due = checked_date(p["new_due"])
    record = {"new_due": p["new_due"], "reason": p["reason"], "on": p.get("on"),
              "consents": [dict(c) for c in p["consents"]], "level": act.level}
    return Effect(dict(extended_to=new_due, extensions=state.extensions + (record,)),
                  f"经双方当事人同意，调解期限延至{new_due.isoformat()}：{p['reason']}", new_due)


def _agreed(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    agreement = dict(p["agreement"])
    return Effect(dict(status="agreed", agreement=agreement,
                       effective_on=effective_on(agreement)),
                  f"调解成功，签订调解协议书（{agreement['no']}）", None)


def _up(state: DisputeState, level: str, on: Any) -> dict[str, Any]:
    upper = LEVELS[LEVELS.index(level) + 1]
    return dict(status="escalated", level=upper, owner_node=None,
                path=state.path + ((upper, None),), mediation_start=iso_date(on),
                extended_to=None)


def _failed(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    referral = dict(p["referral"], on=p.get("on"), level=act.level, reason=p["reason"])
    to = referral["to"]
    if to == ESCALATION_BY_LEVEL.get(act.level):
        changes = _up(state, act.level, p.get("on"))
        changes["escalations"] = state.escalations + (referral,)
        return Effect(changes, f"调解不成，{to}：{p['reason']}", None)
    changes = dict(status="referred", referral=referral, closed_on=iso_date(p.get("on")))
    if to in REFERRAL_METHOD:
        changes["method"] = REFERRAL_METHOD[to]
    return Effect(changes, f"调解不成，引导{to}：{p['reason']}", None)


def _escalated(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    changes = _up(state, act.level, p.get("on"))
    record = {"to": changes["level"], "on": p.get("on"), "level": act.level, "reason": p["reason"]}
    changes["escalations"] = state.escalations + (record,)
    return Effect(changes, f"上报{LEVEL_NAMES[changes['level']]}：{p['reason']}", None)


def _assigned(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    record = {"to": p["to"], "on": p.get("on"), "level": act.level, "reason": p["reason"]}
    changes = dict(status="assigned", level="town", owner_node=None,
                   path=state.path + (("town", None),), mediation_start=iso_date(p.get("on")),
                   extended_to=None, assigned=record)
    return Effect(changes, f"交办{p['to']}矛盾调处化解中心：{p['reason']}",
                  iso_date(p.get("report_by")))


def _confirmation(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    record = {"status": p["status"], "court": p.get("court", ""), "on": p.get("on"),
              "note": p.get("note", "")}
    court = f"（{record['court']}）" if record["court"] else ""
    return Effect(dict(confirmation=record), f"司法确认：{p['status']}{court}", None)


def _revisited(state: DisputeState, event: Event, p: P, act: Act) -> Effect:
    record = {"on": p.get("on"), "by": dict(p["by"]), "performance": p["performance"],
              "note": p.get("note", ""), "level": act.level}
    changes: dict[str, Any] = dict(revisits=state.revisits + (record,))
    if p["performance"] == "全部履行":
        changes.update(status="performed", closed_on=iso_date(p.get("on")))
    note = f"：{p['note']}" if p.get("note") else ""
    return Effect(changes, f"回访，协议{p['performance']}{note}", None)


def _on(payload: P) -> str | None:
    received = received_date(payload.get("received_at"))
    return payload.get("on") or (received.isoformat() if received else None)


def _step(kind: str, sources: set[str] | frozenset[str], label: str, apply: Any,
          **rules: Any) -> Transition[DisputeState]:
    return Transition(kind, frozenset(sources), label, apply, **rules)


# The table of this workflow (RULES.md §2, issue #4 §1).  Who may make each step (levels,
# holder rule) is app.domain.authority.WRITERS; the order is the order of the buttons.
DISPUTE: Flow[DisputeState] = Flow(
    name="纠纷调解", new=lambda record: DisputeState(record=record),
    wrong_status=wrong_status, wrong_level=wrong_level, not_holder=not_holder, common=dated,
    on=_on,
    steps=(
        _step("dispute.registered", {"new"}, "", _registered, check=check_registered),
        # taking an alert (认领包案) and re-rating the risk do not make the actor the holder
        _step("dispute.taken", ACTIVE, "认领包案", _taken, ready=not_taken, check=check_taken,
              claims=False),
        _step("dispute.session", ACTIVE, "登记调解", _session, check=check_session),
        _step("dispute.agreed", {"mediating"}, "调解成功", _agreed, check=check_agreed),
        _step("dispute.failed", {"mediating"}, "调解不成", _failed, check=check_failed),
        _step("dispute.extended", ACTIVE, "延长调解期限", _extended, check=check_extended),
        _step("dispute.escalated", ACTIVE, "上报", _escalated, check=check_escalated),
        _step("dispute.assigned", ACTIVE, "交办镇里", _assigned, check=check_assigned),
        _step("dispute.risk_changed", ACTIVE, "调整激化风险", _risk_changed,
              check=check_risk_changed, claims=False),
        _step("dispute.confirmation", {"agreed", "performed"}, "司法确认", _confirmation,
              check=check_confirmation),
        _step("dispute.revisited", {"agreed"}, "回访", _revisited, check=check_revisited),
    ))

EVENT_TYPES = DISPUTE.kinds
check_transition = DISPUTE.check
apply_event = DISPUTE.apply
fold = DISPUTE.fold
