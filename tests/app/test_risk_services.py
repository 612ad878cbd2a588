"""社会稳定风险评估 through the service (real SQLite): steps in order, the advisory grade,
the decision gate (高/中 do not proceed; 低 only with measures), 暂缓实施 then reassessment,
and the link to the matter assessed."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.accounts import add_cadre
from app.services.errors import ServiceError
from app.services.risk import RiskAssessments
from tests.app.test_dispute_services import Clock, make_station

TODAY = date(2026, 3, 25)


@pytest.fixture
def svc(tmp_path: Path):
    station = make_station(tmp_path, "village", "东王村")
    service = RiskAssessments(station, today=Clock(TODAY))
    service.cadre = add_cadre(station.store, "王书记", "村党支部书记", "258046")  # type: ignore[attr-defined]
    yield service
    station.close()


FINE = ("符合", "依法依规")


def _planned(svc: RiskAssessments) -> str:
    return svc.plan(svc.cadre, matter="东王村集体土地流转给合作社", responsible_unit="东王村村委会",
                    assessors="王书记、李主任、镇司法所张所长",
                    plan="公示、问卷和入户走访，座谈后形成报告",
                    subject={"kind": "village_decision", "record": "dec-1"})


def _labels(svc: RiskAssessments, record: str) -> list[str]:
    return [label for _, label in svc.actions(svc.assessment(record))]


def test_a_medium_risk_may_not_proceed_until_reassessed_low_with_measures(svc) -> None:
    record = _planned(svc)
    assert svc.for_subject("village_decision", "dec-1")[0]["record"] == record
    assert _labels(svc, record) == ["征求意见"]
    with pytest.raises(ServiceError, match="请先征求群众意见"):
        svc.analyse(svc.cadre, record, legality=FINE, reasonableness=FINE, feasibility=FINE,
                    controllability=FINE)
    svc.gather_opinions(svc.cadre, record, method="问卷", participants=200, objecting=50,
                        strongly_objecting=4, summary="部分群众认为租金偏低")
    svc.analyse(svc.cadre, record, legality=FINE, reasonableness=("基本符合", "租金略低"),
                feasibility=FINE, controllability={"finding": "基本符合", "note": "需做工作"})
    assert svc.suggestion(record).grade == "中"
    with pytest.raises(ServiceError, match="按征求意见情况建议定为中风险"):
        svc.grade(svc.cadre, record, grade="低", reasons="多数支持", measures=["租金每三年调整"])
    svc.grade(svc.cadre, record, grade="中", reasons="部分群众有意见、反应强烈")
    svc.report(svc.cadre, record, conclusion="中风险，暂缓实施，先做群众工作")
    gate = svc.gate(record)
    assert not gate.allowed and "风险等级为中" in gate.message
    with pytest.raises(ServiceError, match="风险等级为中"):
        svc.decide(svc.cadre, record, decision="实施", meeting_name="村两委会议",
                   attendees="王书记、李主任、赵委员", reason="想尽快实施")
    svc.decide(svc.cadre, record, decision="暂缓实施", meeting_name="村两委会议",
               attendees="王书记、李主任、赵委员", reason="先调整租金方案")
    assert svc.assessment(record).status == "deferred"
    assert svc.assessments(open_only=True)[0]["decision"] == "暂缓实施"
    # reassessment after the measures: people heard again, graded low
    svc.gather_opinions(svc.cadre, record, method="座谈", participants=60, objecting=3,
                        summary="调整租金后多数赞成")
    svc.analyse(svc.cadre, record, legality=FINE, reasonableness=FINE, feasibility=FINE,
                controllability=FINE)
    svc.grade(svc.cadre, record, grade="低", reasons="多数群众理解支持")
    assert "防范化解措施" in svc.gate(record).message      # 低 needs control measures
    svc.grade(svc.cadre, record, grade="低", reasons="多数群众理解支持",
              measures=["租金每三年按市场价调整", "设立意见箱专人回复"])
    report = svc.report(svc.cadre, record, conclusion="低风险，落实措施后实施")
    assert report["payload"]["report_no"] == "东王村稳评〔2026〕2号"
    assert svc.gate(record).allowed
    svc.decide(svc.cadre, record, decision="实施", meeting_name="村民代表会议",
               attendees="王书记、李主任、赵委员", reason="评估为低风险，措施已落实")
    state = svc.assessment(record)
    assert state.status == "implement" and state.round == 2 and not state.rejected
    assert dict(svc.sections(record))["风险等级"].startswith("低风险")
    [row] = svc.assessments(text="土地流转")
    assert (row["status"], row["grade"], row["open"]) == ("implement", "低", 0)
    assert _labels(svc, record) == []


def test_an_illegal_plan_is_blocked_whatever_the_grade(svc) -> None:
    record = _planned(svc)
    with pytest.raises(ServiceError, match="请先确定风险等级"):
        svc.report(svc.cadre, record, conclusion="太早")
    assert svc.peek_number("risk_report") == 1             # no number used up
    svc.gather_opinions(svc.cadre, record, method="公示", participants=100, objecting=2,
                        summary="无异议")
    svc.analyse(svc.cadre, record, legality=("不符合", "未经村民会议三分之二同意"),
                reasonableness=FINE, feasibility=FINE, controllability=FINE)
    svc.grade(svc.cadre, record, grade="低", reasons="支持者多", measures=["公开账目"])
    svc.report(svc.cadre, record, conclusion="合法性存在问题")
    assert "合法性不符合要求" in svc.gate(record).message
    svc.decide(svc.cadre, record, decision="不实施", meeting_name="村两委会议",
               attendees="王书记、李主任、赵委员", reason="程序不合法")
    assert svc.assessment(record).status == "rejected"
