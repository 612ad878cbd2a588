"""Replay of a service-desk case: ``fold(events, levels) -> CaseState``.

DESIGN.md "Events, not rows" and "Conflicts": the case is rebuilt by replaying its events in
the total order (hlc, origin, seq); every workflow event is checked against the state at
its place in that order (``check_transition``) and, if the holder could not have made it,
kept as ``Rejected`` with a Chinese reason instead of being applied or dropped.  Plain
fields follow ``field_edits`` (last writer wins, concurrent edits raise review items).

RULES.md §1: the 首接责任人 recorded at acceptance is never replaced (首接责任制); each
hand-over is a ``Step`` with who/when/what (全程代理制); after 办结 the case goes back to
the level and node that accepted it, which reports to the citizen (反馈群众).

The fold is deterministic: it sorts its input itself and ignores repeated event ids, so
every node that holds the same set of events shows the same case.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from app.domain.events import Event, claim, first_sight, refuse, replay
from app.domain.field_edits import apply_field_edits
from app.domain.idcard import mask_id_number
from app.domain.service_state import (
    LEVEL_NAMES, PLAIN_FIELDS, WITHDRAWN, CaseState, Step, iso_date)
from app.domain.service_transitions import check_transition


def fold(events: Iterable[Event], levels: Mapping[str, str]) -> CaseState:
    """Replay the events of one case.  ``levels`` maps origin node id -> its level.

    An event from an origin missing in ``levels`` is rejected (its level is unknown).
    Raises ValueError if the events belong to different records or there are none.
    """
    return replay(events, lambda record: CaseState(record=record),
                  lambda state, event: apply_event(state, event, levels.get(str(event["origin"]))))


def apply_event(state: CaseState, event: Event, actor_level: str | None) -> CaseState:
    """Apply one event, in order, to ``state``; an invalid one is recorded as rejected."""
    seen = first_sight(state, event)
    if seen is None:
        return state
    event_id = str(event["id"])
    verdict = check_transition(state, event, actor_level)
    if not verdict.ok:
        return refuse(state, event, seen, verdict.code, verdict.message)
    payload = event["payload"]
    state = claim(state, event, actor_level, _NO_CLAIM)
    changes, what, due = _HANDLERS[event["type"]](state, event, payload, actor_level)
    step = Step(event_id, str(event["type"]), str(event.get("author", "")),
                str(event["origin"]), int(event["hlc"]),
                payload.get("on") or payload.get("accepted_on"),
                str(actor_level), what, due)
    return replace(state, seen=seen, steps=state.steps + (step,), **changes)


# Corrections, 补齐材料 and 催办 do not make the actor the holder.
_NO_CLAIM = frozenset({"svc.updated", "svc.materials_supplied", "svc.urged", "svc.withdrawn"})

Handler = Callable[[CaseState, Event, Mapping[str, Any], str],
                   tuple[dict[str, Any], str, date | None]]


def _accepted(state, event, p, level):
    applicant = p.get("applicant") or {}
    fields = {f"applicant.{key}": value for key, value in applicant.items()}
    for key in ("summary", "remark", "materials_present", "materials_missing", "notice_no"):
        if key in p:
            fields[key] = p[key]
    accepted_on, limit = iso_date(p["accepted_on"]), p.get("time_limit_working_days")
    due = iso_date(p["promised_due"])
    changes = dict(
        status="accepted", level=level, owner_node=str(event["origin"]),
        path=((level, str(event["origin"])),), first_officer=dict(p["first_officer"]),
        receipt_no=p.get("receipt_no"), matter_code=p.get("matter_code"),
        matter_name=p.get("matter_name"), mode=p["mode"], accepted_on=accepted_on,
        time_limit=limit, due=due, due_provisional=bool(p.get("due_provisional")),
        due_rule=(accepted_on, limit) if isinstance(limit, int) else None,
        extension_ceiling=iso_date(p.get("extension_ceiling")),
        extended_limit=p.get("extended_time_limit_working_days"),
        fields=fields, field_writers={name: str(event["id"]) for name in fields})
    title = p.get("matter_name") or p.get("summary") or ""
    return changes, f"受理：{title}（{p['mode']}）", due


def _started(state, event, p, level):
    return dict(status="in_progress"), "开始办理", None


def _done_at_once(state, event, p, level):
    return (dict(status="closed", outcome="resolved", result=p["result"],
                 closed_on=iso_date(p.get("on"))), f"即办办结：{p['result']}", None)


def _escalated(state, event, p, level):
    due = iso_date(p.get("due"))
    node = p.get("to_node")
    # The village's own words stay with the case: the town reads them first and starts
    # its 转办函 from them (issue #8 §3).
    words = {"summary": p["summary"], "on": p.get("on"), "author": str(event.get("author", "")),
             "origin": str(event["origin"]), "agent": dict(p.get("agent") or {})}
    return (dict(status="escalated", level="town", owner_node=node,
                 path=state.path + (("town", node),), step_due=due,
                 step_leader=p.get("leader"), escalation=words, urges=()),
            f"上报镇：{p['summary']}", due)


def _assigned(state, event, p, level):
    due = iso_date(p.get("due"))
    name = p["assignee"]["name"]
    return (dict(status="in_progress", assignee=dict(p["assignee"]), step_due=due,
                 step_leader=p.get("leader")), f"交办给{name}", due)


def _forwarded(state, event, p, level):
    letter = dict(p["letter"])
    due = iso_date(letter["deadline"])
    return (dict(status="forwarded", level="county", owner_node=None, letter=letter,
                 path=state.path + (("county", None),), step_due=due,
                 step_leader=p.get("leader"), urges=()),
            f"转办{letter['department']}（转办函 {letter['letter_no']}）", due)


def _back_down(state: CaseState, keep: int) -> dict[str, Any]:
    """Hand the case to the level and node at ``path[keep - 1]``."""
    path = state.path[:keep]
    return dict(path=path, level=path[-1][0], owner_node=path[-1][1], step_due=None,
                step_leader=None)


def _replied(state, event, p, level):
    department = p.get("department") or (state.letter or {}).get("department", "县直部门")
    changes = dict(status="replied", reply=dict(p), **_back_down(state, len(state.path) - 1))
    return changes, f"{department}回复：{p['reply']}", None


def _returned(state, event, p, level):
    changes = dict(status="returned", **_back_down(state, len(state.path) - 1))
    return changes, f"退回{LEVEL_NAMES[changes['level']]}：{p['reason']}", None


def _extended(state, event, p, level):
    new_due = iso_date(p["new_due"])
    changes = dict(due=new_due, due_provisional=bool(p.get("due_provisional")), due_rule=None)
    return changes, f"延期至{new_due.isoformat()}：{p['reason']}", new_due


def _closed(state, event, p, level):
    refused = p.get("outcome") == "refused"
    changes = dict(status="closed", outcome="refused" if refused else "resolved",
                   result=p["result"], closed_on=iso_date(p.get("on")), **_back_down(state, 1))
    what = f"不予办理：{p['reason']}" if refused else f"办结：{p['result']}"
    return changes, what, None


def _fed_back(state, event, p, level):
    method = p.get("method")
    return dict(status="fed_back"), "反馈群众" + (f"（{method}）" if method else ""), None


def _rating(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"level": p["level"], "dissatisfied": bool(p.get("dissatisfied")),
            "reason": p.get("reason", "")}


def _rated(state, event, p, level):
    rating = _rating(p)
    what = f"群众评价：{rating['level']}" + (f"（{rating['reason']}）" if rating["reason"] else "")
    return dict(status="rated", rating=rating), what, None


def _revisited(state, event, p, level):
    # A revisit that records the citizen's opinion again replaces the earlier rating:
    # what counts for reopening is what the citizen says last.
    changes: dict[str, Any] = dict(status="revisited")
    if p.get("level"):
        changes["rating"] = _rating(p)
    return changes, "回访" + (f"：{p['note']}" if p.get("note") else ""), None


def _reopened(state, event, p, level):
    changes = dict(status="in_progress", round=state.round + 1, rating=None, outcome=None,
                   result=None, closed_on=None, **_back_down(state, 1))
    due = iso_date(p.get("promised_due"))
    if due is not None:
        on, limit = iso_date(p.get("on")), p.get("time_limit_working_days")
        changes.update(due=due, due_provisional=bool(p.get("due_provisional")),
                       due_rule=(on, limit) if on and isinstance(limit, int) else None)
    return changes, f"重新办理：{p['reason']}", due


def _shown(name: str, value: Any) -> str:
    """A field's value as the timeline shows it: ID numbers masked, lists joined."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if name == "applicant.id_number":
        return mask_id_number(str(value))
    return str(value)


def _updated(state, event, p, level):
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
    return changes, "修改信息：" + "；".join(changed) + (f"（原因：{reason}）" if reason else ""), None


def _withdrawn(state, event, p, level):
    withdrawal = {"kind": p["reason_kind"], "reason": p["reason"], "on": p.get("on"),
                  "level": level}
    changes = dict(status=WITHDRAWN, withdrawal=withdrawal, closed_on=iso_date(p.get("on")),
                   **_back_down(state, 1))
    return changes, f"撤件（{p['reason_kind']}）：{p['reason']}", None


def _materials_supplied(state, event, p, level):
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
    return changes, what, None


def _urged(state, event, p, level):
    urge = {"on": p.get("on"), "note": p["note"], "level": level,
            "origin": str(event["origin"]), "method": p.get("method", "")}
    to = p.get("to") or (LEVEL_NAMES.get(state.level or "", "") if state.status == "escalated"
                         else (state.letter or {}).get("department", "县直部门"))
    return dict(urges=state.urges + (urge,)), f"催办{to}：{p['note']}", None


_HANDLERS: dict[str, Handler] = {
    "svc.accepted": _accepted,
    "svc.started": _started,
    "svc.done_at_once": _done_at_once,
    "svc.escalated": _escalated,
    "svc.assigned": _assigned,
    "svc.forwarded": _forwarded,
    "svc.replied": _replied,
    "svc.returned": _returned,
    "svc.extended": _extended,
    "svc.closed": _closed,
    "svc.fed_back": _fed_back,
    "svc.rated": _rated,
    "svc.revisited": _revisited,
    "svc.reopened": _reopened,
    "svc.updated": _updated,
    "svc.withdrawn": _withdrawn,
    "svc.materials_supplied": _materials_supplied,
    "svc.urged": _urged,
}
