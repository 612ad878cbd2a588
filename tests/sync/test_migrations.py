"""Named migrations (issue #9): every schema of a station's and a hub's file is a list
of named steps (sync.migrations); a station and a town hub written by the previous
release (tests/fixtures/release-1bb66bd, made by make_release_fixture.py from `main`
at 1bb66bd: encrypted files, a cadre's 密码, visits synced to the town) upgrade in place
and keep working; a file whose history differs from the program's is refused."""
from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from app.hubext.reports import MIGRATIONS as HUBEXT_REPORTS
from app.hubext.table import MIGRATIONS as HUBEXT
from app.projections.registry import MIGRATIONS as APP
from app.accounts import list_cadres
from app.services.frontdesk import VisitForm, log_visit
from app.station import unlock_station
from sync.db import connect
from sync.hub.schema import MIGRATIONS as HUB
from sync.migrations import SchemaMismatch, Step, history, migrate
from sync.store import MIGRATIONS as STATION, Store
from tests.support.hubs import HubProcess

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-1bb66bd"
PIN = "258046"
SCHEMAS = {"station": STATION, "app": APP, "hub": HUB, "hubext": HUBEXT,
           "hubext_reports": HUBEXT_REPORTS}


def names(steps: list[Step]) -> list[str]:
    return [step.name for step in steps]


def versions(conn: object) -> dict[str, int]:
    return dict(conn.execute("SELECT name, version FROM schema_version"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_every_step_has_a_name_of_its_own(schema: str) -> None:
    steps = SCHEMAS[schema]
    assert all(isinstance(step, Step) and step.name.strip() for step in steps), schema
    assert len(set(names(steps))) == len(steps), schema


def test_files_of_the_previous_release_upgrade_in_place_and_keep_working(
        tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    # The previous release spoke plain HTTP (its station pinned no certificate): its hub
    # keeps serving with --insecure until the stations are enrolled again (issue #11).
    town = HubProcess(tmp_path / "town", "town", insecure=True)
    assert town.key_file == tmp_path / "town.key"
    before_hub = connect(town.data / "hub.sqlite", town.key)
    old_hub = versions(before_hub)
    before_hub.close()
    # The previous release's files: older than this program in both schemas of each.
    assert old_hub["hub"] < len(HUB) and old_hub["hubext"] < len(HUBEXT)

    town.start()                                   # the hub process upgrades its file
    try:
        station = unlock_station(tmp_path / "station", PIN, int(time.time() * 1000))
        try:
            conn = station.store.conn
            assert history(conn, "station") == names(STATION)
            assert history(conn, "app") == names(APP)
            assert versions(conn) == {"station": len(STATION), "app": len(APP)}
            # What the release held is all there, the cadre too (local users: a table
            # made outside the migrations before).
            assert conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 3
            assert [r[0] for r in conn.execute("SELECT name FROM local_users")] == ["李明"]
            # The town now listens on another port (a test's): the station is told so,
            # as `sanji` would be after the hub moved.
            store = station.store
            store.set_identity(store.node_id or "", store.signing_key(),
                               {**store.identity(), "hub_url": town.url})
            cadre = next(c for c in list_cadres(store) if c.name == "李明")
            log_visit(store, cadre, VisitForm(name="赵强", matter="咨询养老保险"),
                      datetime.now())
            result = station.sync_once()
            assert result.ok, result.error
            assert result.pushed >= 1
            assert conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 4
        finally:
            station.close()
        hub = town.db()
        try:
            assert history(hub, "hub") == names(HUB)
            assert history(hub, "hubext") == names(HUBEXT)
            assert hub.execute("SELECT COUNT(*) FROM events WHERE type='visit.logged'"
                               ).fetchone()[0] == 4
            assert hub.execute("SELECT COUNT(*) FROM certs").fetchone()[0] >= 1
        finally:
            hub.close()
    finally:
        town.stop()


def test_a_file_upgraded_by_another_build_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "s.sqlite").close()
    conn = connect(tmp_path / "s.sqlite", None)
    try:
        conn.execute("UPDATE schema_steps SET name='another branch' WHERE schema='station'"
                     " AND version=2")
        conn.commit()
        with pytest.raises(SchemaMismatch, match="另一个版本"):
            migrate(conn, STATION, "station")
        # A file a release newer than this program wrote is refused too.
        conn.execute("UPDATE schema_version SET version=? WHERE name='station'",
                     (len(STATION) + 1,))
        conn.commit()
        with pytest.raises(SchemaMismatch, match="请升级程序"):
            migrate(conn, STATION, "station")
    finally:
        conn.close()


def test_a_file_from_before_names_gets_them_and_the_missing_steps(tmp_path: Path) -> None:
    """A file at version 2 without names (what every release before this one wrote) gets
    the names of the steps it had and then the steps it lacked, each recorded."""
    conn = connect(tmp_path / "old.sqlite", None)
    try:
        migrate(conn, STATION[:2], "station")
        conn.execute("DROP TABLE schema_steps")
        assert versions(conn) == {"station": 2}
        assert migrate(conn, STATION, "station") == len(STATION)
        assert history(conn, "station") == names(STATION)
        assert conn.execute("SELECT COUNT(*) FROM certs").fetchone()[0] == 0  # step 4 ran
    finally:
        conn.close()
