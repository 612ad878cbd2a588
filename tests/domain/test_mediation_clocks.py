"""Mediation clocks with frozen dates: the month limit, 司法确认 window, 回访, high-risk alert."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.domain.dispute.clocks import (
    confirmation_due, confirmation_reminder, mediation_clock, mediation_due, revisits_due,
    risk_alert)
from app.domain.dispute.periods import add_days, add_months, period_end, roll_over
from app.domain.dispute.rules import DisputeRules
from app.domain.shared.workdays import WorkCalendar, calendar_from_town_list
from tests.domain.calendars import COMPLETE_2027
from tests.domain.test_dispute_builders import agreement, dispute_log

CAL = WorkCalendar()


@pytest.mark.parametrize("start, months, end", [
    (date(2026, 3, 10), 1, date(2026, 4, 10)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),   # no 02-31: last day of February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # leap year
    (date(2028, 2, 29), 1, date(2028, 3, 29)),   # from the leap day
    (date(2027, 2, 28), 12, date(2028, 2, 28)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2026, 12, 31), 1, date(2027, 1, 31)),  # over the year end
    (date(2026, 8, 31), 1, date(2026, 9, 30)),
])
def test_months_end_on_the_corresponding_day_or_the_month_end(start, months, end):
    """民法典 Art 202."""
    assert add_months(start, months) == end


def test_days_do_not_count_the_start_day():
    """民法典 Art 201: 30 days from 03-15 end on 04-14."""
    assert add_days(date(2026, 3, 15), 30) == date(2026, 4, 14)
    assert add_days(date(2028, 2, 28), 1) == date(2028, 2, 29)


def test_roll_over_skips_rest_days_but_not_a_make_up_saturday():
    assert roll_over(date(2026, 10, 1), CAL).date == date(2026, 10, 8)    # National Day
    assert roll_over(date(2026, 2, 14), CAL).date == date(2026, 2, 14)    # 调休 Saturday works
    assert roll_over(date(2026, 3, 14), CAL).date == date(2026, 3, 16)    # plain weekend


def test_roll_over_into_an_undefined_year_is_provisional_until_the_town_lists_it():
    due = roll_over(date(2027, 1, 2), CAL)
    assert due.provisional and due.years_missing == (2027,)
    assert due.note == "2027年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定"
    partial = calendar_from_town_list({2027: {"holidays": ["2027-01-01", "2027-01-04"]}})
    due = roll_over(date(2027, 1, 2), partial)       # some dates only: still provisional
    assert (due.date, due.provisional) == (date(2027, 1, 5), True)
    complete = calendar_from_town_list(
        {2027: {"holidays": COMPLETE_2027["2027"]["holidays"] + ["2027-01-04"]}})
    due = roll_over(date(2027, 1, 2), complete)
    assert (due.date, due.provisional) == (date(2027, 1, 5), False)


def test_period_end_adds_days_not_counted():
    assert period_end(date(2026, 3, 1), days=30, not_counted=3).date == date(2026, 4, 3)


def _registered(**extra):
    log = dispute_log()
    log.add("dispute.registered", **extra)
    return log


def test_mediation_limit_is_one_calendar_month_from_the_day_received():
    state = _registered().state()  # received 2026-03-10 21:40
    assert mediation_due(state) == date(2026, 4, 10)
    clock = mediation_clock(state, date(2026, 3, 20))
    assert (clock.state, clock.days_left, clock.label) == ("on_time", 21, "调解期限：还剩21天（截止2026-04-10）")
    assert "人民调解工作若干规定" in clock.source
    assert mediation_clock(state, date(2026, 4, 6)).state == "due_soon"
    assert mediation_clock(state, date(2026, 4, 10)).label == "调解期限：今天到期"
    late = mediation_clock(state, date(2026, 4, 13))
    assert (late.state, late.label) == ("overdue", "调解期限：已超期3天（截止2026-04-10）")


def test_month_limit_at_month_end_and_leap_day():
    assert mediation_due(_registered(received_at="2026-01-31T08:00").state()) == date(2026, 2, 28)
    assert mediation_due(_registered(received_at="2028-01-31T23:59").state()) == date(2028, 2, 29)


def test_month_limit_is_not_rolled_over_a_holiday():
    state = _registered(received_at="2026-09-01T10:00").state()
    assert mediation_due(state) == date(2026, 10, 1)


def test_configured_limit_is_used():
    state = _registered().state()
    assert mediation_due(state, DisputeRules(mediation_limit_months=2)) == date(2026, 5, 10)


def test_extension_with_consent_replaces_the_limit():
    log = _registered()
    log.add("dispute.extended")
    state = log.state()
    clock = mediation_clock(state, date(2026, 4, 20))
    assert (clock.due, clock.state, clock.name) == (date(2026, 4, 30), "on_time", "调解期限（已经双方同意延长）")


def test_escalation_restarts_the_month_at_the_upper_level():
    log = _registered()
    log.add("dispute.escalated", on="2026-04-05")
    assert mediation_due(log.state()) == date(2026, 5, 5)


def test_no_mediation_clock_once_agreed():
    log = _registered()
    log.add("dispute.session")
    log.add("dispute.agreed")
    assert mediation_clock(log.state(), date(2026, 5, 1)) is None


def _agreed(**agreement_extra):
    log = _registered()
    log.add("dispute.session")
    log.add("dispute.agreed", agreement=agreement(**agreement_extra))
    return log


def test_judicial_confirmation_window_is_30_days_from_effect():
    state = _agreed().state()  # effective 2026-03-15
    assert confirmation_due(state.effective_on, CAL).date == date(2026, 4, 14)
    early = confirmation_reminder(state, date(2026, 3, 16), CAL)
    assert (early.state, early.days_left) == ("on_time", 29)
    assert early.label == "申请司法确认：还剩29天（截止2026-04-14）"
    soon = confirmation_reminder(state, date(2026, 4, 8), CAL)
    assert soon.state == "due_soon"
    assert soon.label == ("申请司法确认：即将到期，还剩6天（截止2026-04-14）；"
                          "双方当事人可共同向人民法院申请司法确认")
    assert "人民调解法第三十三条" in soon.source


def test_judicial_confirmation_deadline_on_a_holiday_moves_to_the_next_working_day():
    state = _agreed(effective_on="2026-09-01", terms=[
        {"content": "付款", "how": "转账", "due": "2026-09-30"}]).state()
    assert confirmation_due(state.effective_on, CAL).date == date(2026, 10, 8)
    off = DisputeRules(judicial_confirmation_rolls_over=False)
    assert confirmation_due(state.effective_on, CAL, off).date == date(2026, 10, 1)


def test_judicial_confirmation_deadline_on_a_make_up_saturday_stays():
    assert confirmation_due(date(2026, 1, 15), CAL).date == date(2026, 2, 14)


def test_reminder_stops_once_recorded_and_says_so_when_the_window_passed():
    log = _agreed()
    state = log.state()
    passed = confirmation_reminder(state, date(2026, 4, 15), CAL)
    assert passed.state == "overdue"
    assert passed.label.startswith("已过申请司法确认的期限（2026-04-14），协议仍有效")
    log.add("dispute.confirmation", status="不申请", court="")
    assert confirmation_reminder(log.state(), date(2026, 3, 20), CAL) is None


def test_revisit_is_owed_at_each_performance_deadline():
    log = _agreed()  # terms due 2026-03-20 and 2026-04-10
    owed = revisits_due(log.state(), date(2026, 3, 19))
    assert [r.due for r in owed] == [date(2026, 3, 20), date(2026, 4, 10)]
    assert owed[0].terms == ("王小河清理排水沟杂物",)
    assert owed[0].status.state == "due_soon"
    assert revisits_due(log.state(), date(2026, 3, 22))[0].status.state == "overdue"
    log.add("dispute.revisited", on="2026-03-20")
    owed = revisits_due(log.state(), date(2026, 3, 22))
    assert [r.due for r in owed] == [date(2026, 4, 10)]
    log.add("dispute.revisited", on="2026-04-10", performance="全部履行")
    assert revisits_due(log.state(), date(2026, 4, 20)) == []


def test_revisit_offset_is_configurable():
    owed = revisits_due(_agreed().state(), date(2026, 3, 19), DisputeRules(revisit_days_after_due=3))
    assert owed[0].due == date(2026, 3, 23)


def test_high_risk_alerts_until_taken():
    log = _registered(risk="高")
    alert = risk_alert(log.state())
    assert alert.message == "东王村，邻里关系纠纷激化风险高，目前在村调解室，请镇里指定包案领导认领并跟进"
    log.add("dispute.taken", "t1")
    assert risk_alert(log.state()) is None


def test_raised_risk_alerts_and_configured_levels_count():
    log = _registered()
    assert risk_alert(log.state()) is None
    assert risk_alert(log.state(), DisputeRules(alert_risk_levels=("中", "高"))) is not None
    log.add("dispute.risk_changed", "v1")
    assert risk_alert(log.state()).risk == "高"


def test_finished_dispute_does_not_alert():
    log = _registered(risk="高")
    log.add("dispute.session")
    log.add("dispute.failed")
    assert risk_alert(log.state()) is None
    assert risk_alert(replace(log.state(), status="escalated")) is not None


def test_reminders_turn_due_soon_exactly_at_their_configured_days():
    # dispute.mediation_due_soon_days (5) and dispute.judicial_confirmation_remind_days (10)
    log = dispute_log()
    log.add("dispute.registered")                      # received 2026-03-10: due 04-10
    assert mediation_clock(log.state(), date(2026, 4, 5)).state == "due_soon"   # five days
    assert mediation_clock(log.state(), date(2026, 4, 4)).state == "on_time"    # six days
    log.add("dispute.session", "v1")
    log.add("dispute.agreed", "v1")                     # effective 2026-03-15: apply by 04-14
    assert confirmation_reminder(log.state(), date(2026, 4, 4), CAL).state == "due_soon"
    assert confirmation_reminder(log.state(), date(2026, 4, 3), CAL).state == "on_time"
