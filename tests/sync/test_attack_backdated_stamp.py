"""review-night.md H4, sync half, against a real town hub process: an origin's clock
stamps do not go back.  A stolen village tablet's modified app (tests.support.malicious:
its own key and token) back-dates an event by a day — the stamp that would choose which
of the town's rules judge a village decision — and the first hub refuses it
(`clock_went_back`), storing nothing.  What an honest device does still goes through:
a stamp within the allowed skew below its last one, a stamp below a far-future (flagged)
one, a tablet whose date was set ahead and then corrected, and a replaced tablet, which
writes on above its old chain once it has it back.
"""
from __future__ import annotations

from collections.abc import Callable

from sync.client import HubClient
from sync.enroll import enroll_station
from sync.hlc import DEFAULT_MAX_AHEAD_MS, pack, system_ms, wall_ms_of
from sync.store import Store
from tests.app.test_cli import sanji
from tests.support.malicious import MaliciousTablet, hub_state
from tests.sync.crafted import problem_of
from tests.sync.faultkit import (YEAR_MS, Lab, hub_db, query, sync_until_clean, visit,
                                 visit_event)

DAY_MS = 24 * 3600 * 1000


def test_a_back_dated_stamp_is_refused_at_the_first_hub(lab: Lab) -> None:
    town = lab.town()
    stolen = lab.station(town, "王湾村")
    for name in ("王秀英", "张秀兰"):
        stolen.store.append(visit_event(name))
    sync_until_clean(stolen.store, town.url)
    origin = stolen.store.node_id or ""
    hub = hub_db(town)

    def held() -> list[tuple[int, int, int]]:
        return query(hub, "SELECT seq, hlc, flags FROM events WHERE origin=? ORDER BY seq",
                     (origin,))

    last = held()[-1][1]
    tablet = MaliciousTablet.of(stolen.store, town.url)
    tablet._counter = stolen.store.next_request_counter()   # above its honest app's requests
    # the tablet continues the chain the hub holds, whatever its honest app knows
    tablet.head = lambda: query(hub, "SELECT seq, hash FROM events WHERE origin=?"
                                     " ORDER BY seq DESC LIMIT 1", (origin,))[0]

    def pushed(stamp: int) -> Callable[[], object]:
        return tablet.push([tablet.event("visit.logged", payload=visit("李四"), hlc=stamp)])

    conn = hub.connect()
    before = hub_state(conn)
    conn.close()
    day_back = pack(wall_ms_of(last) - DAY_MS, 0)
    body = problem_of(pushed(day_back), 422, "clock_went_back")
    assert body["origin"] == origin and "时间" in body["title"]
    conn = hub.connect()
    assert hub_state(conn) == before                   # nothing of it stored
    conn.close()

    # Within the allowed skew (an honest tablet replaced, or restored, may have run up to
    # it ahead of the hub's time): kept.
    slack = pack(wall_ms_of(last) - 60_000, 0)
    assert pushed(slack).status_code == 200
    # A far-future stamp (a wrong date) is kept flagged and does not raise the floor:
    # the next stamp at today's time is kept too ...
    assert pushed(pack(system_ms() + YEAR_MS, 0)).status_code == 200
    assert held()[-1][2] & 1
    now = pack(system_ms(), 0)
    assert pushed(now).status_code == 200
    # ... and the floor is that unflagged stamp: a day below it is refused again.
    problem_of(pushed(pack(wall_ms_of(now) - DAY_MS, 0)), 422, "clock_went_back")
    assert [hlc for _, hlc, _ in held()][-1] == now


def test_an_honest_tablet_whose_date_was_ahead_then_corrected_keeps_syncing(lab: Lab
                                                                             ) -> None:
    town = lab.town()
    ahead = {"ms": 0}
    station = lab.station(town, "李庄村", wall=lambda: system_ms() + ahead["ms"])
    ahead["ms"] = 2 * DAY_MS                           # the tablet's date jumps ahead
    station.store.append(visit_event("王秀英"))
    sync_until_clean(station.store, town.url)
    ahead["ms"] = 0                                     # the cadre corrects the date
    station.store.append(visit_event("张秀兰"))
    sync_until_clean(station.store, town.url)
    stamps = [r[0] for r in query(hub_db(town), "SELECT hlc FROM events WHERE origin=?"
                                  " ORDER BY seq", (station.store.node_id,))]
    assert len(stamps) == 2 and stamps == sorted(stamps)
    assert wall_ms_of(stamps[0]) > system_ms() + DEFAULT_MAX_AHEAD_MS


def test_a_replaced_tablet_writes_on_above_its_own_chain(lab: Lab) -> None:
    """The lost tablet's date ran 5 minutes ahead (within the skew: not flagged). The new
    tablet's clock is right; once its chain is back (RESYNC) it stamps above it — an
    honest origin's stamps never go back, whatever device writes them."""
    town = lab.town()
    ahead = {"ms": 0}
    lost = lab.station(town, "张庄村", wall=lambda: system_ms() + ahead["ms"])
    ahead["ms"] = 5 * 60 * 1000
    for name in ("王秀英", "张秀兰"):
        lost.store.append(visit_event(name))
    sync_until_clean(lost.store, town.url)
    node = lost.store.node_id or ""
    chain = [r[0] for r in query(hub_db(town), "SELECT hlc FROM events WHERE origin=?"
                                 " ORDER BY seq", (node,))]
    assert wall_ms_of(chain[-1]) > system_ms() + 60_000
    lost.store.close()

    replaced = sanji("node", "replace", node, "--data", town.data, "--json", cwd=lab.root)
    assert replaced.code == 0, replaced.err
    (lab.root / "new-tablet").mkdir()
    new = Store(lab.root / "new-tablet" / "station.sqlite")
    client = HubClient(town.url)
    try:
        enroll_station(new, client, replaced.json()["code"])
    finally:
        client.close()
    sync_until_clean(new, town.url)            # its chain comes back
    stamp = new.append(visit_event("李四"))["hlc"]
    assert stamp > chain[-1]
    sync_until_clean(new, town.url)
    stamps = [r[0] for r in query(hub_db(town), "SELECT hlc FROM events WHERE origin=?"
                                  " ORDER BY seq", (node,))]
    assert stamps == chain + [stamp]
    new.close()
