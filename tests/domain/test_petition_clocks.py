"""信访工作条例 clocks with frozen dates: calendar days, roll-over, extension, hearings."""
from __future__ import annotations

from datetime import date

from app.domain.petition.clocks import (
    acceptance_clock, acceptance_due, board, clocks, handling_clock, handling_due, hearing_days,
    request_window)
from app.domain.petition.rules import PetitionRules
from app.domain.shared.workdays import WorkCalendar
from tests.domain.test_dispute_builders import petition_log

CAL = WorkCalendar()
NO_ROLL = PetitionRules(period_end_rolls_over=False)


def _log(*steps, origin="v1", record="pet-1", **registered):
    log = petition_log(record)
    log.add("petition.registered", origin, **registered)
    for kind, by, extra in steps:
        log.add(kind, by, **extra)
    return log


def _accepted_on(day: str, **registered):
    return _log(("petition.accepted", "t1", {"on": day, "notice_on": day}),
                received_at=f"{day}T08:00", **registered)


def test_acceptance_notice_within_15_calendar_days():
    state = _log().state()  # received 2026-03-02
    assert acceptance_due(state.received_on, CAL).date == date(2026, 3, 17)
    clock = acceptance_clock(state, date(2026, 3, 10), CAL)
    assert (clock.state, clock.days_left, clock.label) == ("on_time", 7, "受理告知：还剩7天（截止2026-03-17）")
    assert clock.source.startswith("信访工作条例第二十二、二十三条")
    assert acceptance_clock(state, date(2026, 3, 13), CAL).state == "due_soon"
    late = acceptance_clock(state, date(2026, 3, 19), CAL)
    assert (late.state, late.label) == ("overdue", "受理告知：已超期2天（截止2026-03-17）")


def test_acceptance_clock_is_done_by_the_written_notice_date():
    on_time = _log(("petition.accepted", "t1", {"on": "2026-03-05", "notice_on": "2026-03-16"})).state()
    assert acceptance_clock(on_time, date(2026, 4, 1), CAL).state == "done_on_time"
    late = _log(("petition.refused", "t1", {"on": "2026-03-16", "notice_on": "2026-03-20"})).state()
    clock = acceptance_clock(late, date(2026, 4, 1), CAL)
    assert (clock.state, clock.label) == ("done_late", "受理告知：超期3天完成")


def test_month_end_into_the_spring_festival_rolls_to_the_first_working_day():
    state = _log(received_at="2026-01-31T16:00").state()
    assert acceptance_due(state.received_on, CAL).date == date(2026, 2, 24)  # 02-15 .. 02-23 off
    assert acceptance_due(state.received_on, CAL, NO_ROLL).date == date(2026, 2, 15)


def test_handling_within_60_days_of_acceptance_rolled_past_may_day():
    state = _accepted_on("2026-03-05").state()
    assert handling_due(state, date(2026, 3, 5), CAL).date == date(2026, 5, 6)  # 05-04 is a holiday
    assert handling_due(state, date(2026, 3, 5), CAL, NO_ROLL).date == date(2026, 5, 4)
    clock = handling_clock(state, date(2026, 5, 7), CAL)
    assert (clock.name, clock.state, clock.days_left) == ("办理期限", "overdue", -1)
    assert clock.source.startswith("信访工作条例第三十四条")


def test_leap_day_counts_as_a_day():
    state = _accepted_on("2027-12-31").state()
    due = handling_due(state, date(2028, 1, 5), CAL, NO_ROLL)
    assert due.date == date(2028, 2, 29)
    rolled = handling_due(state, date(2028, 1, 5), CAL)
    assert rolled.provisional and rolled.years_missing == (2028,)  # nobody has listed 2028 yet
    clock = handling_clock(state, date(2028, 2, 28), CAL)
    assert clock.provisional and clock.label.endswith("（2028年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定）")


def test_one_extension_of_at_most_30_days_moves_the_due_date():
    log = _accepted_on("2026-03-05")
    log.add("petition.extended", "t1", days=30)
    state = log.state()
    assert handling_due(state, date(2026, 4, 20), CAL).date == date(2026, 6, 3)
    clock = handling_clock(state, date(2026, 5, 20), CAL)
    assert (clock.name, clock.days_left) == ("办理期限（已延期）", 14)
    log.add("petition.extended", "t1", days=5)  # second one: rejected, due unchanged
    assert log.state().rejected[0].code == "extended_once"
    assert handling_due(log.state(), date(2026, 4, 20), CAL).date == date(2026, 6, 3)


def test_answered_on_time_stops_the_clock_and_opens_the_petitioners_window():
    log = _accepted_on("2026-03-05")
    log.add("petition.answered", "t1")  # on 04-01, delivered 04-02
    state = log.state()
    assert handling_clock(state, date(2026, 6, 1), CAL).state == "done_on_time"
    window = request_window(state, date(2026, 4, 20), CAL)
    assert window.due == date(2026, 5, 6)  # 05-02 falls in the May Day holiday
    assert window.name == "信访人可请求复查"
    assert window.source.startswith("信访工作条例第三十五条")
    assert request_window(state, date(2026, 5, 7), CAL).state == "overdue"


def test_the_petitioners_window_in_a_provisional_year_shows_its_latest_possible_end():
    # Delivered 2027-09-01: as known the window ends 10-04; a notice may still move it to
    # 10-11, so the petitioner is told 10-11 (a provisional date never refuses anyone).
    log = _accepted_on("2027-08-02")
    log.add("petition.answered", "t1", on="2027-08-31", delivered_on="2027-09-01")
    window = request_window(log.state(), date(2027, 9, 20), CAL)
    assert (window.due, window.provisional, window.state) == (date(2027, 10, 11), True, "on_time")
    assert window.label == ("信访人可请求复查：还剩21天（截止2027-10-11）（2027年节假日安排尚未由镇里录入完整"
                            "（已按法定节假日推算），日期为暂定）；按有利于信访人的原则，取节假日安排公布后"
                            "可能的最晚截止日")


def test_a_suggestion_has_no_60_day_clock_and_no_review_window():
    # 信访工作条例 Art 31 (建议意见: studied and replied to), Art 34 counts for 申诉求决 only.
    log = _accepted_on("2026-03-05", category="建议意见")
    assert [c.name for c in clocks(log.state(), date(2026, 3, 10), CAL)] == ["受理告知"]
    log.add("petition.answered", "t1", result="采纳")
    assert [c.name for c in clocks(log.state(), date(2026, 4, 10), CAL)] == ["受理告知"]  # done


def _re_review(*steps):
    """A 复核 request received at the county on 2026-06-01."""
    return _log(*steps, origin="c1", record="pet-top", stage="复核", received_at="2026-06-01T09:00",
                appeal_of={"record": "pet-up", "stage": "复查", "level": "town",
                           "delivered_on": "2026-05-20"}, first_time=False)


HEARD = ("petition.hearing_held", "c1",
         {"on": "2026-06-12", "from": "2026-06-10", "to": "2026-06-12"})
ACCEPTED_C = ("petition.accepted", "c1", {"on": "2026-06-02", "notice_on": "2026-06-02"})


def test_re_review_answer_within_30_days_of_the_request_hearing_days_not_counted():
    plain = _re_review(ACCEPTED_C).state()
    assert handling_due(plain, date(2026, 6, 5), CAL, NO_ROLL).date == date(2026, 7, 1)
    heard = _re_review(ACCEPTED_C, HEARD).state()
    assert hearing_days(heard, date(2026, 6, 20)) == (3, False)
    assert handling_due(heard, date(2026, 6, 20), CAL, NO_ROLL).date == date(2026, 7, 4)
    assert handling_due(heard, date(2026, 6, 20), CAL).date == date(2026, 7, 6)  # 07-04 is a Saturday
    clock = handling_clock(heard, date(2026, 6, 20), CAL)
    assert clock.name == "复核期限" and "听证时间不计算在内" in clock.source


def test_review_clock_runs_from_the_request_even_before_acceptance():
    state = _re_review().state()
    clock = handling_clock(state, date(2026, 6, 25), CAL)
    assert (clock.due, clock.days_left) == (date(2026, 7, 1), 6)
    assert acceptance_clock(state, date(2026, 6, 25), CAL) is None


def test_an_open_hearing_pauses_the_re_review_clock():
    log = _re_review(ACCEPTED_C, ("petition.hearing_started", "c1", {"on": "2026-06-10"}))
    state = log.state()
    assert hearing_days(state, date(2026, 6, 15)) == (6, True)
    clock = handling_clock(state, date(2026, 6, 15), CAL)
    assert clock.state == "paused"
    assert clock.label.startswith("复核期限：听证期间暂停计算")
    log.add("petition.hearing_held", "c1", on="2026-06-16", **{"from": "2026-06-10", "to": "2026-06-16"})
    state = log.state()
    assert hearing_days(state, date(2026, 6, 20)) == (7, False)
    assert handling_due(state, date(2026, 6, 20), CAL, NO_ROLL).date == date(2026, 7, 8)


def test_hearing_days_count_in_first_handling():
    # Art 36 ¶2 leaves hearing days out of the 复核 period only; a town cannot widen that
    # (the legal bound of petition.hearing_not_counted_stages, tests/domain/test_legal_bounds).
    log = _accepted_on("2026-03-05")
    log.add("petition.hearing_held", "t1")  # 03-20 .. 03-22
    state = log.state()
    assert hearing_days(state, date(2026, 4, 1)) == (0, False)
    assert handling_due(state, date(2026, 4, 1), CAL, NO_ROLL).date == date(2026, 5, 4)


def test_no_request_window_after_re_review():
    log = _re_review(ACCEPTED_C, ("petition.answered", "c1", {"on": "2026-06-20", "delivered_on": "2026-06-21"}))
    assert request_window(log.state(), date(2026, 6, 25), CAL) is None
    assert [c.name for c in clocks(log.state(), date(2026, 6, 25), CAL)] == ["复核期限"]


def test_refused_petition_has_only_its_notice_clock():
    state = _log(("petition.refused", "t1", {})).state()
    assert [c.name for c in clocks(state, date(2026, 3, 10), CAL)] == ["受理告知"]


def test_board_overdue_first_then_first_time_then_fewest_days_left():
    today = date(2026, 3, 20)
    states = [
        _log(record="a-repeat", received_at="2026-03-10T09:00", first_time=False).state(),   # 03-25
        _log(record="b-first", received_at="2026-03-12T09:00").state(),                      # 03-27
        _log(record="c-overdue", received_at="2026-03-02T09:00", first_time=False).state(),  # 03-17
        _log(record="d-first-soon", received_at="2026-03-09T09:00").state(),                 # 03-24
        _log(("petition.refused", "t1", {"on": "2026-03-12", "notice_on": "2026-03-12"}),
             record="e-done", received_at="2026-03-11T09:00").state(),
    ]
    rows = board(states, today, CAL)
    assert [r.record for r in rows] == ["c-overdue", "d-first-soon", "b-first", "a-repeat"]
    assert rows[0].overdue and rows[0].labels == ("受理告知：已超期3天（截止2026-03-17）",)
    assert rows[1].days_left == 4


def test_due_soon_starts_at_the_configured_days():
    # petition.due_soon_days (5): 5 days before the end is 即将到期, 6 days before is not
    state = _log().state()                       # received 2026-03-02: notice due 03-17
    assert acceptance_clock(state, date(2026, 3, 12), CAL).state == "due_soon"
    assert acceptance_clock(state, date(2026, 3, 11), CAL).state == "on_time"
