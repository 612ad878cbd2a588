"""The demo township's 百分制 assessment of the year (issue #13 §4): the town 纪委 sets the
year's scheme (seven criteria: five computed from the records the demo seeded, two scored
by five named assessors), then each assessor gives marks, as the screens would. Written
through app.services.assessment on the 纪委's tablet, then synced — so the assessment
screen shows true figures from the demo's own cases, disputes, petitions and 村务公开.
"""
from __future__ import annotations

from typing import Any

from app.launch.demo_supervision import TOWN_JIWEI
from app.launch.world import World, open_place
from app.services.assessment import Assessments


def _c(code: str, name: str, weight: str, kind: str, part: str, **more: str) -> dict[str, str]:
    return {"code": code, "name": name, "weight": weight, "kind": kind, "part": part, **more}


CRITERIA = [
    _c("办件", "便民服务按期办结", "20", "定量", "组织认定", measure="service_on_time"),
    _c("调解", "矛盾纠纷调解", "15", "定量", "组织认定", measure="mediation_success",
       method="扣分", deduct="5"),
    _c("信访", "信访事项按期办结", "15", "定量", "组织认定", measure="petitions_on_time"),
    _c("公开", "村务公开按时公开", "10", "定量", "组织认定", measure="publicity_on_time"),
    _c("廉洁", "廉洁自律", "15", "定性", "组织认定"),
    _c("测评", "群众民主测评", "10", "定性", "群众评判"),
    _c("满意", "便民服务群众满意", "15", "定量", "群众评判", measure="service_satisfaction"),
]
ASSESSORS = [("周正", "镇纪委书记"), ("吴清", "镇纪委委员"), ("刘志刚", "镇党委书记"),
             ("孙红", "镇党委组织委员"), ("马长顺", "群众代表")]
# marks out of the weight, per village in the directory's order, per assessor
MARKS = {"廉洁": [[14, 13, 14, 12, 15], [12, 12, 13, 11, 14], [13.5, 14, 13, 12, 12.5], [11, 12, 10, 12, 13]],
         "测评": [[9, 9.5, 8, 9, 10], [8, 8, 7.5, 8, 9], [9, 8.5, 9, 8, 9], [7, 8, 7, 7.5, 8]]}


def seed_assessment(world: World, town_url: str) -> dict[str, Any]:
    place = open_place(world.root, TOWN_JIWEI, world.root / "town", town_url, world.today,
                       ("discipline",))
    try:
        place.sync()
        desk = Assessments(place.station, today=place.clock)
        year = world.today.year
        doc = desk.draft(year)
        doc.update(criteria=CRITERIA, basis="新集镇党委《党风政风建设年度考评方案和细则》",
                   assessors=[{"name": n, "post": p} for n, p in ASSESSORS])
        scheme = desk.set_scheme(place.cadres[0], doc)
        villages = [u.village for u in scheme.units]
        for code, table in MARKS.items():
            for i, (name, _) in enumerate(ASSESSORS):
                desk.give_marks(place.cadres[0], year, code, name,
                                {v: str(table[j % len(table)][i]) for j, v in enumerate(villages)})
        place.sync()
        outcome = desk.outcome(year)
        return {"villages": len(villages), "ranked": [r.village for r in outcome.results],
                "missing": len(outcome.missing)}
    finally:
        place.station.close()
