"""Every service-desk transition, valid and invalid, with the message the user sees."""
from __future__ import annotations

import pytest

from app.domain.service.flow import EVENT_TYPES, check_transition
from app.domain.service.state import CaseState
from tests.domain.builders import DISSATISFIED, LEVELS, PERSON, Log, log_at, payload_for

# (start path, event type, acting origin, extra payload, status after, holding level after)
VALID = [
    ("accepted", "svc.started", "v1", {}, "in_progress", "village"),
    ("accepted", "svc.escalated", "v1", {}, "escalated", "town"),
    ("started_village", "svc.escalated", "v1", {}, "escalated", "town"),
    ("returned_to_village", "svc.escalated", "v1", {}, "escalated", "town"),
    ("returned_to_village", "svc.started", "v2", {}, "in_progress", "village"),
    ("returned_to_village", "svc.closed", "v1",
     {"outcome": "refused", "result": "不予办理", "reason": "家庭人均收入高于低保标准"},
     "closed", "village"),
    ("escalated", "svc.started", "t1", {}, "in_progress", "town"),
    ("escalated", "svc.assigned", "t1", {}, "in_progress", "town"),
    ("assigned_town", "svc.assigned", "t2", {"assignee": {"name": "钱专干"}},
     "in_progress", "town"),
    ("escalated", "svc.forwarded", "t1", {}, "forwarded", "county"),
    ("assigned_town", "svc.forwarded", "t2", {}, "forwarded", "county"),
    ("replied", "svc.forwarded", "t1", {}, "forwarded", "county"),
    ("returned_to_town", "svc.forwarded", "t1", {}, "forwarded", "county"),
    ("forwarded", "svc.replied", "c1", {}, "replied", "town"),
    ("escalated", "svc.returned", "t1", {}, "returned", "village"),
    ("assigned_town", "svc.returned", "t2", {}, "returned", "village"),
    ("forwarded", "svc.returned", "c1", {}, "returned", "town"),
    ("returned_to_town", "svc.returned", "t1", {}, "returned", "village"),
    ("accepted", "svc.extended", "v1", {}, "accepted", "village"),
    ("forwarded", "svc.extended", "c1", {}, "forwarded", "county"),
    ("escalated", "svc.closed", "t1", {}, "closed", "village"),
    ("replied", "svc.closed", "t2", {}, "closed", "village"),
    ("started_village", "svc.closed", "v1", {}, "closed", "village"),
    ("accepted", "svc.done_at_once", "v1", {}, "closed", "village"),
    ("closed_by_town", "svc.fed_back", "v1", {}, "fed_back", "village"),
    ("done_at_once", "svc.fed_back", "v2", {}, "fed_back", "village"),
    ("fed_back", "svc.rated", "v1", {}, "rated", "village"),
    ("fed_back", "svc.rated", "v1", DISSATISFIED, "rated", "village"),
    ("rated_satisfied", "svc.revisited", "v1", {}, "revisited", "village"),
    ("rated_satisfied", "svc.revisited", "t1", {}, "revisited", "village"),
    ("rated_dissatisfied", "svc.reopened", "v1", {}, "in_progress", "village"),
    ("rated_dissatisfied", "svc.reopened", "t1", {}, "in_progress", "village"),
    ("accepted", "svc.updated", "t1", {}, "accepted", "village"),
    ("revisited", "svc.updated", "v1", {}, "revisited", "village"),
    ("withdrawn", "svc.updated", "v1", {}, "withdrawn", "village"),
    ("accepted", "svc.withdrawn", "v1", {}, "withdrawn", "village"),
    ("escalated", "svc.withdrawn", "v1", {}, "withdrawn", "village"),
    ("escalated", "svc.withdrawn", "t1", {"reason_kind": "登记有误"}, "withdrawn", "village"),
    ("forwarded", "svc.withdrawn", "v1", {}, "withdrawn", "village"),
    ("accepted", "svc.materials_supplied", "v2", {}, "accepted", "village"),
    ("escalated", "svc.materials_supplied", "v1", {}, "escalated", "town"),
    ("escalated", "svc.materials_supplied", "t1", {}, "escalated", "town"),
    ("escalated", "svc.urged", "v1", {}, "escalated", "town"),
    ("forwarded", "svc.urged", "t2", {}, "forwarded", "county"),
]


@pytest.mark.parametrize("path, kind, origin, extra, status, level", VALID)
def test_valid_transition_is_applied(path, kind, origin, extra, status, level):
    log = log_at(path)
    before = log.state()
    event = log.event(kind, origin, **extra)
    assert check_transition(before, event, LEVELS[origin]).ok
    log.events.append(event)
    after = log.state()
    assert after.rejected == ()
    assert (after.status, after.level) == (status, level)
    assert after.steps[-1].event_id == event["id"]
    assert after.steps[-1].level == LEVELS[origin]


def test_every_event_type_has_a_valid_case_in_the_table():
    assert {row[1] for row in VALID} | {"svc.accepted"} == set(EVENT_TYPES)


def test_acceptance_records_first_officer_holder_and_promise():
    state = log_at("accepted").state()
    assert state.status == "accepted"
    assert state.first_officer == PERSON
    assert (state.level, state.owner_node, state.path) == ("village", "v1", (("village", "v1"),))
    assert state.due.isoformat() == "2025-11-06"
    assert state.fields["applicant.phone"] == "13812345678"
    assert state.steps[0].what == "受理：最低生活保障申请（代办）"
    assert state.steps[0].on == "2025-09-26"


def test_first_officer_stays_named_through_every_level_until_closed():
    log = log_at("replied")
    log.add("svc.closed", "t1")
    state = log.state()
    assert state.first_officer == PERSON
    assert [step.level for step in state.steps] == ["village", "village", "town", "county", "town"]


def test_answer_flows_back_to_the_accepting_station_after_town_closes():
    state = log_at("closed_by_town").state()
    assert (state.level, state.owner_node) == ("village", "v1")
    assert state.closed_on.isoformat() == "2025-09-29"


def test_town_node_that_forwarded_receives_the_county_reply():
    state = log_at("replied").state()
    assert (state.level, state.owner_node) == ("town", "t1")
    assert state.reply["reply"] == "经审核符合条件，自11月起发放"
    assert state.steps[-1].what == "县民政局回复：经审核符合条件，自11月起发放"


def test_forwarding_keeps_the_letter_and_its_deadline_as_step_promise():
    state = log_at("forwarded").state()
    assert state.letter["letter_no"] == "新集转〔2025〕12号"
    assert state.step_due.isoformat() == "2025-10-31"
    assert state.steps[-1].what == "转办县民政局（转办函 新集转〔2025〕12号）"


def test_reopening_starts_a_new_round_at_the_accepting_station():
    state = log_at("reopened").state()
    assert (state.status, state.level, state.round) == ("in_progress", "village", 2)
    assert state.rating is None and state.result is None


def test_revisit_with_a_new_opinion_replaces_the_rating():
    log = log_at("rated_satisfied")
    log.add("svc.revisited", "t1", **DISSATISFIED)
    log.add("svc.reopened", "t1")
    assert log.state().round == 2


# (start path, event type, acting origin, extra payload, code, exact message)
INVALID = [
    ("closed_by_town", "svc.escalated", "v1", {}, "wrong_status",
     "此事项已办结，不能再上报镇；如群众不满意，请先登记“不满意”后重新办理"),
    ("accepted", "svc.accepted", "v2", {}, "duplicate",
     "此事项已受理（回执编号 XJ003-250926-0007-12），不能重复受理"),
    ("escalated", "svc.done_at_once", "v1", {}, "wrong_status",
     "此事项已上报镇，正等待镇里处理，不能按即办办结"),
    ("escalated", "svc.escalated", "v1", {}, "wrong_status",
     "此事项已上报镇，正等待镇里处理，不能上报镇"),
    ("escalated", "svc.started", "v1", {}, "wrong_level", "此事项目前由镇便民服务中心办理，村里不能开始办理"),
    ("escalated", "svc.closed", "v1", {}, "wrong_level", "此事项目前由镇便民服务中心办理，村里不能办结"),
    ("assigned_town", "svc.escalated", "t1", {}, "wrong_level",
     "镇里不用“上报镇”；需要县直部门办理的，请用“转办县直部门”"),
    ("forwarded", "svc.escalated", "c1", {}, "wrong_status",
     "此事项已转办县直部门，正等待回复，不能上报镇"),
    ("accepted", "svc.forwarded", "v1", {}, "wrong_status", "此事项已受理、还未开始办理，不能转办县直部门"),
    ("started_village", "svc.forwarded", "v1", {}, "wrong_level",
     "村里不能直接转办县直部门；请先“上报镇”，由镇里发转办函"),
    ("started_village", "svc.assigned", "v1", {}, "wrong_level", "只有镇里可以交办承办人，村里不能"),
    ("forwarded", "svc.assigned", "t1", {}, "wrong_status", "此事项已转办县直部门，正等待回复，不能交办承办人"),
    ("escalated", "svc.replied", "c1", {}, "wrong_status", "此事项已上报镇，正等待镇里处理，不能回复"),
    ("forwarded", "svc.replied", "t1", {}, "wrong_level", "只有县直部门可以回复，镇里不能"),
    ("started_village", "svc.returned", "v1", {}, "wrong_level", "只有镇里、县直部门可以退回，村里不能"),
    ("assigned_town", "svc.returned", "c1", {}, "wrong_level", "此事项目前由镇便民服务中心办理，县直部门不能退回"),
    ("escalated", "svc.returned", "t1", {"reason": "  "}, "missing_reason",
     "退回必须写明理由，方便下级补正后重新办理"),
    ("forwarded", "svc.closed", "t1", {}, "wrong_status", "此事项已转办县直部门，正等待回复，不能办结"),
    ("forwarded", "svc.extended", "t1", {}, "wrong_level", "此事项目前由县直部门办理，镇里不能延期"),
    ("accepted", "svc.closed", "v1", {}, "wrong_status", "此事项已受理、还未开始办理，不能办结"),
    ("started_village", "svc.closed", "v1", {"outcome": "refused", "result": "不予办理"},
     "missing_reason", "不予办理必须写明理由，并一次性告知群众"),
    ("started_village", "svc.closed", "v1", {"result": ""}, "missing_result", "请填写办理结果"),
    ("started_village", "svc.done_at_once", "v1", {}, "wrong_status", "此事项正在办理中，不能按即办办结"),
    ("escalated", "svc.fed_back", "v1", {}, "wrong_status", "此事项已上报镇，正等待镇里处理，不能反馈群众"),
    ("closed_by_town", "svc.fed_back", "t1", {}, "wrong_level", "此事项目前由村便民服务站办理，镇里不能反馈群众"),
    ("closed_by_town", "svc.rated", "v1", {}, "wrong_status",
     "办理结果还没有反馈群众，请先登记“反馈群众”，再登记评价"),
    ("fed_back", "svc.rated", "v1", {"level": "不满意", "dissatisfied": True}, "missing_reason",
     "评价为“不满意”时必须填写原因，请问清群众不满意的地方后填写"),
    ("fed_back", "svc.revisited", "v1", {}, "wrong_status", "群众还没有评价，请先登记评价，再回访"),
    ("rated_satisfied", "svc.reopened", "v1", {}, "not_dissatisfied",
     "群众评价为“满意”，不能重新办理；只有评价“不满意”的事项才能重新办理"),
    ("closed_by_town", "svc.reopened", "v1", {}, "wrong_status",
     "只有已办结并由群众评价为“不满意”的事项才能重新办理"),
    ("rated_dissatisfied", "svc.reopened", "v1", {"reason": ""}, "missing_reason",
     "重新办理必须写明原因（群众不满意的地方）"),
    ("rated_satisfied", "svc.forwarded", "t1", {}, "wrong_status",
     "此事项已办结并评价，不能再转办县直部门；如群众不满意，请先登记“不满意”后重新办理"),
    ("escalated", "svc.forwarded", "t1", {"letter": {"letter_no": "新集转〔2025〕12号"}},
     "incomplete_letter", "转办函还缺：来源、反映人、反映事项摘要、承办部门、办理期限、反馈方式，请补全后再转办"),
    ("accepted", "svc.extended", "v1", {"new_due": "2025-11-06"}, "bad_date",
     "延期后的日期必须晚于原承诺日期 2025-11-06"),
    ("accepted", "svc.extended", "v1", {"reason": ""}, "missing_reason", "延期必须写明理由，并告知群众"),
    ("accepted", "svc.updated", "v1", {"fields": {"status": "closed"}}, "bad_field",
     "“status”不能直接修改；办理进度请用对应的办理操作登记"),
    ("escalated", "svc.assigned", "t1", {"assignee": {"name": ""}}, "missing_assignee", "请选择承办人"),
    ("forwarded", "svc.replied", "c1", {"reply": ""}, "missing_reply", "请填写县直部门的答复内容"),
    ("accepted", "svc.escalated", "v1", {"summary": ""}, "missing_reason", "上报镇必须写明需要镇里解决的问题"),
    ("closed_by_town", "svc.withdrawn", "v1", {}, "wrong_status",
     "此事项已办结，不能再撤件；如群众不满意，请先登记“不满意”后重新办理"),
    ("withdrawn", "svc.withdrawn", "v1", {}, "wrong_status",
     "此事项已撤件，不能再撤件；群众要重新办理的，请重新受理"),
    ("withdrawn", "svc.started", "v1", {}, "wrong_status",
     "此事项已撤件，不能再开始办理；群众要重新办理的，请重新受理"),
    ("forwarded", "svc.withdrawn", "t1", {}, "wrong_level",
     "此事项目前由县直部门办理，镇里不能撤件"),
    ("accepted", "svc.withdrawn", "v1", {"reason": " "}, "missing_reason",
     "撤件必须写明理由（例如 群众说已在县里办好，不需要再办）"),
    ("accepted", "svc.withdrawn", "v1", {"reason_kind": "不想办了"}, "missing_reason",
     "请选择撤件的原因：申请人撤回、登记有误、重复登记"),
    ("accepted", "svc.materials_supplied", "v1", {"materials": ["结婚证"]}, "not_missing",
     "“结婚证”不在一次性告知单的缺少材料里；还缺的是：家庭经济状况核对授权书"),
    ("accepted", "svc.materials_supplied", "v1", {"materials": []}, "nothing_supplied",
     "请勾选群众这次补交的材料"),
    ("forwarded", "svc.materials_supplied", "t1", {}, "wrong_level",
     "此事项目前由县直部门办理，镇里不能补齐材料"),
    ("closed_by_town", "svc.materials_supplied", "v1", {}, "wrong_status",
     "此事项已办结，不能再补齐材料；如群众不满意，请先登记“不满意”后重新办理"),
    ("accepted", "svc.urged", "v1", {}, "wrong_status", "此事项已受理、还未开始办理，不能催办"),
    ("forwarded", "svc.urged", "v1", {}, "wrong_level",
     "只有把事项送上去的一级才能催办；此事项目前由县直部门办理，村里不能催办"),
    ("forwarded", "svc.urged", "c1", {}, "wrong_level", "只有村里、镇里可以催办，县直部门不能"),
    ("escalated", "svc.urged", "v1", {"note": ""}, "missing_note",
     "催办要写明催问的内容（例如 群众来问进度，请尽快答复）"),
]


@pytest.mark.parametrize("path, kind, origin, extra, code, message", INVALID)
def test_invalid_transition_is_refused_with_chinese_reason(path, kind, origin, extra, code,
                                                           message):
    log = log_at(path)
    before = log.state()
    event = log.event(kind, origin, **extra)
    verdict = check_transition(before, event, LEVELS[origin])
    assert (verdict.ok, verdict.code, verdict.message) == (False, code, message)
    log.events.append(event)
    after = log.state()
    # Kept in the log, shown as rejected, not applied.
    assert [(r.event_id, r.code, r.reason) for r in after.rejected] == [(event["id"], code, message)]
    assert (after.status, after.level, after.steps) == (before.status, before.level, before.steps)


def test_every_event_type_has_an_invalid_case_in_the_table():
    assert {row[1] for row in INVALID} == set(EVENT_TYPES)


@pytest.mark.parametrize("kind", [k for k in EVENT_TYPES if k != "svc.accepted"])
def test_nothing_but_acceptance_can_start_a_case(kind):
    verdict = check_transition(CaseState(record="r"), {"type": kind, "v": 1,
                                                       "payload": payload_for(kind)}, "town")
    assert (verdict.ok, verdict.message) == (False, "此事项还没有受理登记，请先受理")


def test_acceptance_without_first_officer_is_refused():
    log = Log()
    event = log.event("svc.accepted", payload=payload_for("svc.accepted", first_officer={"name": ""}))
    verdict = check_transition(CaseState(record=log.record), event, "village")
    assert verdict.message == "请填写首接责任人（第一个接待群众的工作人员）"


def test_acceptance_promising_a_date_before_acceptance_is_refused():
    event = Log().event("svc.accepted", promised_due="2025-09-25")
    verdict = check_transition(CaseState(record="rec-1"), event, "village")
    assert verdict.message == "承诺办结日期不能早于受理日期"


def test_town_may_accept_a_case_itself_and_has_nothing_below_to_return_to():
    log = Log()
    log.add("svc.accepted", "t1")
    log.add("svc.started", "t1")
    event = log.event("svc.returned", "t1")
    verdict = check_transition(log.state(), event, "town")
    assert verdict.message == "此事项是镇便民服务中心自己受理的，没有下级可以退回"


def test_event_from_unregistered_node_is_rejected():
    log = log_at("accepted")
    log.add("svc.started", "x9")
    state = log.state()
    assert state.status == "accepted"
    assert state.rejected[0].code == "unknown_level"


def test_event_of_a_newer_program_version_is_kept_as_rejected():
    log = log_at("accepted")
    event = log.add("svc.started", "v1")
    event["v"] = 2
    state = log.state()
    assert state.rejected[0].reason == "这条记录来自更新版本的程序，本机暂时不能处理；请升级程序后再看"


def test_unknown_event_type_is_kept_as_rejected():
    log = log_at("accepted")
    log.add("svc.teleported", "v1", payload={})
    assert log.state().rejected[0].code == "unknown_type"
