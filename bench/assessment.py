"""The 百分制 assessment of a town over a year (issue #13 §5): ``python -m bench.assessment``.

A real town 纪委 station file (SQLCipher, the app's projections and write policy) holding
a year of the data of 30 villages — each a village station the town hub certified (its
certificate in the station's directory, as a pull brings it; its matters keyed by that
node id, as app.services.assessment_data reads them) — per village 500 便民服务 cases (due dates, closings,
ratings), 60 disputes, 40 petitions — the year's scheme (7 criteria: 4 computed from
those records, 3 scored) and 7 named assessors' marks as ``assessment.*`` events written
through app.services.assessment. Timed: ``Assessments.outcome`` — the events folded, the
records read per criterion, every village scored with its explanation, ranked and banded
— the worst of --runs, and the .xlsx export once.

Baseline in the same run: one plain pass over the same rows (SELECT of the three tables,
counting per village), so the ratio says what the assessment costs beyond touching the
data once. Target (issue #13 §5): ≤ 2 s. The 村务公开 criterion is not in the benched
scheme: it folds each village's register events (issue #12), which this bench does not
generate. Last line: ``assessment: 30 villages, <n> records: worst <s> s (ratio <x> to one
plain pass)``.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from app.accounts import add_cadre
from app.services.assessment import Assessments
from app.station import Station, open_station, unlock_station
from sync.certs import HUB_ROLE, Root, issue
from sync.db import transaction
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import Store

VILLAGES, CASES, DISPUTES, PETITIONS, ASSESSORS = 30, 500, 60, 40, 7
YEAR, AS_OF = 2026, date(2026, 12, 31)
PIN = "258046"
CRITERIA = [
    {"code": "办件", "name": "便民服务按期办结", "weight": "25", "kind": "定量", "part": "组织认定",
     "measure": "service_on_time"},
    {"code": "调解", "name": "矛盾纠纷调解", "weight": "15", "kind": "定量", "part": "组织认定",
     "measure": "mediation_success", "method": "扣分", "deduct": "1"},
    {"code": "信访", "name": "信访事项按期办结", "weight": "15", "kind": "定量", "part": "组织认定",
     "measure": "petitions_on_time"},
    {"code": "廉洁", "name": "廉洁自律", "weight": "15", "kind": "定性", "part": "组织认定"},
    {"code": "作风", "name": "工作作风", "weight": "10", "kind": "定性", "part": "组织认定"},
    {"code": "测评", "name": "群众民主测评", "weight": "10", "kind": "定性", "part": "群众评判"},
    {"code": "满意", "name": "便民服务群众满意", "weight": "10", "kind": "定量", "part": "群众评判",
     "measure": "service_satisfaction"},
]


def jiwei_station(path: Path) -> tuple[Station, dict[str, str]]:
    """A town 纪委 station as enrollment leaves it (county root, town hub, its certificate)
    that has since pulled the certificates the town hub issued to its 30 villages; returns
    it and the villages (node id → certified name)."""
    county, town, me = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    town_cert = issue(county, "hub-town", "hub-county", "town", "新集镇", town.public_b64, (HUB_ROLE,), "XJ")
    node = uuid7()
    cert = issue(town, node, "hub-town", "town", "新集镇纪委", me.public_b64, ("discipline",), "XJ099")
    store = Store(path / "station.sqlite")
    store.set_identity(node, me, {"kind": "town", "name": "新集镇纪委", "short_code": "XJ099",
                                  "hub": {"hub_id": "hub-town", "name": "新集镇",
                                          "ancestors": ["hub-town", "hub-county"]},
                                  "roles": ["discipline"]},
                       Root("hub-county", county.public_b64, "county"), [cert.to_json(), town_cert.to_json()])
    store.close()
    station = open_station(path)
    cadre = add_cadre(station.store, "周正", "镇纪委书记", PIN)
    station.close()
    station = unlock_station(path, PIN, 0, cadre=cadre.id)
    villages = {uuid7(): f"第{v + 1}村" for v in range(VILLAGES)}
    certs = [issue(town, node, "hub-town", "village", name, SigningKey.generate().public_b64, (),
                   f"XJ{v + 1:03d}").to_json() for v, (node, name) in enumerate(villages.items())]
    with transaction(station.store.conn):   # as a pull keeps the hub's certificates
        assert not station.store.admit_certs(certs)
    return station, villages


def fill_year(station: Station, villages: dict[str, str], rng: random.Random) -> int:
    """A year of the villages' records in the station's query tables, each taken in by its
    village's station (origin = the village's certified node id, village = its certified
    name); returns how many."""
    conn, rows = station.store.conn, 0
    start = date(YEAR, 1, 1)
    for node, village in villages.items():
        cases = []
        for _ in range(CASES):
            accepted = start + timedelta(days=rng.randrange(360))
            due = accepted + timedelta(days=rng.choice((1, 5, 10, 20)))
            closed = due + timedelta(days=rng.choice((-3, -1, 0, 0, 0, 2))) if rng.random() < 0.95 else None
            rating = rng.choice(("", "满意", "基本满意", "不满意")) if closed else ""
            cases.append((uuid7(), node, village, accepted.isoformat(), due.isoformat(),
                          closed.isoformat() if closed else None, rating, int(rating == "不满意")))
        conn.executemany("INSERT INTO cases(record, origin, village, accepted_on, due, closed_on,"
                         " rating, dissatisfied) VALUES (?,?,?,?,?,?,?,?)", cases)
        conn.executemany("INSERT INTO disputes(record, origin, village, received_on, status)"
                         " VALUES (?,?,?,?,?)",
                         [(uuid7(), node, village, (start + timedelta(days=rng.randrange(360))).isoformat(),
                           rng.choice(("agreed", "performed", "referred", "mediating")))
                          for _ in range(DISPUTES)])
        petitions = []
        for _ in range(PETITIONS):
            received = start + timedelta(days=rng.randrange(330))
            accepted = received + timedelta(days=rng.randrange(1, 15))
            answered = accepted + timedelta(days=rng.randrange(10, 75))
            petitions.append((uuid7(), node, village, "申诉求决", "处理", "answered", received.isoformat(),
                              accepted.isoformat(), 0, answered.isoformat()))
        conn.executemany("INSERT INTO petitions(record, origin, village, category, stage, status,"
                         " received_on, accepted_on, extension_days, answered_on)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?)", petitions)
        rows += CASES + DISPUTES + PETITIONS
    conn.commit()
    return rows


def scheme_and_marks(desk: Assessments, villages: dict[str, str], rng: random.Random) -> None:
    from app.accounts import list_cadres
    officer = list_cadres(desk.station.store)[0]
    names = list(villages.values())       # the certified names, as the scheme's units
    doc = desk.draft(YEAR)
    doc.update(criteria=CRITERIA, units=[{"village": name, "secretary": f"书记{v + 1}"}
                                         for v, name in enumerate(names)],
               assessors=[{"name": f"评分人{k + 1}"} for k in range(ASSESSORS)])
    desk.set_scheme(officer, doc)
    for criterion in (c for c in CRITERIA if c["kind"] == "定性"):
        weight = int(criterion["weight"])
        for k in range(ASSESSORS):
            desk.give_marks(officer, YEAR, criterion["code"], f"评分人{k + 1}",
                            {name: str(rng.randint(weight // 2, weight)) for name in names})


def plain_pass(station: Station) -> int:
    counted: dict[str, int] = {}
    for table in ("cases", "disputes", "petitions"):
        for (origin,) in station.store.conn.execute(f"SELECT origin FROM {table}"):
            counted[origin] = counted.get(origin, 0) + 1
    return len(counted)


def worst(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        run()
        times.append(time.perf_counter() - begin)
    return max(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as folder:
        station, villages = jiwei_station(Path(folder))
        try:
            rows = fill_year(station, villages, rng)
            desk = Assessments(station, today=lambda: AS_OF)
            assert [u["village"] for u in desk.villages()] == list(villages.values())
            # marks are dated the day they are entered: not after their clock stamp (the
            # wall clock) nor after the day assessed (app.domain.supervision.assessment_year)
            scheme_and_marks(Assessments(station, today=lambda: min(date.today(), AS_OF)),
                             villages, rng)
            outcome = desk.outcome(YEAR)
            assert len(outcome.results) == VILLAGES and not outcome.missing, outcome.problem
            assert plain_pass(station) == VILLAGES
            took = worst(lambda: desk.outcome(YEAR), args.runs)
            base = worst(lambda: plain_pass(station), args.runs)
            begin = time.perf_counter()
            desk.export_xlsx(YEAR, Path(folder) / "考评.xlsx")
            xlsx = time.perf_counter() - begin
        finally:
            station.close()
    print(f"baseline: one plain pass over the {rows} records {base * 1000:.1f} ms (worst of {args.runs})")
    print(f"assessment outcome: worst {took:.2f} s over {args.runs} runs "
          f"({len(CRITERIA)} criteria, {ASSESSORS} assessors, {VILLAGES * ASSESSORS * 3} marks); "
          f".xlsx export {xlsx:.2f} s")
    print(f"assessment: {VILLAGES} villages, {rows} records: worst {took:.2f} s "
          f"(ratio {took / base:.1f} to one plain pass; target ≤ 2 s)")


if __name__ == "__main__":
    main()
