"""The yearly 百分制 scheme and the assessors' marks as synced events (issue #13 §4), on real
encrypted stations, events carried between them the way a pull applies them
(tests.ui.stations.carry: certificates, hash chains and the write policy checked):

* only the town's certified 纪委 device writes them — a village tablet (its own store, or a
  tablet forging the event with its key) and the town's service centre (no 纪委 role) are
  refused, and so is a scheme whose 分值 do not add up to 100 (``bad_scheme``), even when
  the app's own check is skipped;
* marks count only from the scheme's named assessors, within the weight, for a village
  assessed; the others are kept aside with why; a later mark of the same assessor
  replaces the earlier one;
* the other town station folds the same results from the carried events; a scheme written
  by another town's 纪委 is not in force here;
* a village's figures stay its own (review H3): keyed by the certified node, shown under the
  certified name, even after an old announcement under another village's name.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.authority import app_policy
from app.domain.authority import WRITERS
from app.services.assessment import Assessments
from app.services.desk import Desk, IntakeForm
from app.services.errors import ServiceError
from sync.errors import StoreError
from sync.store import NewEvent
from tests.ui.stations import cadre, carry, make_station, other_town, unlocked

TODAY = date(2026, 11, 27)
CRITERIA = [
    {"code": "办件", "name": "便民服务按期办结", "weight": "50", "kind": "定量", "part": "组织认定",
     "measure": "service_on_time"},
    {"code": "廉洁", "name": "廉洁自律", "weight": "25", "kind": "定性", "part": "组织认定"},
    {"code": "测评", "name": "群众民主测评", "weight": "25", "kind": "定性", "part": "群众评判"}]


@pytest.fixture
def town(tmp_path: Path):
    """新集镇纪委 and 便民服务中心 with 王湾村 and 李庄村 in their directory."""
    paths = {
        "jiwei": make_station(tmp_path / "jiwei", name="新集镇纪委", kind="town", short_code="XJ099",
                              cadres=(("周正", "镇纪委书记"),), roles=("discipline",)),
        "center": make_station(tmp_path / "center", name="新集镇便民服务中心", kind="town",
                               short_code="XJ005", cadres=(("张敏", "便民服务中心主任"),)),
        "A": make_station(tmp_path / "wangwan", cadres=(("王振华", "村党支部书记"),)),
        "B": make_station(tmp_path / "lizhuang", name="李庄村", short_code="XJ002",
                          cadres=(("李卫东", "村党支部书记"),)),
    }
    stations = {k: unlocked(p) for k, p in paths.items()}
    try:
        for source in ("A", "B"):
            for target in ("jiwei", "center"):
                carry(stations[source], stations[target])
        yield stations
    finally:
        for station in stations.values():
            station.close()


def scheme_doc(desk: Assessments, criteria=CRITERIA, assessors=("周正", "吴清")) -> dict:
    doc = desk.draft(2026)
    doc.update(criteria=[dict(c) for c in criteria], assessors=[{"name": n} for n in assessors])
    return doc


def held(station, kind: str = "assessment") -> int:
    return station.store.conn.execute("SELECT COUNT(*) FROM events WHERE kind=?", (kind,)).fetchone()[0]


def test_only_the_towns_jiwei_sets_the_scheme(town) -> None:
    jiwei = Assessments(town["jiwei"], today=lambda: TODAY)
    doc = scheme_doc(jiwei)
    assert [u["village"] for u in doc["units"]] == ["王湾村", "李庄村"]
    assert [u["secretary"] for u in doc["units"]] == ["王振华", "李卫东"]
    assert doc["star_source"].startswith("新集镇意见“探索村（社区）党支部书记星级化管理”")
    payload = {**doc, "criteria": CRITERIA}
    for role, code in (("A", "wrong_level"), ("center", "role_required")):
        station = town[role]
        with pytest.raises(ServiceError) as info:
            Assessments(station, today=lambda: TODAY).set_scheme(cadre(station, station.store.conn.execute(
                "SELECT name FROM local_users LIMIT 1").fetchone()[0]), doc)
        assert info.value.message == "考评方案由镇纪委的登记设备制定和打分；本机不是镇纪委的设备，只能查看。"
        with pytest.raises(StoreError) as refused:       # the app's check skipped: the store refuses
            station.store.append(NewEvent("assessment.scheme_set", jiwei.record(2026), payload, "x"))
        assert refused.value.code == code
        assert held(station) == 0
    short = {**payload, "criteria": [*CRITERIA[:2], {**CRITERIA[2], "weight": "15"}]}
    with pytest.raises(StoreError) as refused:
        town["jiwei"].store.append(NewEvent("assessment.scheme_set", jiwei.record(2026), short, "x"))
    assert refused.value.code == "bad_scheme"
    assert "各项指标分值合计应为100分，现在合计90分（少10分），请调整分值" in refused.value.message
    with pytest.raises(ServiceError) as info:
        jiwei.set_scheme(cadre(town["jiwei"], "周正"), short)
    assert info.value.message == "各项指标分值合计应为100分，现在合计90分（少10分），请调整分值"
    assert held(town["jiwei"]) == 0
    assert Assessments.weights(short) == (False, "各项分值合计90分，还差10分：请加到合计100分")
    saved = jiwei.set_scheme(cadre(town["jiwei"], "周正"), doc)
    assert [c.code for c in saved.scheme.criteria] == ["办件", "廉洁", "测评"]


def test_marks_count_from_named_assessors_only_and_the_latest_replaces(town) -> None:
    jiwei = Assessments(town["jiwei"], today=lambda: TODAY)
    me = cadre(town["jiwei"], "周正")
    jiwei.set_scheme(me, scheme_doc(jiwei))
    with pytest.raises(ServiceError) as info:
        jiwei.give_marks(me, 2026, "廉洁", "张三", {"王湾村": "20"})
    assert info.value.message == "请选择方案写明的评分人（周正、吴清）"
    with pytest.raises(ServiceError) as info:
        jiwei.give_marks(me, 2026, "办件", "周正", {"王湾村": "20"})
    assert info.value.message == "请选择一项定性指标打分；定量指标由系统按数据计算"
    with pytest.raises(ServiceError) as info:
        jiwei.give_marks(me, 2026, "廉洁", "周正", {"王湾村": "26"})
    assert info.value.message == "王湾村的分数应在0到25之间，最多两位小数"
    for who, a, b in (("周正", "20", "24"), ("吴清", "18", "22")):
        for code in ("廉洁", "测评"):
            jiwei.give_marks(me, 2026, code, who, {"王湾村": a, "李庄村": b})
    jiwei.give_marks(me, 2026, "廉洁", "吴清", {"王湾村": "22"})       # corrected
    # marks the app would refuse, written past it: kept aside, not counted
    record = jiwei.record(2026)
    for body in ({"criterion": "廉洁", "assessor": "张三", "scores": [{"unit": "王湾村", "score": "0"}]},
                 {"criterion": "廉洁", "assessor": "周正", "scores": [{"unit": "王湾村", "score": "99"}]},
                 {"criterion": "测评", "assessor": "周正", "scores": [{"unit": "柳河村", "score": "10"}]}):
        town["jiwei"].store.append(NewEvent("assessment.score_given", record,
                                            {"year": 2026, "on": "2026-11-27", **body}, me.id))
    outcome = jiwei.outcome(2026)
    assert outcome.missing == []
    assert outcome.aside == ("张三给王湾村“廉洁”打的0分未生效：张三不是方案写明的评分人",
                             "周正给王湾村“廉洁”打的99分未生效：分数应在0到25之间",
                             "周正给柳河村“测评”打的10分未生效：柳河村不在参加考核的村里")
    by_village = {r.village: r for r in outcome.results}
    wang = by_village["王湾村"]
    assert "周正给20分、吴清给22分" in wang.score.criteria[1].text
    # no case this year: 办件 50 (满分); 廉洁 (20+22)/2 = 21; 测评 (20+18)/2 = 19
    assert wang.total == "90.00" and wang.stars == 4 and wang.secretary == "王振华"
    assert by_village["李庄村"].total == "96.00" and by_village["李庄村"].rank == 1


def test_the_other_town_station_folds_the_same_and_another_towns_scheme_is_not_in_force(
        town, tmp_path: Path) -> None:
    jiwei = Assessments(town["jiwei"], today=lambda: TODAY)
    me = cadre(town["jiwei"], "周正")
    jiwei.set_scheme(me, scheme_doc(jiwei, assessors=("周正",)))
    jiwei.give_marks(me, 2026, "廉洁", "周正", {"王湾村": "20", "李庄村": "25"})
    jiwei.give_marks(me, 2026, "测评", "周正", {"王湾村": "15", "李庄村": "10"})
    liuhe = unlocked(make_station(tmp_path / "liuhe", name="柳河镇纪委", kind="town", short_code="LH099",
                                  cadres=(("郑直", "镇纪委书记"),), roles=("discipline",),
                                  town=other_town()))
    try:
        theirs = Assessments(liuhe, today=lambda: TODAY)
        doc = scheme_doc(theirs, criteria=[{**CRITERIA[1], "weight": "75"}, CRITERIA[2]], assessors=("郑直",))
        doc["units"] = [{"village": "王湾村", "secretary": "冒名"}, {"village": "李庄村", "secretary": ""}]
        liuhe.store.append(NewEvent("assessment.scheme_set", jiwei.record(2026),
                                    {**doc, "basis": "柳河镇"}, cadre(liuhe, "郑直").id))
        carry(liuhe, town["jiwei"])
        held_here = town["jiwei"].store.conn.execute(
            "SELECT COUNT(*) FROM events WHERE kind='assessment' AND origin=?",
            (liuhe.node_id,)).fetchone()[0]
    finally:
        liuhe.close()
    carry(town["jiwei"], town["center"])
    center = Assessments(town["center"], today=lambda: TODAY)
    assert not center.may_write()
    mine, seen = jiwei.outcome(2026), center.outcome(2026)
    assert mine.year is not None and mine.year.basis == ""
    assert [(r.rank, r.village, r.total) for r in seen.results] == \
        [(r.rank, r.village, r.total) for r in mine.results] == [(1, "李庄村", "85.00"), (1, "王湾村", "85.00")]
    assert held_here == 1           # held (it came with a valid certificate), but not this town's


def test_a_village_announced_under_anothers_name_keeps_its_own_figures(town) -> None:
    """Review H3: 李庄村's tablet announces itself as 王湾村. Its own store refuses that now
    (``name_not_certified``); an announcement accepted before that check (written and
    carried here under the old rule: the declaration without the announce check) and the
    projection rows the old code folded from it (nodes_dir and cases.village naming 王湾村,
    set here as that code left them on disk) cannot move 李庄村's overdue cases onto
    王湾村: the assessment reads cases by their certified origin and names each village
    by its certificate."""
    A, B, station = town["A"], town["B"], town["jiwei"]
    desk = Desk(B, today=lambda: date(2026, 10, 9))
    for name, phone in (("李桂兰", "13938761521"), ("陈玉芳", "13912345671")):
        desk.intake(cadre(B, "李卫东"), IntakeForm(
            name=name, phone=phone, matter_code="FL-001", summary="申请高龄津贴", materials_present=[
                "高龄津贴申请表", "居民身份证", "户口簿", "代办人居民身份证"]))
    forged = {"name": "王湾村", "level": "village", "short_code": "XJ002"}
    with pytest.raises(StoreError) as refused:
        B.store.append(NewEvent("node.announced", B.node_id, forged, "system"))
    assert refused.value.code == "name_not_certified"
    assert "与镇里登记的名称“李庄村”不符" in refused.value.message
    old_rule = app_policy(declared={**WRITERS, "node.announced": replace(
        WRITERS["node.announced"], checks=())})
    kept = B.store.policy, station.store.policy
    B.store.policy = station.store.policy = old_rule
    try:
        B.store.append(NewEvent("node.announced", B.node_id, forged, "system"))
        carry(B, station)
    finally:
        B.store.policy, station.store.policy = kept
    conn = station.store.conn
    assert conn.execute("SELECT COUNT(*) FROM events WHERE type='node.announced' AND origin=?"
                        " AND payload LIKE '%王湾村%'", (B.node_id,)).fetchone() == (1,)
    # the directory takes the certified name, whatever was announced
    assert conn.execute("SELECT name FROM nodes_dir WHERE id=?", (B.node_id,)).fetchone() == ("李庄村",)
    with conn:   # what the code before the fix folded from that announcement
        conn.execute("UPDATE nodes_dir SET name='王湾村' WHERE id=?", (B.node_id,))
        conn.execute("UPDATE cases SET village='王湾村' WHERE origin=?", (B.node_id,))
    jiwei = Assessments(station, today=lambda: TODAY)
    doc = scheme_doc(jiwei, assessors=("周正",))
    assert [u["village"] for u in doc["units"]] == ["王湾村", "李庄村"]    # no 王湾村 twice
    me = cadre(station, "周正")
    jiwei.set_scheme(me, doc)
    for code in ("廉洁", "测评"):
        jiwei.give_marks(me, 2026, code, "周正", {"王湾村": "20", "李庄村": "20"})
    by_village = {r.village: r for r in jiwei.outcome(2026).results}
    wang, li = by_village["王湾村"].score.criteria[0], by_village["李庄村"].score.criteria[0]
    assert "2条记录" in li.text and "超期2件" in li.text and li.points == 0, li.text
    assert "0条记录" in wang.text and wang.points == 50, wang.text
    assert by_village["王湾村"].total == "90.00" and by_village["李庄村"].total == "40.00"
    assert A.node_id != B.node_id
