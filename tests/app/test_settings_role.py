"""Only a cadre with the settings role (e.g. the 中心主任) changes the town's rules; the
role is granted on the tablet by a cadre who already holds it (issue #8 §3)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.accounts import (SETTINGS_ROLE, AccountError, add_cadre, cadre_roles, list_cadres,
                          set_role)
from app.projections.registry import MIGRATIONS, install
from sync.migrations import migrate
from app.services import townrules
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.station import Station
from tests.ui.stations import cadre, make_station, unlocked


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Station]:
    station = unlocked(make_station(
        tmp_path / "town", "新集镇便民服务中心", "town", "XJ900",
        (("张敏", "便民服务中心主任", (SETTINGS_ROLE,)), ("赵文博", "民政办科员"))))
    yield station
    station.close()


def events(station: Station) -> int:
    return station.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def test_a_cadre_without_the_role_cannot_change_a_time_limit(town: Station) -> None:
    zhao, before = cadre(town, "赵文博"), events(town)
    with pytest.raises(ServiceError) as caught:
        townrules.set_time_limit(town, zhao, "JZ-003", 5, "县文件")
    assert caught.value.message == ("只有有设置权限的干部（例如 便民服务中心主任）才能修改镇里设置；"
                                    "请找张敏修改。")
    with pytest.raises(ServiceError):
        townrules.set_holidays(town, zhao, 2027, [date(2027, 1, 1)], [], "国办通知")
    assert events(town) == before
    townrules.set_time_limit(town, cadre(town, "张敏"), "JZ-003", 5, "县民政局通知")
    assert load_rules(town.store.conn).catalog.matter("JZ-003")["time_limit_working_days"] == 5


def test_the_role_is_read_from_the_tablet_not_from_the_object_passed_in(town: Station):
    zhao = cadre(town, "赵文博")
    forged = type(zhao)(zhao.id, zhao.name, zhao.post, frozenset({SETTINGS_ROLE}))
    with pytest.raises(ServiceError):
        townrules.set_time_limit(town, forged, "JZ-003", 5, "县文件")


def test_a_holder_grants_the_role_and_the_last_holder_keeps_it(town: Station) -> None:
    zhang, zhao = cadre(town, "张敏"), cadre(town, "赵文博")
    with pytest.raises(AccountError) as caught:
        set_role(town.store, zhao, zhao.id, SETTINGS_ROLE, True)
    assert caught.value.args[0] == "只有已经有这个权限的干部才能给别人开通或取消。"
    with pytest.raises(AccountError) as caught:
        set_role(town.store, zhang, zhang.id, SETTINGS_ROLE, False)
    assert "唯一" in caught.value.args[0]
    set_role(town.store, zhang, zhao.id, SETTINGS_ROLE, True)
    assert SETTINGS_ROLE in cadre_roles(town.store, zhao.id)
    assert SETTINGS_ROLE in next(c for c in list_cadres(town.store) if c.id == zhao.id).roles
    set_role(town.store, zhao, zhang.id, SETTINGS_ROLE, False)
    assert [c.name for c in list_cadres(town.store) if SETTINGS_ROLE in c.roles] == ["赵文博"]


def test_a_tablet_set_up_before_roles_gets_the_column(tmp_path: Path) -> None:
    station = unlocked(make_station(tmp_path / "old"))
    try:
        conn = station.store.conn
        conn.execute("ALTER TABLE local_users DROP COLUMN roles")
        # Such a tablet's file holds the app schema up to the step before "local users"
        # (the table was made on demand then); opening it runs that step (sync.migrations).
        before = [step.name for step in MIGRATIONS].index("local users")
        conn.execute("UPDATE schema_version SET version=? WHERE name='app'", (before,))
        # Opening runs that step; the later steps' tables are already in this file (it
        # was made whole above), so the version is then put back where the file stands.
        migrate(conn, MIGRATIONS[:before + 1], "app")
        conn.execute("UPDATE schema_version SET version=? WHERE name='app'",
                     (len(MIGRATIONS),))
        install(conn)
        assert "roles" in {row[1] for row in conn.execute("PRAGMA table_info(local_users)")}
        assert [c.roles for c in list_cadres(station.store)] == [frozenset()]
        add_cadre(station.store, "王芳", "代办员", "369147")
        assert len(list_cadres(station.store)) == 2
    finally:
        station.close()


def test_the_first_cadre_of_a_town_tablet_sets_it_up_with_the_role(tmp_path: Path) -> None:
    town = unlocked(make_station(tmp_path / "new-town", "新集镇便民服务中心", "town", "XJ900",
                                     (("张敏", "便民服务中心主任"), ("赵文博", "科员"))))
    village = unlocked(make_station(tmp_path / "village"))
    try:
        assert [(c.name, SETTINGS_ROLE in c.roles) for c in list_cadres(town.store)] == [
            ("张敏", True), ("赵文博", False)]
        assert all(not c.roles for c in list_cadres(village.store))
    finally:
        town.close()
        village.close()
