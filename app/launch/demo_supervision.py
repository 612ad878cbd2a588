"""The demo township's conduct supervision (issue #13): the town's and the county's 纪委
devices, 检举控告 taken at village stations (sealed there), and the town 纪委's cases in
every stage — one closed after 一案双查, one under investigation, one dismissed with its
reason, one report still waiting to be taken in. Kept apart from app.launch.demo (which calls
``seed_supervision``) so the two grow without stepping on each other.

Everything is written the way real use writes it: the reports through the petition
screens' service, sealed on the village tablet; the cases through the discipline desk,
sealed on the 纪委's tablet; sync rounds between them.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from app.launch.demo_township import PlaceSpec
from app.launch.world import Place, World, open_place
from app.sealing import seal_for_discipline
from app.services.discipline import DisciplineDesk
from app.services.petitions import Petitions


TOWN_JIWEI = PlaceSpec("新集镇纪委", "town", "stations/town-jiwei",
                       (("周正", "镇纪委书记"), ("吴清", "镇纪委委员")))
COUNTY_JIWEI = PlaceSpec("县纪委监委", "county", "stations/county-jiwei",
                         (("钱明", "县纪委监委信访室主任"),))
# (village index, days ago, content, accused, complainant or None, subject)
REPORTS = (
    (0, 75, "村会计王某把本村三户非贫困户报成低保户，其中一户是他的妹妹家",
     {"name": "王某", "unit": "王湾村村委会", "post": "村会计"}, {"name": "刘桂芳", "phone": "13903761122"},
     "村级组织及其成员滥用职权、侵害群众利益"),
    (1, 40, "镇农业服务中心工作人员办理种粮补贴时拖了两个月不办，说要“意思意思”",
     {"name": "赵某", "unit": "镇农业服务中心"}, None, "镇站所工作人员慢作为、不作为、乱作为"),
    (2, 20, "村主任在修村道时让自己亲戚的施工队承包，没有经过村民代表会议",
     {"name": "陈某", "unit": "李庄村村委会", "post": "村主任"}, {"name": "陈建设", "phone": "13703765566"},
     "村级组织及其成员滥用职权、侵害群众利益"),
    (0, 3, "有人反映村里的危房改造名单有人冒名顶替", {"unit": "王湾村村委会"}, None, None),
)


def _day(world: World, days_ago: int) -> date:
    return world.today - timedelta(days=days_ago)


def _enroll(world: World, spec: PlaceSpec, hub: str, url: str) -> Place:
    return open_place(world.root, spec, world.root / hub, url, world.today, ("discipline",))


def _sync(places: list[Place], rounds: int = 2) -> None:
    for _ in range(rounds):
        for place in places:
            place.sync()
        time.sleep(0.4)            # the town hub's relay towards the county


def seed_supervision(world: World, town_url: str, county_url: str) -> dict[str, Any]:
    """Enroll the two 纪委 devices, take the reports, run the cases; returns counts."""
    town = _enroll(world, TOWN_JIWEI, "town", town_url)
    county = _enroll(world, COUNTY_JIWEI, "county", county_url)
    extra = [town, county]
    try:
        _sync(world.places + extra)
        receipts = []
        for village, days_ago, content, accused, complainant, subject in REPORTS:
            place = world.villages[village]
            day = _day(world, days_ago)
            place.clock.day = day
            filed = Petitions(place.station, today=place.clock,
                              now=lambda d=day: datetime.combine(d, datetime.min.time())
                              ).file_accusation(
                place.cadres[0], content=content, accused=[accused], channel="来访",
                seal=seal_for_discipline, received_at=f"{day.isoformat()} 09:30",
                complainant=complainant, subject=subject)
            receipts.append(filed["receipt_no"])
            place.clock.day = world.today
        _sync(world.places + extra)
        cases = _cases(world, town, receipts)
        _sync(extra)
        return {"reports": len(receipts), "cases": cases}
    finally:
        for place in extra:
            place.station.close()


def _cases(world: World, town: Place, receipts: list[str]) -> int:
    officer = town.cadres[0]

    def desk(days_ago: int) -> DisciplineDesk:
        day = _day(world, days_ago)
        return DisciplineDesk(town.station, today=lambda: day)

    reports = {r["receipt_no"]: r for r in desk(0).reports()}

    def open_case(receipt: str, days_ago: int, summary: str) -> str:
        report = reports[receipt]
        accused = report["accused"][0]
        return desk(days_ago).open_case(officer, {
            "received": report["received_on"], "source": "检举控告", "report": report["record"],
            "receipt_no": receipt, "named_reporter": bool(report.get("complainant")),
            "subject": {k: v for k, v in accused.items() if k in ("name", "unit", "post")},
            "summary": summary}).record

    def steps(record: str, *items: tuple[int, str, dict[str, Any]]) -> None:
        for days_ago, kind, body in items:
            desk(days_ago).act(officer, record, kind, {"on": _day(world, days_ago).isoformat(), **body})

    # 1. 查实, 处理, 一案双查, 结案, 反馈, 回访 pending
    first = open_case(receipts[0], 74, "村会计优亲厚友，把亲属报成低保户")
    steps(first, (73, "discipline.case_disposed", {"disposal": "初步核实"}),
          (60, "discipline.case_filed", {"basis": "初核查明三户不符合低保条件，其中一户为其妹妹家"}),
          (30, "discipline.case_investigated", {"substantiated": True,
                                                "facts": "违规将三户不符合条件的家庭纳入低保，其中一户为近亲属"}),
          (25, "discipline.case_decided", {"handling": ["党纪处分", "政务处分"],
                                           "persons": [{"name": "王某", "unit": "王湾村村委会",
                                                        "post": "村会计"}]}),
          (24, "discipline.review_recorded", {"kind": "主体责任", "subject": "王湾村党支部",
                                               "finding": "存在责任", "facts": "低保评议把关不严",
                                               "handling": ["诫勉"]}),
          (24, "discipline.review_recorded", {"kind": "监督责任", "subject": "王湾村村务监督委员会",
                                               "finding": "存在责任", "facts": "对低保评议未履行监督",
                                               "handling": ["通报"]}),
          (20, "discipline.case_concluded", {}),
          (15, "discipline.case_replied", {"content": "电话告知检举人处理结果"}))
    # 2. under investigation
    second = open_case(receipts[1], 38, "站所工作人员拖延办理种粮补贴，索要好处")
    steps(second, (37, "discipline.case_disposed", {"disposal": "初步核实"}),
          (20, "discipline.case_filed", {"basis": "初核查明补贴申请积压两个月未办"}))
    # 3. dismissed with its reason
    third = open_case(receipts[2], 18, "村主任让亲属施工队承包村道工程")
    steps(third, (16, "discipline.case_disposed", {"disposal": "初步核实"}),
          (6, "discipline.case_dismissed", {"reason": "经核实，工程经村民代表会议决议并公开招标，反映不实"}))
    # receipts[3] waits to be taken in
    return 3


__all__ = ["COUNTY_JIWEI", "REPORTS", "TOWN_JIWEI", "seed_supervision"]
