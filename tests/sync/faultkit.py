"""Shared helpers of the fault tests (issue #2 §5): enrolled stations on real hub
processes, syncing through any URL (a fault proxy), and exact comparisons of the
SQLite files on both sides: event ids, per-origin seq ranges and hashes."""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sync.audit import Finding, audit_hub
from sync.batching import BatchSizer
from sync.client import Backoff, HubClient
from sync.enroll import enroll_hub, enroll_station
from sync.hlc import system_ms
from sync.db import connect
from sync.ids import uuid7
from sync.session import RoundResult, Syncer, credentials_for
from sync.store import NewEvent, Store
from tests.support.faultproxy import FaultProxy
from tests.support.hubs import HubProcess

YEAR_MS = 365 * 24 * 3600 * 1000


def visit(name: str = "王秀英", matter: str = "咨询城乡居民医保缴费") -> dict[str, object]:
    """A realistic 来访登记 payload (~500 B of JSON)."""
    return {"name": name, "sex": "女", "age": 63, "phone": "13812345678",
            "address": "三组", "visited_at": "2026-11-28 09:30", "place": "便民服务站",
            "matter": matter, "officer": "李建国", "officer_post": "村委委员",
            "opinion": "已告知缴费渠道和截止日期，留存联系电话以便回访。"}


def visit_event(name: str = "王秀英", record: str | None = None) -> NewEvent:
    return NewEvent("visit.logged", record or uuid7(), visit(name), "u-li")


def config_event(key: str, value: object) -> NewEvent:
    """A broadcast-kind event: every other station under the hub pulls it. Only a town
    or county station may write one (app.domain.authority): enroll its writer with
    kind="town" or "county"."""
    return NewEvent("config.set", uuid7(), {"key": key, "value": value}, "u-admin")


@dataclass
class Station:
    """A station's data directory and event store (the sync layer only: these tests
    exercise sync/, not the app's projections)."""

    data: Path
    store: Store

    def hub_url(self) -> str | None:
        return self.store.identity().get("hub_url")


# a small world of real processes ----------------------------------------------------------
@dataclass
class Lab:
    """Hub processes, stations and proxies of one test; close() ends them all."""

    root: Path
    hubs: list[HubProcess] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    proxies: list[FaultProxy] = field(default_factory=list)

    def county(self, name: str = "新县", insecure: bool = False) -> HubProcess:
        hub = HubProcess(self.root / f"county-{len(self.hubs)}", "county", insecure=insecure)
        hub.init(name)
        self.hubs.append(hub)
        return hub.start()

    def town(self, name: str = "新集镇", county: HubProcess | None = None,
             upstream: str | None = None, insecure: bool = False) -> HubProcess:
        """A town hub; under `county` (enrolled there, relaying every 0.5 s, through
        `upstream` if given, e.g. a proxy) or alone. `insecure`: plain HTTP, for the
        fault tests whose faults act on HTTP requests (tests/sync/test_faults_proxy.py)."""
        hub = HubProcess(self.root / f"town-{len(self.hubs)}", "town", insecure=insecure)
        hub.init(name)
        if county is not None:
            _, code = county.add_node(name, "town")
            store = hub.open()
            client = HubClient(county.url)
            try:
                enroll_hub(store, client, code)
            finally:
                client.close()
                store.close()
            hub.upstream = upstream or county.url
        self.hubs.append(hub)
        return hub.start()

    def station(self, hub: HubProcess, name: str,
                wall: Callable[[], int] = system_ms, kind: str = "village") -> Station:
        station = enroll(self.root, hub, name, wall, kind)
        self.stations.append(station)
        return station

    def proxy(self, hub: HubProcess, **options: object) -> FaultProxy:
        proxy = FaultProxy(("127.0.0.1", hub.port), **options)  # type: ignore[arg-type]
        proxy.scheme = "https" if hub.url.startswith("https:") else "http"
        self.proxies.append(proxy)
        proxy.start()
        return proxy

    def close(self) -> None:
        for proxy in self.proxies:
            proxy.stop()
        for hub in self.hubs:
            hub.stop()
        for station in self.stations:
            station.store.close()


# stations ------------------------------------------------------------------------------
def enroll(root: Path, hub: HubProcess, name: str,
           wall: Callable[[], int] = system_ms, kind: str = "village") -> Station:
    """A new station directory enrolled at `hub` (a running HubProcess); a `kind` of the
    hub's own level is one of its center's tablets."""
    _, code = hub.add_node(name, kind)
    data = root / f"station-{name}"
    data.mkdir(parents=True, exist_ok=True)
    station = Station(data, Store(data / "station.sqlite", wall=wall))
    client = HubClient(hub.url)
    try:
        enroll_station(station.store, client, code)
    finally:
        client.close()
    return station


def fast_backoff(attempts: int = 3) -> Backoff:
    return Backoff(base=0.005, cap=0.02, attempts=attempts)


def sync_via(store: Store, url: str, attempts: int = 3, batch: int | None = None,
             keepalive: bool = True, timeout: float = 10.0) -> RoundResult:
    """One station round against `url` (the hub, or a proxy in front of it)."""
    transport = None if keepalive else httpx.HTTPTransport(
        limits=httpx.Limits(max_keepalive_connections=0))
    client = HubClient(url, credentials_for(store), timeout=timeout, transport=transport)
    sizer = BatchSizer() if batch is None else BatchSizer(size=batch, low=batch, high=batch)
    try:
        return Syncer(store, client, sizer=sizer, backoff=fast_backoff(attempts)).run_round()
    finally:
        client.close()


def sync_until_clean(store: Store, url: str, tries: int = 20) -> RoundResult:
    """Rounds until one succeeds with nothing left to push."""
    result = RoundResult()
    for _ in range(tries):
        result = sync_via(store, url)
        if result.ok and store.pending_count() == 0:
            return result
        time.sleep(0.05)
    raise AssertionError(f"station did not sync cleanly: {result.error}")


# reading SQLite files ---------------------------------------------------------------------
@dataclass(frozen=True)
class DbFile(os.PathLike[str]):
    """A database file and the key that opens it (a hub's files are encrypted; these
    sync-level stations' are plain). Usable as a path (copying, deleting)."""
    path: Path
    key: bytes | None = None

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def connect(self) -> sqlite3.Connection:
        return connect(self.path, self.key)


def hub_db(hub: HubProcess) -> DbFile:
    return DbFile(hub.data / "hub.sqlite", hub.key)


def station_db(station: Station) -> DbFile:
    return DbFile(station.store.path, station.store.db_key)


def query(db: DbFile, sql: str, params: Iterable[object] = ()) -> list[tuple]:
    conn = db.connect()
    try:
        return conn.execute(sql, tuple(params)).fetchall()
    finally:
        conn.close()


def chain(db: DbFile, origin: str) -> list[tuple[int, str, str]]:
    """(seq, id, hash) of one origin's events held in `db`, in seq order."""
    return [tuple(r) for r in query(db, "SELECT seq, id, hash FROM events WHERE origin=?"
                                     " ORDER BY seq", (origin,))]


def ids(db: DbFile, origin: str | None = None) -> set[str]:
    if origin is None:
        return {r[0] for r in query(db, "SELECT id FROM events")}
    return {r[0] for r in query(db, "SELECT id FROM events WHERE origin=?", (origin,))}


def count(db: DbFile, origin: str | None = None) -> int:
    if origin is None:
        return query(db, "SELECT COUNT(*) FROM events")[0][0]
    return query(db, "SELECT COUNT(*) FROM events WHERE origin=?", (origin,))[0][0]


def integrity(db: DbFile) -> str:
    return query(db, "PRAGMA integrity_check")[0][0]


def assert_gapless(db: DbFile, origin: str) -> int:
    """seq of `origin` in `db` is exactly 1..n; returns n."""
    seqs = [r[0] for r in chain(db, origin)]
    assert seqs == list(range(1, len(seqs) + 1)), f"seq of {origin} not gapless: {seqs[:20]}…"
    return len(seqs)


def assert_holds_exactly(hub: DbFile, station: Station) -> None:
    """The hub holds the station's own chain exactly: same seqs, ids and hashes, once."""
    origin = station.store.node_id
    assert origin is not None
    mine = chain(station_db(station), origin)
    assert mine == chain(hub, origin)
    assert len({i for _, i, _ in mine}) == len(mine)


def audit(hub: HubProcess) -> list[Finding]:
    store = hub.open()
    try:
        return audit_hub(store)
    finally:
        store.close()


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met in {timeout} s: {what}")
