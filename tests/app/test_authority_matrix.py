"""The authority matrix over real sync (issue #7): for each role — village A, village B,
the town center, the town 纪委, a county window, a station of another town — and each
kind of event: who may write it, who receives it, who can read it; asserted both ways
(who must, who must not).

Real hub processes and app stations (tests.support.township). The expectations are
written out here by hand from the rules (DESIGN.md "Scope" and "Authority", RULES.md),
not read from the code under test.

Write: a role allowed to write an event type writes it through its own store and its
hub stores it; a role not allowed is refused twice: by its own store (the app never
writes it) and, when its tablet forges the same event with its key, by its hub (403).
Receive: after everyone synced, who holds each written event. Read: who sees it in the
app — the record in its query tables; a town's rules in force; the 纪委's sealing key
used; a 检举控告's content opened.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest

from app.domain.petition.sealed import sealed_payload
from app.sealing import discipline_keys, ensure_seal_key, open_sealed, seal_for_discipline
from app.services.dispute_screenings import ScreeningForm
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from app.services.risk import RiskAssessments
from app.services.rules import load_rules
from sync import log
from sync.db import transaction
from sync.errors import StoreError
from sync.events import seal
from sync.ids import uuid7
from sync.store import NewEvent
from tests.domain.builders import payload_for
from tests.domain.supervision.support import member_key, signed
from tests.support.township import ROLES, TODAY, Place, Township
from tests.support.waiting import until
from tests.sync.crafted import visit

TOWN_ONE = ("A", "B", "center", "jiwei")          # the town 新集镇, with its stations
TOWN_LEVEL = ("center", "jiwei")                   # its town-level stations
VILLAGES = ("A", "B", "other")
HOLIDAY_YEAR = {"center": 2040, "jiwei": 2041, "window": 2042}


# what each role writes ------------------------------------------------------------------
@dataclass
class Spec:
    """One event type: whom the rules let write it, and how a role writes it."""
    kind: str
    event_type: str
    writers: tuple[str, ...]
    make: Callable[[Place, "Samples"], tuple[str, dict[str, Any], str | None]]


@dataclass
class Samples:
    """Payloads the town center wrote through the app's own services, reused by others,
    and each role's own case and dispute (the steps act on them)."""
    dispute: dict[str, Any]
    screening: dict[str, Any]
    petition: dict[str, Any]
    risk: dict[str, Any]
    ciphertext: str
    cases: dict[str, str]
    disputes: dict[str, str]
    cadres: dict[str, str]
    opinion: str = ""          # 王湾村's 监委会 opinion (the town answers it)
    village_a: str = ""        # 王湾村's node id (the town certifies its member's key)


def _receipt(place: Place, number: int) -> str:
    """A receipt number under the place's own station code (its check digits are not
    what is under test here)."""
    return f"{place.station.short_code}-261127-{9000 + number:04d}-00"


def _announce(place: Place, samples: Samples) -> tuple[str, dict[str, Any], str | None]:
    key = ensure_seal_key(place.station.store) if place.role == "jiwei" \
        else "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
    return place.id, {"name": place.station.name, "level": place.station.level,
                      "hub": place.station.hub_id() or "",
                      "short_code": place.station.short_code or "", "seal_key": key}, None


SPECS = [
    Spec("visit", "visit.logged", ROLES, lambda p, s: (uuid7(), visit(), None)),
    Spec("complaint", "petition.accusation_sealed", ROLES, lambda p, s: (
        uuid7(), sealed_payload(s.ciphertext, TODAY, p.station.level), None)),
    Spec("config", "config.set", ("center", "jiwei", "window"), lambda p, s: (
        uuid7(), {"key": f"calendar.holidays.{HOLIDAY_YEAR.get(p.role, 2043)}",
                  "value": {"holidays": [f"{HOLIDAY_YEAR.get(p.role, 2043)}-05-02"],
                            "workdays": []}, "note": "依据通知"}, None)),
    Spec("cadre", "cadre.registered", ROLES, lambda p, s: (
        s.cadres[p.role], {"name": "张建军", "post": "委员"}, None)),
    # 忘记密码: the place's cadre vouches for the 张建军 it registered just before
    Spec("cadre", "cadre.password_reset", ROLES, lambda p, s: (
        s.cadres[p.role], {"method": "colleague"}, None)),
    Spec("duty", "duty.scheduled", ROLES, lambda p, s: (
        uuid7(), {"date": TODAY.isoformat(), "shift": "全天", "cadre": p.cadre.id,
                  "cadre_name": p.cadre.name, "role": "带班"}, None)),
    Spec("svc_case", "svc.accepted", ROLES, lambda p, s: (
        s.cases[p.role], payload_for("svc.accepted", receipt_no=_receipt(p, 1)), None)),
    Spec("svc_case", "svc.escalated", VILLAGES, lambda p, s: (
        s.cases[p.role], payload_for("svc.escalated"), p.station.hub_id())),
    Spec("svc_case", "svc.replied", ("window",), lambda p, s: (
        s.cases[p.role], payload_for("svc.replied"), None)),
    Spec("node", "node.announced", ("jiwei",), _announce),
    Spec("dispute", "dispute.registered", ROLES, lambda p, s: (
        s.disputes[p.role], s.dispute, None)),
    Spec("dispute", "dispute.taken", ("center", "jiwei", "window"), lambda p, s: (
        s.disputes[p.role], {"on": TODAY.isoformat(), "by": {"name": p.cadre.name}}, None)),
    Spec("dispute_screening", "dispute.screened", ROLES, lambda p, s: (
        uuid7(), s.screening, None)),
    Spec("petition", "petition.registered", ROLES, lambda p, s: (
        uuid7(), {**s.petition, "receipt_no": _receipt(p, 2)}, None)),
    Spec("risk_assessment", "risk.planned", ROLES, lambda p, s: (uuid7(), s.risk, None)),
    # 村级民主决策 (issue #12): a village opens its matters and keeps its roster
    Spec("village_matter", "decision.matter_opened", VILLAGES, lambda p, s: (
        uuid7(), _matter(), None)),
    # 村务监督委员会 (issue #13 §3): only 王湾村's tablet, certified for its 监委会, writes
    # inspections and opinions; only a town station answers; the town keeps its 监督组
    # (each signed by the member m1's own key, certified by the town center: _committee)
    Spec("village_supervision", "supervisor.inspection_recorded", ("A",), lambda p, s: _signed(
        p, "supervisor.inspection_recorded", {**_report(), "findings": "公开栏10月财务未更新"})),
    Spec("village_supervision", "supervisor.opinion_sent", ("A",), lambda p, s: _signed(
        p, "supervisor.opinion_sent", {**_report(), "text": "请镇里督促公开修路款明细"})),
    # a member's own key: offered by 王湾村's 监委会 tablet, certified by a town station of
    # its own town and handed to the village (here for member m2)
    Spec("member_key", "supervisor.member_key_offered", ("A",), lambda p, s: (
        uuid7(), {"member": {"id": "m2", "name": "李秀珍"}, "key": M2_PUBLIC}, None)),
    Spec("member_key", "supervisor.member_key_certified", TOWN_LEVEL, lambda p, s: (
        uuid7(), {"village": s.village_a, "member": {"id": "m2", "name": "李秀珍"},
                  "key": M2_PUBLIC}, s.village_a)),
    Spec("supervision_answer", "supervisor.opinion_answered", TOWN_LEVEL, lambda p, s: (
        s.opinion, {"on": TODAY.isoformat(), "answer": "已责成村委会公开",
                    "by": {"name": p.cadre.name}}, None)),
    Spec("supervision_group", "supervisor.group_set", ("jiwei",), lambda p, s: (
        uuid7(), {"on": TODAY.isoformat(), "members": [{"name": "周立新", "post": "组长"}]},
        None)),
    Spec("village_roster", "decision.roster_changed", VILLAGES, lambda p, s: (
        uuid7(), {"on": TODAY.isoformat(), "people": [{"id": uuid7(), "name": "王秀英"}],
                  "officer": {"name": p.cadre.name}}, None)),
    # 百分制 assessment (issue #13 §4): the town's 纪委 device only
    Spec("assessment", "assessment.scheme_set", ("jiwei",), lambda p, s: (
        ASSESSMENT_RECORD, _scheme(), None)),
    Spec("assessment", "assessment.score_given", ("jiwei",), lambda p, s: (
        ASSESSMENT_RECORD, {"year": 2026, "criterion": "廉洁", "assessor": "周正", "on": TODAY.isoformat(),
                            "scores": [{"unit": "王湾村", "score": "20"}]}, None)),
]
ASSESSMENT_RECORD = uuid7()


def _scheme() -> dict[str, Any]:
    return {"year": 2026, "title": "2026年度考评", "criteria": [
        {"code": "办件", "name": "便民服务按期办结", "weight": "50", "kind": "定量", "part": "组织认定",
         "measure": "service_on_time"},
        {"code": "廉洁", "name": "廉洁自律", "weight": "50", "kind": "定性", "part": "群众评判"}],
        "units": [{"village": "王湾村", "secretary": "王振华"}], "assessors": [{"name": "周正"}],
        "star_bands": [{"stars": 1, "min": 60}], "star_source": "镇党委星级化管理办法"}


M1_PRIVATE, M1_PUBLIC = member_key()
_, M2_PUBLIC = member_key()


def _signed(place: Place, event_type: str, payload: dict[str, Any]
            ) -> tuple[str, dict[str, Any], None]:
    """A report as the member's tablet signs it (for any writer: only A's is m1's)."""
    record = uuid7()
    event = {"type": event_type, "record": record, "origin": place.station.node_id,
             "payload": payload}
    return record, signed(event, M1_PRIVATE)["payload"], None


def _report() -> dict[str, Any]:
    return {"member": {"id": "m1", "name": "王德明"}, "on": TODAY.isoformat(),
            "subject": "村务公开"}


def _committee(town: Township) -> str:
    """王湾村's committee (its member m1 signs the reports) and one opinion, written before
    the others act, so the town can answer it."""
    A, center = town["A"], town["center"]
    A.station.store.append(NewEvent("supervisor.committee_set", uuid7(), {
        "village": "王湾村", "elected_on": "2026-03-01", "members": [
            {"id": "m1", "name": "王德明", "accounting": True},
            {"id": "m2", "name": "李秀珍"}], "village_members": [], "relations": []},
        A.cadre.id))
    center.station.store.append(NewEvent("supervisor.member_key_certified", uuid7(), {
        "village": A.station.node_id, "member": {"id": "m1", "name": "王德明"},
        "key": M1_PUBLIC}, center.cadre.id, owner=A.station.node_id))
    center.sync()            # the town hub holds m1's key before A's opinion reaches it
    record, payload, _ = _signed(A, "supervisor.opinion_sent", {**_report(), "text": "请镇里督促"})
    return A.station.store.append(NewEvent("supervisor.opinion_sent", record, payload,
                                           A.cadre.id))["record"]


def _matter() -> dict[str, Any]:
    from app.domain.decisions.rules import DecisionRules
    from app.domain.config import merge_config
    from schemas.config import load_defaults
    rules = DecisionRules.from_config(merge_config(load_defaults(), {}))
    return {"on": TODAY.isoformat(), "title": "修建村组道路", "motion_source": "党员群众建议",
            "reason": "出行难", "kinds": ["公益事业"], "needs_assessment": True,
            "procedure": rules.procedure, "steps": rules.procedures[rules.procedure],
            "officer": {"name": "王"}}


def samples(town: Township) -> Samples:
    center = town["center"]
    disputes = Disputes(center.station, today=lambda: TODAY)
    disputes.register(center.cadre, DisputeForm("邻里关系", [
        PartyForm("张大山", "申请人"), PartyForm("王小河", "被申请人")],
        "两家因排水沟堵塞争吵", "中", village="王湾村", received_at="2026-11-27 09:00"),
        override_reason="当事人直接到镇里申请，村调解室已回避")
    disputes.record_screening(center.cadre, ScreeningForm(screeners="赵委员", none_found=True,
                                                          village="李庄村", on=TODAY))
    Petitions(center.station, today=lambda: TODAY).register(center.cadre, PetitionForm(
        channel="来信", category="申诉求决", petitioners=[PetitionerForm("刘桂芳")],
        summary="反映承包地被占用", request="恢复原界", village="王湾村",
        received_at="2026-11-27 10:00"))
    RiskAssessments(center.station, today=lambda: TODAY).plan(
        center.cadre, matter="东王村集体土地流转", responsible_unit="东王村村委会",
        assessors="王书记、李主任", plan="公示、问卷和入户走访")
    written = {row[0]: json.loads(row[1]) for row in center.station.store.conn.execute(
        "SELECT type, payload FROM events") if row[0] in (
        "dispute.registered", "dispute.screened", "petition.registered", "risk.planned")}
    assert len(written) == 4
    opinion = _committee(town)
    town.sync()
    ciphertext = seal_for_discipline(town["A"].station, "村会计挪用修路款".encode("utf-8"))
    return Samples(written["dispute.registered"], written["dispute.screened"],
                   written["petition.registered"], written["risk.planned"], ciphertext,
                   *({role: uuid7() for role in ROLES} for _ in range(3)), opinion,
                   town["A"].station.node_id)


@pytest.fixture(scope="module")
def written(town: Township) -> dict[tuple[str, str], str]:
    """Every role tries every event type; returns (event type, role) → event id of what
    was written. Refusals are asserted on the way."""
    made = samples(town)
    out: dict[tuple[str, str], str] = {}
    refused: list[tuple[Place, str, str, dict[str, Any], str | None]] = []
    for spec in SPECS:
        for role in ROLES:
            place = town[role]
            record, payload, owner = spec.make(place, made)
            new = NewEvent(spec.event_type, record, payload, place.cadre.id, owner=owner)
            if role in spec.writers:
                out[(spec.event_type, role)] = place.station.store.append(new)["id"]
                continue
            with pytest.raises(StoreError) as caught:
                place.station.store.append(new)
            assert caught.value.code in ("wrong_level", "role_required"), caught.value
            refused.append((place, spec.event_type, record, payload, owner))
    town.sync()
    before = town.hub_states()
    for place, event_type, record, payload, owner in refused:
        tablet = place.tablet()
        reply = tablet.push([tablet.event(event_type, record, payload, owner=owner)])
        assert reply.status_code == 403, (place.role, event_type, reply.text)
        assert reply.json()["code"] in ("wrong_level", "role_required"), reply.json()
    assert town.hub_states() == before
    town.sync()
    return out


def test_who_may_write_each_kind(town: Township, written: dict[tuple[str, str], str]) -> None:
    """Each allowed role's event is at its hub and up at the county; no refused one is
    anywhere (checked as they were refused, in `written`)."""
    for spec in SPECS:
        for role in ROLES:
            assert ((spec.event_type, role) in written) is (role in spec.writers), \
                (spec.event_type, role)
    for (event_type, role), event_id in written.items():
        for hub in (town[role].hub, town.county):
            with closing(hub.db()) as conn:
                assert _holds(conn, event_id), (event_type, role, hub.url)


# who receives ----------------------------------------------------------------------------
def receives(kind: str, writer: str, reader: str) -> bool:
    """DESIGN.md "Scope", by hand: a node receives its own records; a village nothing of
    another's; the town's stations all of their town's; a county station the county's.
    The node directory goes everywhere; a town's rules to its own town only, the
    county's everywhere; a 检举控告 to its town's 纪委 only."""
    if reader == writer or kind == "node":
        return True
    if kind == "supervision_answer" and reader == "A":
        return True   # the answer is on 王湾村's own record: it comes back down
    if kind == "config":
        return writer == "window" or reader in TOWN_ONE
    if kind == "member_key" and reader == "A":
        return True   # a certified key is handed to 王湾村: it comes back down
    if kind == "complaint":
        return reader == "jiwei" and writer in TOWN_ONE
    if reader == "window":
        return True
    return reader in TOWN_LEVEL and writer in TOWN_ONE


def test_who_receives_each_kind(town: Township, written: dict[tuple[str, str], str]) -> None:
    for spec in SPECS:
        for writer in spec.writers:
            event_id = written[(spec.event_type, writer)]
            for reader in ROLES:
                held = _holds(town[reader].station.store.conn, event_id)
                assert held is receives(spec.kind, writer, reader), \
                    (spec.event_type, writer, reader, held)


# who reads -------------------------------------------------------------------------------
RECORD_TABLES = {"visit": ("visits", "record"), "cadre": ("cadres", "id"),
                 "duty": ("duty", "record"), "svc_case": ("cases", "record"),
                 "dispute": ("disputes", "record"), "petition": ("petitions", "record"),
                 "dispute_screening": ("screenings", "record"),
                 "risk_assessment": ("risk_assessments", "record"),
                 "village_matter": ("village_matters", "record"),
                 "village_roster": ("village_registers", "record")}


def reads(town: Township, spec: Spec, writer: str, reader: str, event_id: str) -> bool:
    station = town[reader].station
    conn = station.store.conn
    if spec.kind == "config":
        year = HOLIDAY_YEAR[writer]
        return year in load_rules(conn).config.town_holidays()
    if spec.kind == "node":
        return town["jiwei"].id in discipline_keys(station)
    row = conn.execute("SELECT record, payload FROM events WHERE id=?", (event_id,)).fetchone()
    if row is None:
        return False
    if spec.kind == "assessment":
        from app.services.assessment import Assessments
        folded = Assessments(station, town=town["jiwei"].station.hub_id()).events()
        return event_id in {e["id"] for e in folded}
    if spec.kind == "complaint":
        try:
            open_sealed(station, json.loads(row[1])["sealed"])
        except Exception:   # noqa: BLE001 — any refusal to open means: cannot read
            return False
        return True
    if spec.kind == "village_supervision":   # folded from the log (app.services.oversight)
        from app.services.oversight import Oversight
        oversight = Oversight(station, today=lambda: TODAY)
        shown = [o.record for o in oversight.opinions()] + \
            [i.record for i in oversight.inspections()[0]]
        return row[0] in shown
    if spec.kind == "member_key":   # offered: listed to check; certified: in force
        from app.services.oversight import Oversight
        oversight = Oversight(station, today=lambda: TODAY)
        if spec.event_type == "supervisor.member_key_offered":
            return row[0] in {o["record"] for o in oversight.key_offers(pending=False)}
        return M2_PUBLIC in oversight.keys().keys.get((town["A"].station.node_id, "m2"), ())
    table, key = RECORD_TABLES[spec.kind]
    return conn.execute(f"SELECT 1 FROM {table} WHERE {key}=?", (row[0],)).fetchone() \
        is not None


def can_read(kind: str, writer: str, reader: str) -> bool:
    """By hand: what is received is shown; but only the 纪委 opens a 检举控告, only the
    county's rules and a station's own town's are in force, and only a station of the
    纪委's own town seals with its key."""
    if kind == "complaint":
        return reader == "jiwei" and writer in TOWN_ONE
    if kind == "node":
        return reader in TOWN_ONE
    return receives(kind, writer, reader)


def test_who_can_read_each_kind(town: Township, written: dict[tuple[str, str], str]) -> None:
    for spec in SPECS:
        if spec.event_type in ("svc.escalated", "svc.replied", "dispute.taken",
                               "supervisor.opinion_answered", "supervisor.group_set"):
            continue   # steps: their record is read through its creation (the answer:
            # tests/app/test_oversight_sync.py; the 监督组 roster is received, not a record)
        for writer in spec.writers:
            event_id = written[(spec.event_type, writer)]
            for reader in ROLES:
                assert reads(town, spec, writer, reader, event_id) is \
                    can_read(spec.kind, writer, reader), (spec.event_type, writer, reader)


def _holds(conn: sqlite3.Connection, event_id: str) -> bool:
    return conn.execute("SELECT 1 FROM events WHERE id=?", (event_id,)).fetchone() is not None


def test_a_station_of_another_town_reads_nothing_of_this_town(
        town: Township, written: dict[tuple[str, str], str]) -> None:
    """The summary line of the matrix, both ways round: 柳河村 holds of 新集镇 only the
    node directory, and 新集镇's villages hold nothing of 柳河村 but its announcement."""
    other = town["other"].station.store.conn
    mine = {r for (r,) in other.execute("SELECT id FROM events WHERE origin<>?",
                                        (town["other"].id,))}
    foreign_kinds = {k for (k,) in other.execute(
        "SELECT DISTINCT kind FROM events WHERE origin IN (?,?,?,?)",
        tuple(town[r].id for r in TOWN_ONE))}
    assert mine and foreign_kinds == {"node"}
    for village in ("A", "B"):
        kinds = {k for (k,) in town[village].station.store.conn.execute(
            "SELECT DISTINCT kind FROM events WHERE origin=?", (town["other"].id,))}
        assert kinds == {"node"}, village


# 忘记密码 on another station's cadre --------------------------------------------------------
def test_a_password_is_reset_only_by_the_cadres_own_station_vouched_by_its_own_cadre(
        town: Township, written: dict[tuple[str, str], str]) -> None:
    """`cadre.password_reset` (app.password_reset) both ways round: every role resets
    its own cadre's 密码 (the matrix above); no role resets another station's cadre, nor
    signs a reset with another station's cadre as the colleague who vouched — its own
    store refuses it, its hub refuses the forged push (403, nothing stored), and a
    station that is served one anyway (a hub that did not check) quarantines it, and
    the county hub refuses it when the town relays it."""
    town.sync()
    before = town.hub_states()
    reset = {"method": "colleague"}
    for role in ROLES:
        place = town[role]
        tablet = place.tablet()
        for target in ROLES:
            if target == role:
                continue
            theirs = town[target].cadre.id
            for record, author, code in ((theirs, place.cadre.id, "not_own_record"),
                                         (place.cadre.id, theirs, "not_own_cadre")):
                with pytest.raises(StoreError) as caught:
                    place.station.store.append(NewEvent("cadre.password_reset", record,
                                                        reset, author))
                assert caught.value.code == code, (role, target, caught.value)
                reply = tablet.push([tablet.event("cadre.password_reset", record, reset,
                                                  author=author)])
                assert reply.status_code == 403, (role, target, reply.text)
                assert reply.json()["code"] == code, (role, target, reply.json())
    assert town.hub_states() == before
    # Defence in depth: village A's reset of 李庄村's cadre, continuing A's chain straight
    # in the town hub's file (a hub that did not check), is refused by the stations it
    # reaches and by the county hub.
    A, B = town["A"], town["B"]
    hub = town.town.open()
    try:
        town_hub, (seq, prev) = hub.hub_id, log.head(hub.conn, A.id)
        forged = seal({"id": uuid7(), "origin": A.id, "seq": seq + 1,
                       "hlc": A.station.store.clock.now(), "type": "cadre.password_reset",
                       "v": 1, "record": B.cadre.id, "kind": "cadre", "author": A.cadre.id,
                       "owner": None, "payload": reset}, prev)
        with transaction(hub.conn):
            log.insert(hub.conn, [forged])
            hub._index([forged])
    finally:
        hub.close()
    states = town.station_states()
    for role in ("center", "jiwei", "B"):
        town[role].sync()
    for role in ("center", "jiwei", "B"):     # B: it is B's record; the town's stations
        conn = town[role].station.store.conn
        assert not _holds(conn, forged["id"]), role
        assert conn.execute("SELECT code FROM quarantine ORDER BY id DESC LIMIT 1"
                            ).fetchone() == ("not_own_record",), role
        kept = {k: v for k, v in town[role].state().items() if k != "quarantine"}
        assert kept == {k: v for k, v in states[role].items() if k != "quarantine"}, role
    until(lambda: "not_own_record" in town.problems("county", town_hub),
          "the county hub to refuse the relayed reset")
    with closing(town.county.db()) as conn:
        assert not _holds(conn, forged["id"])
