"""An installation from before certificates (issue #7) upgrades in place.

A county hub, two town hubs and six stations run and sync with this version; then their
files are put back into the format of the version before (the steps the migrations add,
undone: hub schema 4 without certs, record_owners or c_made, no hub role, no root in the
town's upstream identity; hubext schema 2 with its announced levels; station schema 3
without certs or a pinned root). Started again, the hubs migrate step by step and
certify the nodes they enrolled; the town sends its certificates up again; each station
pins the root from its hub's first signed reply and gets everyone's certificates. Then
the township works as before, levels come from certificates, and the attacks are
refused. Real hub processes.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.rules import load_rules
from app.services.townrules import set_holidays
from app.station import Station, unlock_station
from sync.db import run_script, transaction
from sync.ids import uuid7
from sync.store import NewEvent
from tests.support.hubs import HubProcess
from tests.support.township import PIN, TODAY, Township, build
from tests.sync.crafted import problem_of, visit


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Township]:
    world = build(tmp_path)
    try:
        yield world
    finally:
        world.close()


def downgrade_hub(hub: HubProcess) -> None:
    with closing(hub.db()) as conn:
        conn.executescript("""
            DROP TABLE certs; DROP TABLE record_owners;
            ALTER TABLE records DROP COLUMN c_made;
            UPDATE schema_version SET version=4 WHERE name='hub';
            UPDATE nodes SET roles=trim(replace(roles, 'hub', ''), ',');
            CREATE TABLE IF NOT EXISTS public_levels(node TEXT PRIMARY KEY, level TEXT NOT NULL);
            UPDATE schema_version SET version=2 WHERE name='hubext';
            DELETE FROM meta WHERE key='up_certs_after';
        """)
        row = conn.execute("SELECT value FROM meta WHERE key='upstream'").fetchone()
        if row:
            upstream = json.loads(row[0])
            upstream.pop("root", None)
            conn.execute("UPDATE meta SET value=? WHERE key='upstream'", (json.dumps(upstream),))
        conn.commit()


def downgrade_station(station: Station) -> None:
    with transaction(station.store.conn) as conn:       # its (encrypted) file, open
        run_script(conn, """
            DROP TABLE certs;
            UPDATE schema_version SET version=3 WHERE name='station';
            DELETE FROM meta WHERE key IN ('root', 'certs_after')
        """)
    station.close()


def test_a_township_from_before_certificates_upgrades_and_keeps_working(
        town: Township) -> None:
    A, center = town["A"], town["center"]
    A.station.store.append(NewEvent("visit.logged", uuid7(), visit("王秀英"), A.cadre.id))
    town.sync()
    for hub in town.hubs.values():
        hub.stop()
    for place in town.places.values():
        downgrade_station(place.station)
    for hub in town.hubs.values():
        downgrade_hub(hub)
        with closing(hub.db()) as conn:
            assert conn.execute("SELECT version FROM schema_version WHERE name='hub'"
                                ).fetchone() == (4,)
    for hub in (town.county, town.town, town.other_town):
        hub.start()
    for role, place in town.places.items():
        place.station = unlock_station(place.station.data, PIN, 0)
        place.desk = Desk(place.station, today=lambda: TODAY)
        assert place.station.store.root() is None, role

    # The first round after the upgrade: hubs migrated, stations pin the root.
    town.sync()
    for role, place in town.places.items():
        store = place.station.store
        root = store.root()
        assert root is not None and root.level == "county", role
        assert store.directory.verified(place.id) is not None, role
        levels = store.directory.levels()
        assert levels[town["A"].id] == "village" and levels[center.id] == "town", role
        assert place.station.store.conn.execute(
            "SELECT level FROM nodes_dir WHERE id=?", (center.id,)).fetchone() == ("town",)
    with closing(town.county.db()) as conn:
        certified = {r[0] for r in conn.execute("SELECT id FROM certs")}
        assert {place.id for place in town.places.values()} <= certified
        assert conn.execute("SELECT roles FROM nodes WHERE kind='town' AND direct=1"
                            ).fetchall() == [("hub",), ("hub",)]

    # The township works as before: a town's rules reach its villages.
    set_holidays(center.station, center.cadre, 2030, [TODAY.replace(year=2030)], [], "通知")
    town.sync()
    assert 2030 in load_rules(A.station.store.conn).config.town_holidays()
    assert 2030 not in load_rules(town["other"].station.store.conn).config.town_holidays()
    # And a village's rules are refused by its hub.
    tablet = A.tablet()
    reply = tablet.push([tablet.event("config.set", uuid7(), {"key": "calendar.holidays.2031",
                                                              "value": {"holidays": [],
                                                                        "workdays": []}})])
    problem_of(reply, 403, "wrong_level")
