"""Disaster drills with real processes (issue #11 "Backups and damage"):

(a) the town hub's disk is lost; it is restored from yesterday's backup (`sanji backup`,
    `sanji restore`), and the villages' and the county's high-water marks refill what
    the backup lacked: nothing lost, nothing stored twice;
(b) a village tablet is lost; the town gives the same village a new device (`sanji node
    replace`), the new tablet is enrolled and its records come back — all that was
    synced; what the lost tablet never synced is gone (README "A lost tablet").
"""
from __future__ import annotations

import shutil
import time
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from app.accounts import add_cadre, sign_in
from app.enrolling import enroll_data_dir
from app.services.desk import Desk, IntakeForm
from app.services.frontdesk import VisitForm, log_visit
from app.station import Station, open_station
from sync.audit import audit_hub
from sync.errors import Problem
from tests.app.conftest import TODAY, Place, Township
from tests.app.test_cli import sanji
from tests.support.hubs import wait_for_relay

pytestmark = pytest.mark.slow


def intake(place: Place, n: int) -> str:
    return place.desk.intake(place.cadre, IntakeForm(
        name=f"赵桂英{n}", phone="13712345678", matter_code="SB-005",
        summary="申请开具证明", id_number="11010519491231002X")).receipt_no


def visit(place: Place, n: int) -> None:
    log_visit(place.station.store, place.cadre, VisitForm(
        name=f"钱玉兰{n}", matter="咨询医保缴费", phone="13612345678"),
        datetime(2026, 11, 27, 9, 0))


def chain(db, origin: str) -> list[tuple[int, str]]:
    return db.execute("SELECT seq, id FROM events WHERE origin=? ORDER BY seq",
                      (origin,)).fetchall()


def own_chain(station: Station) -> list[tuple[int, str]]:
    return chain(station.store.conn, station.node_id)


def everyone_syncs(township: Township) -> None:
    for place in township.places.values():
        place.sync()
    wait_for_relay(township.town.url)
    for place in township.places.values():
        place.sync()


def test_a_town_hub_restored_from_yesterdays_backup_loses_nothing(
        township: Township) -> None:
    town, county = township.town, township.county
    wang = township.station(town, "王湾村", "village", ("李建国", "村委委员"))
    li = township.station(town, "李庄村", "village", ("张伟", "村支书"))
    for n in range(4):
        intake(wang, n)
        visit(li, n)
    everyone_syncs(township)

    # Yesterday evening's backup, taken while the town hub serves.
    backup = township.root / "town-yesterday.sanji-backup"
    made = sanji("backup", "--data", town.data, "--to", backup, cwd=township.root)
    assert made.code == 0, made.err

    # Today: more work at the villages, and a county window joins (its announcement
    # comes down through the town). All of it reaches the town and the county.
    for n in range(4, 9):
        intake(wang, n)
        visit(li, n)
    window = township.station(county, "县民政局窗口", "county", ("刘洋", "科员"))
    everyone_syncs(township)
    with closing(county.db()) as db:
        before_county = {o: chain(db, o) for o in (wang.station.node_id, li.station.node_id)}

    # The town's disk dies. Its key file was kept elsewhere (README "Keys"); the data
    # directory comes back from yesterday's backup.
    town.stop()
    shutil.rmtree(town.data)
    restored = sanji("restore", "--from", backup, "--data", town.data, "--key-file",
                     town.key_file, cwd=township.root)
    assert restored.code == 0, restored.err
    with closing(town.db()) as db:
        assert len(chain(db, wang.station.node_id)) < len(own_chain(wang.station))
    town.start()

    # The villages sync as on any day; the town relays as on any day.
    for _ in range(2):
        everyone_syncs(township)

    with closing(town.db()) as tdb, closing(county.db()) as cdb:
        for place in (wang, li):
            mine = own_chain(place.station)
            assert chain(tdb, place.station.node_id) == mine          # refilled
            assert chain(cdb, place.station.node_id) == mine          # untouched
            assert chain(cdb, place.station.node_id) == before_county[place.station.node_id]
        for db in (tdb, cdb):
            dup = db.execute("SELECT COUNT(*) - COUNT(DISTINCT id) FROM events").fetchone()
            assert dup == (0,)
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # What came down from the county after the backup came down again.
        announced = tdb.execute("SELECT COUNT(*) FROM events WHERE origin=? AND"
                                " type='node.announced'", (window.station.node_id,)).fetchone()
        assert announced == (1,)
    for hub in (town, county):
        store = hub.open()
        try:
            assert audit_hub(store) == []
        finally:
            store.close()
    # The villages see each other's announcements and the county's, once each.
    origins = Counter(o for (o,) in wang.station.store.conn.execute(
        "SELECT origin FROM events WHERE type='node.announced'"))
    assert origins == Counter({wang.station.node_id: 1, li.station.node_id: 1,
                               window.station.node_id: 1})
    assert "replayed" not in town.log_text()


def test_a_lost_village_tablet_is_replaced_and_its_records_come_back(
        township: Township, tmp_path: Path) -> None:
    town = township.town
    wang = township.station(town, "王湾村", "village", ("李建国", "村委委员"))
    receipts = [intake(wang, n) for n in range(3)]
    for n in range(3):
        visit(wang, n)
    wang.sync()
    synced = own_chain(wang.station)
    visit(wang, 99)                                     # never synced: lost with it
    node = wang.station.node_id
    stolen = tmp_path / "stolen-copy"
    wang.station.close()
    shutil.copytree(wang.station.data, stolen)          # what the thief has
    shutil.rmtree(wang.station.data)
    del township.places["王湾村"]

    # The town gives 王湾村 a new device: the old one's registration is void at once.
    replaced = sanji("node", "replace", node, "--data", town.data, "--json",
                     cwd=township.root)
    assert replaced.code == 0, replaced.err
    code = replaced.json()["code"]
    unknown = sanji("node", "replace", "no-such-node", "--data", town.data, cwd=township.root)
    assert unknown.code == 2 and "没有直接登记" in unknown.err
    _, thief_key = sign_in(stolen, wang.cadre.id, "258046", int(time.time() * 1000))
    thief = open_station(stolen, thief_key)
    try:
        refused = thief.sync_once()
        assert not refused.ok and "无效" in (refused.error or ""), refused.error
    finally:
        thief.close()

    # The new tablet: enrolled with the code, a cadre added (a new 密码), one sync.
    new = tmp_path / "new-tablet"
    joined = enroll_data_dir(new, town.url, code)
    assert joined["node_id"] == node and joined["name"] == "王湾村"
    station = open_station(new)
    try:
        cadre = add_cadre(station.store, "王芳", "便民服务站代办员", "731950")
        with pytest.raises(Exception, match="先同步一次"):
            log_visit(station.store, cadre, VisitForm(name="孙丽", matter="咨询"),
                      datetime(2026, 11, 27, 10, 0))
        assert station.sync_once().ok
        back = own_chain(station)
        assert back[:len(synced)] == synced             # every synced record is back
        assert "钱玉兰99" not in str(station.store.conn.execute(
            "SELECT payload FROM events").fetchall())   # the unsynced one is not
        desk = Desk(station, today=lambda: TODAY)
        mine = dict(station.store.conn.execute("SELECT receipt_no, applicant FROM cases"))
        assert set(receipts) <= set(mine)
        place = Place(station, desk, cadre)
        fresh = intake(place, 7)                        # numbers go on, never reused
        assert fresh not in receipts and fresh > max(receipts)
        assert station.sync_once().ok and station.store.pending_count() == 0
    finally:
        station.close()
    with closing(town.db()) as db:
        seqs = [s for s, _ in chain(db, node)]
        assert seqs == list(range(1, len(seqs) + 1))    # one chain, no gap, no double
    with pytest.raises(Problem):
        enroll_data_dir(tmp_path / "third", town.url, code)   # the code worked once
