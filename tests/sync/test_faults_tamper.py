"""Tampering in a hub's database (issue #2 §5): an edited payload, a deleted event, two
events' seq swapped, an event with a forged origin. sync.audit.audit_hub reports each
with its code at its place; a station pulling the tampered hub's data quarantines what
does not match its hash. Real hub processes on 127.0.0.1, SQLite edited while stopped."""
from __future__ import annotations

import json

from sync.canonical import GENESIS
from sync.events import seal
from sync.ids import uuid7
from tests.sync.faultkit import (DbFile, Lab, audit, chain, config_event, hub_db, ids, query,
                                 station_db, sync_until_clean, wait_for)


def tamper(db: DbFile, origin: str, forge: bool = False) -> dict[str, str]:
    """Edit seq 3's payload, delete seq 6, swap the seq of 9 and 10; with `forge`, add
    a well-sealed event from an origin nobody vouches for. Returns the ids involved.
    (The attacker here has the hub's key: this tests the hash chains, not encryption.)"""
    conn = db.connect()
    try:
        def id_at(seq: int) -> str:
            return conn.execute("SELECT id FROM events WHERE origin=? AND seq=?",
                                (origin, seq)).fetchone()[0]

        touched = {"edited": id_at(3), "deleted": id_at(6), "nine": id_at(9),
                   "ten": id_at(10)}
        conn.execute("BEGIN")
        payload = json.loads(conn.execute("SELECT payload FROM events WHERE id=?",
                                          (touched["edited"],)).fetchone()[0])
        payload["value"] = "篡改后的值"
        conn.execute("UPDATE events SET payload=? WHERE id=?",
                     (json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                 separators=(",", ":")), touched["edited"]))
        conn.execute("DELETE FROM events WHERE id=?", (touched["deleted"],))
        conn.execute("UPDATE events SET seq=-10 WHERE id=?", (touched["ten"],))
        conn.execute("UPDATE events SET seq=10 WHERE id=?", (touched["nine"],))
        conn.execute("UPDATE events SET seq=9 WHERE id=?", (touched["ten"],))
        if forge:
            forged = uuid7()
            event = seal({"id": uuid7(), "origin": forged, "seq": 1,
                          "hlc": conn.execute("SELECT MAX(hlc) FROM events").fetchone()[0] + 1,
                          "type": "config.set", "v": 1, "record": uuid7(), "kind": "config",
                          "author": "u-x", "owner": None,
                          "payload": {"key": "rule.forged", "value": 1}}, GENESIS)
            conn.execute("INSERT INTO events(id, origin, seq, hlc, type, v, record, kind, author,"
                         " owner, payload, prev, hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         tuple(event[k] for k in ("id", "origin", "seq", "hlc", "type", "v",
                                                  "record", "kind", "author", "owner",
                                                  "payload_json", "prev", "hash")))
            touched["forged_origin"] = forged
        conn.execute("COMMIT")
    finally:
        conn.close()
    return touched


def test_tampered_hub_databases_are_reported_and_quarantined(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    writer = lab.station(town, "新集镇便民服务中心", kind="town")   # sends rules down
    reader = lab.station(town, "李庄村")
    origin = writer.store.node_id or ""
    writer.store.append_many([config_event(f"holiday.d{i}", i) for i in range(20)])
    sync_until_clean(writer.store, town.url)
    wait_for(lambda: len(chain(hub_db(county), origin)) == 20, 20, "county has the chain")
    assert audit(town) == [] and audit(county) == []
    original = chain(hub_db(town), origin)

    town.stop()
    county.stop()
    touched = tamper(hub_db(town), origin)
    forged = tamper(hub_db(county), origin, forge=True)["forged_origin"]

    expected = {("edited", origin, 3), ("gap", origin, 6), ("edited", origin, 9),
                ("edited", origin, 10), ("relinked", origin, 11)}
    found = {(f.code, f.origin, f.seq) for f in audit(town)}
    assert found == expected
    found = {(f.code, f.origin, f.seq) for f in audit(county)}
    assert found == expected | {("forged_origin", forged, 1)}

    # The reader pulls the tampered town's feed: what no longer matches its hash is
    # quarantined (kept aside, shown), never applied; the rest arrives.
    county.start()
    town.start()
    sync_until_clean(reader.store, town.url)
    quarantined = query(station_db(reader), "SELECT code, raw FROM quarantine")
    assert {code for code, _ in quarantined} == {"hash_mismatch"}
    assert {json.loads(raw)["id"] for _, raw in quarantined} == {
        touched["edited"], touched["nine"], touched["ten"]}
    untouched = {i for _, i, _ in original} - {touched[k] for k in
                                                ("edited", "deleted", "nine", "ten")}
    assert ids(station_db(reader), origin) == untouched
    assert query(station_db(reader), "SELECT COUNT(*) FROM events WHERE payload LIKE ?",
                 ("%篡改%",)) == [(0,)]

