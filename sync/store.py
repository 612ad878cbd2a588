"""The station's local event store: append, outbox for push, apply what was pulled.

Every write is one SQLite transaction that allocates the next gapless seq of this
node, stamps it with the hybrid clock, validates the payload against its schema,
chains the hash, inserts, and lets the domain's projection update its tables — all or
nothing (issue #2 §2).

Authority (issue #7): the station keeps the certificates its hub sends (sync.certs)
and the root key it pinned at enrollment. A pulled event is applied only if its origin
holds a certificate whose chain reaches that root and the policy allows the origin to
write it (as the hubs check on push); otherwise it is quarantined and counted in the
sync status. The station checks its own writes the same way before they enter its
chain, so an event its hub would refuse is never written.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas import Registry, load_registry
from sync import clockfix, log
from sync import certs as certificates
from sync.blobfiles import BlobFiles
from sync.canonical import GENESIS
from sync.certs import Directory, Root
from sync.db import META_DDL, Meta, connect, transaction
from sync.errors import Problem, StoreError
from sync.events import check_envelope, check_size, seal
from sync.hlc import HubTimeRefused, HybridClock, system_ms
from sync.intake import sort_pulled
from sync.ids import uuid7
from sync.migrations import Step, migrate
from sync.keys import SigningKey, head_message, next_counter
from sync.policy import DefaultPolicy, Overlay, Policy, RecordFacts, Where

Projector = Callable[[sqlite3.Connection, Sequence[dict[str, Any]]], None]
# Told, inside the transaction, the ids of nodes whose certificates came in.
CertifiedHook = Callable[[sqlite3.Connection, Sequence[str]], None]
# Set on a store restored from a backup (app/backups.py) or enrolled as the new device of
# a node the hub already holds records of (sync.enroll): its own chain may go on at the
# hub beyond what it holds, and a new event now would take a seq the hub already has.
# Until a pull has brought those back (apply_pulled adopts them), nothing is written.
RESYNC = "resync_own_chain"
RESYNC_FIRST = ("本机的记录还没有从服务器取回（刚换了新设备，或刚从备份恢复）：请先同步一次，"
                "再继续办理。")


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(META_DDL)
    log.create_events_table(conn)
    conn.execute("CREATE TABLE quarantine(id INTEGER PRIMARY KEY, received_at INTEGER,"
                 " code TEXT, message TEXT, raw TEXT)")


def _v2(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE blobs_out(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                 " uploaded INTEGER NOT NULL DEFAULT 0)")


def _v4(conn: sqlite3.Connection) -> None:
    # Certificates of the nodes this station has heard of (issue #7); the root is pinned
    # at enrollment, or from the hub's first signed reply for a station enrolled before.
    certificates.create_tables(conn)


MIGRATIONS = [Step("events and quarantine", _v1),
              Step("attachments to upload", _v2),
              Step("clock repair", clockfix.repair_station_clock),   # issue #7 item 5
              Step("certificates", _v4)]                             # issue #7


@dataclass
class NewEvent:
    type: str
    record: str
    payload: dict[str, Any]
    author: str
    v: int = 1
    owner: str | None = None


class Store:
    """One node's SQLite file. Identity comes from enrollment (see sync.enroll)."""

    def __init__(self, path: str | Path, registry: Registry | None = None,
                 wall: Callable[[], int] = system_ms, projector: Projector | None = None,
                 key: bytes | None = None, policy: Policy | None = None) -> None:
        self.path = Path(path)
        self.db_key = key               # the database key (sync.db), held while open
        self.conn = connect(self.path, key)
        self.meta = Meta(self.conn)
        migrate(self.conn, MIGRATIONS, "station")
        self.registry = registry or load_registry()
        self.projectors: list[Projector] = [projector] if projector else []
        self.policy: Policy = policy or DefaultPolicy()
        self.directory = Directory(self.conn, self.root)
        # Called, inside the transaction, with the ids of nodes whose certificates came
        # in (their events may read differently now: levels come from certificates).
        self.certified_hooks: list[CertifiedHook] = []
        # Only this node's own history holds the clock up at start-up: `hlc_last` is
        # raised by every own stamp and every stamp adopted within the allowed skew,
        # never by a far-future one (issue #7 item 5: not MAX(hlc) of all events held).
        self.clock = HybridClock(last=clockfix.stored_last(self.meta),
                                 offset_ms=int(self.meta.get("clock_offset", "0") or 0),
                                 wall=wall)

    # identity -----------------------------------------------------------------------
    @property
    def node_id(self) -> str | None:
        return self.meta.get("node_id")

    def identity(self) -> dict[str, Any]:
        raw = self.meta.get("identity")
        return json.loads(raw) if raw else {}

    def set_identity(self, node_id: str, key: SigningKey, identity: dict[str, Any],
                     root: Root | None = None, certs: Sequence[object] = ()) -> None:
        with transaction(self.conn):
            self.meta.set("node_id", node_id)
            self.meta.set("node_key", key.to_b64())
            self.meta.set("identity", json.dumps(identity, ensure_ascii=False))
            if root is not None:
                self.meta.set("root", json.dumps(root.to_json()))
            self.directory.forget()
            self.admit_certs(certs)

    def root(self) -> Root | None:
        raw = self.meta.get("root")
        return Root.from_json(json.loads(raw)) if raw else None

    def hub_key(self) -> str | None:
        """The public key of the hub this station enrolled with (pinned then)."""
        return (self.identity().get("hub") or {}).get("pubkey")

    def adopt_root(self, stated: object) -> None:
        """Pin the root the hub states in a signed reply if none is pinned yet (a station
        enrolled before certificates) or if the pinned root is our hub itself; any other
        change of root is refused."""
        root = Root.from_json(stated)
        held = self.root()
        if root is None or held == root:
            return
        hub = self.identity().get("hub") or {}
        if held is not None and (held.id, held.pubkey) != (hub.get("hub_id"), hub.get("pubkey")):
            raise Problem(403, "root_changed", "镇里服务器声明的根证书与登记时不同，已拒绝这次同步；"
                                               "请联系镇里管理员核实，必要时重新登记本机。")
        # None pinned yet, or our own hub was the top when we enrolled and has since
        # enrolled with a county: the reply that says so is signed by our hub.
        with transaction(self.conn):
            self.meta.set("root", json.dumps(root.to_json()))
            self.directory.forget()

    def admit_certs(self, certs: Sequence[object]) -> list[Problem]:
        """Keep certificates from the hub (inside a transaction); tell the hooks."""
        changed, problems = self.directory.admit(certs)
        if changed:
            for hook in self.certified_hooks:
                hook(self.conn, changed)
        return problems

    def signing_key(self) -> SigningKey:
        raw = self.meta.get("node_key")
        if raw is None:
            raise StoreError("not_enrolled", "本机还没有登记到镇里的服务器：请先输入服务器地址和登记码。")
        return SigningKey.from_b64(raw)

    def close(self) -> None:
        self.conn.close()

    # writing --------------------------------------------------------------------------
    def append(self, new: NewEvent) -> dict[str, Any]:
        return self.append_many([new])[0]

    def append_many(self, items: Sequence[NewEvent]) -> list[dict[str, Any]]:
        origin = self.node_id
        if origin is None:
            raise StoreError("not_enrolled", "本机还没有登记到镇里的服务器：请先输入服务器地址和登记码。")
        if self.meta.get(RESYNC):
            raise StoreError("restored_resync", RESYNC_FIRST)
        out: list[dict[str, Any]] = []
        with transaction(self.conn):
            seq, prev = log.head(self.conn, origin)
            me = self.directory.verified(origin)
            overlay = Overlay(self.record_facts, [item.record for item in items])
            where = Where(self.directory, overlay.facts, writing=True)
            for item in items:
                seq += 1
                event = {"id": uuid7(), "origin": origin, "seq": seq, "hlc": self.clock.now(),
                         "type": item.type, "v": item.v, "record": item.record,
                         "kind": self._kind(item), "author": item.author, "owner": item.owner,
                         "payload": item.payload}
                try:
                    check_envelope(event, self.registry)
                    # An event the hub would refuse must never enter the chain: every
                    # later event would be stuck behind it. (Before this station has its
                    # own certificate, after an upgrade, only the hub can tell.)
                    refusal = me and self.policy.may_write(event, me, where)
                    if refusal:
                        raise refusal
                except Problem as exc:
                    raise StoreError(exc.code, exc.message) from exc
                overlay.add(event, self.policy.creates(item.type))
                prev = seal(event, prev)["hash"]
                try:
                    check_size(event)
                except Problem as exc:
                    raise StoreError(exc.code, exc.message) from exc
                out.append(event)
            log.insert(self.conn, out)
            self._project(out)
            clockfix.raise_last(self.meta, self.clock.last)
        return out

    def _kind(self, item: NewEvent) -> str:
        if not self.registry.knows(item.type, item.v):
            raise StoreError("unknown_event_type", f"不认识的事件类型 {item.type}。")
        return self.registry.kind_of(item.type, item.v)

    def _project(self, events: Sequence[dict[str, Any]]) -> None:
        for projector in self.projectors:
            projector(self.conn, events)

    def add_blob(self, files: BlobFiles, data: bytes) -> dict[str, Any]:
        """Keep an attachment locally and queue it for upload; returns the reference an
        event payload's "attachments" list carries."""
        sha = files.put(data)
        with transaction(self.conn):
            self.conn.execute("INSERT OR IGNORE INTO blobs_out(sha256, size) VALUES(?,?)",
                              (sha, len(data)))
        return {"sha256": sha, "size": len(data)}

    # push side ------------------------------------------------------------------------
    def pushed_through(self) -> int:
        return int(self.meta.get("pushed_through") or 0)

    def pending_count(self) -> int:
        origin = self.node_id
        if origin is None:
            return 0
        return log.head(self.conn, origin)[0] - self.pushed_through()

    def outbox_run(self, limit: int) -> dict[str, Any] | None:
        """The next run of own events to push, with a signed head; None if all pushed."""
        origin = self.node_id
        if origin is None:
            return None
        after = self.pushed_through()
        events = log.run(self.conn, origin, after, limit)
        if not events:
            return None
        prev = log.hash_at(self.conn, origin, after) or GENESIS
        last = events[-1]
        sig = self.signing_key().sign(head_message(origin, last["seq"], last["hash"]))
        return {"origin": origin, "from_seq": after + 1, "prev": prev, "events": events,
                "head": {"seq": last["seq"], "hash": last["hash"], "sig": sig}}

    def mark_pushed(self, through: int) -> None:
        """Record the hub's accepted_through; it may also move back (hub restored)."""
        head_seq = log.head(self.conn, self.node_id or "")[0]
        with transaction(self.conn):
            self.meta.set("pushed_through", max(0, min(through, head_seq)))

    # pull side ------------------------------------------------------------------------
    def apply_pulled(self, events: Sequence[dict[str, Any]], cursor: dict[str, Any],
                     certs: Sequence[object] = (), certs_through: int | None = None) -> int:
        """Store a pulled batch's certificates, its events and the new cursor in one
        transaction; returns how many events were new. A malformed event, or one whose
        origin is not certified or may not write it, is quarantined (kept, shown), never
        applied."""
        # After a restore (RESYNC), own events that continue our chain come back in.
        resync = bool(self.meta.get(RESYNC))
        own = log.head(self.conn, self.node_id or "")

        def adopt(event: dict[str, Any]) -> bool:
            nonlocal own
            if not resync or (event["seq"], event["prev"]) != (own[0] + 1, own[1]):
                return False
            own = (event["seq"], event["hash"])
            return True

        with transaction(self.conn):
            for problem in self.admit_certs(certs):
                self._quarantine({"cert": problem.extra.get("node")}, problem)
            intake = sort_pulled(self, events, lambda origin: origin == self.node_id, adopt)
            for event, problem in intake.refused:
                self._quarantine(event, problem)
            fresh = intake.fresh
            log.insert(self.conn, fresh)
            self._project(fresh)
            self.meta.set("pull_cursor", json.dumps(cursor))
            clockfix.raise_last(self.meta, self.clock.last)
            if certs_through is not None:
                self.meta.set("certs_after", certs_through)
        return len(fresh)

    def finish_resync(self) -> None:
        """A whole pull is done: what the hub held of our chain is back; writing resumes."""
        if self.meta.get(RESYNC):
            with transaction(self.conn):
                self.meta.set(RESYNC, None)
                self.meta.set("pushed_through", log.head(self.conn, self.node_id or "")[0])

    def record_facts(self, records: Sequence[str]) -> dict[str, RecordFacts]:
        """What this file holds of these records (sync.policy.RecordFacts)."""
        names = list(dict.fromkeys(records))
        out: dict[str, RecordFacts] = {}
        for i in range(0, len(names), 500):
            chunk = names[i:i + 500]
            rows = self.conn.execute(
                "SELECT record, origin, type, owner FROM events WHERE record IN"
                f" ({','.join('?' * len(chunk))}) ORDER BY record, hlc, origin, seq", chunk)
            for record, origin, event_type, owner in rows:
                now = out.get(record, RecordFacts())
                made = self.policy.creates(event_type)
                creator, created = now.creator, now.created
                if (made and not created) or creator is None:
                    creator, created = origin, made or created
                holders = now.holders | {creator} | ({owner} if owner else set())
                out[record] = RecordFacts(True, creator, created, frozenset(holders))
        return out

    def certs_after(self) -> int:
        return int(self.meta.get("certs_after", "0") or 0)

    def _quarantine(self, event: dict[str, Any], problem: Problem) -> None:
        raw = json.dumps({k: v for k, v in event.items() if k != "payload_json"},
                         ensure_ascii=False, default=str)
        self.conn.execute("INSERT INTO quarantine(received_at, code, message, raw) "
                          "VALUES(?,?,?,?)", (system_ms(), problem.code, problem.message, raw))

    def pull_cursor(self) -> dict[str, Any] | None:
        raw = self.meta.get("pull_cursor")
        return json.loads(raw) if raw else None

    def reset_cursor(self) -> None:
        with transaction(self.conn):
            self.meta.set("pull_cursor", None)
            self.meta.set("certs_after", 0)

    # clock ----------------------------------------------------------------------------
    def learn_hub_time(self, hub_ms: object, sent_ms: int, received_ms: int,
                       first_contact: bool = False) -> HubTimeRefused | None:
        """Learn the hub's time from a reply (sync.hlc: not when it is far ahead of what
        this device knows, except at enrollment). A refusal is kept for the status line
        until a later reply is learned; returns it."""
        refused = self.clock.learn_offset(hub_ms, sent_ms, received_ms, first_contact)
        with transaction(self.conn):
            if refused is None:
                self.meta.set("clock_offset", self.clock.offset_ms)
                self.meta.set("clock_warning", None)
            else:
                self.meta.set("clock_warning", refused.message())
        return refused

    def next_request_counter(self) -> int:
        """A strictly increasing request number, persisted before the request is sent
        (clock-floored: see sync.keys.next_counter)."""
        with transaction(self.conn):
            counter = next_counter(int(self.meta.get("req_counter", "0") or 0),
                                   self.clock.physical_ms())
            self.meta.set("req_counter", counter)
        return counter

