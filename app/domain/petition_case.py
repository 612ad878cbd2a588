"""Replay of a petition: ``fold(events, levels, rules) -> PetitionState``.

Like ``service_case.fold`` (DESIGN.md "Events, not rows", "Conflicts"): sorted by
(hlc, origin, seq), repeated ids ignored, each event checked by ``check_transition``
at its place; a refused one is kept as ``Rejected`` with its Chinese reason.

RULES.md §2: the 首问负责人 named at registration stays on the record; the acceptance
decision, a refusal or a transfer always carries the date the petitioner was told in
writing; an override of a proposed 不予受理 keeps its reason; after 依法终结 a named
person stays responsible for follow-up (有人管、管得住).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from app.domain.events import Event, first_sight, refuse, replay
from app.domain.petition_rules import PetitionRules
from app.domain.petition_state import (
    LEVEL_NAMES, Hearing, PetitionState, holder_level, iso_date, petitioner_from, received_date)
from app.domain.petition_transitions import check_transition
from app.domain.service_state import Step


def fold(events: Iterable[Event], levels: Mapping[str, str],
         rules: PetitionRules = PetitionRules()) -> PetitionState:
    """Replay the events of one petition; ``levels`` maps origin node id -> its level."""
    return replay(events, lambda record: PetitionState(record=record),
                  lambda state, event: apply_event(state, event, levels.get(str(event["origin"])), rules))


def apply_event(state: PetitionState, event: Event, actor_level: str | None,
                rules: PetitionRules = PetitionRules()) -> PetitionState:
    seen = first_sight(state, event)
    if seen is None:
        return state
    event_id = str(event["id"])
    verdict = check_transition(state, event, actor_level, rules)
    if not verdict.ok:
        return refuse(state, event, seen, verdict.code, verdict.message)
    payload = event["payload"]
    if state.owner_node is None and state.level == actor_level:
        state = replace(state, owner_node=str(event["origin"]))
    changes, what, due = _HANDLERS[event["type"]](state, event, payload, str(actor_level))
    received = received_date(payload.get("received_at"))
    on = payload.get("on") or (received.isoformat() if received else None)
    step = Step(event_id, str(event["type"]), str(event.get("author", "")),
                str(event["origin"]), int(event["hlc"]), on, str(actor_level), what, due)
    return replace(state, seen=seen, steps=state.steps + (step,), **changes)


Handler = Callable[[PetitionState, Event, Mapping[str, Any], str],
                   tuple[dict[str, Any], str, date | None]]


def _registered(state, event, p, level):
    stage = p.get("stage", "处理")
    holder = holder_level(level)
    changes = dict(
        status="registered", level=holder, received_level=level,
        owner_node=str(event["origin"]) if holder == level else None,
        receipt_no=p.get("receipt_no"),
        channel=p["channel"], category=p["category"], stage=stage,
        petitioners=tuple(petitioner_from(x) for x in p["petitioners"]),
        group=dict(p["group"]) if p.get("group") else None, summary=p["summary"],
        request=p.get("request", ""), village=p.get("village", ""),
        first_officer=dict(p["first_officer"]), received_at=p["received_at"],
        received_on=received_date(p["received_at"]), first_time=bool(p.get("first_time", True)),
        links=tuple(dict(x) for x in p.get("links") or ()),
        appeal_of=dict(p["appeal_of"]) if p.get("appeal_of") else None,
        proposal=dict(p["proposal"]) if p.get("proposal") else None)
    kind = "初信初访" if changes["first_time"] else "重复信访"
    title = f"请求{stage}" if stage != "处理" else f"{p['category']}（{kind}）"
    what = f"登记{p['channel']}：{title}"
    if holder != level:
        what += f"，由{LEVEL_NAMES[holder]}受理办理"
    return changes, what, None


def _assigned(state, event, p, level):
    assigned = dict(p, level=level)
    return (dict(level="town", owner_node=None, assigned=assigned),
            f"交办{p['to']}办理，{p['notice_on']}已告知信访人", iso_date(p.get("report_by")))


def _referred_up(state, event, p, level):
    record = {"stage": p["stage"], "to": p["to"], "on": p["on"],
              "requested_on": p["requested_on"], "level": level, "outside": True}
    return (dict(status="appealed", appeals=state.appeals + (record,)),
            f"信访人{p['requested_on']}请求{p['stage']}，已告知/转往{p['to']}", None)


def _leader_assigned(state, event, p, level):
    leader = dict(p["leader"], on=p["on"], level=level)
    return (dict(leaders=state.leaders + (leader,)),
            f"{p['leader']['name']}（{p['leader']['post']}）包案", None)


def _leader_received(state, event, p, level):
    record = dict(p, level=level)
    return (dict(receptions=state.receptions + (record,)),
            f"{p['leader']['name']}接访：{p['note']}", None)


def _rated(state, event, p, level):
    rating = {"level": p["level"], "dissatisfied": bool(p.get("dissatisfied")),
              "reason": p.get("reason", ""), "on": p["on"], "how": p.get("how", "")}
    reason = f"：{rating['reason']}" if rating["reason"] else ""
    return dict(rating=rating), f"信访人评价：{p['level']}{reason}", None


def _accepted(state, event, p, level):
    on = iso_date(p["on"])
    override = p.get("override_reason") if state.proposal else None
    what = f"受理，{p['notice_on']}书面告知信访人"
    if override:
        what += f"（未采纳“{state.proposal.get('label', '')}”的提示：{override}）"
    return (dict(status="accepted", decision=dict(p, kind="accepted"), decided_on=on,
                 accepted_on=on, override=override), what, None)


def _refused(state, event, p, level):
    label = p.get("ground_label") or p["ground"]
    confirmed = bool(state.proposal and state.proposal.get("ground") == p["ground"])
    what = f"不予受理（{label}）：{p['reason']}；告知到{p['where_to_go']}"
    if confirmed:
        what = "确认系统提示，" + what
    return (dict(status="refused", decision=dict(p, kind="refused", confirmed=confirmed),
                 decided_on=iso_date(p["on"])), what, None)


def _transferred(state, event, p, level):
    return (dict(status="transferred", decision=dict(p, kind="transferred"),
                 decided_on=iso_date(p["on"])), f"转送{p['to']}，已告知信访人去向", None)


def _extended(state, event, p, level):
    approver = p["approver"]["name"]
    return (dict(extensions=state.extensions + (dict(p),)),
            f"经{approver}批准延长办理期限{p['days']}日：{p['reason']}", None)


def _hearing_started(state, event, p, level):
    hearing = Hearing(iso_date(p["on"]))
    return dict(hearings=state.hearings + (hearing,)), "开始听证（期限暂停计算）", None


def _hearing_held(state, event, p, level):
    done = Hearing(iso_date(p["from"]), iso_date(p["to"]), tuple(p.get("panel") or ()),
                   tuple(p.get("participants") or ()), p["conclusion"])
    hearings = tuple(h for h in state.hearings if h.end is not None) + (done,)
    return dict(hearings=hearings), f"听证（{p['from']}至{p['to']}）：{p['conclusion']}", None


def _answered(state, event, p, level):
    return (dict(status="answered", answer=dict(p), answered_on=iso_date(p["on"]),
                 delivered_on=iso_date(p["delivered_on"])),
            f"出具{state.stage}意见（{p['result']}），{p['delivered_on']}送达", None)


def _appealed(state, event, p, level):
    record = {"stage": p["stage"], "record": p["appeal_record"], "on": p["on"], "level": level}
    return (dict(status="appealed", appeals=state.appeals + (record,)),
            f"信访人向上一级请求{p['stage']}", None)


def _reviewed(state, event, p, level):
    by = f"（{p['by']}）" if p.get("by") else ""
    return (dict(status="reviewed", review=dict(p, level=level)),
            f"上一级{by}{p.get('stage', '复查')}结论：{p['result']}原意见", None)


def _terminated(state, event, p, level):
    person = p["follow_up"]
    return (dict(status="terminated", terminated=dict(p), follow_up_person=dict(person)),
            f"依法终结（{p['basis']}），跟进责任人{person['name']}", None)


def _termination_heard(state, event, p, level):
    record = dict(p, level=level)
    changes: dict[str, Any] = dict(termination_hearings=state.termination_hearings + (record,))
    if p.get("follow_up"):
        changes["follow_up_person"] = dict(p["follow_up"])
    what = f"终结听证：{p['conclusion']}；处理：{p['consequence']}"
    if p["consequence"] == "问责":
        what += f"（{p['accountable_unit']}）"
    return changes, what, None


def _follow_up_assigned(state, event, p, level):
    return (dict(follow_up_person=dict(p["person"])),
            f"跟进责任人改为{p['person']['name']}", None)


def _followed_up(state, event, p, level):
    return (dict(follow_ups=state.follow_ups + (dict(p),)),
            f"{p['by']['name']}跟进：{p['note']}", None)


_HANDLERS: dict[str, Handler] = {
    "petition.registered": _registered,
    "petition.accepted": _accepted,
    "petition.refused": _refused,
    "petition.transferred": _transferred,
    "petition.extended": _extended,
    "petition.hearing_started": _hearing_started,
    "petition.hearing_held": _hearing_held,
    "petition.answered": _answered,
    "petition.appealed": _appealed,
    "petition.reviewed": _reviewed,
    "petition.terminated": _terminated,
    "petition.termination_heard": _termination_heard,
    "petition.follow_up_assigned": _follow_up_assigned,
    "petition.followed_up": _followed_up,
    "petition.assigned": _assigned,
    "petition.referred_up": _referred_up,
    "petition.leader_assigned": _leader_assigned,
    "petition.leader_received": _leader_received,
    "petition.rated": _rated,
}
