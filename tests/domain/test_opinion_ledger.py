"""双联三解的民意台账 (the seed: 收集民意 → 梳理民情 → 建立台账 → 交办转办 → 反馈结果): each step
in order, by the collecting level or above, with the decision hook for issue #12."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.opinion import flow as opinion_ledger
from app.domain.opinion.flow import EVENT_TYPES, check_transition
from schemas.registry import build_registry
from tests.domain.test_dispute_builders import Log

HEARD = {"on": "2026-11-02", "ledger_no": "王湾村民2026-001",
         "cadre": {"name": "李建国", "post": "村委委员"}, "visit": {"how": "入户走访", "place": "三组"},
         "village": "王湾村", "people": [{"name": "王秀英", "phone": "13812345678", "group": "三组"}],
         "content": "三组通往村部的路灯坏了半年，晚上老人出门不方便"}


def payload(kind: str, **extra):
    base = {
        "opinion.collected": dict(HEARD),
        "opinion.sorted": {"on": "2026-11-03", "category": "民生诉求", "route": "case",
                           "note": "村里能办的村里办"},
        "opinion.routed": {"on": "2026-11-03", "route": "case", "target_kind": "svc_case",
                           "target": "svc-1", "unit": "王湾村便民服务站", "due": "2026-11-18"},
        "opinion.answered": {"on": "2026-11-10", "answer": "路灯已换新，晚上亮了",
                             "method": "上门", "by": {"name": "李建国"}, "level": "满意",
                             "dissatisfied": False},
    }[kind]
    base.update(extra)
    return base


def _log(*steps):
    log = Log("opinion", payload, opinion_ledger.fold, "op-1")
    log.add("opinion.collected", "v1")
    for kind, origin, extra in steps:
        log.add(kind, origin, **extra)
    return log


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_payloads_satisfy_their_schemas(kind):
    build_registry().validate(kind, 1, payload(kind))
    assert build_registry().kind_of(kind, 1) == "opinion"


def test_the_whole_programme_from_hearing_to_answering_back():
    log = _log(("opinion.sorted", "v1", {}), ("opinion.routed", "v1", {}),
               ("opinion.answered", "v2", {}))
    state = log.state()
    assert state.rejected == ()
    assert (state.status, state.ledger_no, state.target, state.due) == (
        "answered", "王湾村民2026-001", "svc-1", date(2026, 11, 18))
    assert [s.what for s in state.steps] == [
        "李建国入户走访时听到：三组通往村部的路灯坏了半年，晚上老人出门不方便",
        "梳理：民生诉求，转为便民服务事项", "转为便民服务事项（王湾村便民服务站）",
        "上门反馈群众：路灯已换新，晚上亮了"]
    assert not opinion_ledger.overdue(state, date(2026, 12, 1))


def test_steps_go_in_order_and_a_lower_level_cannot_act_on_a_town_item():
    log = _log()
    assert check_transition(log.state(), log.event("opinion.routed", "v1"), "village").code == \
        "wrong_order"
    sorted_ = _log(("opinion.sorted", "v1", {}))
    answer = check_transition(sorted_.state(), sorted_.event("opinion.answered", "v1"), "village")
    assert answer.code == "not_routed" and "请先交办转办" in answer.message
    town = Log("opinion", payload, opinion_ledger.fold, "op-2")
    town.add("opinion.collected", "t1")
    assert check_transition(town.state(), town.event("opinion.sorted", "v1"), "village").code == \
        "wrong_level"
    assert check_transition(_log().state(), _log().event("opinion.sorted", "c1"), "county").ok
    done = _log(("opinion.sorted", "v1", {}), ("opinion.routed", "v1", {}),
                ("opinion.answered", "v1", {}))
    assert check_transition(done.state(), done.event("opinion.routed", "v1"), "village").code == \
        "answered"


def test_a_policy_question_is_answered_without_a_hand_over():
    log = _log(("opinion.sorted", "v1", {"category": "政策咨询", "route": "answer"}),
               ("opinion.answered", "v1", {}))
    assert log.state().status == "answered" and log.state().rejected == ()


def test_a_decision_proposal_waits_for_the_decisions_workflow_then_names_its_record():
    decision = {"route": "decision", "target_kind": "decision", "unit": "村两委"}
    sorted_ = {"category": "村务决策建议", "route": "decision"}
    log = _log(("opinion.sorted", "v1", sorted_))
    ahead = dict(payload("opinion.routed"), **decision)
    ahead.pop("target")
    log.add("opinion.routed", "v1", payload=ahead)
    state = log.state()
    assert state.awaiting_decision and state.status_name == "已提交村务决策，待决策"
    assert check_transition(state, log.event("opinion.answered", "v1"), "village").code == \
        "awaiting_decision"
    again = dict(ahead)
    assert check_transition(state, log.event("opinion.routed", "v1", payload=again),
                            "village").code == "missing_target"
    log.add("opinion.routed", "v1", payload=dict(ahead, target="decision-7"))
    state = log.state()
    assert (state.target, state.awaiting_decision, state.rejected) == ("decision-7", False, ())


def test_a_feedback_past_its_day_is_late_and_dissatisfaction_needs_a_reason():
    log = _log(("opinion.sorted", "v1", {}), ("opinion.routed", "v1", {}))
    assert opinion_ledger.overdue(log.state(), date(2026, 11, 19))
    unhappy = log.event("opinion.answered", "v1", level="不满意", dissatisfied=True)
    assert check_transition(log.state(), unhappy, "village").code == "missing_reason"
