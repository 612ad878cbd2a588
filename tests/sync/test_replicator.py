"""One replicator (issue #9): a station pushing to its town and a town relaying to its
county run the same push loop (sync.replicate), so a parent restored from a backup —
which answers `seq_gap` with the seq it expects — is handled the same on both sides:
the child rewinds to what the parent holds, pushes the rest once, and ends knowing
exactly how far the parent holds its chain. Real hub processes on 127.0.0.1."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.procs import free_port
from sync.client import HubClient
from sync.db import export
from sync.errors import Problem
from sync.hub.relay import Relay
from sync.replicate import seq_gaps
from sync.session import Syncer, credentials_for
from tests.support.hubs import HubProcess
from tests.sync.faultkit import (Lab, Station, assert_gapless, chain, count, fast_backoff,
                                 hub_db, station_db, sync_until_clean, visit_event)


def restore_from(hub: HubProcess, backup: Path) -> None:
    """The hub's disk died; it comes back from `backup` (a copy of its file)."""
    hub.stop()
    for suffix in ("", "-wal", "-shm"):
        Path(str(hub.data / "hub.sqlite") + suffix).unlink(missing_ok=True)
    shutil.copy(backup, hub.data / "hub.sqlite")
    hub.start()


def back_up(hub: HubProcess, to: Path) -> None:
    source = hub_db(hub).connect()
    try:
        export(source, to, hub.key or b"")
    finally:
        source.close()


@dataclass
class Side:
    """A child of `parent` holding one chain (`origin`): how it writes, pushes, and
    what it believes the parent holds."""

    parent: HubProcess
    origin: str
    write: Callable[[int], None]       # n new events on the chain, held by the child
    push: Callable[[], int]            # one push_all of the child's replicator
    acked: Callable[[], int]           # how far the child believes the parent holds it
    chain_here: Callable[[], list[tuple[int, str, str]]]


def station_side(lab: Lab) -> Side:
    """A village station under a town (the parent)."""
    town = lab.town()
    village = lab.station(town, "李庄村")
    origin = village.store.node_id or ""

    def push() -> int:
        with HubClient(town.url, credentials_for(village.store)) as client:
            return Syncer(village.store, client, backoff=fast_backoff()).push_all()

    return Side(town, origin,
                lambda n: village.store.append_many([visit_event(f"走访{i}") for i in range(n)]),
                push, village.store.pushed_through,
                lambda: chain(station_db(village), origin))


def hub_side(lab: Lab) -> Side:
    """A town hub relaying a village's chain to its county (the parent). The town runs
    as a process only while the village pushes to it, its own relay pointed at a port
    where nothing listens; the relay's push under test runs in this process on the
    town's file."""
    county = lab.county()
    town = lab.town(county=county, upstream=f"http://127.0.0.1:{free_port()}")
    village: Station = lab.station(town, "张庄村")
    origin = village.store.node_id or ""

    def write(n: int) -> None:
        village.store.append_many([visit_event(f"来访{i}") for i in range(n)])
        if town.proc is None or town.proc.poll() is not None:
            town.start()
        sync_until_clean(village.store, town.url)
        town.stop()

    def push() -> int:
        store = town.open()
        try:
            with HubClient(county.url, pin=county.pin) as client:   # as pinned upstream
                relay = Relay(store, client=client)
                relay.backoff.sleep = lambda _: None
                return relay.push_all()
        finally:
            store.close()

    def acked() -> int:
        rows = town.db().execute("SELECT seq FROM up_acked WHERE origin=?", (origin,)).fetchall()
        return rows[0][0] if rows else 0

    return Side(county, origin, write, push, acked,
                lambda: chain(hub_db(town), origin))


@pytest.mark.parametrize("make_side", [station_side, hub_side], ids=["station", "hub"])
def test_a_parent_restored_from_a_backup_is_refilled_the_same_on_both_sides(
        lab: Lab, make_side: Callable[[Lab], Side]) -> None:
    side = make_side(lab)
    parent = side.parent
    side.write(5)
    assert side.push() == 5 and side.acked() == 5
    backup = lab.root / "parent-backup.sqlite"
    back_up(parent, backup)
    side.write(3)
    assert side.push() == 3 and side.acked() == 8

    restore_from(parent, backup)          # holds 1..5 again, acknowledged 1..8 before
    assert count(hub_db(parent), side.origin) == 5
    side.write(2)                         # the child's next push starts at 9: seq_gap
    pushed = side.push()

    assert pushed == 5                    # 6..10: rewound once to the parent's 5
    assert side.acked() == 10
    assert assert_gapless(hub_db(parent), side.origin) == 10
    assert chain(hub_db(parent), side.origin) == side.chain_here()
    assert side.push() == 0               # nothing left, nothing sent twice


@pytest.mark.parametrize("reply", [
    Problem(409, "seq_gap", "数据缺了一段", origin="A", expected=6, accepted={"A": 5}),
    Problem(409, "seq_gap", "数据缺了一段", origin="A", expected=6, accepted={"A": 5, "B": 2},
            problems=[{"code": "seq_gap", "origin": "A", "expected": 6, "status": 409}]),
    Problem(403, "chain_broken", "…", accepted={"A": 3, "B": 2},
            problems=[{"code": "chain_broken", "origin": "B", "status": 409},
                      {"code": "seq_gap", "origin": "A", "expected": 6, "status": 409}]),
], ids=["station-reply", "relay-reply-first", "relay-reply-later"])
def test_a_gap_is_read_from_either_shape_of_reply(reply: Problem) -> None:
    """A station's push has one run: the gap is the reply's own code. A relay's has
    several: the gap may be any of its problems. Both shapes name the same rewind
    (the station once ignored the second, the relay read both)."""
    assert seq_gaps(reply) == {"A": 6}
