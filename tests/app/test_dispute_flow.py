"""End to end with real hub processes (issue #4 §4): village tablets, the town 矛盾调处化解
中心, the town's discipline tablet and a county tablet, enrolled through the app, syncing
through a real town hub relaying to a real county hub.

* a village mediation fails → reported to the town 调处中心 → the town resolves one and
  refers another → the village sees both (and the town hands one on to the county);
* a high-risk dispute alerts the town at its next sync and heads the town board until a
  town cadre takes it;
* a petition received at a village is handled by the town, reviewed (复查) by the county,
  whose conclusion comes back; the 复核 above the county is recorded and sent, and only
  after the city's conclusion is a further request proposed 不再受理;
* the county hands a petition and a dispute down to the town (交办), which handles them
  and reports back;
* a 检举控告 filed at a village, sealed with app.sealing for the town 纪委 key, reaches
  only the discipline tablet, which opens it; the other village and the non-discipline
  town tablet never receive it.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app.accounts import Cadre, add_cadre
from app.sealing import open_sealed, seal_for_discipline, sealed_events
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.petitions import PetitionForm, PetitionerForm, Petitions
from app.station import Station, open_station
from sync.client import HubClient
from sync.enroll import enroll_hub
from tests.support.hubs import HubProcess, wait_for_relay

TODAY = date(2026, 11, 27)

pytestmark = pytest.mark.slow


@dataclass
class Tablet:
    station: Station
    disputes: Disputes
    petitions: Petitions
    cadre: Cadre

    def sync(self) -> None:
        result = self.station.sync_once()
        assert result.ok, result.error


@dataclass
class Township:
    root: Path
    county: HubProcess
    town: HubProcess

    def tablet(self, hub: HubProcess, name: str, kind: str, cadre: tuple[str, str],
               roles: tuple[str, ...] = ()) -> Tablet:
        _, code = hub.add_node(name, kind, roles)
        station = open_station(self.root / f"st-{name}")
        station.enroll(hub.url, code)
        person = add_cadre(station.store, cadre[0], cadre[1], "258046")
        return Tablet(station, Disputes(station, today=lambda: TODAY),
                      Petitions(station, today=lambda: TODAY), person)


@dataclass
class Places:
    village: Tablet
    other_village: Tablet
    town: Tablet
    discipline: Tablet
    county: Tablet
    township: Township


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Places]:
    root = tmp_path_factory.mktemp("township")
    county = HubProcess(root / "county", "county")
    county.init("新县")
    county.start()
    town = HubProcess(root / "town", "town")
    town.init("新集镇")
    _, code = county.add_node("新集镇", "town")
    hub = town.open()
    with HubClient(county.url) as client:
        enroll_hub(hub, client, code)
    hub.close()
    town.upstream = county.url
    town.start()
    township = Township(root, county, town)
    tablets: list[Tablet] = []
    try:
        tablets += [township.tablet(town, "王湾村", "village", ("李建国", "调解委员会主任")),
                    township.tablet(town, "李庄村", "village", ("赵四", "村委委员")),
                    township.tablet(town, "新集镇矛盾调处化解中心", "town", ("张敏", "中心主任")),
                    township.tablet(town, "新集镇纪委", "town", ("孙纪", "纪委书记"),
                                    ("discipline",)),
                    township.tablet(county, "县矛盾纠纷调处中心", "county", ("刘强", "主任"))]
        yield Places(*tablets, township)
    finally:
        town.stop()
        county.stop()
        for tablet in tablets:
            tablet.station.close()


def sync_all(*tablets: Tablet, relay: bool = False) -> None:
    """One round each, in order; ``relay``: give the town hub time to push to the county
    (it relays every 0.5 s in tests) before a second round."""
    for tablet in tablets:
        tablet.sync()
    if relay:
        town_url = next(t.station.hub_url() for t in tablets if t.station.level != "county")
        wait_for_relay(town_url or "")
        for tablet in tablets:
            tablet.sync()


def quarrel(summary: str, risk: str = "中", first: str = "张大山", second: str = "王小河"
            ) -> DisputeForm:
    return DisputeForm("邻里关系", [PartyForm(first, "申请人", address="王湾村三组"),
                                 PartyForm(second, "被申请人", address="王湾村三组")],
                       summary, risk, received_at="2026-11-26 22:15")


def agreement(svc: Disputes, record: str) -> dict:
    doc = svc.draft_agreement(record)
    doc.update(facts="两家宅基地边界不清", disputed_points="院墙位置",
               responsibilities="双方各负一半责任",
               terms=[{"content": "按2015年丈量线重砌院墙", "how": "双方共同出资", "due": "2026-12-20"}],
               signatures={"parties": ["张大山", "王小河"], "mediator": "张敏", "seal": True},
               effective_on="2026-11-27")
    return doc


def test_a_failed_village_mediation_goes_to_the_town_which_resolves_or_refers(places: Places
                                                                               ) -> None:
    village, town, county = places.village, places.town, places.county
    resolved = village.disputes.register(village.cadre, quarrel("张大山与王小河因宅基地边界院墙争执")).record
    referred = village.disputes.register(village.cadre, quarrel(
        "孙七与周八因借款三万元未还争执", first="孙七", second="周八")).record
    onward = village.disputes.register(village.cadre, quarrel(
        "钱九与吴十因承包地界争执，涉及两个村", first="钱九", second="吴十")).record
    for record in (resolved, referred, onward):
        village.disputes.add_session(village.cadre, record, mediators="李建国",
                                     record_text="村调解室调解，双方分歧大")
        village.disputes.record_failure(village.cadre, record, reason="村里调解不成",
                                        referral_to="上报镇调处中心")
    assert village.disputes.dispute(resolved).level == "town"
    assert village.disputes.actions(village.disputes.dispute(resolved)) == []   # town holds it
    sync_all(village, town)

    at_town = town.disputes.dispute(resolved)
    assert at_town.status == "escalated" and at_town.first_officer["name"] == "李建国"
    assert {r.record for r in town.disputes.board()} >= {resolved, referred, onward}
    town.disputes.add_session(town.cadre, resolved, mediators="张敏、司法所王所长",
                              record_text="镇调处中心组织双方现场查看边界")
    town.disputes.record_agreement(town.cadre, resolved, agreement(town.disputes, resolved))
    town.disputes.add_session(town.cadre, referred, mediators="张敏", record_text="借款事实清楚但无力偿还")
    town.disputes.record_failure(town.cadre, referred, reason="属借贷纠纷，调解不成",
                                 referral_to="诉讼", unit="县人民法院")
    town.disputes.escalate(town.cadre, onward, "涉及两个镇的土地界线，报县调处中心")
    sync_all(town, village, county, relay=True)

    seen = village.disputes.dispute(resolved)
    assert seen.status == "agreed" and seen.agreement["no"].startswith("新集镇矛盾调处化解中心调")
    assert [s.level for s in seen.sessions] == ["village", "town"] and not seen.rejected
    assert village.disputes.dispute(referred).status_name == "调解不成，已引导诉讼"
    assert village.disputes.dispute(onward).level == "county"
    [row] = [r for r in village.disputes.ledger() if r.record == resolved]
    assert row.responsible.startswith("镇矛盾调处化解中心/张敏")
    assert "申请司法确认" in row.result
    assert county.disputes.dispute(onward).status == "escalated"
    assert ("dispute.session", "登记调解") in county.disputes.actions(county.disputes.dispute(onward))


def test_a_high_risk_dispute_alerts_the_town_until_someone_takes_it(places: Places) -> None:
    village, town = places.village, places.town
    intake = village.disputes.register(village.cadre, quarrel(
        "两家因宅基地争执，亲属聚集扬言动手", risk="高", first="郑一", second="冯二"))
    assert intake.alert
    assert intake.record not in [a.record for a in town.disputes.alerts()]   # not synced yet
    sync_all(village, town)
    assert [a.record for a in town.disputes.alerts()] == [intake.record]
    top = town.disputes.board()[0]
    assert (top.record, top.alert, top.village) == (intake.record, True, "王湾村")
    town.disputes.take(town.cadre, intake.record, note="由张敏包案")
    assert town.disputes.alerts() == []
    assert not next(r for r in town.disputes.board() if r.record == intake.record).alert
    sync_all(town, village)
    row = next(r for r in village.disputes.ledger() if r.record == intake.record)
    assert row.leader == "张敏" and not row.alert


def test_a_village_petition_is_handled_by_the_town_reviewed_by_the_county_and_referred_up(
        places: Places) -> None:
    village, town, county = places.village, places.town, places.county
    liu = [PetitionerForm("刘桂芳", id_number="410181197002020024", phone="13900000003")]
    form = PetitionForm("来访", "申诉求决", liu, "反映承包地被邻组占用，要求恢复原界",
                        received_at="2026-11-20 09:30")
    intake = village.petitions.register(village.cadre, form)
    answered = intake.record
    assert intake.receipt_no.startswith(village.station.short_code or "")
    state = village.petitions.petition(answered)
    assert (state.level, state.received_level) == ("town", "village")   # 村委会 is no 信访 organ
    assert village.petitions.actions(state) == []
    sync_all(village, town)
    assert ("petition.accepted", "受理") in town.petitions.actions(town.petitions.petition(answered))
    town.petitions.accept(town.cadre, answered, on="2026-11-20", notice_on="2026-11-20")
    town.petitions.answer(town.cadre, answered, opinion="经丈量恢复原界", result="部分支持",
                          delivered_on="2026-11-22", on="2026-11-22")
    sync_all(town, village, county, relay=True)
    assert village.petitions.petition(answered).status == "answered"

    # 复查 at the county (the level above the town), linked to the town's answer
    request = PetitionForm("来访", "申诉求决", liu, "不服镇里答复，请求复查", appeal_of=answered)
    preview = county.petitions.preview(request)
    assert preview.stage == "复查" and preview.proposal is None and not preview.appeal.outside
    review = county.petitions.register(county.cadre, request).record
    assert county.petitions.petition(answered).status == "appealed"
    county.petitions.accept(county.cadre, review)
    county.petitions.answer(county.cadre, review, opinion="镇里处理正确", result="不支持",
                            review_result="维持", delivered_on="2026-11-27")
    sync_all(county, town, village, relay=True)
    back = town.petitions.petition(answered)
    assert back.status == "reviewed" and back.review["result"] == "维持" and not back.rejected

    # 复核 lies with the city: recorded on the county's 复查 and sent there, not refused
    again = PetitionForm("来信", "申诉求决", liu, "不服县里复查意见，请求复核", appeal_of=review,
                         refer_to="信阳市信访局")
    ahead = county.petitions.preview(again)
    assert ahead.appeal.outside and ahead.proposal is None and "不在本系统内" in ahead.hint
    referred = county.petitions.register(county.cadre, again)
    assert referred.referred and referred.record == review
    up = county.petitions.petition(review)
    assert up.status == "appealed" and up.appeals[-1]["to"] == "信阳市信访局"
    before = county.petitions.preview(PetitionForm("来信", "申诉求决", liu, "仍不服", appeal_of=review))
    assert before.proposal.ground == "in_handling"          # waiting for the city, not closed
    county.petitions.record_outside_review(county.cadre, review, by="信阳市信访局", result="维持",
                                           opinion="维持县复查意见")
    after = county.petitions.preview(PetitionForm("来信", "申诉求决", liu, "仍不服", appeal_of=review))
    assert after.proposal is not None and after.proposal.ground == "closed"   # 不再受理 now


def test_the_county_hands_a_petition_and_a_dispute_down_to_the_town(places: Places) -> None:
    village, town, county = places.village, places.town, places.county
    sync_all(town, county)               # the county learns the town's stations (node.announced)
    assert [t["name"] for t in county.petitions.towns()] == ["新集镇"]
    form = PetitionForm("来访", "申诉求决", [PetitionerForm("冯桂英", phone="13700000009")],
                        "反映村里修路占用自家责任田未补偿", received_at="2026-11-26 10:00")
    preview = county.petitions.preview(form)
    assert preview.proposal is None and "可以交办镇里办理" in preview.hint
    record = county.petitions.register(county.cadre, form).record
    county.petitions.assign(county.cadre, record, town="新集镇", reason="属地管理，请镇里办理并报结果",
                            report_by="2026-12-26")
    dispute = county.disputes.register(county.cadre, DisputeForm(
        "土地", [PartyForm("冯桂英", "申请人", address="李庄村一组"),
                 PartyForm("李庄村村委会", "被申请人", address="李庄村")],
        "修路占地补偿争议", "中", received_at="2026-11-26 10:30", village="李庄村"),
        override_reason="登记后交办镇里调处（属地管理）").record
    county.disputes.assign(county.cadre, dispute, town="新集镇", reason="请镇调处中心调处并报结果")
    sync_all(county, relay=False)
    wait_for_relay(town.station.hub_url() or "")
    sync_all(town, village, relay=True)
    at_town = town.petitions.petition(record)
    assert (at_town.level, at_town.assigned["to"]) == ("town", "新集镇")
    town.petitions.accept(town.cadre, record)
    assert town.disputes.dispute(dispute).status == "assigned"
    town.disputes.add_session(town.cadre, dispute, mediators="张敏", record_text="镇调处中心调解")
    sync_all(town, county, relay=True)
    assert county.petitions.petition(record).status == "accepted"
    assert county.disputes.dispute(dispute).status == "mediating"


def test_an_accusation_reaches_only_the_discipline_tablet(places: Places) -> None:
    village, other, town, discipline = (places.village, places.other_village, places.town,
                                        places.discipline)
    sync_all(discipline, village)        # the village learns the 纪委 tablet's sealing key
    filed = village.petitions.file_accusation(
        village.cadre, content="村会计挪用修路款两万元", accused=[{"name": "王会计", "unit": "王湾村委会"}],
        channel="来信", complainant={"name": "钱秀兰"}, seal=seal_for_discipline)
    sync_all(village, other, town, discipline)
    [event] = [e for e in sealed_events(discipline.station) if e["record"] == filed["record"]]
    assert "王会计" not in event["payload_json"]
    opened = json.loads(open_sealed(discipline.station, event["payload"]["sealed"]))
    assert opened["content"] == "村会计挪用修路款两万元"
    assert opened["complainant"] == {"name": "钱秀兰"}
    assert opened["first_officer"]["name"] == "李建国"
    assert [a["record"] for a in discipline.petitions.accusations()] == [filed["record"]]
    for tablet in (other, town):
        assert tablet.station.store.conn.execute(
            "SELECT COUNT(*) FROM events WHERE kind='complaint'").fetchone() == (0,)
        assert tablet.petitions.accusations() == []
