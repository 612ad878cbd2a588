"""The public view of a case and the rate limiter's buckets: pure, no hub."""
from __future__ import annotations

from datetime import date

import pytest

from app.hubext.ratelimit import TokenBuckets, seconds_text
from app.hubext.status import phone_last4, public_status, public_status_name
from tests.domain.builders import PATHS, accepted_p, log_at

EXPECTED = {
    "accepted": "已受理",
    "started_village": "办理中",
    "escalated": "办理中（已报镇便民服务中心办理）",
    "assigned_town": "办理中",
    "forwarded": "办理中（已转县直部门办理）",
    "replied": "办理中（县直部门已答复，正在办结）",
    "returned_to_village": "办理中（需要补正，请留意受理站点的通知）",
    "returned_to_town": "办理中（需要补正，请留意受理站点的通知）",
    "closed_by_town": "已办结",
    "done_at_once": "已办结",
    "fed_back": "已办结",
    "rated_satisfied": "已办结",
    "rated_dissatisfied": "已办结",
    "revisited": "已办结",
    "reopened": "办理中（重新办理）",
    "withdrawn": "已撤件（申请已撤回或登记有误，详情请向受理站点了解）",
}


def test_every_path_has_a_public_name() -> None:
    assert set(EXPECTED) == set(PATHS)


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_public_status_name_for_each_state(path: str) -> None:
    state = log_at(path).state()
    assert not state.rejected
    assert public_status_name(state) == EXPECTED[path]


def test_public_status_shows_closed_date_only_once_finished() -> None:
    open_case = public_status(log_at("escalated").state())
    assert open_case is not None and open_case.closed_on is None
    assert open_case.due == date(2025, 11, 6)
    done = public_status(log_at("rated_satisfied").state())
    assert done is not None and done.closed_on == date(2025, 9, 29)
    reopened = public_status(log_at("reopened").state())
    assert reopened is not None and reopened.closed_on is None


def test_a_refusal_reads_as_done_without_its_reason() -> None:
    log = log_at("escalated")
    log.add("svc.closed", "t1", outcome="refused", result="不予办理",
            reason="家庭收入超过低保标准")
    view = public_status(log.state())
    assert view is not None and view.status_name.startswith("已办结（不予办理")
    assert "收入" not in str(view.to_json())


def test_the_json_view_carries_only_status_and_dates() -> None:
    view = public_status(log_at("forwarded").state())
    assert view is not None
    assert set(view.to_json()) == {"found", "receipt_no", "status", "kind", "due",
                                   "due_provisional", "due_note", "closed_on", "extra"}
    assert view.to_json()["extra"] == []     # status lines only, for petitions


def test_phone_last4_follows_corrections_and_ignores_extensions() -> None:
    log = log_at("accepted")
    assert phone_last4(log.state()) == "5678"
    log.add("svc.updated", "v1")
    assert phone_last4(log.state()) == "4321"
    landline = log_at("accepted")
    landline.events[0]["payload"] = accepted_p(
        applicant={"name": "李建国", "phone": "0376-2345678转801"})
    assert phone_last4(landline.state()) == "5678"


def test_buckets_allow_the_capacity_then_refill_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(10, 60.0, clock=lambda: now[0])
    assert all(buckets.take("a") == 0.0 for _ in range(10))
    assert buckets.take("a") == pytest.approx(6.0)
    assert buckets.take("b") == 0.0
    now[0] = 3.0
    assert buckets.take("a") == pytest.approx(3.0)
    now[0] = 6.0
    assert buckets.take("a") == 0.0
    now[0] = 10_000.0
    assert all(buckets.take("a") == 0.0 for _ in range(10))   # never above capacity
    assert buckets.take("a") > 0


def test_would_wait_does_not_take_a_token() -> None:
    now = [0.0]
    buckets = TokenBuckets(2, 60.0, clock=lambda: now[0])
    assert buckets.would_wait("r") == 0.0 and len(buckets) == 0
    buckets.take("r")
    buckets.take("r")
    assert buckets.would_wait("r") == pytest.approx(30.0)
    assert buckets.would_wait("r") == pytest.approx(30.0)


def test_memory_stays_bounded_dropping_idle_buckets_first() -> None:
    now = [0.0]
    buckets = TokenBuckets(3, 60.0, max_keys=100, clock=lambda: now[0])
    for n in range(99):
        buckets.take(f"ip{n}")
    now[0] = 100.0                       # every one of them is full (idle) again
    for _ in range(3):
        buckets.take("busy")
    for n in range(300):
        buckets.take(f"new{n}")
        assert len(buckets) <= 100
    assert buckets.take("new299") == 0.0 and buckets.take("new299") == 0.0
    assert buckets.take("new299") > 0    # a new address is limited like any other


def test_when_memory_is_full_of_active_buckets_the_oldest_goes() -> None:
    now = [0.0]
    buckets = TokenBuckets(3, 60.0, max_keys=10, clock=lambda: now[0])
    for _ in range(3):
        buckets.take("busy")
    assert buckets.take("busy") > 0
    for n in range(9):
        buckets.take(f"ip{n}")
    assert buckets.take("busy") > 0      # still there: 10 keys fit
    buckets.take("one-more")
    assert len(buckets) == 10


def test_seconds_text_is_never_zero() -> None:
    assert seconds_text(0.01) == 1 and seconds_text(5.2) == 6


def test_overdue_means_past_the_promise_and_not_finished() -> None:
    open_case = public_status(log_at("escalated").state())
    done = public_status(log_at("rated_satisfied").state())
    assert open_case is not None and done is not None and done.due is not None
    assert not open_case.overdue(date(2025, 11, 6))          # the promised day itself
    assert open_case.overdue(date(2025, 11, 7))
    assert not done.overdue(date(2030, 1, 1))                 # done: never overdue
    assert open_case.to_json(date(2025, 11, 7), "有疑问请拨打…")["overdue"] is True
