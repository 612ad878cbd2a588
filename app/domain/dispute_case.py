"""Replay of a dispute: ``fold(events, levels) -> DisputeState``.

Like ``service_case.fold`` (DESIGN.md "Events, not rows" and "Conflicts"): events are
replayed in the total order (hlc, origin, seq), each checked by ``check_transition``
against the state at its place; a refused one is kept as ``Rejected`` with a Chinese
reason.  Deterministic: the input is sorted here and repeated event ids are ignored.

RULES.md §2: the 首问负责人 named at registration is never replaced; escalation moves the
dispute from the village 调解室 to the town 矛盾调处化解中心 and on to the county, and the
one-month mediation limit (人民调解工作若干规定 2002 Art 33) starts again at the level
that now holds it, on the day it was sent there; an extension only replaces the limit
when both sides' consent is recorded (checked in ``dispute_transitions``).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from app.domain.dispute_state import (
    ESCALATION_BY_LEVEL, LEVEL_NAMES, LEVELS, REFERRAL_METHOD, DisputeState, Session,
    iso_date, party_from, received_date)
from app.domain.dispute_transitions import check_transition
from app.domain.events import Event, claim, first_sight, refuse, replay
from app.domain.mediation_agreement import effective_on
from app.domain.service_state import Step


def fold(events: Iterable[Event], levels: Mapping[str, str]) -> DisputeState:
    """Replay the events of one dispute; ``levels`` maps origin node id -> its level."""
    return replay(events, lambda record: DisputeState(record=record),
                  lambda state, event: apply_event(state, event, levels.get(str(event["origin"]))))


def apply_event(state: DisputeState, event: Event, actor_level: str | None) -> DisputeState:
    """Apply one event, in order; an invalid one is recorded as rejected."""
    seen = first_sight(state, event)
    if seen is None:
        return state
    event_id = str(event["id"])
    verdict = check_transition(state, event, actor_level)
    if not verdict.ok:
        return refuse(state, event, seen, verdict.code, verdict.message)
    payload = event["payload"]
    state = claim(state, event, actor_level, _NO_CLAIM)
    changes, what, due = _HANDLERS[event["type"]](state, event, payload, str(actor_level))
    received = received_date(payload.get("received_at"))
    on = payload.get("on") or (received.isoformat() if received else None)
    step = Step(event_id, str(event["type"]), str(event.get("author", "")),
                str(event["origin"]), int(event["hlc"]), on, str(actor_level), what, due)
    return replace(state, seen=seen, steps=state.steps + (step,), **changes)


# Corrections and alert-taking do not make the actor the holder.
_NO_CLAIM = frozenset({"dispute.taken", "dispute.risk_changed"})

Handler = Callable[[DisputeState, Event, Mapping[str, Any], str],
                   tuple[dict[str, Any], str, date | None]]


def _registered(state, event, p, level):
    parties = tuple(party_from(d) for d in p["parties"])
    on = received_date(p["received_at"])
    changes = dict(
        status="registered", level=level, owner_node=str(event["origin"]),
        path=((level, str(event["origin"])),), intake_level=level,
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
    return changes, what, None


def _taken(state, event, p, level):
    taken = {"by": dict(p["by"]), "on": p.get("on"), "level": level}
    post = p["by"].get("post")
    who = p["by"]["name"] + (f"（{post}）" if post else "")
    return dict(taken=taken), f"{who}认领包案", None


def _risk_changed(state, event, p, level):
    return dict(risk=p["risk"]), f"激化风险调整为{p['risk']}：{p['reason']}", None


def _session(state, event, p, level):
    session = Session(str(event["id"]), iso_date(p["on"]), level,
                      tuple(p.get("mediators") or ()), tuple(p.get("attendees") or ()),
                      p["record_text"], tuple(dict(a) for a in p.get("attachments") or ()))
    names = "、".join(session.mediators)
    return (dict(status="mediating", sessions=state.sessions + (session,)),
            f"调解（调解员：{names}）", None)


def _extended(state, event, p, level):
    new_due = iso_date(p["new_due"])
    record = {"new_due": p["new_due"], "reason": p["reason"], "on": p.get("on"),
              "consents": [dict(c) for c in p["consents"]], "level": level}
    return (dict(extended_to=new_due, extensions=state.extensions + (record,)),
            f"经双方当事人同意，调解期限延至{new_due.isoformat()}：{p['reason']}", new_due)


def _agreed(state, event, p, level):
    agreement = dict(p["agreement"])
    return (dict(status="agreed", agreement=agreement, effective_on=effective_on(agreement)),
            f"调解成功，签订调解协议书（{agreement['no']}）", None)


def _up(state: DisputeState, level: str, on: Any) -> dict[str, Any]:
    upper = LEVELS[LEVELS.index(level) + 1]
    return dict(status="escalated", level=upper, owner_node=None,
                path=state.path + ((upper, None),), mediation_start=iso_date(on),
                extended_to=None)


def _failed(state, event, p, level):
    referral = dict(p["referral"], on=p.get("on"), level=level, reason=p["reason"])
    to = referral["to"]
    if to == ESCALATION_BY_LEVEL.get(level):
        changes = _up(state, level, p.get("on"))
        changes["escalations"] = state.escalations + (referral,)
        return changes, f"调解不成，{to}：{p['reason']}", None
    changes = dict(status="referred", referral=referral, closed_on=iso_date(p.get("on")))
    if to in REFERRAL_METHOD:
        changes["method"] = REFERRAL_METHOD[to]
    return changes, f"调解不成，引导{to}：{p['reason']}", None


def _escalated(state, event, p, level):
    changes = _up(state, level, p.get("on"))
    record = {"to": changes["level"], "on": p.get("on"), "level": level, "reason": p["reason"]}
    changes["escalations"] = state.escalations + (record,)
    return changes, f"上报{LEVEL_NAMES[changes['level']]}：{p['reason']}", None


def _assigned(state, event, p, level):
    record = {"to": p["to"], "on": p.get("on"), "level": level, "reason": p["reason"]}
    changes = dict(status="assigned", level="town", owner_node=None,
                   path=state.path + (("town", None),), mediation_start=iso_date(p.get("on")),
                   extended_to=None, assigned=record)
    return changes, f"交办{p['to']}矛盾调处化解中心：{p['reason']}", iso_date(p.get("report_by"))


def _confirmation(state, event, p, level):
    record = {"status": p["status"], "court": p.get("court", ""), "on": p.get("on"),
              "note": p.get("note", "")}
    court = f"（{record['court']}）" if record["court"] else ""
    return dict(confirmation=record), f"司法确认：{p['status']}{court}", None


def _revisited(state, event, p, level):
    record = {"on": p.get("on"), "by": dict(p["by"]), "performance": p["performance"],
              "note": p.get("note", ""), "level": level}
    changes: dict[str, Any] = dict(revisits=state.revisits + (record,))
    if p["performance"] == "全部履行":
        changes.update(status="performed", closed_on=iso_date(p.get("on")))
    note = f"：{p['note']}" if p.get("note") else ""
    return changes, f"回访，协议{p['performance']}{note}", None


_HANDLERS: dict[str, Handler] = {
    "dispute.registered": _registered,
    "dispute.taken": _taken,
    "dispute.risk_changed": _risk_changed,
    "dispute.session": _session,
    "dispute.extended": _extended,
    "dispute.agreed": _agreed,
    "dispute.failed": _failed,
    "dispute.escalated": _escalated,
    "dispute.assigned": _assigned,
    "dispute.confirmation": _confirmation,
    "dispute.revisited": _revisited,
}
