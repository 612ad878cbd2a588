"""Event logs and realistic payloads for the dispute, petition and risk tests.

Also checks that every payload built here satisfies its JSON schema (schemas/dispute,
schemas/petition, schemas/risk), so the rule tests exercise payloads that sync accepts.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

import pytest

from app.domain.dispute import flow as dispute_case
from app.domain.petition import flow as petition_case
from app.domain.risk import flow as risk_assessment
from schemas.registry import build_registry

LEVELS = {"v1": "village", "v2": "village", "t1": "town", "t2": "town", "c1": "county",
          "c2": "county"}
OFFICER = {"id": "u-li", "name": "李调解", "post": "村调解委员会主任"}
TOWN_LEADER = {"id": "u-zhou", "name": "周副镇长", "post": "政法委员"}
SHA = "a" * 64


def parties() -> list[dict[str, Any]]:
    return [
        {"name": "张大山", "role": "申请人", "sex": "男", "id_number": "410181198001011234",
         "phone": "13800000001", "village": "东王村", "address": "东王村三组12号"},
        {"name": "王小河", "role": "被申请人", "sex": "男", "phone": "13800000002",
         "village": "东王村", "address": "东王村三组13号"},
    ]


def registered_p(**extra: Any) -> dict[str, Any]:
    payload = {
        "type": "邻里关系", "parties": parties(),
        "summary": "张大山与王小河因宅基地之间的排水沟堵塞发生争执，双方多次争吵",
        "first_officer": OFFICER, "risk": "中", "received_at": "2026-03-10T21:40",
        "village": "东王村", "first_time": True, "links": [], "source": "群众申请",
        "ledger_no": "东王-2026-007",
    }
    payload.update(extra)
    return payload


def agreement(**extra: Any) -> dict[str, Any]:
    doc = {
        "no": "东王调〔2026〕3号", "committee": "东王村人民调解委员会", "mediators": ["李调解"],
        "parties": [{"name": "张大山", "role": "申请人", "sex": "男", "age": 46,
                     "address": "东王村三组12号"},
                    {"name": "王小河", "role": "被申请人", "sex": "男", "age": 51,
                     "address": "东王村三组13号"}],
        "facts": "双方房屋相邻，共用一条排水沟，2026年2月王小河家堆放杂物致排水沟堵塞",
        "disputed_points": "排水沟清理责任和张大山家院墙受损的赔偿",
        "responsibilities": "王小河堆放杂物负主要责任；张大山未及时沟通负次要责任",
        "terms": [
            {"content": "王小河清理排水沟杂物", "how": "自行清理，调解员现场查看", "due": "2026-03-20"},
            {"content": "王小河赔偿张大山院墙修缮费800元", "how": "现金一次付清", "due": "2026-04-10"},
        ],
        "signatures": {"parties": ["张大山", "王小河"], "mediator": "李调解", "seal": True},
        "effective_on": "2026-03-15",
    }
    doc.update(extra)
    return doc


def dispute_payload(kind: str, **extra: Any) -> dict[str, Any]:
    on = {"on": "2026-03-12"}
    base = {
        "dispute.registered": registered_p(),
        "dispute.taken": dict(on, by=TOWN_LEADER),
        "dispute.risk_changed": dict(on, risk="高", reason="双方亲属聚集，扬言动手"),
        "dispute.session": dict(on, mediators=["李调解", "赵委员"], attendees=["张大山", "王小河"],
                                record_text="调解员说明相邻关系法律规定，双方各自陈述",
                                attachments=[{"sha256": SHA, "size": 120000, "mime": "image/jpeg",
                                              "name": "笔录签字页.jpg"}]),
        "dispute.extended": dict(on, new_due="2026-04-30", reason="需等待评估院墙修缮费用",
                                 consents=[{"name": "张大山", "how": "签字", "on": "2026-03-12"},
                                           {"name": "王小河", "how": "口头", "on": "2026-03-12"}]),
        "dispute.agreed": dict(on, agreement=agreement()),
        "dispute.failed": dict(on, reason="双方对赔偿金额分歧过大",
                               referral={"to": "诉讼", "unit": "县人民法院", "note": "已告知起诉途径"}),
        "dispute.escalated": dict(on, reason="涉及宅基地确权，村里无权处理", leader=TOWN_LEADER),
        "dispute.assigned": dict(on, to="新集镇", to_node="town-hub", reason="属地管理，请镇调处中心调处并报结果",
                                 report_by="2026-04-20"),
        "dispute.confirmation": dict(on, status="已申请", court="县人民法院"),
        "dispute.revisited": dict(on, by={"name": "李调解"}, performance="部分履行", method="上门",
                                  note="排水沟已清理，赔偿款未付"),
    }
    payload = base[kind]
    payload.update(extra)
    return payload


def petitioner() -> dict[str, Any]:
    return {"name": "刘桂芳", "sex": "女", "id_number": "41018119700202002X",
            "phone": "13900000003", "village": "西李村", "address": "西李村二组"}


def petition_registered_p(**extra: Any) -> dict[str, Any]:
    payload = {
        "channel": "来访", "category": "申诉求决", "petitioners": [petitioner()],
        "summary": "反映承包地被邻组占用，要求村里重新丈量并恢复原界", "request": "恢复承包地原界",
        "first_officer": {"name": "陈接访", "post": "村信访代理员"},  # received at the village
        "received_at": "2026-03-02T09:30", "village": "西李村", "first_time": True, "links": [],
        "stage": "处理",
    }
    payload.update(extra)
    return payload


def petition_payload(kind: str, **extra: Any) -> dict[str, Any]:
    on = {"on": "2026-03-05"}
    base = {
        "petition.registered": petition_registered_p(),
        "petition.accepted": dict(on, notice_on="2026-03-05", notice_no="新集信受〔2026〕1号"),
        "petition.refused": dict(on, ground="other_organ", ground_label="属于人大、法院、检察院职权范围",
                                 reason="反映的是法院判决执行问题", where_to_go="县人民法院执行局",
                                 notice_on="2026-03-05"),
        "petition.transferred": dict(on, to="县自然资源局", reason="属于土地管理职权", notice_on="2026-03-05"),
        "petition.extended": dict(on="2026-04-20", days=30, approver={"name": "王书记", "post": "镇党委书记"},
                                  reason="需等待县里土地确权资料", told_on="2026-04-20"),
        "petition.hearing_started": dict(on="2026-03-20"),
        "petition.hearing_held": dict(on="2026-03-22", **{"from": "2026-03-20", "to": "2026-03-22"},
                                      panel=["赵听证", "钱听证", "孙听证"],
                                      participants=["刘桂芳", "邻组组长"], conclusion="原界以2015年丈量为准"),
        "petition.answered": dict(on="2026-04-01", opinion="经重新丈量，恢复原界", result="支持",
                                  delivered_on="2026-04-02"),
        "petition.appealed": dict(on="2026-04-10", stage="复查", appeal_record="pet-up"),
        "petition.reviewed": dict(on="2026-05-01", stage="复查", result="维持", opinion="原处理意见正确",
                                  appeal_record="pet-up"),
        "petition.terminated": dict(on="2026-05-10", basis="逾期未请求复查",
                                    follow_up={"name": "陈接访", "post": "村信访代理员"}),
        "petition.assigned": dict(on, to="新集镇", to_node="town-hub", notice_on="2026-03-05",
                                  reason="属地管理，由镇里办理", report_by="2026-05-05"),
        "petition.referred_up": dict(on="2026-05-06", stage="复查", to="市信访局",
                                     requested_on="2026-05-05", note="信访人当面提出，已告知向市信访局递交"),
        "petition.leader_assigned": dict(on, leader={"name": "周副镇长", "post": "政法委员"},
                                         note="土地纠纷引发的信访，领导包案"),
        "petition.leader_received": dict(on="2026-03-10", leader={"name": "周副镇长", "post": "政法委员"},
                                         place="镇信访接待室", note="刘桂芳反映承包地界，周副镇长答应一周内到现场",
                                         outcome="约定3月17日现场丈量"),
        "petition.rated": dict(on="2026-04-05", level="满意", dissatisfied=False, how="电话"),
        "petition.termination_heard": dict(on="2026-05-20", organiser="县矛盾纠纷调处中心",
                                           panel=["县调处中心主任", "律师代表"],
                                           participants=["刘桂芳", "村主任"],
                                           conclusion="诉求缺乏事实依据", consequence="依法处理"),
        "petition.follow_up_assigned": dict(on="2026-05-21", person={"name": "马包村干部"},
                                            reason="原跟进人调任"),
        "petition.followed_up": dict(on="2026-06-01", by={"name": "马包村干部"}, note="上门走访，情绪稳定"),
    }
    payload = base[kind]
    payload.update(extra)
    return payload


def risk_payload(kind: str, **extra: Any) -> dict[str, Any]:
    base = {
        "risk.planned": dict(on="2026-03-01", matter="东王村集体土地流转给合作社", responsible_unit="东王村村委会",
                             assessors=["王书记", "李主任", "镇司法所张所长"],
                             plan="3月上旬公示、问卷和入户走访，中旬座谈，下旬形成报告"),
        "risk.opinions_gathered": dict(on="2026-03-08", method="问卷", participants=200, supporting=170,
                                       objecting=30, strongly_objecting=4,
                                       summary="多数赞成，少数担心租金偏低"),
        "risk.analysed": dict(on="2026-03-15",
                              legality={"finding": "符合", "note": "符合农村土地承包法流转规定"},
                              reasonableness={"finding": "基本符合", "note": "租金略低于邻村"},
                              feasibility={"finding": "符合", "note": "合作社有资金"},
                              controllability={"finding": "符合", "note": "少数意见可以沟通化解"}),
        "risk.graded": dict(on="2026-03-18", grade="低", reasons="多数群众理解支持，少数意见可以化解",
                            measures=["租金每三年按市场价调整", "设立意见箱并专人回复"]),
        "risk.reported": dict(on="2026-03-20", report_no="东王稳评〔2026〕1号", conclusion="低风险，可以实施"),
        "risk.decided": dict(on="2026-03-25", decision="实施",
                             meeting={"name": "村两委会议", "on": "2026-03-25",
                                      "attendees": ["王书记", "李主任", "赵委员"]},
                             reason="评估为低风险，防控措施已落实"),
    }
    payload = base[kind]
    payload.update(extra)
    return payload


class Log:
    """An append-only log of one record, with per-origin sequence numbers and a clock."""

    def __init__(self, kind: str, payloads: Callable[..., dict[str, Any]],
                 folder: Callable[..., Any], record: str = "rec-1", **fold_kw: Any) -> None:
        self.kind, self.payloads, self.folder, self.record = kind, payloads, folder, record
        self.fold_kw = fold_kw
        self.events: list[dict[str, Any]] = []
        self._seq: dict[str, int] = defaultdict(int)
        self._clock = 1000

    def event(self, type_: str, origin: str = "v1", payload: dict[str, Any] | None = None,
              hlc: int | None = None, **extra: Any) -> dict[str, Any]:
        self._seq[origin] += 1
        if hlc is None:
            self._clock += 10
            hlc = self._clock
        body = payload if payload is not None else self.payloads(type_, **extra)
        return {"id": f"{self.record}-{origin}-{self._seq[origin]}", "origin": origin,
                "seq": self._seq[origin], "hlc": hlc, "type": type_, "v": 1,
                "record": self.record, "kind": self.kind, "author": f"user-{origin}",
                "payload": body}

    def add(self, type_: str, origin: str = "v1", payload: dict[str, Any] | None = None,
            hlc: int | None = None, **extra: Any) -> dict[str, Any]:
        event = self.event(type_, origin, payload, hlc, **extra)
        self.events.append(event)
        return event

    def state(self) -> Any:
        return self.folder(self.events, LEVELS, **self.fold_kw)


def dispute_log(record: str = "dsp-1") -> Log:
    return Log("dispute", dispute_payload, dispute_case.fold, record)


def petition_log(record: str = "pet-1", **fold_kw: Any) -> Log:
    return Log("petition", petition_payload, petition_case.fold, record, **fold_kw)


def risk_log(record: str = "risk-1", **fold_kw: Any) -> Log:
    return Log("risk_assessment", risk_payload, risk_assessment.fold, record, **fold_kw)


# ---------------------------------------------------------------- schema agreement

REGISTRY = build_registry()
DISPUTE_TYPES = [t for t, _ in REGISTRY.schemas if t.startswith("dispute.") and t != "dispute.screened"]
PETITION_TYPES = [t for t, _ in REGISTRY.schemas
                  if t.startswith("petition.") and t != "petition.accusation_sealed"]
RISK_TYPES = [t for t, _ in REGISTRY.schemas if t.startswith("risk.")]


def test_every_event_type_has_a_schema_with_the_right_kind():
    assert set(DISPUTE_TYPES) == set(dispute_case.EVENT_TYPES)
    assert set(PETITION_TYPES) == set(petition_case.EVENT_TYPES)
    assert set(RISK_TYPES) == set(risk_assessment.EVENT_TYPES)
    for types, kind in ((DISPUTE_TYPES, "dispute"), (PETITION_TYPES, "petition"),
                        (RISK_TYPES, "risk_assessment")):
        assert {REGISTRY.kind_of(t, 1) for t in types} == {kind}
    assert REGISTRY.kind_of("dispute.screened", 1) == "dispute_screening"


@pytest.mark.parametrize("kind", DISPUTE_TYPES)
def test_dispute_payloads_satisfy_their_schemas(kind):
    REGISTRY.validate(kind, 1, dispute_payload(kind))


@pytest.mark.parametrize("kind", PETITION_TYPES)
def test_petition_payloads_satisfy_their_schemas(kind):
    REGISTRY.validate(kind, 1, petition_payload(kind))


@pytest.mark.parametrize("kind", RISK_TYPES)
def test_risk_payloads_satisfy_their_schemas(kind):
    REGISTRY.validate(kind, 1, risk_payload(kind))
