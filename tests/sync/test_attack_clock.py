"""Issue #7 item 5, against real hub processes: no clock from outside is adopted when it
is beyond the allowed skew — not a forged event's stamp at a station's next start, not a
forged `hub_time` — and nothing received can leave a tablet unable to write.

Far-future events themselves are not refused: a tablet whose date is wrong must not lose
its work (DESIGN.md "Clock": accepted, flagged, not adopted), so the first hub keeps them
flagged and shows them to the town (/v1/status `far_future`). The attack refused here is
the drag: on the code before this change, a station that pulled one forged stamp took it
as its clock at its next start, and a stamp at the top of the range made every later
write fail.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


from sync.events import MAX_HLC
from sync.hlc import DEFAULT_MAX_AHEAD_MS, pack, system_ms, wall_ms_of
from sync.status import sync_status
from sync.store import Store
from tests.support.mitm import ReplyForger, set_json_field
from tests.sync.crafted import HAN, Sender, event, extend
from tests.sync.faultkit import (YEAR_MS, Lab, Station, hub_db, query, station_db,
                                 sync_until_clean, sync_via, visit_event, wait_for)

TEN_YEARS_MS = 10 * YEAR_MS
NEAR_MS = 5_000


def config_at(key: str, value: object, hlc: int) -> Callable[[int, int], dict[str, Any]]:
    """A crafted town rule (broadcast: every station pulls it) stamped `hlc`."""
    def make(seq: int, _now: int) -> dict[str, Any]:
        return event("", seq, hlc, type="config.set", kind="config", author="u-admin",
                     payload={"key": key, "value": value})
    return make


def near_now(stamp: int) -> bool:
    return abs(wall_ms_of(stamp) - system_ms()) < NEAR_MS


def restart(station: Station) -> None:
    """Close the station's database and open it again, as the app does at start."""
    station.store.close()
    station.store = Store(station_db(station))


def flags(db: Path, origin: str) -> list[int]:
    return [r[0] for r in query(db, "SELECT flags & 1 FROM events WHERE origin=? ORDER BY seq",
                                (origin,))]


def test_a_forged_far_future_stamp_drags_no_clock_at_restart(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    # A stolen town tablet, its own key and token (a town's, so that its rules are
    # allowed at all: issue #7; what is under test here is their clock).
    mallory = lab.station(town, "新集镇综治中心", kind="town")
    honest = lab.station(town, "王湾村")
    center = lab.station(town, "新集镇便民服务中心", kind="town")
    origin = mallory.store.node_id or ""

    # Two rules stamped ten years ahead and at the very top of the stamp range.
    far = pack(system_ms() + TEN_YEARS_MS, 0)
    run, _ = extend(mallory.store, [config_at("service.due_soon_working_days", 3, far),
                                    config_at("service.overdue_notify_role", "镇长", MAX_HLC)])
    reply = Sender.of(mallory.store, town.url).push([run])
    assert reply.status_code == 200, reply.text      # kept, flagged (see the docstring)
    assert flags(hub_db(town), origin) == [1, 1]

    for station in (honest, center):
        sync_until_clean(station.store, town.url)
        # Visible to the station, flagged there too, not adopted while running.
        assert flags(station_db(station), origin) == [1, 1]
        restart(station)
        # At start-up the clock rests on the station's own history only.
        assert wall_ms_of(station.store.clock.last) < system_ms() + DEFAULT_MAX_AHEAD_MS
        stamp = station.store.append(visit_event("张秀兰"))["hlc"]   # still able to write
        assert near_now(stamp)
        sync_until_clean(station.store, town.url)
        assert flags(hub_db(town), station.store.node_id or "") == [0]

    # The town sees the far-future events in its status; the county flags them too.
    status = town.get("/v1/status", timeout=10).json()
    assert status["far_future"]["by_origin"] == {origin: 2}, status
    assert status["healthy"] is True, status
    wait_for(lambda: flags(hub_db(county), origin) == [1, 1], 30, "county flags them too")
    wait_for(lambda: flags(hub_db(county), honest.store.node_id or "") == [0], 30,
             "honest event at the county, unflagged")

    # A restarted hub keeps its own clock too.
    town.restart()
    hub_last = int(query(hub_db(town), "SELECT value FROM meta WHERE key='hlc_last'")[0][0])
    assert wall_ms_of(hub_last) < system_ms() + DEFAULT_MAX_AHEAD_MS


def test_a_forged_hub_time_is_not_learned(lab: Lab) -> None:
    town = lab.town()
    station = lab.station(town, "王湾村")
    station.store.append(visit_event("李桂兰"))
    offset = station.store.clock.offset_ms
    assert abs(offset) < NEAR_MS                      # learned at enrollment

    with ReplyForger(town, sign_as=town) as mitm:   # the hub's own wrong clock
        for forged in (system_ms() + TEN_YEARS_MS, 2**62):
            mitm.rewrite = set_json_field("hub_time", forged)
            before = mitm.rewritten
            result = sync_via(station.store, mitm.url)
            assert result.ok, result.error                # the data still syncs
            assert mitm.rewritten > before                # the station did read forged times
            assert station.store.clock.offset_ms == offset
            warning = sync_status(station.store).clock_warning
            assert warning and HAN.search(warning) and "日期和时间" in warning, warning
            assert near_now(station.store.append(visit_event("王建军"))["hlc"])
            restart(station)                              # nothing forged was persisted
            assert station.store.clock.offset_ms == offset
            assert near_now(station.store.append(visit_event("赵志强"))["hlc"])

    # Straight to the hub again: its time is learned and the warning goes.
    assert sync_via(station.store, town.url).ok
    assert sync_status(station.store).clock_warning is None
    assert abs(station.store.clock.offset_ms) < NEAR_MS
