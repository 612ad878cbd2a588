"""Two stations act on one case without seeing each other: same outcome everywhere."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.service.flow import apply_event, fold
from app.domain.service.state import CaseState
from tests.domain.builders import LEVELS, log_at


def test_offline_escalation_first_in_order_wins_and_later_done_at_once_is_rejected():
    log = log_at("accepted")
    escalate = log.add("svc.escalated", "v1", hlc=2000)
    done = log.add("svc.done_at_once", "v2", hlc=2001)
    state = log.state()
    assert (state.status, state.level) == ("escalated", "town")
    assert [(r.event_id, r.reason) for r in state.rejected] == [
        (done["id"], "此事项已上报镇，正等待镇里处理，不能按即办办结")]
    assert escalate["id"] in {step.event_id for step in state.steps}


def test_offline_done_at_once_first_in_order_wins_and_later_escalation_is_rejected():
    log = log_at("accepted")
    log.add("svc.done_at_once", "v2", hlc=2000)
    escalate = log.add("svc.escalated", "v1", hlc=2001)
    state = log.state()
    assert state.status == "closed"
    assert [(r.event_id, r.reason) for r in state.rejected] == [
        (escalate["id"], "此事项已办结，不能再上报镇；如群众不满意，请先登记“不满意”后重新办理")]


def test_same_clock_reading_is_broken_by_origin_id_on_every_node():
    log = log_at("escalated")
    forward = log.add("svc.forwarded", "t2", hlc=3000)
    give_back = log.add("svc.returned", "t1", hlc=3000)
    state = log.state()
    # (hlc, origin, seq): "t1" sorts before "t2", so the return is applied first.
    assert (state.status, state.level) == ("returned", "village")
    assert [r.event_id for r in state.rejected] == [forward["id"]]
    assert state.rejected[0].reason == "此事项已退回村便民服务站，镇里不能转办县直部门"
    assert give_back["id"] in {step.event_id for step in state.steps}


def test_arrival_order_does_not_change_the_case():
    log = log_at("accepted")
    log.add("svc.escalated", "v1", hlc=2000)
    log.add("svc.done_at_once", "v2", hlc=2001)
    log.add("svc.assigned", "t1", hlc=2500)
    expected = log.state()
    for seed in range(20):
        shuffled = log.events[:]
        random.Random(seed).shuffle(shuffled)
        assert fold(shuffled, LEVELS) == expected


def test_a_relayed_duplicate_is_applied_once():
    log = log_at("escalated")
    assign = log.add("svc.assigned", "t1")
    once = log.state()
    assert fold(log.events + [dict(assign)], LEVELS) == once


def test_concurrent_phone_corrections_keep_the_loser_for_review():
    log = log_at("escalated")
    town = log.add("svc.updated", "t1", hlc=3000, fields={"applicant.phone": "13700000001"},
                   was={"applicant.phone": "13812345678"})
    village = log.add("svc.updated", "v2", hlc=3005, fields={"applicant.phone": "13900000002"},
                      was={"applicant.phone": "13812345678"})
    state = log.state()
    assert state.fields["applicant.phone"] == "13900000002"
    (item,) = state.review_items
    assert (item.field, item.kept, item.lost) == ("applicant.phone", "13900000002", "13700000001")
    assert (item.kept_event, item.lost_event) == (village["id"], town["id"])
    assert item.message == ("「联系电话」被两处同时修改：现为“13900000002”，"
                            "另一处填写的“13700000001”已保留待核对，请核实后更正")


def test_a_correction_that_saw_the_previous_one_raises_no_review():
    log = log_at("escalated")
    log.add("svc.updated", "t1", fields={"applicant.phone": "13700000001"},
            was={"applicant.phone": "13812345678"})
    log.add("svc.updated", "v2", fields={"applicant.phone": "13900000002"},
            was={"applicant.phone": "13700000001"})
    state = log.state()
    assert state.fields["applicant.phone"] == "13900000002"
    assert state.review_items == ()


def test_two_identical_concurrent_corrections_are_not_a_conflict():
    log = log_at("escalated")
    for origin in ("t1", "v2"):
        log.add("svc.updated", origin, fields={"applicant.group": "五组"}, was={"applicant.group": "三组"})
    assert log.state().review_items == ()


def test_events_of_another_record_are_refused_loudly():
    log = log_at("accepted")
    stray = log.event("svc.started", "v1")
    stray["record"] = "rec-2"
    try:
        apply_event(log.state(), stray, "village")
    except ValueError as exc:
        assert "rec-2" in str(exc)
    else:
        raise AssertionError("an event of another record was applied")


def test_folding_nothing_is_an_error():
    try:
        fold([], LEVELS)
    except ValueError:
        pass
    else:
        raise AssertionError("fold([]) returned a state")


_CONTENDERS = [("svc.done_at_once", "v2"), ("svc.escalated", "v1"), ("svc.started", "v2"),
               ("svc.assigned", "t1"), ("svc.forwarded", "t2"), ("svc.returned", "t1"),
               ("svc.replied", "c1"), ("svc.closed", "t2"), ("svc.fed_back", "v1"),
               ("svc.updated", "t2"), ("svc.updated", "v1")]


@settings(max_examples=150, deadline=None, database=None)
@given(picks=st.lists(st.tuples(st.sampled_from(_CONTENDERS), st.integers(2000, 2040)),
                      min_size=1, max_size=10),
       seed=st.integers(0, 2**32 - 1))
def test_any_interleaving_of_offline_actions_folds_to_one_state(picks, seed):
    log = log_at("accepted")
    for (kind, origin), hlc in picks:
        log.add(kind, origin, hlc=hlc)
    expected = log.state()
    shuffled = log.events[:]
    random.Random(seed).shuffle(shuffled)
    state = fold(shuffled, LEVELS)
    assert state == expected
    # Nothing is dropped: every event is either a step or a rejection, exactly once.
    accounted = [s.event_id for s in state.steps] + [r.event_id for r in state.rejected]
    assert sorted(accounted) == sorted(e["id"] for e in log.events)
    assert isinstance(state, CaseState)
