"""Fault tests about what travels (issue #2 §5): one bad event mid-batch on its way from
a village to the county, the same events arriving by two routes, and an update that
arrives before its record's creation. Real hub processes on 127.0.0.1."""
from __future__ import annotations

import json
import time

from sync.client import HubClient
from sync.db import transaction
from sync.events import seal
from sync.ids import uuid7
from sync.state import state_hash
from sync.store import NewEvent
from tests.sync.faultkit import (DbFile, Lab, Station, assert_holds_exactly, audit, chain,
                                 config_event, count, hub_db, ids, query, station_db,
                                 sync_until_clean, sync_via, visit, visit_event, wait_for)


def write_invalid_event(station: Station) -> dict[str, object]:
    """An own event the hub's schemas refuse (as if written by a newer app version),
    correctly numbered and chained in the station's log."""
    store = station.store
    origin = store.node_id or ""
    seq, prev = store.conn.execute("SELECT seq, hash FROM events WHERE origin=? ORDER BY seq"
                                   " DESC LIMIT 1", (origin,)).fetchone()
    event = seal({"id": uuid7(), "origin": origin, "seq": seq + 1, "hlc": store.clock.now(),
                  "type": "visit.logged", "v": 1, "record": uuid7(), "kind": "visit",
                  "author": "u-li", "owner": None, "payload": visit(name="")}, prev)
    with transaction(store.conn):                 # name="" breaks the schema's minLength 1
        store.conn.execute(
            "INSERT INTO events(id, origin, seq, hlc, type, v, record, kind, author, owner,"
            " payload, prev, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            tuple(event[k] for k in ("id", "origin", "seq", "hlc", "type", "v", "record",
                                     "kind", "author", "owner", "payload_json", "prev",
                                     "hash")))
    return event


# one bad event mid-batch -------------------------------------------------------------------
def test_bad_event_mid_batch_keeps_and_acknowledges_exactly_the_prefix(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    village, neighbour = lab.station(town, "王湾村"), lab.station(town, "李庄村")
    origin = village.store.node_id or ""
    village.store.append_many([visit_event(f"村民{i}") for i in range(4)])
    bad = write_invalid_event(village)
    village.store.append_many([visit_event(f"村民{i}") for i in range(5, 10)])

    for attempt in range(2):                          # the second round changes nothing
        result = sync_via(village.store, town.url)
        assert not result.ok
        assert village.store.pushed_through() == 4    # acknowledged exactly the prefix
        assert village.store.pending_count() == 6
        error = json.loads(village.store.meta.get("last_error") or "{}")
        assert error["code"] == "schema_invalid", error
        assert chain(hub_db(town), origin) == chain(station_db(village), origin)[:4]
    assert bad["id"] not in ids(hub_db(town))
    codes = [r[0] for r in query(hub_db(town), "SELECT code FROM problems WHERE node=?",
                                 (origin,))]
    assert codes == ["schema_invalid", "schema_invalid"]

    # The hub keeps serving: a neighbour's events go through and up to the county, and
    # the refused village still receives what is meant for it (here the neighbour's
    # rules), while its round keeps reporting the refusal.
    neighbour.store.append_many([visit_event(f"邻村{i}") for i in range(5)])
    neighbour.store.append_many([config_event(f"rule.n{i}", i) for i in range(2)])
    assert sync_via(neighbour.store, town.url).ok
    result = sync_via(village.store, town.url)
    assert not result.ok and result.pulled == 2
    assert village.store.pushed_through() == 4
    assert ids(station_db(village)) - ids(station_db(village), origin) == {
        r[0] for r in query(station_db(neighbour), "SELECT id FROM events WHERE kind='config'")}
    wait_for(lambda: count(hub_db(county)) == 11, 20, "county has prefix + neighbour")
    assert chain(hub_db(county), origin) == chain(station_db(village), origin)[:4]
    assert_holds_exactly(hub_db(county), neighbour)
    for hub in (town, county):
        assert audit(hub) == []


# the same events by two routes ---------------------------------------------------------------
def reenroll(station: Station, hub_url: str, code: str) -> None:
    """Carry a village's tablet, data and identity, to another town: enrolled there
    with the same node id and key (the enrollment API lets a node keep its id)."""
    store = station.store
    client = HubClient(hub_url)
    try:
        body = client.call("POST", "/v1/enroll", {"code": code, "node_id": store.node_id,
                                                  "pubkey": store.signing_key().public_b64},
                           compress=False).body
    finally:
        client.close()
    assert body["node_id"] == store.node_id
    identity = {**store.identity(), "token": body["token"], "hub": body["hub"],
                "hub_url": hub_url}
    store.set_identity(body["node_id"], store.signing_key(), identity)
    store.reset_cursor()


def test_same_events_relayed_by_two_towns_are_stored_once(lab: Lab) -> None:
    county = lab.county()
    first, second = lab.town("新集镇", county=county), lab.town("柳河镇", county=county)
    desk = lab.station(county, "县信访局")          # sends rules down to every village
    village, other = lab.station(first, "王湾村"), lab.station(second, "柳树村")
    origin = village.store.node_id or ""
    village.store.append_many([visit_event(f"村民{i}") for i in range(60)])
    sync_until_clean(village.store, first.url)
    wait_for(lambda: count(hub_db(county), origin) == 60, 20, "first route delivered")

    # Route two: the village's tablet (data and identity) is carried to the second town,
    # which takes its whole chain (re-pushed from seq 1 after a seq_gap rewind) and
    # relays the same runs to the same county.
    _, code = second.add_node("王湾村", "village")
    reenroll(village, second.url, code)
    village.store.append_many([visit_event(f"村民{i}") for i in range(60, 70)])
    sync_until_clean(village.store, second.url)
    assert_holds_exactly(hub_db(second), village)         # the whole chain, from seq 1
    wait_for(lambda: "foreign" in (query(hub_db(second), "SELECT value FROM meta WHERE "
                                         "key='up_last_error'")[0][0] or ""), 20,
             "the second town's relay was answered")

    # The county stores the village's events once: the copies from the second route
    # are recognised (the village belongs to the first town's branch, so the second
    # town may not re-vouch for it) and nothing is stored twice or half.
    assert chain(hub_db(county), origin) == chain(station_db(village), origin)[:60]
    assert count(hub_db(county)) == 60
    refused = {r[0] for r in query(hub_db(county), "SELECT code FROM problems")}
    assert refused == {"foreign_node", "foreign_origin"}, refused

    # The refusal does not cut the second town off: its own village's events go up and
    # the county's rules come down to it.
    other.store.append_many([visit_event(f"柳树{i}") for i in range(5)])
    desk.store.append_many([config_event(f"county.rule{i}", i) for i in range(3)])
    sync_until_clean(desk.store, county.url)
    sync_until_clean(other.store, second.url)
    wait_for(lambda: count(hub_db(county), other.store.node_id) == 5, 20, "up via town 2")
    rules = ids(station_db(desk), desk.store.node_id)
    wait_for(lambda: rules <= ids(hub_db(second)), 20, "county rules reached town 2")
    sync_until_clean(other.store, second.url)
    assert rules <= ids(station_db(other))
    for hub in (county, first, second):
        assert audit(hub) == []
        assert query(hub_db(hub), "SELECT COUNT(*) - COUNT(DISTINCT id) FROM events") == [(0,)]


# an update before its record's creation -------------------------------------------------------
def test_update_arriving_before_its_creation_is_kept_and_reaches_the_creator(lab: Lab) -> None:
    county = lab.county()
    first, second = lab.town("新集镇", county=county), lab.town("柳河镇", county=county)
    creator, editor = lab.station(first, "王湾村"), lab.station(second, "柳树村")
    record = uuid7()
    logged = creator.store.append(NewEvent("visit.logged", record, visit("王秀英"), "u-li"))
    # Another node amends the record a little later (it learned the id by phone) and syncs
    # first, so the county and the second town hold the amendment of a record they have
    # never seen. (A little later: two tablets' learned offsets differ by a few ms.)
    time.sleep(0.1)
    amended = editor.store.append(NewEvent(
        "visit.amended", record, {"fields": {"result": "已电话回访，问题已解决"},
                                  "reason": "回访"}, "u-zhao"))
    assert amended["hlc"] > logged["hlc"]
    sync_until_clean(editor.store, second.url)
    wait_for(lambda: amended["id"] in ids(hub_db(county)), 20, "amendment at the county")
    assert logged["id"] not in ids(hub_db(county))

    # Then the creation arrives; the county now sees the creator's town in the record's
    # audience and feeds the amendment down to it, and on to the creating village.
    sync_until_clean(creator.store, first.url)
    both = {logged["id"], amended["id"]}
    wait_for(lambda: both <= ids(hub_db(county)), 20, "creation at the county")
    wait_for(lambda: both <= ids(hub_db(first)), 20, "amendment fed down to the town")
    sync_until_clean(creator.store, first.url)
    assert ids(station_db(creator)) == both

    replicas = (station_db(creator), hub_db(first), hub_db(county))
    hashes = set()
    for db in replicas:
        conn = db.connect()
        try:
            hashes.add(state_hash(conn))
        finally:
            conn.close()
        assert count(db) == 2
    assert len(hashes) == 1, "replicas holding the same events disagree on the state"
    assert query(hub_db(county), "SELECT creator FROM records WHERE record=?",
                 (record,)) == [(creator.store.node_id,)]
