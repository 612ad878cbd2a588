"""Which 村务监督委员会 roster counts, and for which village (security review of 2026-12-06,
H1, H2, M2, M3), on real encrypted station files relayed as a hub would (certificates
checked on apply; tests/ui/stations.carry):

* H1: a later roster (an ordinary re-election) never erases the earlier committee's
  opinions and inspections at the town; a roster dated 2099 is refused.
* H2: 李庄村's tablet writing a committee "for 王湾村" only ever sets 李庄村's own; an
  ineligible committee (a 村委会 member on it) or a date like 2999-13-45 is refused where
  the event is written, and the town's committee screen never crashes.
* M2: an answer typed as given on the day the opinion was sent counts from its clock.
* M3: a committee the town records for its village reaches the village's tablet."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.services.errors import ServiceError
from app.services.oversight import Oversight
from sync.errors import StoreError
from sync.ids import uuid7
from sync.store import NewEvent
from tests.app.test_oversight import MEMBER_PIN, certify
from tests.ui.stations import carry, cadre, make_station, other_town, unlocked

TODAY = date(2026, 11, 27)
MEMBERS = [{"id": "m1", "name": "王德明", "accounting": True},
           {"id": "m2", "name": "李秀珍", "management": True},
           {"id": "m3", "name": "张国强"}]
NEXT = [{"id": "m4", "name": "赵春来", "accounting": True},
        {"id": "m2", "name": "李秀珍", "management": True},
        {"id": "m3", "name": "张国强"}]
VILLAGE = [{"id": "c1", "name": "王振华", "posts": ["村民委员会成员"]}]


@pytest.fixture
def places(tmp_path: Path):
    wang = unlocked(make_station(tmp_path / "v", roles=("village_supervision",)))
    li = unlocked(make_station(tmp_path / "l", name="李庄村", short_code="XJ002",
                               cadres=(("李有田", "村委委员"),)))
    town = unlocked(make_station(tmp_path / "t", name="新集镇便民服务中心", kind="town",
                                 short_code="XJ900", cadres=(("赵镇长", "副镇长"),)))
    try:
        yield wang, li, town
    finally:
        for station in (wang, li, town):
            station.close()


def committee_events(station) -> int:
    return station.store.conn.execute(
        "SELECT COUNT(*) FROM events WHERE type='supervisor.committee_set'").fetchone()[0]


def forged(station, payload: dict) -> StoreError:
    """What a modified app gets when it writes ``payload`` straight into its own store
    (the same check_write the first hub and every fold run)."""
    with pytest.raises(StoreError) as caught:
        station.store.append(NewEvent("supervisor.committee_set", uuid7(), payload,
                                      cadre(station, "李有田" if station.name == "李庄村"
                                            else "李建国").id))
    return caught.value


def with_member(wang, town):
    """王湾村's committee of 2026-03-01 and 王德明's account on its certified tablet, its
    signing key certified by the town (tests/app/test_oversight.certify)."""
    svc = Oversight(wang, today=lambda: TODAY)
    officer = cadre(wang, "李建国")
    svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
    member = svc.open_member_account(officer, "m1", MEMBER_PIN)
    certify(svc, member, wang, town)
    return svc, officer, member


def test_a_later_roster_never_erases_the_earlier_committees_opinions(places) -> None:
    wang, _li, town = places
    svc, officer, member = with_member(wang, town)
    svc.send_opinion(member, subject="村级财务", text="请镇里督促公开修路款明细", pin=MEMBER_PIN)
    svc.record_inspection(member, subject="村务公开", findings="公开栏10月财务未更新", pin=MEMBER_PIN)
    # a re-election without 王德明 (an ordinary one, dated before today)
    svc.set_committee(officer, "王湾村", "2026-11-20", NEXT, VILLAGE, [])

    carry(wang, town)
    desk = Oversight(town, today=lambda: TODAY)
    [opinion] = desk.opinions()
    assert opinion.member["name"] == "王德明" and not opinion.rejected
    assert opinion.status(desk.answer_days(), TODAY) == "待镇里答复"
    kept, refused_inspections = desk.inspections()
    assert [i.findings for i in kept] == ["公开栏10月财务未更新"] and refused_inspections == []
    assert desk.on_time()[wang.node_id].pending == 1
    # the new roster is the one in force from now on: 王德明 no longer signs
    assert svc.roster()[0]["name"] == "赵春来"
    with pytest.raises(ServiceError, match="只有村务监督委员会成员本人"):
        svc.send_opinion(member, subject="村级财务", text="再次督促", pin=MEMBER_PIN)
    # a modified app's roster dated 2099, which no later election could displace
    refused = forged(wang, {"village": "王湾村", "elected_on": "2099-01-01", "members": NEXT,
                            "village_members": VILLAGE, "relations": []})
    assert refused.code == "bad_date" and "还没有到" in refused.message
    assert committee_events(wang) == 2


def test_another_village_cannot_set_this_villages_committee(places) -> None:
    wang, li, town = places
    Oversight(wang, today=lambda: TODAY).set_committee(
        cadre(wang, "李建国"), "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
    # 李庄村's modified app: a 村委会 member on the committee is refused where it is written
    refused = forged(li, {"village": "王湾村", "elected_on": "2026-11-01",
                          "members": [MEMBERS[0], {"id": "c1", "name": "王振华",
                                                   "posts": ["村民委员会成员"]}],
                          "village_members": [], "relations": []})
    assert refused.code == "bad_committee" and "第三十二条" in refused.message
    # an impossible date, which used to crash the town's committee screen
    refused = forged(li, {"village": "王湾村", "elected_on": "2999-13-45", "members": MEMBERS,
                          "village_members": [], "relations": []})
    assert refused.code == "bad_date" and "不是有效日期" in refused.message
    # an eligible committee named "王湾村": it can only ever be 李庄村's own
    li.store.append(NewEvent("supervisor.committee_set", uuid7(), {
        "village": "王湾村", "elected_on": "2026-11-01",
        "members": [{"id": "x1", "name": "李假名", "accounting": True}],
        "village_members": [], "relations": []}, cadre(li, "李有田").id))
    # nor may it name 王湾村's node
    refused = forged(li, {"village": "王湾村", "village_id": wang.node_id, "elected_on": "2026-11-01",
                          "members": MEMBERS, "village_members": [], "relations": []})
    assert refused.code == "bad_committee" and "本村" in refused.message
    assert committee_events(li) == 1

    carry(wang, town)
    carry(li, town)
    desk = Oversight(town, today=lambda: TODAY)
    assert [m["name"] for m in desk.committee("王湾村").members] == ["王德明", "李秀珍", "张国强"]
    assert desk.committee("王湾村").elected_on == date(2026, 3, 1)
    assert [m["name"] for m in desk.committee("李庄村").members] == ["李假名"]
    assert desk.members().current(wang.node_id).member_ids == {"m1", "m2", "m3"}


def test_the_town_records_a_committee_that_reaches_the_village(places, tmp_path: Path) -> None:
    wang, _li, town = places
    carry(wang, town)
    desk = Oversight(town, today=lambda: TODAY)
    with pytest.raises(ServiceError, match="不能登记"):
        desk.set_committee(cadre(town, "赵镇长"), "王湾村", "2026-03-01",
                           [*MEMBERS[:2], *VILLAGE], VILLAGE, [])
    with pytest.raises(ServiceError, match="找不到“柳树村”"):
        desk.set_committee(cadre(town, "赵镇长"), "柳树村", "2026-03-01", MEMBERS, VILLAGE, [])
    desk.set_committee(cadre(town, "赵镇长"), "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
    # without the village's node a town-written committee is refused (the name is not enough)
    with pytest.raises(StoreError) as caught:
        town.store.append(NewEvent("supervisor.committee_set", uuid7(), {
            "village": "王湾村", "elected_on": "2026-03-02", "members": MEMBERS,
            "village_members": VILLAGE, "relations": []}, cadre(town, "赵镇长").id))
    assert caught.value.code == "bad_committee"
    assert [m["name"] for m in desk.committee("王湾村").members] == ["王德明", "李秀珍", "张国强"]

    # another town's station cannot record one for 王湾村 (refused where 王湾村's certificate is known)
    far = unlocked(make_station(tmp_path / "far", name="柳河镇便民服务中心", kind="town",
                                short_code="LH900", cadres=(("孙镇长", "副镇长"),), town=other_town()))
    try:
        carry(wang, far)
        with pytest.raises(ServiceError, match="找不到“王湾村”"):
            Oversight(far, today=lambda: TODAY).set_committee(
                cadre(far, "孙镇长"), "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
        with pytest.raises(StoreError) as caught:
            far.store.append(NewEvent("supervisor.committee_set", uuid7(), {
                "village": "王湾村", "village_id": wang.node_id, "elected_on": "2026-03-02",
                "members": MEMBERS, "village_members": VILLAGE, "relations": []},
                cadre(far, "孙镇长").id))
        assert caught.value.code == "not_our_town"
    finally:
        far.close()

    carry(town, wang)
    here = Oversight(wang, today=lambda: TODAY)
    assert [m["name"] for m in here.roster()] == ["王德明", "李秀珍", "张国强"]
    assert here.open_member_account(cadre(wang, "李建国"), "m1", MEMBER_PIN).name == "王德明"


def test_a_back_dated_answer_counts_from_its_clock(places) -> None:
    wang, _li, town = places
    svc, officer, member = with_member(wang, town)
    sent = svc.send_opinion(member, subject="村级财务", text="请镇里督促公开修路款明细", pin=MEMBER_PIN)
    carry(wang, town)
    # the answer is written (clock stamp) 20 days after the opinion, typed as the same day
    later = int(sent["hlc"]) + ((20 * 86_400_000) << 16)
    desk = Oversight(town, today=lambda: TODAY)
    payload = {"on": TODAY.isoformat(), "answer": "已处理", "by": {"name": "赵镇长"}}
    from app.domain.supervision.oversight import ANSWERED, fold_opinion
    answer = {"id": "a1", "type": ANSWERED, "record": sent["record"], "origin": town.node_id,
              "hlc": later, "payload": payload}
    opinion = fold_opinion([*desk._events(sent["record"]), answer], desk.levels(),
                           desk.parents(), desk.members(), keys=desk.keys())
    assert opinion.answered_on == TODAY + timedelta(days=20)
    assert opinion.status(15, TODAY + timedelta(days=20)) == "已答复（逾期）"
    # an answer typed with a date not yet come is refused where it is written
    with pytest.raises(StoreError) as caught:
        town.store.append(NewEvent(ANSWERED, sent["record"], {**payload, "on": "2999-01-01"},
                                   cadre(town, "赵镇长").id))
    assert caught.value.code == "bad_date"
