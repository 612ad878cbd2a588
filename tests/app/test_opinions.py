"""民意台账 through the services on one village tablet (real SQLite, frozen clock): what a
cadre heard on a 联系 visit becomes a service case, a dispute or a petition through each
workflow's own intake, waits for a village decision (issue #12 hook), and is answered back."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.accounts import add_cadre
from app.services.errors import ServiceError
from app.services.opinions import OpinionForm, Opinions
from tests.app.test_dispute_services import Clock, make_station

TODAY = date(2026, 11, 2)


@pytest.fixture
def desk(tmp_path: Path):
    station = make_station(tmp_path / "v", "village", "王湾村")
    clock = Clock(TODAY)
    cadre = add_cadre(station.store, "李建国", "村委委员", "258046")
    try:
        yield Opinions(station, today=clock), cadre, clock
    finally:
        station.close()


def heard(svc, cadre, content, **person):
    event = svc.collect(cadre, OpinionForm(content, [{"name": "王秀英", "phone": "13812345678",
                                                      "group": "三组", **person}]))
    return event["record"]


def test_heard_sorted_turned_into_a_case_and_answered_back(desk) -> None:
    svc, cadre, clock = desk
    with pytest.raises(ServiceError, match="请写下群众反映的情况"):
        svc.collect(cadre, OpinionForm(" ", [{"name": "王秀英"}]))
    record = heard(svc, cadre, "家里老人年满60岁，想问怎么领养老金")
    assert svc.item(record).ledger_no == "王湾村民2026-001"
    assert [label for _, label in svc.actions(svc.item(record))] == ["梳理民情"]
    svc.sort(cadre, record, category="民生诉求", route="case")
    with pytest.raises(ServiceError, match="梳理时定的是"):
        svc.to_dispute(cadre, record, dispute_type="邻里关系", other_party="x")
    case = svc.to_case(cadre, record, matter_code="SB-002")
    state = svc.item(record)
    assert (state.status, state.target_kind, state.target) == ("routed", "svc_case", case)
    assert state.due == date(2026, 11, 17)        # opinion.feedback_days (15) after 11-02
    [row] = svc.ledger()
    assert row["target_status"] == "已受理" and not row["late"]
    clock.day = date(2026, 11, 20)
    assert svc.ledger(status="open")[0]["late"]
    svc.answer(cadre, record, method="电话", answer="已代办养老金领取，下月起发放", level="满意")
    assert svc.item(record).status == "answered" and svc.ledger(status="open") == []


def test_a_quarrel_and_a_grievance_become_a_dispute_and_a_petition(desk) -> None:
    svc, cadre, _ = desk
    quarrel = heard(svc, cadre, "与邻居因排水沟堵塞争吵多次")
    svc.sort(cadre, quarrel, category="矛盾纠纷", route="dispute")
    dispute = svc.to_dispute(cadre, quarrel, dispute_type="邻里关系", other_party="王小河")
    row = svc.conn.execute("SELECT source, status FROM disputes WHERE record=?",
                           (dispute,)).fetchone()
    assert row == ("民意台账", "registered")
    grievance = heard(svc, cadre, "修路占地补偿款一直没有发放", name="周桂兰")
    svc.sort(cadre, grievance, category="信访诉求", route="petition")
    petition = svc.to_petition(cadre, grievance)
    level, received = svc.conn.execute("SELECT level, petitioners FROM petitions WHERE record=?",
                                       (petition,)).fetchone()
    assert (level, received) == ("town", "周桂兰")        # the town handles it


def test_a_village_decision_proposal_waits_for_issue_12(desk) -> None:
    svc, cadre, _ = desk
    record = heard(svc, cadre, "建议把村东闲置小学改成老年活动中心")
    svc.sort(cadre, record, category="村务决策建议", route="decision")
    svc.to_decision(cadre, record)
    [waiting] = svc.decision_proposals()
    assert waiting["record"] == record and waiting["status_name"] == "已提交村务决策，待决策"
    with pytest.raises(ServiceError, match="等决策有了结果"):
        svc.answer(cadre, record, method="会议", answer="x")
    svc.route_decision(cadre, record, "decision-0001")
    assert svc.decision_proposals() == [] and svc.item(record).target == "decision-0001"
