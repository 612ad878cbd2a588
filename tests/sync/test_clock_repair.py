"""Station files written before issue #7 item 5 (schema v2) are repaired at open
(sync.clockfix, station schema v3): a clock dragged by an adopted far-future stamp
comes back to the station's own history; a clock that is merely ahead because the
device's own date was ahead is left alone (its own later corrections must still sort
after its earlier values). Real SQLite files, built the way the old code left them."""
from __future__ import annotations

import json
from pathlib import Path

from sync import log
from sync.db import transaction
from sync.events import seal
from sync.hlc import DEFAULT_MAX_AHEAD_MS, pack, system_ms, wall_ms_of
from sync.keys import SigningKey
from sync.store import Store
from tests.sync.crafted import event, visit
from tests.sync.faultkit import YEAR_MS, visit_event

NEAR_MS = 5_000


def old_station(path: Path) -> Store:
    store = Store(path)
    store.set_identity("station-A", SigningKey.generate(), {"token": "t", "kind": "village"})
    return store


def own_at(store: Store, hlc: int) -> None:
    """An own event stamped `hlc`, chained like the old code's append."""
    seq, prev = log.head(store.conn, "station-A")
    item = event("station-A", seq + 1, hlc, payload=visit())
    with transaction(store.conn):
        log.insert(store.conn, [seal(item, prev)])


def foreign_at(store: Store, hlc: int, flagged: bool) -> None:
    item = event("station-B", 1 + log.head(store.conn, "station-B")[0], hlc, payload=visit())
    item = seal(item, log.head(store.conn, "station-B")[1])
    item["flags"] = log.FLAG_FAR_FUTURE if flagged else 0
    with transaction(store.conn):
        log.insert(store.conn, [item])


def as_version_2(store: Store, hlc_last: int) -> None:
    """What the old code left: hlc_last as its clock had it, schema v2."""
    with transaction(store.conn):
        store.meta.set("hlc_last", hlc_last)
        store.conn.execute("UPDATE schema_version SET version=2 WHERE name='station'")
    store.close()


def test_a_clock_dragged_by_an_adopted_forgery_is_repaired(tmp_path: Path) -> None:
    store = old_station(tmp_path / "station.sqlite")
    now = system_ms()
    own_at(store, pack(now - 60_000, 0))
    foreign_at(store, pack(now - 30_000, 0), flagged=False)
    forged = pack(now + 10 * YEAR_MS, 0)
    foreign_at(store, forged, flagged=True)           # pulled, flagged, not adopted …
    own_at(store, forged + 1)                         # … until a restart adopted it
    own_at(store, forged + 2)
    as_version_2(store, forged + 2)

    store = Store(tmp_path / "station.sqlite")
    try:
        assert wall_ms_of(store.clock.last) < system_ms() + DEFAULT_MAX_AHEAD_MS
        assert abs(wall_ms_of(store.append(visit_event())["hlc"]) - system_ms()) < NEAR_MS
        note = json.loads(store.meta.get("clock_repaired") or "{}")
        assert note["own_events_dragged"] == 2 and note["hlc_last_before"] == forged + 2
    finally:
        store.close()


def test_a_clock_ahead_by_its_own_date_is_kept(tmp_path: Path) -> None:
    store = old_station(tmp_path / "station.sqlite")
    ahead = pack(system_ms() + YEAR_MS, 0)            # the tablet's own date was a year on
    own_at(store, ahead)
    own_at(store, ahead + 1)
    foreign_at(store, pack(system_ms() + 10 * YEAR_MS, 0), flagged=True)
    as_version_2(store, ahead + 1)

    store = Store(tmp_path / "station.sqlite")
    try:
        assert store.clock.last == ahead + 1
        assert store.append(visit_event())["hlc"] > ahead + 1
        assert store.meta.get("clock_repaired") is None
    finally:
        store.close()


def test_an_impossible_offset_and_counter_are_reset(tmp_path: Path) -> None:
    store = old_station(tmp_path / "station.sqlite")
    with transaction(store.conn):
        store.meta.set("clock_offset", 2**62)         # learned from a forged hub time
        store.meta.set("req_counter", 10**19)         # every request would be refused
    as_version_2(store, 0)

    store = Store(tmp_path / "station.sqlite")
    try:
        assert store.clock.offset_ms == 0
        assert len(str(store.next_request_counter())) <= 18
        assert abs(wall_ms_of(store.append(visit_event())["hlc"]) - system_ms()) < NEAR_MS
    finally:
        store.close()


def test_own_stamps_and_adopted_ones_raise_the_stored_clock_and_never_lower_it(
        tmp_path: Path) -> None:
    store = old_station(tmp_path / "station.sqlite")
    stamp = store.append(visit_event())["hlc"]
    assert int(store.meta.get("hlc_last") or 0) == stamp
    with transaction(store.conn):
        store.meta.set("hlc_last", stamp + 1000)      # another connection got further
    store.append(visit_event())
    assert int(store.meta.get("hlc_last") or 0) >= stamp + 1000
    store.close()
