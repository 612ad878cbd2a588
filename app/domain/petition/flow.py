"""The petition workflow, declared: ``PETITION`` (its steps, from which statuses, with which
rules and effects) and its replay ``fold(events, levels, rules) -> PetitionState``.

Like ``service.flow.fold`` (DESIGN.md "Events, not rows", "Conflicts"): sorted by
(hlc, origin, seq), repeated ids ignored, each event checked by ``PETITION.check``
at its place; a refused one is kept as ``Rejected`` with its Chinese reason.

RULES.md §2: the 首问负责人 named at registration stays on the record; the acceptance
decision, a refusal or a transfer always carries the date the petitioner was told in
writing; an override of a proposed 不予受理 keeps its reason; after 依法终结 a named
person stays responsible for follow-up (有人管、管得住).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from app.domain.events import Event
from app.domain.petition.checks import (
    appealable, check_accepted, check_answered, check_appealed, check_assigned,
    check_extended, check_follow_up_assigned, check_followed_up, check_hearing_held,
    check_leader_assigned, check_leader_received, check_rated, check_referred_up,
    check_refused, check_registered, check_reviewed, check_terminated,
    check_termination_heard, check_transferred, dated, extendable, hearing_over,
    no_open_hearing, not_holder, not_rated, terminable, who, wrong_status)
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import (
    AFTER_REGISTRATION, LEVEL_NAMES, LEVEL_SHORT, Hearing, PetitionState, holder_level, petitioner_from,
    received_date)
from app.domain.workflow import Act, Effect, Flow, Transition, iso_date
from app.domain.workflow.payload import checked_date

P = Mapping[str, Any]


def _registered(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    stage = p.get("stage", "处理")
    holder = holder_level(act.level)
    changes = dict(
        status="registered", level=holder, received_level=act.level,
        owner_node=str(event["origin"]) if holder == act.level else None,
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
    if holder != act.level:
        what += f"，由{LEVEL_NAMES[holder]}受理办理"
    return Effect(changes, what, None)


def _assigned(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    assigned = dict(p, level=act.level)
    return Effect(dict(level="town", owner_node=None, assigned=assigned),
                  f"交办{p['to']}办理，{p['notice_on']}已告知信访人", iso_date(p.get("report_by")))


def _referred_up(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    record = {"stage": p["stage"], "to": p["to"], "on": p["on"],
              "requested_on": p["requested_on"], "level": act.level, "outside": True}
    return Effect(dict(status="appealed", appeals=state.appeals + (record,)),
                  f"信访人{p['requested_on']}请求{p['stage']}，已告知/转往{p['to']}", None)


def _leader_assigned(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    leader = dict(p["leader"], on=p["on"], level=act.level)
    return Effect(dict(leaders=state.leaders + (leader,)),
                  f"{p['leader']['name']}（{p['leader']['post']}）包案", None)


def _leader_received(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    record = dict(p, level=act.level)
    return Effect(dict(receptions=state.receptions + (record,)),
                  f"{p['leader']['name']}接访：{p['note']}", None)


def _rated(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    rating = {"level": p["level"], "dissatisfied": bool(p.get("dissatisfied")),
              "reason": p.get("reason", ""), "on": p["on"], "how": p.get("how", "")}
    reason = f"：{rating['reason']}" if rating["reason"] else ""
    return Effect(dict(rating=rating), f"信访人评价：{p['level']}{reason}", None)


def _accepted(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    on = iso_date(p["on"])
    proposal = state.proposal
    override = p.get("override_reason") if proposal else None
    what = f"受理，{p['notice_on']}书面告知信访人"
    if proposal and override:
        what += f"（未采纳“{proposal.get('label', '')}”的提示：{override}）"
    return Effect(dict(status="accepted", decision=dict(p, kind="accepted"), decided_on=on,
                  accepted_on=on, override=override), what, None)


def _refused(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    label = p.get("ground_label") or p["ground"]
    confirmed = bool(state.proposal and state.proposal.get("ground") == p["ground"])
    what = f"不予受理（{label}）：{p['reason']}；告知到{p['where_to_go']}"
    if confirmed:
        what = "确认系统提示，" + what
    return Effect(dict(status="refused", decision=dict(p, kind="refused", confirmed=confirmed),
                  decided_on=iso_date(p["on"])), what, None)


def _transferred(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(status="transferred", decision=dict(p, kind="transferred"),
                  decided_on=iso_date(p["on"])), f"转送{p['to']}，已告知信访人去向", None)


def _extended(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    approver = p["approver"]["name"]
    return Effect(dict(extensions=state.extensions + (dict(p),)),
                  f"经{approver}批准延长办理期限{p['days']}日：{p['reason']}", None)


def _hearing_started(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    hearing = Hearing(checked_date(p["on"]))
    return Effect(dict(hearings=state.hearings + (hearing,)), "开始听证（期限暂停计算）", None)


def _hearing_held(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    done = Hearing(checked_date(p["from"]), checked_date(p["to"]), tuple(p.get("panel") or ()),
                   tuple(p.get("participants") or ()), p["conclusion"])
    hearings = tuple(h for h in state.hearings if h.end is not None) + (done,)
    return Effect(dict(hearings=hearings), f"听证（{p['from']}至{p['to']}）：{p['conclusion']}", None)


def _answered(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(status="answered", answer=dict(p), answered_on=iso_date(p["on"]),
                  delivered_on=iso_date(p["delivered_on"])),
                  f"出具{state.stage}意见（{p['result']}），{p['delivered_on']}送达", None)


def _appealed(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    record = {"stage": p["stage"], "record": p["appeal_record"], "on": p["on"], "level": act.level}
    return Effect(dict(status="appealed", appeals=state.appeals + (record,)),
                  f"信访人向上一级请求{p['stage']}", None)


def _reviewed(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    by = f"（{p['by']}）" if p.get("by") else ""
    return Effect(dict(status="reviewed", review=dict(p, level=act.level)),
                  f"上一级{by}{p.get('stage', '复查')}结论：{p['result']}原意见", None)


def _terminated(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    person = p["follow_up"]
    return Effect(dict(status="terminated", terminated=dict(p), follow_up_person=dict(person)),
                  f"依法终结（{p['basis']}），跟进责任人{person['name']}", None)


def _termination_heard(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    record = dict(p, level=act.level)
    changes: dict[str, Any] = dict(termination_hearings=state.termination_hearings + (record,))
    if p.get("follow_up"):
        changes["follow_up_person"] = dict(p["follow_up"])
    what = f"终结听证：{p['conclusion']}；处理：{p['consequence']}"
    if p["consequence"] == "问责":
        what += f"（{p['accountable_unit']}）"
    return Effect(changes, what, None)


def _follow_up_assigned(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(follow_up_person=dict(p["person"])),
                  f"跟进责任人改为{p['person']['name']}", None)


def _followed_up(state: PetitionState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(follow_ups=state.follow_ups + (dict(p),)),
                  f"{p['by']['name']}跟进：{p['note']}", None)


def _on(payload: P) -> str | None:
    received = received_date(payload.get("received_at"))
    return payload.get("on") or (received.isoformat() if received else None)


def _claim(state: PetitionState, event: Event, level: str) -> PetitionState:
    """A petition is handed to a level (the town or the county, the 信访 organs); the first
    node of that level to act on it holds it."""
    if state.owner_node is None and state.level == level:
        return replace(state, owner_node=str(event["origin"]))
    return state


def _step(kind: str, sources: set[str] | frozenset[str], label: str, apply: Any,
          **rules: Any) -> Transition[PetitionState]:
    return Transition(kind, frozenset(sources), label, apply, **rules)


_ANSWERED = {"answered", "appealed", "reviewed", "terminated"}

# The table of this workflow (RULES.md §2 信访工作条例; issue #4 §2).  Who may make each step
# (levels, holder rule) is app.domain.authority.WRITERS; the order is the order of the buttons.
PETITION: Flow[PetitionState] = Flow(
    name="信访办理", new=lambda record: PetitionState(record=record),
    wrong_status=wrong_status, not_holder=not_holder, common=dated, on=_on, claim=_claim,
    rules=PetitionRules(), level_short=LEVEL_SHORT,
    steps=(
        _step("petition.registered", {"new"}, "", _registered, check=check_registered),
        _step("petition.assigned", {"registered"}, "交办镇里", _assigned, check=check_assigned),
        _step("petition.accepted", {"registered"}, "受理", _accepted, check=check_accepted),
        _step("petition.refused", {"registered"}, "不予受理", _refused, check=check_refused),
        _step("petition.transferred", {"registered"}, "转送", _transferred,
              check=check_transferred),
        _step("petition.extended", {"accepted"}, "延期", _extended, ready=extendable,
              check=check_extended),
        _step("petition.hearing_started", {"accepted"}, "开始听证", _hearing_started,
              ready=no_open_hearing),
        _step("petition.hearing_held", {"accepted"}, "登记听证", _hearing_held,
              check=check_hearing_held),
        _step("petition.answered", {"accepted"}, "答复", _answered, ready=hearing_over,
              check=check_answered),
        _step("petition.terminated", {"answered", "reviewed"}, "依法终结", _terminated,
              ready=terminable, check=check_terminated),
        _step("petition.termination_heard", {"answered", "terminated"}, "终结听证",
              _termination_heard, check=check_termination_heard),
        _step("petition.follow_up_assigned", {"terminated"}, "更换跟进责任人",
              _follow_up_assigned, check=check_follow_up_assigned),
        _step("petition.followed_up", {"terminated"}, "登记跟进", _followed_up,
              check=check_followed_up),
        _step("petition.referred_up", {"answered"}, "登记向上级请求复查/复核", _referred_up,
              ready=appealable, check=check_referred_up),
        # in the system the reviewing level marks the 复查/复核 with its own answer: the
        # button is for a conclusion reached outside (the city)
        _step("petition.reviewed", {"appealed"}, "登记上级结论", _reviewed, who=who,
              check=check_reviewed, offer=lambda state: state.appeal_outside),
        _step("petition.leader_assigned", AFTER_REGISTRATION, "领导包案", _leader_assigned,
              check=check_leader_assigned),
        _step("petition.leader_received", AFTER_REGISTRATION, "领导接访", _leader_received,
              check=check_leader_received),
        _step("petition.rated", _ANSWERED, "登记评价", _rated, ready=not_rated,
              check=check_rated),
        _step("petition.appealed", {"answered"}, "", _appealed, ready=appealable,
              check=check_appealed),
    ))

EVENT_TYPES = PETITION.kinds
check_transition = PETITION.check
apply_event = PETITION.apply
fold = PETITION.fold
