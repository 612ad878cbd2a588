"""Deadline status against a frozen today, across holidays, and alerts to the leader."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.service.deadlines import case_deadline, deadline_status, effective_due, overdue_alerts
from app.domain.shared.workdays import WorkCalendar, add_working_days, calendar_from_town_list
from tests.domain.builders import accepted_p, log_at, Log
from tests.domain.calendars import COMPLETE_2027

CAL = WorkCalendar()


@pytest.mark.parametrize("today, state, left, label", [
    (date(2025, 9, 26), "on_time", 5, "还剩5个工作日"),
    # Ten calendar days before the due date, but 国庆 leaves only two working days.
    (date(2025, 9, 30), "due_soon", 2, "即将到期，还剩2个工作日"),
    (date(2025, 10, 10), "due_soon", 0, "今天到期"),
    (date(2025, 10, 11), "overdue", -1, "已超期1个工作日"),  # the make-up Saturday counts
    (date(2025, 10, 12), "overdue", -1, "已超期1个工作日"),
])
def test_status_of_a_due_date_after_national_day(today, state, left, label):
    status = deadline_status(date(2025, 10, 10), today, CAL, due_soon_days=2)
    assert (status.state, status.working_days_left, status.label) == (state, left, label)
    assert status.provisional is False


def test_past_due_during_a_holiday_is_overdue_with_no_working_day_lost_yet():
    status = deadline_status(date(2025, 9, 30), date(2025, 10, 8), CAL)
    assert (status.state, status.working_days_left, status.label) == (
        "overdue", 0, "已超过承诺日期")


def test_spring_festival_make_up_saturday_counts_toward_the_deadline():
    status = deadline_status(date(2026, 2, 24), date(2026, 2, 13), CAL, due_soon_days=2)
    assert (status.state, status.working_days_left) == ("due_soon", 2)   # 2月14日 and 2月24日


def test_due_soon_threshold_is_configurable():
    status = deadline_status(date(2025, 10, 10), date(2025, 9, 26), CAL, due_soon_days=5)
    assert status.state == "due_soon"


def test_deadline_in_an_undefined_year_is_labelled_provisional():
    due = add_working_days(date(2026, 12, 1), 60, CAL)
    status = deadline_status(due, date(2026, 12, 1), CAL)
    assert status.provisional is True
    assert status.label == "还剩60个工作日（2027年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定）"


def _case_accepted(on: str, days: int, due: str, provisional: bool = False):
    log = Log()
    log.add("svc.accepted", payload=accepted_p(accepted_on=on, time_limit_working_days=days,
                                               promised_due=due, due_provisional=provisional))
    return log


def test_provisional_promise_is_recomputed_once_the_town_enters_the_year():
    log = _case_accepted("2026-12-01", 60, "2027-02-26", provisional=True)
    state = log.state()
    before = effective_due(state, CAL)   # statutory days of 2027 skipped, 调休 unknown
    assert (before.date, before.provisional) == (date(2027, 2, 26), True)
    after = effective_due(state, calendar_from_town_list(COMPLETE_2027))
    assert (after.date, after.provisional) == (date(2027, 3, 2), False)


def test_final_promise_is_kept_as_promised():
    state = log_at("accepted").state()
    assert effective_due(state, CAL).date == date(2025, 11, 6)


def test_case_deadline_while_active_and_after_closing():
    log = log_at("escalated")
    assert case_deadline(log.state(), date(2025, 11, 5), CAL).state == "due_soon"
    log.add("svc.closed", "t1", on="2025-11-10")
    closed = case_deadline(log.state(), date(2025, 12, 1), CAL)
    assert (closed.state, closed.working_days_left, closed.label) == (
        "closed_late", -2, "超期2个工作日办结")


def test_case_closed_in_time():
    status = case_deadline(log_at("closed_by_town").state(), date(2025, 12, 1), CAL)
    assert (status.state, status.label) == ("closed_on_time", "按时办结")


def test_step_past_its_promise_is_flagged_to_the_named_leader():
    state = log_at("escalated").state()   # town promised an answer by 2025-10-13
    assert overdue_alerts(state, date(2025, 10, 13), CAL) == []
    (alert,) = overdue_alerts(state, date(2025, 10, 15), CAL)
    assert (alert.kind, alert.level, alert.working_days_over, alert.leader) == (
        "step", "town", 2, "张副镇长")
    assert alert.message == ("“最低生活保障申请”在镇便民服务中心的办理环节已超过约定日期（2025-10-13）"
                             "2个工作日，请张副镇长督办")


def test_broken_case_promise_is_flagged_to_the_leader_in_charge():
    log = log_at("forwarded")     # letter deadline 2025-10-31, case due 2025-11-06
    alerts = overdue_alerts(log.state(), date(2025, 11, 10), CAL, notify_role="分管领导")
    assert [(a.kind, a.level, a.working_days_over, a.leader) for a in alerts] == [
        ("case", "county", 2, "分管领导"), ("step", "county", 6, "分管领导")]
    assert alerts[0].message == ("“最低生活保障申请”已超过承诺办结日期（2025-11-06）2个工作日，"
                                 "目前在县直部门，请分管领导督办")


def test_county_reply_ends_the_step_promise():
    state = log_at("replied").state()
    assert state.step_due is None
    assert overdue_alerts(state, date(2025, 11, 3), CAL) == []


def test_extension_moves_the_promise():
    log = log_at("accepted")
    log.add("svc.extended", "v1", new_due="2025-11-28")
    state = log.state()
    assert effective_due(state, CAL).date == date(2025, 11, 28)
    assert overdue_alerts(state, date(2025, 11, 10), CAL) == []


def test_finished_case_raises_no_alert():
    assert overdue_alerts(log_at("fed_back").state(), date(2026, 6, 1), CAL) == []


def test_extension_to_a_provisional_date_stays_labelled_provisional():
    log = log_at("accepted")
    log.add("svc.extended", "v1", new_due="2025-11-28", due_provisional=True)
    status = case_deadline(log.state(), date(2025, 11, 3), CAL)
    assert (status.provisional, status.label) == (True, "还剩19个工作日（日期为暂定）")
