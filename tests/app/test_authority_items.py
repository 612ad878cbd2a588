"""Issue #7, one test per numbered attack (items 1–4, 7–9, 11), against real hub processes.

A village tablet is in an attacker's hands: its own key and token drive a malicious
tablet (tests.support.malicious) that forges at will. For each attack: the first hub (the
attacker's town hub) refuses it with a 403 problem+json and a stable code, and records
the refusal; nothing is stored at any hub (every table of the county and both town hubs,
read from their SQLite files, is unchanged after the relays ran); and no honest station's
state changes (events, state hash, quarantine, query tables), after every station synced
again. Item 11 is on the way down: a station refuses and reports what its hub did not sign
or what no certified origin may have written.

The township (tests.support.township): 王湾村 (A, the attacker) and 李庄村 (B) under the
town hub 新集镇 with its center and its 纪委 tablets, a county window, and 柳河村 under a
second town.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import httpx
import pytest

import app.station
from app.services.desk import IntakeForm
from app.services.errors import ServiceError
from app.services.petitions import Petitions
from app.services.rules import load_rules
from app.services.syncing import status_line
from app.services.townrules import set_holidays
from app.sealing import discipline_keys, open_sealed, seal_for_discipline
from sync import log, wire
from sync.canonical import GENESIS
from sync.client import HubClient
from sync.db import transaction
from sync.errors import StoreError
from sync.events import seal, to_pull
from sync.hub.store import HubStore
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.status import sync_status
from sync.store import NewEvent
from sync.tls import pinned_context
from tests.support.township import TODAY, Place, Township
from tests.sync.crafted import problem_of

FAKE_SEAL_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="   # 32 bytes, not the 纪委's


class Unchanged:
    """Snapshots of every hub and honest station; `check()` syncs everyone and compares."""

    def __init__(self, town: Township) -> None:
        self.town = town
        town.sync()
        self.hubs, self.stations = town.hub_states(), town.station_states()

    def check(self) -> None:
        self.town.sync()
        assert self.town.hub_states() == self.hubs, "a hub stored something of the attack"
        assert self.town.station_states() == self.stations, "an honest station changed"


def refused(reply: httpx.Response, code: str) -> dict[str, Any]:
    body = problem_of(reply, 403, code)
    assert [p["code"] for p in body["problems"]] == [code]
    return body


def intake(place: Place, phone: str = "13812345678") -> Any:
    return place.desk.intake(place.cadre, IntakeForm(
        name="王秀英", phone=phone, matter_code="SB-001", summary="申请城乡居民养老保险参保登记",
        materials_present=["居民身份证"]))


def public_status(town: Township, receipt: str, digits: str) -> dict[str, Any]:
    reply = town.town.post("/status/query",
                       data={"receipt": receipt, "phone4": digits},
                       headers={"accept": "application/json"}, timeout=10.0)
    return reply.json()


def case_status(place: Place, record: str) -> str | None:
    row = place.station.store.conn.execute("SELECT status FROM cases WHERE record=?",
                                           (record,)).fetchone()
    return row[0] if row else None


# item 1 -------------------------------------------------------------------------------------
def test_1_an_announcement_speaks_for_its_author_only_and_seal_keys_come_from_the_jiwei(
        town: Township) -> None:
    A, B, jiwei = town["A"], town["B"], town["jiwei"]
    snapshot = Unchanged(town)
    keys = discipline_keys(B.station)
    assert list(keys) == [jiwei.id]
    tablet = A.tablet()
    hub_id = A.station.hub_id()
    reply = tablet.push([tablet.event("node.announced", jiwei.id, {
        "name": "新集镇纪委", "level": "town", "hub": hub_id, "seal_key": FAKE_SEAL_KEY})])
    refused(reply, "not_self")
    reply = tablet.push([tablet.event("node.announced", A.id, {
        "name": "王湾村", "level": "village", "hub": hub_id, "seal_key": FAKE_SEAL_KEY})])
    refused(reply, "role_required")
    with pytest.raises(StoreError):   # nor would the real app write it
        A.station.store.append(NewEvent("node.announced", A.id, {
            "name": "王湾村", "level": "village", "seal_key": FAKE_SEAL_KEY}, "system"))
    assert town.problems("town", A.id)[-2:] == ["not_self", "role_required"]
    snapshot.check()
    # Every station of the town still seals for the real 纪委 device only, which opens it.
    for role in ("B", "center", "A"):
        assert discipline_keys(town[role].station) == keys
    filed = Petitions(B.station, today=lambda: TODAY).file_accusation(
        B.cadre, content="村会计挪用修路款", accused=[{"name": "王某"}], channel="来访",
        seal=seal_for_discipline, received_at="2026-11-27 09:00")
    town.sync()
    [(payload,)] = jiwei.station.store.conn.execute(
        "SELECT payload FROM events WHERE record=?", (filed["record"],)).fetchall()
    assert b"\xe6\x8c\xaa\xe7\x94\xa8" in open_sealed(jiwei.station, json.loads(payload)["sealed"])


# item 2 -------------------------------------------------------------------------------------
def test_2_a_village_stays_a_village_whatever_it_announces(town: Township) -> None:
    A, B, center = town["A"], town["B"], town["center"]
    taken = intake(B, phone="13800002222")
    B.desk.escalate(B.cadre, taken.record, "需镇里入户调查")
    snapshot = Unchanged(town)
    assert case_status(center, taken.record) == case_status(B, taken.record) == "escalated"
    tablet = A.tablet()
    reply = tablet.push([tablet.event("node.announced", A.id, {
        "name": "王湾村", "level": "town", "hub": A.station.hub_id()})])
    refused(reply, "not_certified")
    reply = tablet.push([tablet.event("svc.closed", taken.record, {
        "on": TODAY.isoformat(), "outcome": "resolved", "result": "已办结"})])
    refused(reply, "not_holder")
    snapshot.check()
    # Stations and the hub's own fold agree: still with the town.
    for role in ("B", "center", "jiwei", "window"):
        assert case_status(town[role], taken.record) == "escalated", role
    assert public_status(town, taken.receipt_no, "2222")["status"] == "办理中（已报镇便民服务中心办理）"
    assert town["A"].station.store.conn.execute(
        "SELECT level FROM nodes_dir WHERE id=?", (A.id,)).fetchone() == ("village",)


def test_2b_a_village_cannot_take_another_villages_name(town: Township) -> None:
    """Review H3: 王湾村's tablet announces itself as 李庄村 (whose figures the 百分制 and
    every screen show by name). The first hub refuses it (``name_not_certified``), the
    real app's store would not write it, nothing is stored anywhere, and every station's
    directory still names each village as its certificate does."""
    A, B = town["A"], town["B"]
    snapshot = Unchanged(town)
    tablet = A.tablet()
    reply = tablet.push([tablet.event("node.announced", A.id, {
        "name": "李庄村", "level": "village", "hub": A.station.hub_id()})])
    body = refused(reply, "name_not_certified")
    assert "与镇里登记的名称“王湾村”不符" in json.dumps(body, ensure_ascii=False)
    with pytest.raises(StoreError) as info:
        A.station.store.append(NewEvent("node.announced", A.id, {
            "name": "李庄村", "level": "village"}, "system"))
    assert info.value.code == "name_not_certified"
    assert town.problems("town", A.id)[-1:] == ["name_not_certified"]
    snapshot.check()
    for role in ("A", "B", "center", "jiwei", "window"):
        names = dict(town[role].station.store.conn.execute(
            "SELECT id, name FROM nodes_dir WHERE id IN (?,?)", (A.id, B.id)))
        assert names == {A.id: "王湾村", B.id: "李庄村"}, role


# item 3 -------------------------------------------------------------------------------------
def test_3_a_village_certifies_no_one(town: Township) -> None:
    A, B = town["A"], town["B"]
    taken = intake(B, phone="13800003333")
    B.desk.escalate(B.cadre, taken.record, "需镇里办理")
    snapshot = Unchanged(town)
    tablet = A.tablet()
    for kind in ("town", "county"):
        child, key = uuid7(), SigningKey.generate()
        closing_step = tablet.event("svc.closed", taken.record, {
            "on": TODAY.isoformat(), "outcome": "resolved", "result": "已办结"})
        reply = tablet.push(certs=[tablet.certify(child, kind, "假镇", key.public_b64,
                                                  ["hub"])],
                            runs=[tablet.run([closing_step], origin=child, key=key)])
        refused(reply, "not_a_hub")
    assert town.problems("town", A.id)[-2:] == ["not_a_hub", "not_a_hub"]
    snapshot.check()
    assert public_status(town, taken.receipt_no, "3333")["status"] == "办理中（已报镇便民服务中心办理）"


# item 4 -------------------------------------------------------------------------------------
def test_4_rules_come_from_a_town_for_its_own_villages_or_from_the_county(
        town: Township) -> None:
    A, center, window = town["A"], town["center"], town["window"]
    snapshot = Unchanged(town)
    tablet = A.tablet()
    forged = {"key": "calendar.holidays.2031", "value": {"holidays": ["2031-03-02"],
                                                          "workdays": []}, "note": "伪造"}
    refused(tablet.push([tablet.event("config.set", uuid7(), forged)]), "wrong_level")
    refused(tablet.push([tablet.event("catalog.matter_retired", uuid7(), {
        "code": "SB-001", "reason": "伪造"})]), "wrong_level")
    with pytest.raises(StoreError):
        A.station.store.append(NewEvent("config.set", uuid7(), forged, A.cadre.id))
    with pytest.raises(ServiceError):
        set_holidays(A.station, A.cadre, 2031, [date(2031, 3, 2)], [], "伪造")
    snapshot.check()

    # The town's own rules reach its villages and are in force there, and nowhere else;
    # the county's are in force everywhere.
    set_holidays(center.station, center.cadre, 2028, [date(2028, 10, 9)], [], "镇里通知")
    set_holidays(window.station, window.cadre, 2029, [date(2029, 10, 9)], [], "县里通知")
    town.sync()
    for role, place in town.places.items():
        years = load_rules(place.station.store.conn).config.town_holidays()
        in_town = role in ("A", "B", "center", "jiwei")
        assert (2028 in years) is in_town, role
        assert 2029 in years, role
        held = {json.loads(p)["key"] for (p,) in place.station.store.conn.execute(
            "SELECT payload FROM events WHERE type='config.set'")}
        assert ("calendar.holidays.2028" in held) is in_town, role


# item 7 -------------------------------------------------------------------------------------
def test_7_only_a_hub_keeps_its_own_id_when_it_enrolls(town: Township) -> None:
    hub = town.town
    _, code = hub.add_node("新河村", "village")
    before = town.hub_states()
    key = SigningKey.generate()
    with town_hub(town) as store:
        claims = [store.hub_id, uuid7(), town["B"].id]
    for claimed in claims:
        reply = hub.post("/v1/enroll", json={
            "code": code, "pubkey": key.public_b64, "node_id": claimed}, timeout=10.0)
        problem_of(reply, 403, "node_id_not_allowed")
    assert town.hub_states() == before
    # The code still works, for a station that takes the id it is given.
    reply = hub.post("/v1/enroll", json={"code": code, "pubkey": key.public_b64},
                       timeout=10.0)
    assert reply.status_code == 200 and reply.json()["node_id"] not in claims


# item 8 -------------------------------------------------------------------------------------
def test_8_no_one_takes_over_another_villages_record(town: Township) -> None:
    A, B, center = town["A"], town["B"], town["center"]
    taken = intake(B, phone="13800008888")
    snapshot = Unchanged(town)
    tablet = A.tablet()
    on = {"on": TODAY.isoformat()}
    refused(tablet.push([tablet.event("svc.updated", taken.record, {
        **on, "fields": {"remark": "转"}, "was": {}}, owner=A.id)]), "owner_not_movable")
    refused(tablet.push([tablet.event("svc.escalated", taken.record, {
        **on, "summary": "上报", "due": "2026-12-11"}, owner=A.id)]), "not_holder")
    receipt = f"{A.station.short_code}-261127-0999-00"
    row = B.station.store.conn.execute(
        "SELECT payload, hlc FROM events WHERE record=? AND type='svc.accepted'",
        (taken.record,)).fetchone()
    payload = dict(json.loads(row[0]), receipt_no=receipt)
    # Stamped just before B's intake (and not below the forger's own last stamps), its
    # creation would sort first and take the record: refused as someone else's record.
    refused(tablet.push([tablet.event("svc.accepted", taken.record, payload, hlc=row[1] - 1)]),
            "record_taken")
    # Stamped far back, below the forger's own earlier events: the clock check stops it
    # first (sync.hub.push, review-night H4), so both doors are shut.
    problem_of(tablet.push([tablet.event("svc.accepted", taken.record, payload, hlc=1 << 40)]),
               422, "clock_went_back")
    snapshot.check()
    with town_hub(town) as store:
        assert store.conn.execute("SELECT creator, owner FROM records WHERE record=?",
                                  (taken.record,)).fetchone() == (B.id, None)
    assert A.station.store.conn.execute("SELECT COUNT(*) FROM events WHERE record=?",
                                        (taken.record,)).fetchone() == (0,)
    # The real station keeps its record: what the town does on it still reaches it.
    center.desk.act(center.cadre, taken.record, "svc.updated", {
        "fields": {"remark": "镇里已电话核实"}, "was": {}})
    town.sync()
    assert B.station.store.conn.execute("SELECT COUNT(*) FROM events WHERE record=?",
                                        (taken.record,)).fetchone() == (2,)


# item 9 -------------------------------------------------------------------------------------
def test_9_a_receipt_number_belongs_to_the_station_whose_code_it_carries(
        town: Township) -> None:
    A, B = town["A"], town["B"]
    taken = intake(B, phone="13800009999")
    snapshot = Unchanged(town)
    shown = public_status(town, taken.receipt_no, "9999")
    assert shown["found"] and shown["status"] == "已受理"
    tablet = A.tablet()
    payload = dict(json.loads(B.station.store.conn.execute(
        "SELECT payload FROM events WHERE record=? AND type='svc.accepted'",
        (taken.record,)).fetchone()[0]))
    payload["applicant"] = {**payload["applicant"], "phone": "13811110000"}
    refused(tablet.push([tablet.event("svc.accepted", uuid7(), payload)]), "receipt_not_yours")
    with pytest.raises(StoreError):
        A.station.store.append(NewEvent("svc.accepted", uuid7(), payload, A.cadre.id))
    snapshot.check()
    assert public_status(town, taken.receipt_no, "9999") == shown
    assert public_status(town, taken.receipt_no, "0000")["found"] is False


# item 11 ------------------------------------------------------------------------------------
class Injector(httpx.HTTPTransport):
    """Someone between a tablet and its hub: adds an event to every pull reply (the
    reply's signature is the hub's, over what the hub sent). Over HTTPS he would need
    the hub's TLS key too (tests/sync/test_mitm.py): here he sits inside the tablet's
    pinned link, so the reply signature is what is tested."""

    def __init__(self, forged: dict[str, Any], cert: str | None) -> None:
        super().__init__(verify=pinned_context(cert) if cert else True)
        self.forged = forged
        self.injected = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path != "/v1/pull" or response.status_code != 200:
            return response
        body = json.loads(response.read())
        body["events"].append(to_pull(self.forged))
        self.injected += 1
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length")}
        return httpx.Response(200, headers={**headers, "content-encoding": "gzip"},
                              content=wire.encode(body))


def rule_from_nowhere(origin: str) -> dict[str, Any]:
    event = {"id": uuid7(), "origin": origin, "seq": 1, "hlc": 1 << 62, "type": "config.set",
             "v": 1, "record": uuid7(), "kind": "config", "author": "u-x", "owner": None,
             "payload": {"key": "calendar.holidays.2032",
                         "value": {"holidays": ["2032-05-03"], "workdays": []}}}
    return seal(event, GENESIS)


def test_11_a_station_applies_only_what_its_hub_signed_and_a_certified_origin_may_write(
        town: Township, monkeypatch: pytest.MonkeyPatch) -> None:
    B = town["B"]
    snapshot = Unchanged(town)
    # (a) A reply changed on the way is refused whole, and the round says why.
    injector = Injector(rule_from_nowhere(uuid7()), B.station.identity().get("hub_cert"))
    monkeypatch.setattr(app.station, "hub_client", lambda url, creds=None: HubClient(
        url, creds, transport=injector))
    result = B.station.sync_once()
    assert not result.ok and "签名" in (result.error or "") and injector.injected
    assert B.state() == snapshot.stations["B"]
    monkeypatch.undo()

    # (b) What the hub itself serves is checked too: an announcement of an origin no hub
    # certified, and a rule in village A's name (as a compromised or outdated hub might
    # hold them), written straight into the town hub's file.
    quarantined = sync_status(B.station.store).quarantined
    nobody = uuid7()
    forged = [seal({**rule_from_nowhere(nobody), "type": "node.announced", "kind": "node",
                    "record": nobody, "payload": {"name": "县委", "level": "county"}},
                   GENESIS), rule_from_nowhere(town["A"].id)]
    forged[1]["seq"] = 10**6   # beyond A's chain: its own events stay as they are
    seal(forged[1], GENESIS)
    with town_hub(town) as store, transaction(store.conn):
        log.insert(store.conn, forged)
        store._index(forged)
    result = B.station.sync_once()
    assert result.ok, result.error
    codes = [c for (c,) in B.station.store.conn.execute(
        "SELECT code FROM quarantine ORDER BY id DESC LIMIT 2")]
    assert sorted(codes) == ["unknown_origin", "wrong_level"]
    status = sync_status(B.station.store)
    assert status.quarantined == quarantined + 2
    assert f"{status.quarantined} 条有问题已隔离" in status_line(status, datetime(2026, 11, 27))
    assert 2032 not in load_rules(B.station.store.conn).config.town_holidays()
    state = B.state()
    assert {k: v for k, v in state.items() if k != "quarantine"} == {
        k: v for k, v in snapshot.stations["B"].items() if k != "quarantine"}


@contextmanager
def town_hub(town: Township) -> Iterator[HubStore]:
    """The town hub's SQLite file, opened beside its running process."""
    store = town.town.open()
    try:
        yield store
    finally:
        store.close()
