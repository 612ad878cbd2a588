"""`sanji demo`: a realistic township seeded into a `sanji up` data dir, through real hub
processes (issue #3 §1). One run (module fixture) serves every check; a second run must
add nothing."""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from app.accounts import list_cadres, sign_in
from app.launch.demo import run_demo
from app.launch.demo_oversight import ACCOUNT
from app.launch.demo_casework import CASES_BY_VILLAGE, FORWARDED, STATUSES, STATUSES_BY_VILLAGE
from app.launch.demo_township import (COUNTY, FINAL_STATUS, PIN, PLAN, SCRIPTS, TOWN, VILLAGES,
                               plan_cases)
from app.domain import check_id_number, check_phone
from app.launch.hubs import key_file
from app.services.desk import Desk, IntakeForm
from app.services.frontdesk import on_duty_now, recent_visits, roster
from app.services.ledger import LedgerFilter, deadline_board, ledger, town_overview
from app.services.printing import clear_prints, print_receipt
from app.services.rules import load_rules
from app.station import Station, unlock_station
from sync.db import connect
from sync.hub.dbkey import resolve
from tests.support.hubs import free_port

pytestmark = pytest.mark.slow
TODAY = date(2026, 11, 27)                  # a Friday
NOW = datetime(2026, 11, 27, 10, 30)
ACTIVE = ("accepted", "in_progress", "escalated", "forwarded", "replied", "returned")


@dataclass
class Seeded:
    root: Path
    summary: dict
    ports: tuple[int, int]

    def open(self, folder: str) -> Station:
        """A station of the township, unlocked with the demo 密码 of its first cadre."""
        data = self.root / folder
        return unlock_station(data, PIN, 0, cadre=list_cadres(data)[0].id)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    root = tmp_path_factory.mktemp("demo") / "sanji-data"
    ports = (free_port(), free_port())
    summary = run_demo(root, *ports, today=TODAY, now=NOW)
    yield Seeded(root, summary, ports)


@pytest.fixture
def hall(seeded: Seeded) -> Iterator[Station]:
    station = seeded.open(TOWN.folder)
    yield station
    station.close()


def statuses(station: Station) -> Counter[str]:
    return Counter(s for (s,) in station.store.conn.execute("SELECT status FROM cases"))


def test_the_layout_is_that_of_sanji_up_plus_the_other_stations(seeded: Seeded) -> None:
    for folder in ("county/hub.sqlite", "town/hub.sqlite", "station/station.sqlite"):
        assert (seeded.root / folder).exists()
    for spec in (*VILLAGES, TOWN, COUNTY):
        station = seeded.open(spec.folder)
        try:
            assert station.enrolled and station.name == spec.name and station.level == spec.kind
        finally:
            station.close()


def test_the_town_sees_every_village_with_cases_in_every_planned_state(
        seeded: Seeded, hall: Station) -> None:
    expected = Counter(FINAL_STATUS[script] for _, script, _, _ in PLAN) + STATUSES
    assert statuses(hall) == expected
    assert seeded.summary["by_status"] == dict(expected)
    assert set(expected) >= {"accepted", "in_progress", "escalated", "forwarded", "replied",
                             "returned", "closed", "fed_back", "rated", "revisited"}
    villages = Counter(v for (v,) in hall.store.conn.execute("SELECT village FROM cases"))
    assert villages == Counter(VILLAGES[i].name for i, *_ in PLAN) + CASES_BY_VILLAGE
    assert not hall.store.conn.execute("SELECT SUM(rejected) + SUM(reviews) FROM cases"
                                       ).fetchone()[0]


def test_each_village_holds_its_own_cases_in_the_same_states(seeded: Seeded,
                                                             hall: Station) -> None:
    for index, spec in enumerate(VILLAGES):
        station = seeded.open(spec.folder)
        try:
            own = Counter(FINAL_STATUS[script] for i, script, _, _ in PLAN if i == index) \
                + STATUSES_BY_VILLAGE[spec.name]
            mine = Counter(s for (s,) in station.store.conn.execute(
                "SELECT status FROM cases WHERE origin=?", (station.node_id,)))
            assert mine == own, spec.name
        finally:
            station.close()


def test_some_matters_are_overdue_and_show_on_the_boards(hall: Station) -> None:
    rules = load_rules(hall.store.conn)
    overdue = ledger(hall.store.conn, LedgerFilter(overdue_only=True), TODAY)
    assert overdue and all(row["status"] in ACTIVE for row in overdue)
    board = deadline_board(hall.store.conn, rules, TODAY)
    assert any(item.state == "overdue" for item in board)
    lines = town_overview(hall.store.conn, TODAY)
    assert len(lines) == len(VILLAGES) and sum(line.overdue for line in lines) == len(overdue)


def test_every_rating_level_is_there_and_dissatisfaction_has_a_reason(hall: Station) -> None:
    desk = Desk(hall, today=lambda: TODAY)
    records = [r for (r,) in hall.store.conn.execute("SELECT record FROM cases")]
    states = [desk.case(r) for r in records]
    rated = [s.rating for s in states if s.rating]
    assert {r["level"] for r in rated} >= {"满意", "基本满意", "不满意"}
    assert all(r["reason"] for r in rated if r["dissatisfied"])
    reopened = [s for s in states if s.round > 1]
    assert reopened and reopened[0].status == "in_progress"
    refused = [s for s in states if s.outcome == "refused"]
    assert refused and refused[0].status == "fed_back"
    returned = [s for s in states if s.status == "returned"]
    assert returned and all(s.level == "village" for s in returned)
    forwarded = [s for s in states if s.letter]
    assert forwarded and all(s.letter["letter_no"] and s.letter["department"].startswith("县")
                             for s in forwarded)
    replies = [s for s in states if s.reply]
    assert replies and all(s.reply["department"] for s in replies)
    for state in states:
        assert state.first_officer["name"]
        assert not state.rejected


def test_the_county_window_holds_what_was_forwarded_to_it(seeded: Seeded) -> None:
    def planned(kind: str) -> int:
        return sum(1 for _, script, _, _ in PLAN if any(k == kind for _, k, _ in SCRIPTS[script]))

    county = seeded.open(COUNTY.folder)
    try:
        conn = county.store.conn
        assert conn.execute("SELECT COUNT(*) FROM events WHERE type='svc.forwarded'"
                            ).fetchone()[0] == planned("svc.forwarded") + FORWARDED
        assert conn.execute("SELECT COUNT(*) FROM events WHERE type='svc.replied' AND origin=?",
                            (county.node_id,)).fetchone()[0] == planned("svc.replied")
        waiting = conn.execute("SELECT COUNT(*) FROM cases WHERE status='forwarded'"
                               ).fetchone()[0]
        assert waiting == Counter(FINAL_STATUS[s] for _, s, _, _ in PLAN)["forwarded"] + FORWARDED
    finally:
        county.close()


def test_cadres_are_on_duty_today_and_visits_are_logged(seeded: Seeded) -> None:
    for spec in (*VILLAGES, TOWN, COUNTY):
        station = seeded.open(spec.folder)
        try:
            cadres = list_cadres(station.store)
            # 王湾村's tablet also holds its 监委会 member's account (issue #13 §3)
            members = {ACCOUNT} if spec is VILLAGES[0] else set()
            assert {c.name for c in cadres} == {name for name, _ in spec.cadres} | members
            cadre, key = sign_in(station.data, cadres[0].id, PIN, 0)
            assert cadre.name == cadres[0].name and key == station.key
            own = [r for r in roster(station.store.conn, TODAY)
                   if r["origin"] == station.node_id]
            assert {r["role"] for r in own} == {"带班", "坐班"}
            present = [r for r in on_duty_now(station.store.conn, NOW)
                       if r["origin"] == station.node_id and r["present"]]
            assert present if spec.name != "张楼村" else len(present) == 1
            if spec.kind == "village":
                visits = recent_visits(station.store.conn)
                assert len(visits) >= 5 and all(v["name"] and v["matter"] for v in visits)
        finally:
            station.close()


def test_people_are_plausible_and_the_plan_is_deterministic(hall: Station) -> None:
    catalog = load_rules(hall.store.conn).catalog
    first, second = plan_cases(TODAY, catalog), plan_cases(TODAY, catalog)
    assert first == second
    names = {n for (n,) in hall.store.conn.execute("SELECT applicant FROM cases")}
    planned = {p.form.name for p in first}
    assert planned <= names and len(names - planned) <= sum(CASES_BY_VILLAGE.values())
    for planned in first:
        assert check_id_number(planned.form.id_number, today=TODAY).ok
        assert check_phone(planned.form.phone).ok
        assert catalog.matter(planned.form.matter_code) is not None


def test_the_town_hub_public_page_knows_every_receipt(seeded: Seeded, hall: Station) -> None:
    hub = connect(seeded.root / "town" / "hub.sqlite", resolve(
        seeded.root / "town", key_file(seeded.root / "town"), {}))
    try:
        public = dict(hub.execute("SELECT receipt_no, status_name FROM public_status"
                                  " WHERE kind='svc_case'"))
        petitions = dict(hub.execute("SELECT receipt_no, status_name FROM public_status"
                                     " WHERE kind='petition'"))
    finally:
        hub.close()
    cases = dict(hall.store.conn.execute("SELECT receipt_no, status FROM cases"))
    assert set(public) == set(cases)
    assert set(petitions) == {r for (r,) in hall.store.conn.execute(
        "SELECT receipt_no FROM petitions WHERE receipt_no IS NOT NULL")} != set()
    assert all(public[r] == "已办结" for r, s in cases.items() if s == "rated")


def test_a_second_run_adds_nothing(seeded: Seeded, hall: Station) -> None:
    before = hall.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    again = run_demo(seeded.root, *seeded.ports, today=TODAY, now=NOW)
    assert again["again"] is True and again["cases"] == seeded.summary["cases"]
    assert hall.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    home = seeded.open("station")
    try:
        assert home.store.conn.execute("SELECT COUNT(*) FROM cases WHERE origin=?",
                                       (home.node_id,)).fetchone()[0] == \
            sum(1 for i, *_ in PLAN if i == 0) + CASES_BY_VILLAGE["王湾村"]
    finally:
        home.close()


def test_the_cadres_everyday_work_is_in_the_demo(seeded: Seeded, hall: Station) -> None:
    """修改信息, 补齐材料, 撤件, 受理并办结, 催办, visits turned into records and villages'
    own matters, each where a cadre would look for it (issue #8 §3)."""
    from app.services.local_matters import proposals
    desk = Desk(hall, today=lambda: TODAY)
    states = [desk.case(r) for (r,) in hall.store.conn.execute("SELECT record FROM cases")]
    kinds = Counter(step.event_type for state in states for step in state.steps)
    assert kinds["svc.updated"] >= 1 and kinds["svc.materials_supplied"] >= 1
    assert kinds["svc.withdrawn"] == 1 and kinds["svc.urged"] == 2
    forwarded = next(s for s in states if s.matter_code == "FL-001")
    assert forwarded.status == "forwarded" and forwarded.urges
    assert forwarded.letter["summary"].startswith("王桂兰反映：为母亲王玉梅")
    assert "王湾村意见：" in forwarded.letter["summary"]
    waiting = next(s for s in states if s.matter_code == "FL-002")
    assert waiting.status == "escalated" and waiting.escalation["summary"]
    on_the_spot = next(s for s in states if s.matter_code == "CZ-001")
    assert [step.event_type for step in on_the_spot.steps][:2] == ["svc.accepted",
                                                                   "svc.done_at_once"]
    assert {p.status for p in proposals(hall)} == {"approved", "pending"}
    home = seeded.open("station")
    try:
        assert load_rules(home.store.conn).catalog.offered_at("CL-001", home.node_id)
        converted = [v for v in recent_visits(home.store.conn, origin=home.node_id)
                     if v["converted"]]
        assert {c["kind"] for v in converted for c in v["converted"]} == {"svc_case", "dispute"}
    finally:
        home.close()


# issue #10: disputes, petitions, risk assessments and the 民意台账 in every stage ------------
def test_disputes_petitions_assessments_and_opinions_are_there_in_every_stage(
        seeded: Seeded, hall: Station) -> None:
    conn = hall.store.conn
    disputes = Counter(s for (s,) in conn.execute("SELECT status FROM disputes"))
    assert set(disputes) >= {"registered", "mediating", "agreed", "referred", "performed"}
    assert "调解不成，已引导劳动争议仲裁" in {s for (s,) in conn.execute(
        "SELECT status_name FROM disputes")}
    petitions = Counter(s for (s,) in conn.execute("SELECT status FROM petitions"))
    assert set(petitions) >= {"registered", "accepted", "answered", "refused", "reviewed",
                              "terminated"}
    county = seeded.open(COUNTY.folder)
    try:   # the 复查 is the county's record; the town sees its answer marked 已复查
        assert county.store.conn.execute(
            "SELECT COUNT(*) FROM petitions WHERE stage='复查'").fetchone()[0] == 1
    finally:
        county.close()
    risks = {s for (s,) in conn.execute("SELECT status FROM risk_assessments")}
    assert risks >= {"implement", "deferred", "gathering"}
    opinions = {s for (s,) in conn.execute("SELECT status FROM opinions")}
    assert opinions >= {"collected", "routed", "answered"}
    assert seeded.summary["law"] == {"dispute": 7, "petition": 10, "risk_assessment": 3,
                                     "opinion": 4}
    from app.services.petitions import Petitions
    from app.services.disputes import Disputes
    board = Petitions(hall, today=lambda: TODAY).board()
    assert any(row.overdue for row in board)                  # a decision 22 days late
    assert Disputes(hall, today=lambda: TODAY).alerts()      # the high-risk one, untaken


# personal data at rest (issue #11) ------------------------------------------------------------
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
NOT_PERSONAL = ("node.announced", "cadre.registered")   # places and cadres (public)


def names_in(value: object, out: set[str]) -> None:
    """Every value under a key that names a person, anywhere in a payload."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key == "name" or key.endswith(".name")
                                          or key in ("applicant", "petitioner", "party")):
                out.add(item)
            names_in(item, out)
    elif isinstance(value, list):
        for item in value:
            names_in(item, out)


def personal_data(seeded: Seeded) -> tuple[set[str], set[str]]:
    """(names, numbers) of the residents the township holds, read from its databases
    with their keys: every ID number and phone, every person's name but the cadres'."""
    names: set[str] = set()
    public: set[str] = set()
    text = []
    for spec in (*VILLAGES, TOWN, COUNTY):
        station = seeded.open(spec.folder)
        try:
            public |= {c.name for c in list_cadres(station.data)}
            for kind, payload in station.store.conn.execute("SELECT type, payload FROM events"):
                body = json.loads(payload)
                names_in(body, public if kind in NOT_PERSONAL else names)
                text.append(payload)
        finally:
            station.close()
    joined = "\n".join(text)
    numbers = set(ID_NUMBER.findall(joined)) | set(PHONE.findall(joined))
    return {n for n in names - public if len(n) >= 2}, numbers


def forms_of(text: str) -> list[bytes]:
    """How a string can lie in a file: UTF-8, or JSON-escaped (\\uXXXX)."""
    return [text.encode("utf-8"), json.dumps(text).encode("ascii")[1:-1]]


def test_no_resident_name_id_number_or_phone_lies_in_clear_on_disk(seeded: Seeded) -> None:
    names, numbers = personal_data(seeded)
    assert len(names) >= 20 and len(numbers) >= 20          # the check has something to find
    # A station unlocked and writing (its WAL holds fresh pages), a receipt printed: the
    # state in which a tablet is taken from a desk.
    home = seeded.open("station")
    try:
        desk = Desk(home, today=lambda: TODAY)
        cadre = next(iter(home.keyring.holders()))
        taken = desk.intake(cadre, IntakeForm(
            name="欧阳淑珍", phone="13987654321", matter_code="SB-005", summary="开具证明",
            id_number="11010519491231002X", group="三组", address="王湾村三组12号"))
        printed = print_receipt(desk, taken.record)
        assert printed.is_file() and printed.is_relative_to(home.data)
        wal = home.data / "station.sqlite-wal"
        assert wal.exists() and wal.stat().st_size > 0
        names |= {"欧阳淑珍"}
        numbers |= {"13987654321"}
        files = [p for p in sorted(seeded.root.rglob("*")) if p.is_file()]
        kinds = {p.name.rsplit(".", 1)[-1] for p in files}
        assert {"sqlite", "sqlite-wal", "keys", "log", "key", "json"} <= kinds, kinds
        # The app empties prints/ whenever it locks (sign-out, idle) and at start/stop.
        assert clear_prints(home.data) == 1
        files = [p for p in sorted(seeded.root.rglob("*")) if p.is_file()]
        found = []
        for path in files:
            raw = path.read_bytes()
            for secret in (*names, *numbers):
                if any(form in raw for form in forms_of(secret)):
                    found.append((str(path.relative_to(seeded.root)), secret))
        assert found == []
    finally:
        home.close()


def test_supervision_reports_and_cases_are_there_sealed(seeded: Seeded) -> None:
    """Issue #13: the 纪委 devices hold the reports and the cases in every stage; a
    village tablet holds its reports sealed and cannot open them."""
    from app.launch.demo_supervision import COUNTY_JIWEI, REPORTS, TOWN_JIWEI
    from app.sealing import can_open
    from app.services.discipline import DisciplineDesk
    assert seeded.summary["supervision"] == {"reports": len(REPORTS), "cases": 3}
    for spec in (TOWN_JIWEI, COUNTY_JIWEI):
        station = seeded.open(spec.folder)
        try:
            desk = DisciplineDesk(station, today=lambda: TODAY)
            reports = desk.reports()
            assert len(reports) == len(REPORTS)
            assert sum(1 for r in reports if r["case"] is None) == 1
            states = sorted(c.status for c in desk.cases())
            assert states == ["closed", "investigating", "replied"]
            replied = next(c for c in desk.cases() if c.status == "replied")
            assert {r["kind"] for r in replied.reviews} == {"主体责任", "监督责任"}
            assert [e["name"] for e in desk.integrity_file()][:1] == ["王某"]
        finally:
            station.close()
    village = seeded.open(VILLAGES[0].folder)
    try:
        assert not can_open(village)
        rows = village.store.conn.execute("SELECT receipt_no FROM sealed_accusations").fetchall()
        assert len(rows) == 2 and all(r[0] for r in rows)
    finally:
        village.close()


def test_the_village_supervision_committee_is_there_with_an_answered_opinion(
        seeded: Seeded) -> None:
    """Issue #13 §3: 王湾村's tablet is certified for its 监委会; its committee passes the
    Art 32 check; 王德明 signs in with his own account; an inspection with its photo; two
    opinions, one answered by the town — at the town and back at the village."""
    from app.accounts import SUPERVISOR_ROLE, cadre_roles
    from app.services.oversight import Oversight
    assert seeded.summary["oversight"] == {"members": 3, "inspections": 1, "opinions": 2,
                                           "answered": 1, "keys_certified": 1}
    village = seeded.open(VILLAGES[0].folder)
    try:
        svc = Oversight(village, today=lambda: TODAY)
        assert svc.certified()
        committee = svc.committee("王湾村")
        assert committee.eligibility.ok and len(committee.reviews) == 1
        member = next(c for c in list_cadres(village.store) if c.name == "王德明")
        assert SUPERVISOR_ROLE in cadre_roles(village.store, member.id)
        assert svc.member_of(member)["id"] == "m:王德明"
        assert svc.key_certified(member)     # his own key, certified by the town center
        [inspection], refused = svc.inspections()
        signed = [json.loads(p) for (p,) in village.store.conn.execute(
            "SELECT payload FROM events WHERE type IN ('supervisor.opinion_sent', "
            "'supervisor.inspection_recorded')")]
        assert len(signed) == 3 and all(p.get("signature") for p in signed)
        assert refused == [] and village.blobs.read(inspection.attachments[0]["sha256"])
        statuses = sorted(o.status(svc.answer_days(), TODAY) for o in svc.opinions())
        assert statuses == ["已答复", "待镇里答复"]
    finally:
        village.close()
    town = seeded.open(TOWN.folder)
    try:
        desk = Oversight(town, today=lambda: TODAY)
        assert len(desk.opinions()) == 2 and desk.group()["members"][0]["post"] == "组长"
        assert all(not o.rejected for o in desk.opinions())    # each signed by 王德明's key
        assert desk.key_offers() == []
        [count] = desk.on_time().values()
        assert (count.good, count.bad, count.pending) == (1, 0, 1)
    finally:
        town.close()


@pytest.fixture
def jiwei(seeded: Seeded) -> Iterator[Station]:
    from app.launch.demo_supervision import TOWN_JIWEI
    station = seeded.open(TOWN_JIWEI.folder)
    yield station
    station.close()


def test_the_assessment_of_the_seeded_year(seeded: Seeded, jiwei: Station, tmp_path: Path) -> None:
    """Issue #13 §4: the year's scheme and marks the demo seeded on the 纪委's tablet; each
    quantitative criterion against an independent count of the station's records, the
    trimmed mean of the five assessors, totals and ranking, stars, the .xlsx read back."""
    from openpyxl import load_workbook
    from app.launch.demo_assessment import ASSESSORS, CRITERIA, MARKS
    from app.services.assessment import Assessments
    from app.services.decisions import VillageDecisions
    conn = jiwei.store.conn
    desk = Assessments(jiwei, today=lambda: TODAY)
    outcome = desk.outcome(TODAY.year)
    assert outcome.problem == "" and outcome.missing == [] and outcome.aside == ()
    assert seeded.summary["assessment"]["ranked"] == [r.village for r in outcome.results]
    assert sorted(r.village for r in outcome.results) == sorted(spec.name for spec in VILLAGES)
    assert [c["code"] for c in CRITERIA] == [c.criterion.code for c in outcome.results[0].score.criteria]
    publicity = VillageDecisions(jiwei, today=lambda: TODAY)
    order = [u.village for u in outcome.year.units]
    for result in outcome.results:
        by = {c.criterion.code: c for c in result.score.criteria}
        on_time = conn.execute(
            "SELECT SUM(closed_on IS NOT NULL AND closed_on<=due), SUM(closed_on>due OR"
            " (closed_on IS NULL AND due<?)) FROM cases WHERE village=? AND accepted_on LIKE"
            " '2026-%'", (TODAY.isoformat(), result.village)).fetchone()
        good, bad = int(on_time[0] or 0), int(on_time[1] or 0)
        assert f"按期办结{good}件、超期{bad}件" in by["办件"].text, by["办件"].text
        failed = conn.execute("SELECT COUNT(*) FROM disputes WHERE village=? AND status='referred'"
                              " AND received_on LIKE '2026-%'", (result.village,)).fetchone()[0]
        assert by["调解"].points == max(0, 15 - 5 * failed)
        # every petition of the demo was answered within days of acceptance: all on time
        answered, open_ = conn.execute(
            "SELECT SUM(answered_on IS NOT NULL), SUM(answered_on IS NULL) FROM petitions WHERE village=?"
            " AND category<>'建议意见' AND accepted_on IS NOT NULL AND status NOT IN"
            " ('refused','transferred')", (result.village,)).fetchone()
        assert f"按期办结{int(answered or 0)}件、超期0件" in by["信访"].text, by["信访"].text
        if open_:
            assert f"另有{open_}件尚未到期" in by["信访"].text
        node = conn.execute("SELECT id FROM nodes_dir WHERE name=?", (result.village,)).fetchone()[0]
        dues = [d for d in publicity.publicity(node) if d.due.year == 2026 and d.status != "待公开"]
        late = sum(1 for d in dues if d.overdue)
        assert f"共{len(dues)}次，其中按时公开{len(dues) - late}次、逾期{late}次" in by["公开"].text
        # the five assessors' marks, trimmed: highest and lowest dropped
        row = MARKS["廉洁"][order.index(result.village) % len(MARKS["廉洁"])]
        kept = sorted(row)[1:-1]
        assert by["廉洁"].points == Fraction(sum(Fraction(str(m)) for m in kept)) / 3
        assert all(name in by["廉洁"].text for name, _ in ASSESSORS)
        assert result.total == str(shown_total(result))
    assert "村务公开按时公开率：共" in outcome.results[0].score.criteria[3].text
    ranks = [r.rank for r in outcome.results]
    assert ranks == sorted(ranks) and ranks[0] == 1
    path = desk.export_xlsx(TODAY.year, tmp_path / "考核.xlsx")
    book = load_workbook(path)
    rows = list(book["考核结果"].iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [(r.rank, r.village) for r in outcome.results]
    assert [row[3] for row in rows] == [float(r.total) for r in outcome.results]
    assert any("按期办结" in (row[4] or "") for row in book["计分说明"].iter_rows(values_only=True))
    assert ["分数线依据", outcome.year.band_source] in [list(r[:2]) for r in book["考评方案"].iter_rows(values_only=True)]


def shown_total(result) -> object:
    from app.domain.supervision.scoring import shown
    return shown(result.score.total, 2)


def test_the_assessment_paper_reads_back(jiwei: Station, tmp_path: Path) -> None:
    import subprocess
    from app.services.assessment import Assessments
    desk = Assessments(jiwei, today=lambda: TODAY)
    pdf = desk.export_pdf(TODAY.year, tmp_path / "考核结果.pdf")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout.replace(" ", "")
    assert "得分和名次" in text and "便民服务按期办结" in text and "评分人：周正、吴清" in text
    for result in desk.outcome(TODAY.year).results:
        assert result.village in text and result.total in text
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf),
                    str(artifacts / "assessment")], check=True)


# village decisions (issue #12) ----------------------------------------------------------------
def test_village_decisions_stand_at_every_step_and_the_town_sees_them(seeded: Seeded,
                                                                      hall: Station) -> None:
    from app.services.decisions import VillageDecisions
    assert seeded.summary["decisions"] == {"王湾村": 5, "李庄村": 3}
    town = VillageDecisions(hall, today=lambda: TODAY)
    rows = town.matters()
    assert {r["status"] for r in rows} == {"draft", "已报备", "补正", "不同意", "同意"}
    assert {r["current"] for r in rows} >= {"propose", "review", "implement", None}
    assert [r["title"] for r in town.inbox()] == ["村东坑塘承包给本村养殖户"]
    # the failed 代表会议 is in the file, then the one that passed
    road = next(r["record"] for r in rows if r["title"] == "村组道路安装路灯")
    history = [h.status for h in town.view(road).state.history if h.step == "resolve"]
    assert history == ["未通过", "已通过"]
    chart = town.by_village()
    assert {entry["name"] for entry in chart.values()} == {"王湾村", "李庄村"}
    assert any(entry["overdue"] for entry in chart.values())      # a quarter not published
    village = seeded.open(VILLAGES[0].folder)
    try:
        mine = VillageDecisions(village, today=lambda: TODAY)
        assert not any(w.code == "women_share" for w in mine.roster_warnings())
        assert len(mine.roster()) == 69
    finally:
        village.close()
