"""Clock chaos (issue #2 §5): tablets whose clocks are a year ahead or behind, and a
clock jumping backwards between appends. Stamps stay monotonic per station; far-future
stamps are flagged at every hub and not adopted (no one is dragged forward); a skewed
station learns the hub's time on its next sync. Real hub processes on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path

from sync.hlc import DEFAULT_MAX_AHEAD_MS, system_ms, wall_ms_of
from tests.sync.faultkit import (YEAR_MS, Lab, Station, config_event, hub_db, query,
                                 station_db, sync_until_clean, visit_event, wait_for)

NEAR_MS = 5_000   # "near true time": learned offsets are good to a round trip on loopback


class SkewedWall:
    """A tablet's wall clock: true time plus a skew the test changes at will."""

    def __init__(self, skew_ms: int = 0) -> None:
        self.skew_ms = skew_ms

    def __call__(self) -> int:
        return system_ms() + self.skew_ms


def own_stamps(station: Station) -> list[int]:
    return [r[0] for r in query(station_db(station), "SELECT hlc FROM events WHERE origin=?"
                                " ORDER BY seq", (station.store.node_id,))]


def flags(db: Path, origin: str) -> list[int]:
    return [r[0] for r in query(db, "SELECT flags & 1 FROM events WHERE origin=? ORDER BY seq",
                                (origin,))]


def hub_clock_wall(db: Path) -> int:
    return wall_ms_of(int(query(db, "SELECT value FROM meta WHERE key='hlc_last'")[0][0]))


def strictly_increasing(values: list[int]) -> bool:
    return all(a < b for a, b in zip(values, values[1:]))


def near_now(stamp: int) -> bool:
    return abs(wall_ms_of(stamp) - system_ms()) < NEAR_MS


def test_clock_chaos_keeps_stamps_monotonic_and_hubs_unharmed(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    ahead, behind, jumpy = SkewedWall(), SkewedWall(), SkewedWall()
    # the town center's tablet (it sends rules down); its clock jumps +1 year, offline
    future = lab.station(town, "新集镇便民服务中心", ahead, kind="town")
    past = lab.station(town, "李庄村", behind)         # its clock jumps −1 year, offline
    wrong_from_start = lab.station(town, "张集村", SkewedWall(YEAR_MS))
    jumping = lab.station(town, "刘营村", jumpy)
    neighbour = lab.station(town, "陈楼村")

    # +1 year after enrollment: the tablet writes far-future stamps while offline.
    ahead.skew_ms = YEAR_MS
    future.store.append_many([visit_event("村民甲"), config_event("rule.a", 1),
                              config_event("rule.b", 2)])
    assert all(abs(wall_ms_of(s) - system_ms() - YEAR_MS) < NEAR_MS for s in own_stamps(future))

    # −1 year between appends: stamps do not go back.
    past.store.append_many([visit_event(f"村民{i}") for i in range(3)])
    behind.skew_ms = -YEAR_MS
    past.store.append_many([visit_event(f"村民{i}") for i in range(3, 6)])
    assert strictly_increasing(own_stamps(past))
    assert all(near_now(s) for s in own_stamps(past))   # held up by the last stamp

    # A clock that jumps around between every append (an hour back, two days back,
    # five minutes ahead, ten seconds back …): every stamp above the one before.
    for skew in (0, -3_600_000, -2 * 86_400_000, 5 * 60_000, -10_000, 0, -YEAR_MS):
        jumpy.skew_ms = skew
        jumping.store.append(visit_event(f"跳{skew}"))
    assert strictly_increasing(own_stamps(jumping))

    # Wrong by a year from the start: enrollment already taught it the hub's time.
    wrong_from_start.store.append_many([visit_event(f"村民{i}") for i in range(3)])
    assert all(near_now(s) for s in own_stamps(wrong_from_start))

    for station in (future, past, jumping, wrong_from_start):
        sync_until_clean(station.store, town.url)
    everyone = [future, past, jumping, wrong_from_start]
    total = sum(len(own_stamps(s)) for s in everyone)
    wait_for(lambda: query(hub_db(county), "SELECT COUNT(*) FROM events")[0][0] == total, 20,
             "county has every event")

    # Far-future events are flagged at the town and at the county, nothing else is,
    # and neither hub's clock was dragged a year ahead.
    for db in (hub_db(town), hub_db(county)):
        assert flags(db, future.store.node_id or "") == [1, 1, 1]
        for station in (past, jumping, wrong_from_start):
            assert set(flags(db, station.store.node_id or "")) == {0}
        assert hub_clock_wall(db) < system_ms() + DEFAULT_MAX_AHEAD_MS

    # A neighbour pulls the future tablet's rules (broadcast): flagged, not adopted.
    sync_until_clean(neighbour.store, town.url)
    assert query(station_db(neighbour), "SELECT flags & 1 FROM events WHERE origin=?",
                 (future.store.node_id,)) == [(1,), (1,)]
    assert wall_ms_of(neighbour.store.clock.last) < system_ms() + DEFAULT_MAX_AHEAD_MS
    assert near_now(neighbour.store.append(visit_event("邻居"))["hlc"])

    # After one sync each skewed tablet knows the hub's time.
    assert abs(future.store.clock.offset_ms + YEAR_MS) < NEAR_MS
    assert abs(past.store.clock.offset_ms - YEAR_MS) < NEAR_MS
    assert abs(future.store.clock.physical_ms() - system_ms()) < NEAR_MS
    # The one that fell behind stamps near true time again, above its old stamps.
    stamp = past.store.append(visit_event("村民7"))["hlc"]
    assert near_now(stamp) and stamp > max(own_stamps(past)[:-1])
    # The one that ran ahead already issued stamps a year ahead; its own later events
    # must still order after them (its corrections must win over its own earlier
    # values), so its stamps stay monotonic, and every hub keeps flagging them.
    stamp = future.store.append(config_event("rule.c", 3))["hlc"]
    assert stamp > max(own_stamps(future)[:-1])
    sync_until_clean(future.store, town.url)
    assert flags(hub_db(town), future.store.node_id or "")[-1] == 1
    assert hub_clock_wall(hub_db(town)) < system_ms() + DEFAULT_MAX_AHEAD_MS
    # The offset is persisted: a restart of the app keeps it.
    assert int(future.store.meta.get("clock_offset") or 0) == future.store.clock.offset_ms
