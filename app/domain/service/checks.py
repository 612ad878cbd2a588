"""The rules of the service-desk workflow (declared in ``service.flow.SERVICE_CASE``):
how a refused step is worded, the rules on the state alone, and the payload checks.

RULES.md §1: what the village can solve it solves (即办); beyond its powers it is reported
to the town (上报镇, 村"两委"报请镇党委、政府); what the town cannot solve goes to a county
department by a 群众反映事项转办函 (转办); answers flow back down to the station that took
the matter and from it to the citizen (反馈群众); refusals state the reason (一次性告知制).
DESIGN.md "Conflicts": a transition the current holder could not make is kept in the log
and shown as rejected — ``SERVICE_CASE.check`` is the one place that decides, used by the
services before writing an event and by the fold while replaying.

Levels, not individual nodes, are checked: any node of the holding level that can see
the case (the sync scope policy decides that) may act for that level. The levels and
the holder rule of each step are declared once, in app.domain.authority.WRITERS, with
who may write it; the statuses below are ``service.flow.SERVICE_CASE``, the data.

| event type        | from status                                  | who may make it            |
|-------------------|----------------------------------------------|----------------------------|
| svc.accepted      | (new record)                                 | any level (首接)           |
| svc.started       | accepted, escalated, returned                | the holding level          |
| svc.done_at_once  | accepted                                     | the holding level (即办)   |
| svc.escalated     | accepted, in_progress, returned              | village, holding it        |
| svc.assigned      | escalated, in_progress, replied, returned    | town, holding it           |
| svc.forwarded     | escalated, in_progress, replied, returned    | town, holding it           |
| svc.replied       | forwarded                                    | county, holding it         |
| svc.returned      | escalated, in_progress, forwarded, replied,  | the holding level, above   |
|                   | returned                                     | the level it came from     |
| svc.extended      | any active status                            | the holding level          |
| svc.closed        | escalated, in_progress, replied, returned    | the holding level          |
| svc.fed_back      | closed                                       | the accepting level        |
| svc.rated         | fed_back                                     | the accepting level        |
| svc.revisited     | rated                                        | accepting level or above   |
| svc.reopened      | rated, revisited — only if "不满意"           | accepting level or above   |
| svc.updated       | any but new (corrections of plain fields)    | any level                  |
| svc.withdrawn     | any active status (撤件, reason required)     | holding or accepting level |
| svc.materials_    | any active status, while materials are       | holding or accepting level |
|   supplied        |   missing on the notice (补齐材料)            |                            |
| svc.urged         | escalated, forwarded (催办)                   | the level that sent it up  |
"""
from __future__ import annotations

from typing import Any, Mapping

from app.domain.service.state import (
    FINISHED, LEVEL_NAMES, MODES, PLAIN_FIELDS, WITHDRAW_KINDS, WITHDRAWN, CaseState)
from app.domain.workflow import (
    LEVEL_SHORT, OK, Act, Transition, Verdict, iso_date, no, text)
from app.domain.workflow.payload import (
    checked_date, need_choice, need_date, need_text, rated_dissatisfied, requires)

# How the current status reads in a refusal: "此事项{phrase}，不能…".
_STATUS_PHRASE = {
    "accepted": "已受理、还未开始办理",
    "in_progress": "正在办理中",
    "escalated": "已上报镇，正等待镇里处理",
    "forwarded": "已转办县直部门，正等待回复",
    "replied": "县直部门已回复，正等待镇里办结",
    "returned": "已退回",
    "closed": "已办结",
    "fed_back": "已办结并反馈群众",
    "rated": "已办结并评价",
    "revisited": "已办结并回访",
    "withdrawn": "已撤件",
}
_REOPEN_HINT = "如群众不满意，请先登记“不满意”后重新办理"
# Steps done out of order after 办结: say which step comes first.
_ORDER_HINTS = {
    ("svc.rated", "closed"): "办理结果还没有反馈群众，请先登记“反馈群众”，再登记评价",
    ("svc.revisited", "closed"): "群众还没有评价，请先反馈群众并登记评价，再回访",
    ("svc.revisited", "fed_back"): "群众还没有评价，请先登记评价，再回访",
}

Step = Transition[CaseState]


def wrong_status(state: CaseState, step: Step) -> Verdict:
    kind = step.kind
    if state.status == "new":
        return no("not_accepted", "此事项还没有受理登记，请先受理")
    if kind == "svc.accepted":
        receipt = f"（回执编号 {state.receipt_no}）" if state.receipt_no else ""
        return no("duplicate", f"此事项已受理{receipt}，不能重复受理")
    if kind == "svc.reopened":
        return no("wrong_status", "只有已办结并由群众评价为“不满意”的事项才能重新办理")
    hint = _ORDER_HINTS.get((kind, state.status))
    if hint:
        return no("wrong_status", hint)
    phrase = _STATUS_PHRASE.get(state.status, state.status_name)
    if state.status == "returned" and state.level:
        phrase = f"已退回{LEVEL_NAMES[state.level]}"
    if state.status == WITHDRAWN:
        return no("wrong_status", f"此事项已撤件，不能再{step.action}；群众要重新办理的，请重新受理")
    if state.status in FINISHED and kind not in {"svc.fed_back", "svc.rated", "svc.revisited"}:
        return no("wrong_status", f"此事项{phrase}，不能再{step.action}；{_REOPEN_HINT}")
    return no("wrong_status", f"此事项{phrase}，不能{step.action}")


def wrong_level(state: CaseState, step: Step, act: Act) -> Verdict | None:
    if step.kind == "svc.escalated":
        if act.level == "town":
            return no("wrong_level", "镇里不用“上报镇”；需要县直部门办理的，请用“转办县直部门”")
        return no("wrong_level", "县直部门不能上报镇；不能办理的，请“退回”镇里并写明理由")
    if step.kind == "svc.forwarded" and act.level == "village":
        return no("wrong_level", "村里不能直接转办县直部门；请先“上报镇”，由镇里发转办函")
    return None


def not_holder(state: CaseState, step: Step, act: Act) -> Verdict:
    holder = str(state.level)
    if step.kind == "svc.urged":   # who = sender (issue #8 §3 催办)
        return no("wrong_level", f"只有把事项送上去的一级才能催办；此事项目前由"
                                 f"{LEVEL_NAMES[holder]}办理，{LEVEL_SHORT[act.level]}不能催办")
    where = (f"已退回{LEVEL_NAMES[holder]}" if state.status == "returned"
             else f"目前由{LEVEL_NAMES[holder]}办理")
    return no("wrong_level", f"此事项{where}，{LEVEL_SHORT[act.level]}不能{step.action}")


# rules on the state alone (part of the gate: no button when they fail) ----------------------
def something_below(state: CaseState, act: Act) -> Verdict:
    if len(state.path) < 2:
        return no("nothing_below", f"此事项是{LEVEL_NAMES[str(state.level)]}自己受理的，没有下级可以退回")
    return OK


def room_to_extend(state: CaseState, act: Act) -> Verdict:
    """服务承诺制 (RULES.md §1): the promise stretches only as far as the catalog's 延长时限,
    fixed in the acceptance (issue #10 item 10); a case already promised for that date
    cannot be extended.  Cases accepted before the ceiling was recorded carry none."""
    ceiling = state.extension_ceiling
    if ceiling is None or state.due is None or ceiling > state.due:
        return OK
    return _beyond_ceiling(state)


def _beyond_ceiling(state: CaseState) -> Verdict:
    ceiling = state.extension_ceiling
    assert ceiling is not None
    if state.extended_limit:
        return no("beyond_extended_limit",
                  f"本事项特殊情况最多延长至{state.extended_limit}个工作日，延期后的日期不能晚于"
                  f"{ceiling.isoformat()}（事项目录的延长时限）")
    return no("no_extended_limit",
              "本事项在事项目录中没有延长时限，不能延期；请按承诺日期办结，确需延长的请镇里先在"
              "事项目录中设定延长时限")


def dissatisfied(state: CaseState, act: Act) -> Verdict:
    if not state.dissatisfied:
        level = (state.rating or {}).get("level", "")
        return no("not_dissatisfied", f"群众评价为“{level}”，不能重新办理；"
                                      "只有评价“不满意”的事项才能重新办理")
    return OK


def something_missing(state: CaseState, act: Act) -> Verdict:
    """补齐材料 is offered only while the one-time notice lists missing materials."""
    return OK if state.missing_materials else no("nothing_missing", "此事项的材料已经齐全，不用再补")


# payload checks ------------------------------------------------------------------------
def _promise_dates(state: CaseState, payload: Mapping[str, Any], act: Act) -> Verdict:
    accepted_on, due = iso_date(payload.get("accepted_on")), iso_date(payload.get("promised_due"))
    if accepted_on is None or due is None:
        return no("bad_date", "受理日期或承诺办结日期不对，请重新选择")
    if due < accepted_on:
        return no("bad_date", "承诺办结日期不能早于受理日期")
    return OK


check_accepted = requires(
    need_text("applicant.name", "missing_applicant", "请填写申请人姓名"),
    need_text("first_officer.name", "missing_officer", "请填写首接责任人（第一个接待群众的工作人员）"),
    need_choice("mode", MODES, "bad_mode", "请选择办理方式：即办、代办或上报镇"),
    then=_promise_dates)


# Steps whose form needs one text, and what to say when it is missing.
check_done_at_once = requires(need_text("result", "missing_result", "请填写办理结果"))
check_escalated = requires(need_text("summary", "missing_reason", "上报镇必须写明需要镇里解决的问题"))
check_replied = requires(need_text("reply", "missing_reply", "请填写县直部门的答复内容"))
check_returned = requires(
    need_text("reason", "missing_reason", "退回必须写明理由，方便下级补正后重新办理"))
check_reopened = requires(
    need_text("reason", "missing_reason", "重新办理必须写明原因（群众不满意的地方）"))
check_urged = requires(
    need_text("note", "missing_note", "催办要写明催问的内容（例如 群众来问进度，请尽快答复）"))
check_assigned = requires(need_text("assignee.name", "missing_assignee", "请选择承办人"))


# 群众反映事项转办函 (RULES.md §1): letter no., source, citizen, summary, receiving
# department, deadline, how to report back (the receipt slip is optional on the form).
_LETTER_FIELDS = {"letter_no": "函号", "source": "来源", "citizen": "反映人",
                  "summary": "反映事项摘要", "department": "承办部门", "deadline": "办理期限",
                  "report_back": "反馈方式"}


def check_forwarded(state: CaseState, payload: Mapping[str, Any], act: Act) -> Verdict:
    letter = payload.get("letter") or {}
    missing = [label for key, label in _LETTER_FIELDS.items() if not text(letter, key)]
    if missing:
        return no("incomplete_letter", f"转办函还缺：{'、'.join(missing)}，请补全后再转办")
    if iso_date(letter.get("deadline")) is None:
        return no("bad_date", "转办函的办理期限不是有效日期，请重新选择")
    return OK


def _later_due(state: CaseState, payload: Mapping[str, Any], act: Act) -> Verdict:
    new_due = checked_date(payload.get("new_due"))
    if state.due is not None and new_due <= state.due:
        return no("bad_date", f"延期后的日期必须晚于原承诺日期 {state.due.isoformat()}")
    if state.extension_ceiling is not None and new_due > state.extension_ceiling:
        return _beyond_ceiling(state)
    return OK


check_extended = requires(
    need_text("reason", "missing_reason", "延期必须写明理由，并告知群众"),
    need_date("new_due", "bad_date", "延期后的办结日期不对，请重新选择"),
    then=_later_due)

check_closed = requires(
    need_text("result", "missing_result", "请填写办理结果"),
    need_text("reason", "missing_reason", "不予办理必须写明理由，并一次性告知群众",
              when=lambda p: p.get("outcome") == "refused"))

check_rated = requires(
    need_text("level", "missing_level", "请选择群众的评价：满意、基本满意或不满意"),
    need_text("reason", "missing_reason", "评价为“不满意”时必须填写原因，请问清群众不满意的地方后填写",
              when=rated_dissatisfied))


def check_updated(state: CaseState, payload: Mapping[str, Any], act: Act) -> Verdict:
    fields = payload.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        return no("nothing_changed", "没有要修改的内容")
    unknown = [name for name in fields if name not in PLAIN_FIELDS]
    if unknown:
        return no("bad_field", f"“{unknown[0]}”不能直接修改；办理进度请用对应的办理操作登记")
    return OK


check_withdrawn = requires(
    need_choice("reason_kind", WITHDRAW_KINDS, "missing_reason",
                "请选择撤件的原因：" + "、".join(WITHDRAW_KINDS)),
    need_text("reason", "missing_reason", "撤件必须写明理由（例如 群众说已在县里办好，不需要再办）"))


def check_materials_supplied(state: CaseState, payload: Mapping[str, Any], act: Act) -> Verdict:
    names = payload.get("materials")
    if not isinstance(names, list) or not names:
        return no("nothing_supplied", "请勾选群众这次补交的材料")
    missing = state.missing_materials
    extra = [str(name) for name in names if name not in missing]
    if extra:
        return no("not_missing", f"“{extra[0]}”不在一次性告知单的缺少材料里；"
                                 f"还缺的是：{'、'.join(missing)}")
    return OK


__all__ = ["check_accepted", "check_assigned", "check_closed", "check_done_at_once",
           "check_escalated", "check_extended", "check_forwarded", "check_materials_supplied",
           "check_rated", "check_reopened", "check_replied", "check_returned", "check_updated",
           "check_urged", "check_withdrawn", "dissatisfied", "not_holder", "room_to_extend",
           "something_below", "something_missing", "wrong_level", "wrong_status"]
