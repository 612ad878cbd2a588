"""A malicious tablet (issue #7): a station whose app is replaced by code that forges.

It holds exactly what a stolen village tablet holds — its node id, its own Ed25519 key
and its token — and nothing else. It builds any event it likes (any type, record, owner,
clock, payload, even another node's origin), chains it correctly after what its hub
already holds of its own chain, signs the run's head and every request with its own
key, and pushes raw bodies, optionally with certificates it signs itself. So whatever
the hub refuses, it refuses for the one thing under test: authority.

Reusable: over a real hub process (a URL) or an in-process app (an httpx transport).

    tablet = MaliciousTablet.of(store, hub_url)         # steal an enrolled station
    forged = tablet.event("config.set", record, {"key": …, "value": …})
    reply = tablet.push([forged])                        # → 403 problem+json
    tablet.push([tablet.event(…, origin=other_id)])      # someone else's origin
    tablet.push([…], certs=[tablet.certify(child_id, "town", …)])

Also the checks the tests make after each attempt: `hub_state` (every table a refused
push must leave unchanged, read from the hub's SQLite file) and `station_state` (what an
honest station holds and shows: event ids, state hash, quarantine, projections).
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from schemas import load_registry
from sync import log, wire
from sync.canonical import GENESIS
from sync.certs import issue
from sync.events import seal, to_push
from sync.hlc import HybridClock
from sync.ids import uuid7
from sync.keys import SigningKey, head_message, next_counter, request_message
from sync.state import state_hash
from sync.store import Store
from sync.tls import pinned_context


@dataclass
class MaliciousTablet:
    node_id: str
    token: str
    key: SigningKey
    url: str
    head: Callable[[], tuple[int, str]]            # (seq, hash) its hub holds of its chain
    transport: httpx.BaseTransport | None = None
    clock: HybridClock = field(default_factory=HybridClock)
    _counter: int = 0
    cert: str | None = None      # the hub certificate the stolen identity pinned

    @classmethod
    def of(cls, store: Store, url: str, transport: httpx.BaseTransport | None = None
           ) -> "MaliciousTablet":
        """The identity of an enrolled station, whose events so far its hub holds (its
        own honest app synced them; a refused push changes nothing there)."""
        assert store.node_id is not None, "enroll the station first"
        origin = store.node_id

        def head() -> tuple[int, str]:
            seq = store.pushed_through()
            return seq, log.hash_at(store.conn, origin, seq) or GENESIS
        return cls(origin, store.identity()["token"], store.signing_key(), url, head,
                   transport, cert=store.identity().get("hub_cert"))

    # events ----------------------------------------------------------------------------
    def event(self, event_type: str, record: str | None = None, payload: Any = None, *,
              owner: str | None = None, hlc: int | None = None, origin: str | None = None,
              author: str = "u-forger", kind: str | None = None, v: int = 1
              ) -> dict[str, Any]:
        """An event as the tablet chooses it (sealed when pushed). The kind defaults to
        the schema's for the type."""
        return {"id": uuid7(), "origin": origin or self.node_id, "seq": 0,
                "hlc": self.clock.now() if hlc is None else hlc, "type": event_type, "v": v,
                "record": record or uuid7(),
                "kind": kind or load_registry().kind_of(event_type, v), "author": author,
                "owner": owner, "payload": {} if payload is None else payload}

    def run(self, events: Sequence[dict[str, Any]], origin: str | None = None,
            key: SigningKey | None = None) -> dict[str, Any]:
        """A push run of `events` continuing the chain the hub holds of `origin` (its own
        by default: for another origin it starts at seq 1), head signed with `key` (its
        own by default)."""
        origin = origin or self.node_id
        seq, prev = self.head() if origin == self.node_id else (0, GENESIS)
        start, chain = seq + 1, prev
        for offset, event in enumerate(events):
            event["origin"], event["seq"] = origin, start + offset
            chain = seal(event, chain)["hash"]
        last = start + len(events) - 1
        return {"origin": origin, "from_seq": start, "prev": prev,
                "events": [to_push(e) for e in events],
                "head": {"seq": last, "hash": chain,
                         "sig": (key or self.key).sign(head_message(origin, last, chain))}}

    def certify(self, node_id: str, kind: str, name: str, pubkey: str,
                roles: Sequence[str] = (), short_code: str | None = None) -> dict[str, Any]:
        """A certificate for a child of this tablet, signed with its own key (a tablet is
        no hub: any hub must refuse it)."""
        return issue(self.key, node_id, self.node_id, kind, name, pubkey, roles,
                     short_code).to_json()

    # requests --------------------------------------------------------------------------
    def send(self, path: str, body: dict[str, Any]) -> httpx.Response:
        raw = wire.encode(body)
        # This tablet shares its node's identity with the honest station under test, and a
        # request counter is the clock in µs: let the millisecond of that station's last
        # request pass, or both counters can be equal and the hub refuses the second as a
        # replay (a test-harness race: an honest node is one client).
        time.sleep(0.002)
        self._counter = next_counter(self._counter, self.clock.physical_ms())
        headers = {"content-type": "application/json", "content-encoding": "gzip",
                   "authorization": f"Bearer {self.token}", "x-sanji-node": self.node_id,
                   "x-sanji-counter": str(self._counter),
                   "x-sanji-signature": self.key.sign(request_message(
                       "POST", path, self.node_id, self._counter, raw))}
        transport = _Borrowed(self.transport) if self.transport is not None else None
        verify: Any = pinned_context(self.cert) if self.cert else True
        with httpx.Client(base_url=self.url, transport=transport, timeout=30.0,
                          verify=verify) as http:
            return http.post(path, content=raw, headers=headers)

    def push(self, events: Sequence[dict[str, Any]] = (), certs: Sequence[Any] = (),
             runs: Sequence[dict[str, Any]] = ()) -> httpx.Response:
        """Push `events` as one run of its own chain (or the given `runs`), with `certs`."""
        body: dict[str, Any] = {"runs": [*runs, *([self.run(events)] if events else [])]}
        if certs:
            body["nodes"] = list(certs)
        return self.send("/v1/push", body)


class _Borrowed(httpx.BaseTransport):
    """A transport the tablet uses but does not own: closing its client leaves it open."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass


# what a refused attempt must leave unchanged ------------------------------------------------
HUB_TABLES = {"events": "*", "feed": "*", "records": "*", "record_owners": "*", "sigs": "*",
              "blobs": "*", "blob_refs": "*", "certs": "*",
              # not the request counter, nor what the relay marks as sent up
              "nodes": "id, parent, kind, name, pubkey, roles, direct, revoked, short_code"}


def hub_state(conn: sqlite3.Connection) -> dict[str, Any]:
    """A fingerprint of everything a hub stores for others: each table's rows (read
    through a connection to its file: hub databases are encrypted)."""
    out: dict[str, Any] = {}
    for table, columns in HUB_TABLES.items():
        rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1").fetchall()
        out[table] = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name='public_status'").fetchone():
        out["public_status"] = conn.execute(
            "SELECT * FROM public_status ORDER BY receipt_no").fetchall()
    return out


STATION_VIEWS = ("nodes_dir", "config", "cases", "disputes", "petitions", "visits")


def station_state(conn: sqlite3.Connection) -> dict[str, Any]:
    """What an honest station holds and shows: its events, their state, its quarantine
    and its query tables (those that exist in this file)."""
    out: dict[str, Any] = {"events": {r[0] for r in conn.execute("SELECT id FROM events")},
                           "state": state_hash(conn),
                           "quarantine": conn.execute("SELECT COUNT(*) FROM quarantine"
                                                      ).fetchone()[0]}
    for table in STATION_VIEWS:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (table,)).fetchone():
            out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return out
