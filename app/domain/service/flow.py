"""The service-desk workflow, declared: ``SERVICE_CASE`` (its steps, from which statuses,
with which rules and effects) and its replay ``fold(events, levels) -> CaseState``.

DESIGN.md "Events, not rows" and "Conflicts": the case is rebuilt by replaying its events in
the total order (hlc, origin, seq); every workflow event is checked against the state at
its place in that order (``SERVICE_CASE.check``) and, if the holder could not have made it,
kept as ``Rejected`` with a Chinese reason instead of being applied or dropped.  Plain
fields follow ``shared.field_edits`` (last writer wins, concurrent edits raise review items).

RULES.md §1: the 首接责任人 recorded at acceptance is never replaced (首接责任制); each
hand-over is a ``Step`` with who/when/what (全程代理制); after 办结 the case goes back to
the level and node that accepted it, which reports to the citizen (反馈群众).

The fold is deterministic: it sorts its input itself and ignores repeated event ids, so
every node that holds the same set of events shows the same case.
"""
from __future__ import annotations

from typing import Any, Mapping

from app.domain.events import Event
from app.domain.service.checks import (
    check_accepted, check_assigned, check_closed, check_done_at_once, check_escalated,
    check_extended, check_forwarded, check_materials_supplied, check_rated, check_reopened,
    check_replied, check_returned, check_updated, check_urged, check_withdrawn, dissatisfied,
    not_holder, room_to_extend, something_below, something_missing, wrong_level, wrong_status)
from app.domain.service.state import (
    ACTIVE, FINISHED, LEVEL_NAMES, PLAIN_FIELDS, WITHDRAWN, CaseState)
from app.domain.shared.field_edits import apply_field_edits
from app.domain.shared.idcard import mask_id_number
from app.domain.workflow import Act, Effect, Flow, Transition, iso_date
from app.domain.workflow.payload import checked_date

P = Mapping[str, Any]


def _accepted(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    applicant = p.get("applicant") or {}
    fields = {f"applicant.{key}": value for key, value in applicant.items()}
    for key in ("summary", "remark", "materials_present", "materials_missing", "notice_no"):
        if key in p:
            fields[key] = p[key]
    accepted_on, limit = iso_date(p["accepted_on"]), p.get("time_limit_working_days")
    due = iso_date(p["promised_due"])
    changes = dict(
        status="accepted", level=act.level, owner_node=str(event["origin"]),
        path=((act.level, str(event["origin"])),), first_officer=dict(p["first_officer"]),
        receipt_no=p.get("receipt_no"), matter_code=p.get("matter_code"),
        matter_name=p.get("matter_name"), mode=p["mode"], accepted_on=accepted_on,
        time_limit=limit, due=due, due_provisional=bool(p.get("due_provisional")),
        due_rule=(accepted_on, limit) if isinstance(limit, int) else None,
        extension_ceiling=iso_date(p.get("extension_ceiling")),
        extended_limit=p.get("extended_time_limit_working_days"),
        fields=fields, field_writers={name: str(event["id"]) for name in fields})
    title = p.get("matter_name") or p.get("summary") or ""
    return Effect(changes, f"受理：{title}（{p['mode']}）", due)


def _started(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(status="in_progress"), "开始办理", None)


def _done_at_once(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    return Effect(dict(status="closed", outcome="resolved", result=p["result"],
                  closed_on=iso_date(p.get("on"))), f"即办办结：{p['result']}", None)


def _escalated(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    due = iso_date(p.get("due"))
    node = p.get("to_node")
    # The village's own words stay with the case: the town reads them first and starts
    # its 转办函 from them (issue #8 §3).
    words = {"summary": p["summary"], "on": p.get("on"), "author": str(event.get("author", "")),
             "origin": str(event["origin"]), "agent": dict(p.get("agent") or {})}
    return Effect(dict(status="escalated", level="town", owner_node=node,
                  path=state.path + (("town", node),), step_due=due,
                  step_leader=p.get("leader"), escalation=words, urges=()),
                  f"上报镇：{p['summary']}", due)


def _assigned(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    due = iso_date(p.get("due"))
    name = p["assignee"]["name"]
    return Effect(dict(status="in_progress", assignee=dict(p["assignee"]), step_due=due,
                  step_leader=p.get("leader")), f"交办给{name}", due)


def _forwarded(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    letter = dict(p["letter"])
    due = iso_date(letter["deadline"])
    return Effect(dict(status="forwarded", level="county", owner_node=None, letter=letter,
                  path=state.path + (("county", None),), step_due=due,
                  step_leader=p.get("leader"), urges=()),
                  f"转办{letter['department']}（转办函 {letter['letter_no']}）", due)


def _back_down(state: CaseState, keep: int) -> dict[str, Any]:
    """Hand the case to the level and node at ``path[keep - 1]``."""
    path = state.path[:keep]
    return dict(path=path, level=path[-1][0], owner_node=path[-1][1], step_due=None,
                step_leader=None)


def _replied(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    department = p.get("department") or (state.letter or {}).get("department", "县直部门")
    changes = dict(status="replied", reply=dict(p), **_back_down(state, len(state.path) - 1))
    return Effect(changes, f"{department}回复：{p['reply']}", None)


def _returned(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    changes = dict(status="returned", **_back_down(state, len(state.path) - 1))
    return Effect(changes, f"退回{LEVEL_NAMES[changes['level']]}：{p['reason']}", None)


def _extended(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    new_due = checked_date(p["new_due"])
    changes = dict(due=new_due, due_provisional=bool(p.get("due_provisional")), due_rule=None)
    return Effect(changes, f"延期至{new_due.isoformat()}：{p['reason']}", new_due)


def _closed(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    refused = p.get("outcome") == "refused"
    changes = dict(status="closed", outcome="refused" if refused else "resolved",
                   result=p["result"], closed_on=iso_date(p.get("on")), **_back_down(state, 1))
    what = f"不予办理：{p['reason']}" if refused else f"办结：{p['result']}"
    return Effect(changes, what, None)


def _fed_back(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    method = p.get("method")
    return Effect(dict(status="fed_back"), "反馈群众" + (f"（{method}）" if method else ""), None)


def _rating(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"level": p["level"], "dissatisfied": bool(p.get("dissatisfied")),
            "reason": p.get("reason", "")}


def _rated(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    rating = _rating(p)
    what = f"群众评价：{rating['level']}" + (f"（{rating['reason']}）" if rating["reason"] else "")
    return Effect(dict(status="rated", rating=rating), what, None)


def _revisited(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    # A revisit that records the citizen's opinion again replaces the earlier rating:
    # what counts for reopening is what the citizen says last.
    changes: dict[str, Any] = dict(status="revisited")
    if p.get("level"):
        changes["rating"] = _rating(p)
    return Effect(changes, "回访" + (f"：{p['note']}" if p.get("note") else ""), None)


def _reopened(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    changes = dict(status="in_progress", round=state.round + 1, rating=None, outcome=None,
                   result=None, closed_on=None, **_back_down(state, 1))
    due = iso_date(p.get("promised_due"))
    if due is not None:
        on, limit = iso_date(p.get("on")), p.get("time_limit_working_days")
        changes.update(due=due, due_provisional=bool(p.get("due_provisional")),
                       due_rule=(on, limit) if on and isinstance(limit, int) else None)
    return Effect(changes, f"重新办理：{p['reason']}", due)


def _shown(name: str, value: Any) -> str:
    """A field's value as the timeline shows it: ID numbers masked, lists joined."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if name == "applicant.id_number":
        return mask_id_number(str(value))
    return str(value)


def _updated(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    values, writers, reviews = apply_field_edits(
        state.fields, state.field_writers, p["fields"], p.get("was") or {},
        str(event["id"]), PLAIN_FIELDS)
    # 修改信息: the timeline keeps what was there before and what it is now, so a
    # correction never erases what the record said (DESIGN.md "Events, not rows").
    changed = [f"{PLAIN_FIELDS[name]}由“{_shown(name, state.fields.get(name))}”改为"
               f"“{_shown(name, value)}”" for name, value in p["fields"].items()]
    reason = (p.get("reason") or "").strip()
    changes = dict(fields=values, field_writers=writers,
                   review_items=state.review_items + tuple(reviews))
    return Effect(changes, "修改信息：" + "；".join(changed) + (f"（原因：{reason}）" if reason else ""),
                  None)


def _withdrawn(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    withdrawal = {"kind": p["reason_kind"], "reason": p["reason"], "on": p.get("on"),
                  "level": act.level}
    changes = dict(status=WITHDRAWN, withdrawal=withdrawal, closed_on=iso_date(p.get("on")),
                   **_back_down(state, 1))
    return Effect(changes, f"撤件（{p['reason_kind']}）：{p['reason']}", None)


def _materials_supplied(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    brought = [str(name) for name in p["materials"]]
    missing = [m for m in state.missing_materials if m not in brought]
    present = [str(m) for m in (state.fields.get("materials_present") or [])]
    present += [m for m in brought if m not in present]
    event_id = str(event["id"])
    fields = dict(state.fields, materials_missing=missing, materials_present=present)
    writers = dict(state.field_writers, materials_missing=event_id, materials_present=event_id)
    changes: dict[str, Any] = dict(fields=fields, field_writers=writers)
    if not missing:
        changes["materials_complete_on"] = iso_date(p.get("on"))
    what = f"补齐材料：{'、'.join(brought)}" + (
        "（材料已齐全）" if not missing else f"（还缺：{'、'.join(missing)}）")
    return Effect(changes, what, None)


def _urged(state: CaseState, event: Event, p: P, act: Act) -> Effect:
    urge = {"on": p.get("on"), "note": p["note"], "level": act.level,
            "origin": str(event["origin"]), "method": p.get("method", "")}
    to = p.get("to") or (LEVEL_NAMES.get(state.level or "", "") if state.status == "escalated"
                         else (state.letter or {}).get("department", "县直部门"))
    return Effect(dict(urges=state.urges + (urge,)), f"催办{to}：{p['note']}", None)


def _on(payload: P) -> str | None:
    return payload.get("on") or payload.get("accepted_on")


def _step(kind: str, sources: set[str] | frozenset[str], label: str, apply: Any,
          **rules: Any) -> Transition[CaseState]:
    return Transition(kind, frozenset(sources), label, apply, **rules)


_HANDLING = {"escalated", "in_progress", "replied", "returned"}

# The table of this workflow (RULES.md §1).  Who may make each step (levels, holder rule)
# is app.domain.authority.WRITERS; the order is the order of the buttons.
SERVICE_CASE: Flow[CaseState] = Flow(
    name="办理", record_word="办理记录", new=lambda record: CaseState(record=record),
    wrong_status=wrong_status, wrong_level=wrong_level, not_holder=not_holder, on=_on,
    steps=(
        _step("svc.accepted", {"new"}, "", _accepted, check=check_accepted),
        _step("svc.started", {"accepted", "escalated", "returned"}, "开始办理", _started),
        _step("svc.done_at_once", {"accepted"}, "即办办结", _done_at_once,
              check=check_done_at_once),
        _step("svc.escalated", {"accepted", "in_progress", "returned"}, "上报镇", _escalated,
              check=check_escalated),
        _step("svc.assigned", _HANDLING, "交办", _assigned, check=check_assigned),
        _step("svc.forwarded", _HANDLING, "转办县直部门", _forwarded, check=check_forwarded),
        _step("svc.replied", {"forwarded"}, "回复", _replied,
              check=check_replied),
        _step("svc.returned", _HANDLING | {"forwarded"}, "退回", _returned,
              ready=something_below,
              check=check_returned),
        _step("svc.extended", ACTIVE, "延期", _extended, ready=room_to_extend,
              check=check_extended),
        _step("svc.closed", _HANDLING, "办结", _closed, check=check_closed),
        _step("svc.fed_back", {"closed"}, "反馈群众", _fed_back),
        _step("svc.rated", {"fed_back"}, "评价", _rated, check=check_rated),
        _step("svc.revisited", {"rated"}, "回访", _revisited),
        _step("svc.reopened", {"rated", "revisited"}, "重新办理", _reopened, ready=dissatisfied,
              check=check_reopened),
        # issue #8 §3.  Corrections, 补齐材料, 催办 and 撤件 do not make the actor the holder.
        _step("svc.materials_supplied", ACTIVE, "补齐材料", _materials_supplied,
              ready=something_missing, check=check_materials_supplied, claims=False),
        _step("svc.urged", {"escalated", "forwarded"}, "催办", _urged,
              check=check_urged, claims=False),
        _step("svc.updated", ACTIVE | FINISHED | {WITHDRAWN}, "修改信息", _updated,
              check=check_updated, claims=False),
        _step("svc.withdrawn", ACTIVE, "撤件", _withdrawn, check=check_withdrawn,
              claims=False),
    ))

EVENT_TYPES = SERVICE_CASE.kinds
check_transition = SERVICE_CASE.check
apply_event = SERVICE_CASE.apply
fold = SERVICE_CASE.fold
