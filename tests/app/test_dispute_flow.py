"""End to end with real hub processes (issue #4 §4): village tablets, the town 矛盾调处化解
中心, the town's discipline tablet and a county tablet, enrolled through the app, syncing
through a real town hub relaying to a real county hub.

* a village mediation fails → reported to the town 调处中心 → the town resolves one and
  refers another → the village sees both (and the town hands one on to the county);
* a high-risk dispute alerts the town at its next sync and heads the town board until a
  town cadre takes it;
* a 复查 at the town links to the village's answer, and the town's conclusion comes back
  to the village's record;
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
from sync.hub.server import open_hub
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
        person = add_cadre(station.store, cadre[0], cadre[1], "2580")
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
    hub = open_hub(town.data)
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


def test_a_review_at_the_town_links_to_the_village_answer_and_comes_back(places: Places) -> None:
    village, town = places.village, places.town
    form = PetitionForm("来访", "申诉求决", [PetitionerForm("刘桂芳", id_number="410181197002020024")],
                        "反映承包地被邻组占用，要求恢复原界", received_at="2026-11-20 09:30")
    answered = village.petitions.register(village.cadre, form).record
    village.petitions.accept(village.cadre, answered, on="2026-11-20", notice_on="2026-11-20")
    village.petitions.answer(village.cadre, answered, opinion="经丈量恢复原界", result="部分支持",
                             delivered_on="2026-11-22", on="2026-11-22")
    sync_all(village, town)

    # the same matter at the town, not as an appeal: linked to the village's answer, and
    # since the village handled it there is no 越级 proposal
    liu = [PetitionerForm("刘桂芳", id_number="410181197002020024")]
    plain = town.petitions.preview(PetitionForm("来访", "申诉求决", liu,
                                                "反映承包地被邻组占用，要求恢复原界"))
    assert plain.links[0].record == answered and plain.proposal is None
    assert town.petitions.appealable()[0]["record"] == answered
    request = PetitionForm("来访", "申诉求决", [PetitionerForm("刘桂芳", id_number="410181197002020024")],
                           "不服村里答复，请求复查", appeal_of=answered)
    preview = town.petitions.preview(request)
    assert preview.stage == "复查" and preview.proposal is None
    review = town.petitions.register(town.cadre, request).record
    assert town.petitions.petition(answered).status == "appealed"
    town.petitions.accept(town.cadre, review)
    town.petitions.answer(town.cadre, review, opinion="村里处理正确", result="不支持",
                          review_result="维持")
    sync_all(town, village)
    back = village.petitions.petition(answered)
    assert back.status == "reviewed" and back.review["result"] == "维持"
    assert back.appeals[0]["record"] == review and not back.rejected
    # at the county: the village answer was reviewed already, so a request names the
    # town's 复查 answer, which becomes a 复核; its conclusion reaches the town's record
    county = places.county
    sync_all(village, town, county, relay=True)
    stale = county.petitions.preview(PetitionForm(
        "来信", "申诉求决", [PetitionerForm("刘桂芳")], "请求复核", appeal_of=answered))
    assert stale.appeal is not None and "已经由上一级复查" in stale.appeal.message
    again = PetitionForm("来信", "申诉求决", [PetitionerForm("刘桂芳", id_number="410181197002020024")],
                         "不服镇里复查意见，请求复核", appeal_of=review)
    assert county.petitions.preview(again).stage == "复核"
    final = county.petitions.register(county.cadre, again).record
    county.petitions.accept(county.cadre, final)
    county.petitions.answer(county.cadre, final, opinion="复查意见正确", result="不支持",
                            review_result="维持")
    sync_all(county, town, relay=True)
    assert town.petitions.petition(review).status == "reviewed"
    after = county.petitions.preview(PetitionForm(
        "来信", "申诉求决", [PetitionerForm("刘桂芳")], "仍不服", appeal_of=final))
    assert after.proposal is not None and after.proposal.ground == "closed"   # 不再受理


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
