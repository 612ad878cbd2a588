"""Fault tests about what travels (issue #2 §5): one bad event mid-batch on its way from
a village to the county, the same events arriving by two routes, and an update that
arrives before its record's creation. Real hub processes on 127.0.0.1."""
from __future__ import annotations

import json
import time

from sync.db import transaction
from sync.events import seal
from sync.ids import uuid7
from sync.nodes import new_token, secret_hash
from sync.state import state_hash
from sync.store import NewEvent
from tests.support.hubs import HubProcess
from tests.sync.faultkit import (Lab, Station, assert_holds_exactly, audit, chain,
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
    village = lab.station(town, "王湾村")
    neighbour = lab.station(town, "新集镇便民服务中心", kind="town")   # sends rules down
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

    # The hub keeps serving: the town center's events go through and up to the county,
    # and the refused village still receives what is meant for it (here the center's
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
def reenroll(station: Station, town: HubProcess, name: str) -> None:
    """Carry a village's tablet, data and identity, to another town, whose operator
    registers it there under the same node id and key by editing the hub's file (the
    enrollment API gives a station a new id: only hubs keep theirs, issue #7 item 7).
    The operator also drops the village's certificate from the first town, if the second
    town's relay has already brought it down from the county (a hub certifies no node
    that another town certified: sync.certs `foreign_node`); the county still refuses."""
    store = station.store
    node_id, token = store.node_id or "", new_token()
    hub = town.open()
    try:
        with transaction(hub.conn):
            hub.conn.execute("DELETE FROM certs WHERE id=?", (node_id,))
            hub.conn.execute(
                "INSERT INTO nodes(id, parent, kind, name, pubkey, direct, token_hash,"
                " enrolled_at) VALUES(?,?,?,?,?,1,?,?)",
                (node_id, hub.hub_id, "village", name, store.signing_key().public_b64,
                 secret_hash(token), hub.now_ms()))
            cert = hub.certify(node_id)
            hub.touch_nodes()
        identity = {**store.identity(), "token": token, "hub": hub.identity(),
                    "hub_url": town.url, "hub_cert": town.cert}
        store.set_identity(node_id, store.signing_key(), identity, hub.root(),
                           [cert.to_json(), *hub.chain()])
    finally:
        hub.close()
    store.reset_cursor()


def test_same_events_relayed_by_two_towns_are_stored_once(lab: Lab) -> None:
    county = lab.county()
    first, second = lab.town("新集镇", county=county), lab.town("柳河镇", county=county)
    desk = lab.station(county, "县信访局", kind="county")   # sends rules down to every village
    village, other = lab.station(first, "王湾村"), lab.station(second, "柳树村")
    origin = village.store.node_id or ""
    village.store.append_many([visit_event(f"村民{i}") for i in range(60)])
    sync_until_clean(village.store, first.url)
    wait_for(lambda: count(hub_db(county), origin) == 60, 20, "first route delivered")

    # Route two: the village's tablet (data and identity) is carried to the second town,
    # which takes its whole chain (re-pushed from seq 1 after a seq_gap rewind) and
    # relays the same runs to the same county.
    reenroll(village, second, "王湾村")
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
    """A town relays its stations' runs in the order of their origins, so its county
    may receive a step on a record before the record's creation. Here the town center
    (which sees its whole town) amends a village's visit while the county is away, and
    the town relays both at once, the center's run first. (A station may act only on a
    record its own hub holds: issue #7.)"""
    county = lab.county()
    first = lab.town("新集镇", county=county)
    editor = lab.station(first, "新集镇便民服务中心", kind="town")
    time.sleep(0.01)                  # ids are time-ordered: the center's sorts first
    creator = lab.station(first, "王湾村")
    assert (editor.store.node_id or "") < (creator.store.node_id or "")
    county.stop()
    record = uuid7()
    logged = creator.store.append(NewEvent("visit.logged", record, visit("王秀英"), "u-li"))
    sync_until_clean(creator.store, first.url)
    sync_until_clean(editor.store, first.url)          # the center pulls the visit
    amended = editor.store.append(NewEvent(
        "visit.amended", record, {"fields": {"result": "已电话回访，问题已解决"},
                                  "reason": "回访"}, "u-zhao"))
    assert amended["hlc"] > logged["hlc"]
    sync_until_clean(editor.store, first.url)
    first.restart()        # its relay's next push is built afresh, with both runs
    county.start()
    both = {logged["id"], amended["id"]}
    wait_for(lambda: both <= ids(hub_db(county)), 30, "both at the county")
    assert [r[0] for r in query(hub_db(county), "SELECT id FROM events WHERE record=?"
                                " ORDER BY rseq", (record,))] == [amended["id"], logged["id"]]

    # The creation makes the village the record's creator, whatever came first, and the
    # amendment reaches it.
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
