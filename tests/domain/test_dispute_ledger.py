"""矛盾纠纷排查: screening records, the 排查台账 row, and the town's ordering."""
from __future__ import annotations

from datetime import date

from app.domain.dispute.ledger import (
    LEDGER_COLUMNS, check_screening, ledger_row, screening_schedule, screenings_from, town_board)
from app.domain.dispute.rules import DisputeRules
from app.domain.shared.workdays import WorkCalendar
from schemas.registry import build_registry
from tests.domain.test_dispute_builders import TOWN_LEADER, dispute_log

CAL = WorkCalendar()
TODAY = date(2026, 4, 13)


def screening(record, village, on, findings=None, **extra):
    payload = {"village": village, "on": on, "screeners": ["李调解", "网格员小王"],
               "findings": findings if findings is not None else [
                   {"summary": "两户因排水沟争执", "type": "邻里关系", "risk": "中",
                    "parties": ["张大山", "王小河"], "dispute_record": "dsp-1"}]}
    payload.update(extra)
    return {"id": f"{record}-e", "origin": "v1", "seq": 1, "hlc": 1, "type": "dispute.screened",
            "v": 1, "record": record, "kind": "dispute_screening", "payload": payload}


def test_screening_record_fits_its_schema_and_needs_screeners_and_findings():
    event = screening("scr-1", "东王村", "2026-03-01")
    build_registry().validate("dispute.screened", 1, event["payload"])
    assert check_screening(event["payload"]).ok
    assert check_screening(dict(event["payload"], screeners=[])).message == "请填写排查人员"
    empty = dict(event["payload"], findings=[])
    assert check_screening(empty).message == ("请填写排查发现的矛盾纠纷；没有发现的，"
                                              "请勾选“未发现矛盾纠纷”")
    assert check_screening(dict(empty, none_found=True)).ok
    bad = dict(event["payload"], findings=[{"summary": "争执", "type": "吵架", "risk": "中"}])
    assert check_screening(bad).message == "请为第1条排查发现选择纠纷类型和激化风险"


def test_villages_due_for_screening_never_screened_and_overdue_first():
    events = [screening("s1", "东王村", "2026-03-01"), screening("s2", "西李村", "2026-03-25"),
              screening("s3", "东王村", "2026-02-01"),
              screening("s4", "南张村", "2026-03-30", screeners=[])]  # invalid: ignored
    schedule = screening_schedule(["东王村", "西李村", "南张村"], screenings_from(events), TODAY)
    assert [d.village for d in schedule] == ["南张村", "东王村", "西李村"]
    assert schedule[0].label == "南张村：尚未开展排查，请尽快排查"
    assert schedule[1].last_on == date(2026, 3, 1)
    assert schedule[1].status.state == "overdue"  # due 2026-03-31
    assert schedule[1].label == "东王村：上次排查2026-03-01，下次排查：已超期13天（截止2026-03-31）"
    assert schedule[2].status.state == "on_time"
    weekly = screening_schedule(["西李村"], screenings_from(events), TODAY,
                                DisputeRules(screening_interval_days=7))
    assert weekly[0].status.state == "overdue"


def _dispute(record, village="东王村", risk="中", received="2026-03-10T09:00", steps=()):
    log = dispute_log(record)
    log.add("dispute.registered", risk=risk, received_at=received, village=village,
            ledger_no=f"{village}-{record}")
    for kind, origin, extra in steps:
        log.add(kind, origin, **extra)
    return log.state()


def test_ledger_row_has_the_columns_of_the_rules():
    assert [label for _, label in LEDGER_COLUMNS] == [
        "编号", "纠纷类型", "当事人", "简要情况", "激化风险", "责任单位/责任人", "包案领导",
        "化解方式", "化解期限", "进展情况", "化解结果", "回访情况"]
    state = _dispute("d1", steps=[("dispute.taken", "t1", {}), ("dispute.session", "v1", {}),
                                  ("dispute.agreed", "v1", {}),
                                  ("dispute.confirmation", "v1", {"on": "2026-03-20"}),
                                  ("dispute.revisited", "v1", {"on": "2026-03-21"})])
    row = ledger_row(state, date(2026, 3, 22), CAL)
    assert row.cells() == [
        "东王村-d1", "邻里关系", "张大山（申请人）、王小河（被申请人）",
        "张大山与王小河因宅基地之间的排水沟堵塞发生争执，双方多次争吵", "中",
        "东王村调解室/李调解、赵委员", "周副镇长", "人民调解", "",
        "调解成功，待履行（回访，协议部分履行：排水沟已清理，赔偿款未付）",
        "调解成功，协议书东王调〔2026〕3号；司法确认已申请",
        "2026-03-21 部分履行；回访：还剩19天（截止2026-04-10）"]


def test_ledger_row_of_an_active_dispute_shows_deadline_and_confirmation_reminder():
    state = _dispute("d2")
    row = ledger_row(state, date(2026, 3, 20), CAL)
    assert row.deadline == "调解期限：还剩21天（截止2026-04-10）"
    assert row.responsible == "东王村调解室/李调解" and row.leader == ""
    agreed = _dispute("d3", steps=[("dispute.session", "v1", {}), ("dispute.agreed", "v1", {})])
    result = ledger_row(agreed, date(2026, 4, 8), CAL).result
    assert result == ("调解成功，协议书东王调〔2026〕3号；申请司法确认：即将到期，还剩6天（截止2026-04-14）；"
                      "双方当事人可共同向人民法院申请司法确认")


def test_ledger_result_of_a_referral_to_court():
    state = _dispute("d4", steps=[("dispute.session", "v1", {}), ("dispute.failed", "v1", {})])
    assert ledger_row(state, TODAY, CAL).result == "调解不成，引导向人民法院起诉"


def test_escalated_dispute_is_the_towns_responsibility():
    state = _dispute("d5", steps=[("dispute.escalated", "v1", {}), ("dispute.session", "t1", {})])
    assert ledger_row(state, TODAY, CAL).responsible == "镇矛盾调处化解中心/李调解、赵委员"


def test_town_board_puts_overdue_then_untaken_high_risk_first():
    states = [
        _dispute("low-new", "西李村", "低", "2026-04-01T10:00"),
        _dispute("high-taken", "东王村", "高", "2026-04-02T10:00",
                 steps=[("dispute.taken", "t1", {"by": TOWN_LEADER, "on": "2026-04-02"})]),
        _dispute("overdue-low", "南张村", "低", "2026-03-01T10:00"),      # due 04-01
        _dispute("high-untaken", "西李村", "高", "2026-04-05T10:00"),
        _dispute("done-high", "东王村", "高", "2026-03-20T10:00",
                 steps=[("dispute.taken", "t1", {"on": "2026-03-20"}),
                        ("dispute.session", "v1", {"on": "2026-03-21"}),
                        ("dispute.failed", "v1", {"on": "2026-03-22"})]),
        _dispute("mid-soon", "东王村", "中", "2026-03-15T10:00"),         # due 04-15
    ]
    assert all(not s.rejected for s in states)
    rows = town_board(states, TODAY, CAL)
    assert [r.record for r in rows] == [
        "overdue-low", "high-untaken", "high-taken", "mid-soon", "low-new", "done-high"]
    assert rows[0].overdue and rows[1].alert and not rows[2].alert
    assert rows[0].deadline == "调解期限：已超期12天（截止2026-04-01）"


def test_overdue_revisit_also_counts_as_overdue():
    state = _dispute("d6", steps=[("dispute.session", "v1", {}), ("dispute.agreed", "v1", {})])
    assert ledger_row(state, date(2026, 3, 25), CAL).overdue  # term due 03-20 not revisited
