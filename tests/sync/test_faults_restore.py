"""A town hub restored from an old backup (issue #2 §5): stations re-push what it lost
(seq_gap rewind), pull cursors of the old feed trigger a new epoch and a re-sync by
per-origin high-water marks, the town re-relays and re-pulls from the county; nothing is
lost on either side and nothing is stored twice. Real hub processes on 127.0.0.1."""
from __future__ import annotations

import shutil
from pathlib import Path

from sync.db import export
from tests.sync.faultkit import (DbFile, Lab, Station, assert_gapless, assert_holds_exactly,
                                 audit, config_event, count, hub_db, ids, integrity, query,
                                 station_db, sync_until_clean, sync_via, visit_event,
                                 wait_for)


def backup(db: DbFile, to: Path) -> None:
    """A consistent copy of a live SQLite file (WAL included), encrypted with the same
    key (what `sanji backup` puts in its archive: sync.db.export)."""
    source = db.connect()
    try:
        export(source, to, db.key or b"")
    finally:
        source.close()


def config_ids(station: Station) -> set[str]:
    return {r[0] for r in query(station_db(station), "SELECT id FROM events WHERE origin=?"
                                " AND kind='config'", (station.store.node_id,))}


def test_town_restored_from_an_old_backup_reconciles_both_ways(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    # A county department's tablet and the town center's send rules down.
    desk = lab.station(county, "县信访局", kind="county")
    wang = lab.station(town, "新集镇便民服务中心", kind="town")
    li = lab.station(town, "李庄村")
    villages = (wang, li)

    def everyone_syncs() -> None:
        for station in (desk, *villages):
            sync_until_clean(station.store, station.hub_url() or "")

    def write(round_no: int, visits: int, rules: int) -> None:
        for station in villages:
            station.store.append_many([visit_event(f"{round_no}-{i}") for i in range(visits)])
        wang.store.append_many([config_event(f"town.r{round_no}.n{i}", i) for i in range(rules)])
        desk.store.append_many([config_event(f"county.r{round_no}.n{i}", i)
                                for i in range(rules)])

    def settled() -> None:
        """Everything up at the county, everything down at the villages."""
        everyone_syncs()
        up = sum(count(station_db(s), s.store.node_id) for s in (desk, *villages))
        wait_for(lambda: count(hub_db(county)) == up, 30, "county has everything")
        down = config_ids(desk)
        wait_for(lambda: down <= ids(hub_db(town)), 30, "town pulled the county's rules")
        everyone_syncs()

    write(1, 20, 4)
    settled()
    old = lab.root / "town-backup.sqlite"
    backup(hub_db(town), old)
    write(2, 15, 3)
    settled()
    assert li.store.pull_cursor() is not None

    # Disaster: the town's disk dies; it comes back from the old backup.
    town.stop()
    for suffix in ("", "-wal", "-shm"):
        Path(str(hub_db(town)) + suffix).unlink(missing_ok=True)
    shutil.copy(old, hub_db(town))
    town.start()
    assert count(hub_db(town)) < sum(count(station_db(s), s.store.node_id) for s in villages)

    write(3, 5, 2)
    settled()
    settled()

    # Nothing lost on either side, nothing twice.
    for station in villages:
        for hub in (town, county):
            assert_holds_exactly(hub_db(hub), station)
        assert_gapless(station_db(station), station.store.node_id or "")
    assert_holds_exactly(hub_db(county), desk)
    rules_down = config_ids(desk)
    assert rules_down <= ids(hub_db(town))
    assert ids(station_db(li)) == ids(station_db(li), li.store.node_id) | config_ids(
        wang) | rules_down
    assert ids(station_db(wang)) == ids(station_db(wang), wang.store.node_id) | ids(
        station_db(li), li.store.node_id) | rules_down     # the center sees its whole town
    for db in (hub_db(town), hub_db(county), station_db(wang), station_db(li)):
        assert query(db, "SELECT COUNT(*) - COUNT(DISTINCT id) FROM events") == [(0,)]
        assert integrity(db) == "ok"
    assert count(hub_db(town)) == sum(count(station_db(s), s.store.node_id)
                                      for s in villages) + len(rules_down)
    assert count(hub_db(county)) == sum(count(station_db(s), s.store.node_id)
                                        for s in (desk, *villages))
    assert query(hub_db(town), "SELECT value FROM meta WHERE key='restored_detected_at'")
    for hub in (town, county):
        assert audit(hub) == []
    # The restored town's request counter went back with its file: the county must not
    # take its requests for replays (sync.keys.next_counter).
    assert "replayed" not in town.log_text()
    for station in (desk, *villages):
        assert query(station_db(station), "SELECT COUNT(*) FROM quarantine") == [(0,)]
        assert sync_via(station.store, station.hub_url() or "").ok
