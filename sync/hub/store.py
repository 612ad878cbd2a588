"""A hub's storage: its identity and certificates, the record index, serving scoped
pulls, the node tree. Accepting pushes is in sync.hub.push; the upstream side (runs
sent to the parent, what it sends down) in sync.hub.upstream.

Certificates (sync.certs): the hub certifies every node it enrolls; a town hub holds
its own certificate from its county, and the certificates of its subtree and of every
node the county knows (they come down with pulls), and hands them on to its children
with their pulls, so every node can check any origin against the root's key.

Pull (here → child): a feed of receive order; an event is fed again when its record's
audience changes (an escalation hands a record to the town), so a newly entitled
subtree receives the record's history. The cursor (epoch, fseq, id-at-fseq) detects a
hub restored from an old backup: then the epoch changes and children reconcile by
per-origin high-water marks. A pull reply also carries the certificates the child has
not seen and the root it must chain to; the API signs the reply (sync.keys.reply_message).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from schemas import Registry, load_registry
from sync import log
from sync.certs import Cert, Directory, Root, issue
from sync.db import Meta, connect, transaction
from sync.errors import Problem
from sync.events import to_pull
from sync.hlc import HybridClock, system_ms
from sync.hub import quarantine
from sync.hub.push import HubPush
from sync.hub.schema import MIGRATIONS
from sync.hub.upstream import HubUpstream
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.migrations import migrate
from sync.nodes import Node, Tree
from sync.policy import Audience, Policy, RecordFacts, default_policy

PULL_SCAN = 5000        # feed rows examined per pull request at most


Hook = Callable[[sqlite3.Connection, Sequence[Any]], None]


class HubStore(HubPush, HubUpstream):
    def __init__(self, path: str | Path, registry: Registry | None = None,
                 wall: Callable[[], int] = system_ms, policy: Policy | None = None,
                 key: bytes | None = None) -> None:
        self.path = Path(path)
        self.db_key = key               # the database key (sync.db), held while open
        self.conn = connect(self.path, key)
        self.meta = Meta(self.conn)
        migrate(self.conn, MIGRATIONS, "hub")
        self.registry = registry or load_registry()
        self.policy: Policy = policy or default_policy(self.registry)
        self.wall = wall
        self.clock = HybridClock(last=int(self.meta.get("hlc_last", "0") or 0), wall=wall)
        self.tree = Tree(self.conn)
        self._key: tuple[str, SigningKey] | None = None
        self._rows_seen: dict[str, tuple[Any, ...] | None] | None = None
        self.directory = Directory(self.conn, self.root)
        self._nodes_seen: str | None = None     # nodes_version the caches were read at
        # Domain hooks run inside the transaction that stored new events (a hub's own
        # query tables, e.g. the public receipt status of app/hubext), and when nodes
        # were certified (their events may read differently now).
        self.projectors: list[Hook] = []
        self.certified_hooks: list[Hook] = []

    # identity ---------------------------------------------------------------------------
    def init(self, level: str, name: str) -> None:
        """Give a new hub file its identity (idempotent)."""
        if self.meta.get("hub_id"):
            if self.meta.get("level") != level:
                raise Problem(409, "level_mismatch",
                              f"这个数据目录属于{self.meta.get('level')}级服务器，不能作为{level}级启动。")
            return
        with transaction(self.conn):
            self.meta.set("hub_id", uuid7())
            self.meta.set("hub_key", SigningKey.generate().to_b64())
            self.meta.set("level", level)
            self.meta.set("name", name)
            self.meta.set("epoch", uuid7())
        self.directory.forget()

    @property
    def hub_id(self) -> str:
        value = self.meta.get("hub_id")
        assert value is not None, "hub not initialised"
        return value

    def prefix(self) -> str:
        """The hub's two letters for station codes: given by the county at enrollment,
        else derived from the hub id until then."""
        stored = self.meta.get("prefix")
        if stored:
            return stored
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        value = int(self.hub_id.replace("-", "")[-8:], 16)
        return letters[value % 24] + letters[(value // 24) % 24]

    @property
    def epoch(self) -> str:
        return self.meta.get("epoch") or ""

    def key(self) -> SigningKey:
        raw = self.meta.get("hub_key") or ""
        if self._key is None or self._key[0] != raw:
            self._key = (raw, SigningKey.from_b64(raw))
        return self._key[1]

    def identity(self) -> dict[str, Any]:
        upstream = json.loads(self.meta.get("upstream") or "{}")
        return {"hub_id": self.hub_id, "level": self.meta.get("level"),
                "name": self.meta.get("name"), "pubkey": self.key().public_b64,
                "epoch": self.epoch, "root": self.root().to_json(),
                "ancestors": [self.hub_id] + upstream.get("ancestors", [])}

    def root(self) -> Root:
        """The key every chain here ends at: the county's (learnt when this hub
        enrolled upward), or this hub's own while it has no parent."""
        upstream = json.loads(self.meta.get("upstream") or "{}")
        if upstream:
            root = Root.from_json(upstream.get("root"))
            if root is not None:
                return root
            parent = upstream["parent"]   # enrolled before certificates: its parent was the top
            return Root(parent["hub_id"], parent["pubkey"], parent["level"])
        return Root(self.hub_id, self.key().public_b64, self.meta.get("level") or "town")

    def chain(self) -> list[dict[str, Any]]:
        """This hub's own certificate and its issuers' up to the root (empty at the root)."""
        return [cert.to_json() for node in self.directory.lineage(self.hub_id)
                if node != self.root().id and (cert := self.directory.get(node))]

    def certify(self, node_id: str) -> Cert:
        """Sign the certificate of a node enrolled here (inside the caller's transaction)."""
        kind, name, pubkey, roles, short_code = self.conn.execute(
            "SELECT kind, name, pubkey, roles, short_code FROM nodes WHERE id=? AND direct=1",
            (node_id,)).fetchone()
        cert = issue(self.key(), node_id, self.hub_id, kind, name, pubkey,
                     [r for r in roles.split(",") if r], short_code)
        if self.directory.store(cert):
            self._certified([node_id])
        return cert

    def touch_nodes(self) -> None:
        """Tell the hub's other connections (the API, the relay, the CLI) that nodes or
        certificates changed: they reload their cached tree and directory."""
        self.meta.set("nodes_version", int(self.meta.get("nodes_version", "0") or 0) + 1)

    def reload_if_changed(self) -> None:
        """Reload the cached node tree and certificates if another connection (the
        relay, the CLI, another process) changed them since this one last looked."""
        version = self.meta.get("nodes_version")
        if version != self._nodes_seen:
            self.tree.reload()
            self.directory.forget()
            self._nodes_seen = version

    def _certified(self, ids: Sequence[str]) -> None:
        for hook in self.certified_hooks:
            hook(self.conn, ids)

    def adopt_id(self, node_id: str) -> None:
        """A hub enrolling upward keeps its own id; nothing to change here."""

    def close(self) -> None:
        self.conn.close()

    # time -------------------------------------------------------------------------------
    def now_ms(self) -> int:
        return self.wall()

    # the record index and the feed ---------------------------------------------------------
    def _index(self, events: Sequence[dict[str, Any]]) -> None:
        """Update record audiences; feed new events, and re-feed a record's history when
        its audience changes."""
        if not events:
            return
        ids = [e["id"] for e in events]
        rseqs: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rseqs.update(self.conn.execute(
                f"SELECT id, rseq FROM events WHERE id IN ({','.join('?' * len(chunk))})",
                chunk))
        refeed = self._update_audiences(events)
        self.conn.executemany("INSERT INTO feed(rseq) VALUES(?)",
                              [(rseqs[e["id"]],) for e in events])
        for record in sorted(refeed):
            self.conn.execute("INSERT INTO feed(rseq) SELECT rseq FROM events WHERE record=?"
                              " ORDER BY rseq", (record,))
        self._index_blobs(events, rseqs)
        for projector in self.projectors:
            projector(self.conn, events)

    def _update_audiences(self, events: Sequence[dict[str, Any]]) -> set[str]:
        """Creator = origin of a record's first creating event in (hlc, origin, seq)
        order (of its first event while no creating one is held: a step relayed before
        its record's creation), so a later event with an earlier clock cannot make its
        origin the creator; owner = the latest `owner` handed over, and every owner ever
        is remembered (record_owners). One read and one write per batch, not per event.
        Returns the records whose audience changed (their history must be fed again)."""
        known = self._records_rows(list(dict.fromkeys(e["record"] for e in events)))
        before = {r: (row[2], row[6]) for r, row in known.items()}
        owners = []
        for event in events:
            key = (event["hlc"], event["origin"], event["seq"])
            owner = event.get("owner")
            made = int(self.policy.creates(event["type"]))
            row = known.get(event["record"])
            if owner:
                owners.append((event["record"], owner))
            if row is None:
                known[event["record"]] = [event["record"], event["kind"], event["origin"], *key,
                                          owner, *(key if owner else (None, None, None)), made]
                continue
            if (made and not row[10]) or (made == row[10] and key < (row[3], row[4], row[5])):
                row[2:6] = [event["origin"], *key]
                row[10] = made
            if owner and (row[7] is None or key > (row[7], row[8], row[9])):
                row[6:10] = [owner, *key]
        self.conn.executemany("INSERT OR REPLACE INTO records VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                              [tuple(row) for row in known.values()])
        if owners:
            self.conn.executemany("INSERT OR IGNORE INTO record_owners(record, owner)"
                                  " VALUES(?,?)", owners)
        return {r for r, (creator, owner) in before.items()
                if (known[r][2], known[r][6]) != (creator, owner)}

    def _records_rows(self, names: list[str]) -> dict[str, list[Any]]:
        """Index rows of these records (fresh lists). During a push, rows read once (to
        check its events, then to index them) are kept in `_rows_seen`: the index does
        not change until the push's events are indexed at its end."""
        seen = self._rows_seen
        missing = names if seen is None else [n for n in names if n not in seen]
        found: dict[str, tuple[Any, ...] | None] = dict.fromkeys(missing)
        for i in range(0, len(missing), 500):
            chunk = missing[i:i + 500]
            for row in self.conn.execute(
                    "SELECT record, kind, creator, c_hlc, c_origin, c_seq, owner, o_hlc,"
                    " o_origin, o_seq, c_made FROM records WHERE record IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                found[row[0]] = row
        if seen is not None:
            seen.update(found)
            found = {n: seen[n] for n in names}
        return {n: list(row) for n, row in found.items() if row is not None}

    def record_facts(self, records: Sequence[str]) -> dict[str, RecordFacts]:
        """What the index holds of these records (sync.policy.RecordFacts)."""
        names = list(dict.fromkeys(records))
        rows = self._records_rows(names)
        holders: dict[str, set[str]] = {r: {row[2]} for r, row in rows.items()}
        names = [n for n in names if n in rows]
        for i in range(0, len(names), 500):
            chunk = names[i:i + 500]
            for record, owner in self.conn.execute(
                    "SELECT record, owner FROM record_owners WHERE record IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                holders.setdefault(record, set()).add(owner)
        return {r: RecordFacts(True, row[2], bool(row[10]), frozenset(holders[r]))
                for r, row in rows.items()}

    def _index_blobs(self, events: Sequence[dict[str, Any]], rseqs: dict[str, int]) -> None:
        refs = [(a["sha256"], rseqs[e["id"]]) for e in events
                for a in e["payload"].get("attachments", []) if isinstance(a, dict)]
        if refs:
            self.conn.executemany("INSERT OR IGNORE INTO blob_refs(sha256, rseq) VALUES(?,?)",
                                  refs)

    # pull -------------------------------------------------------------------------------
    def pull(self, child: Node, cursor: object, limit: int = 500,
             have: dict[str, int] | None = None, own_after: int | None = None,
             certs_after: int = 0) -> dict[str, Any]:
        """Events for `child`'s subtree after `cursor`, in feed order, and the
        certificates stored after position `certs_after`. With `own_after` (a restored
        or replaced device taking its records back, sync.store.RESYNC) the child's own
        events after that seq come too, which are otherwise never echoed."""
        limit = max(1, min(int(limit), 2000))
        start, reset = self._start_of(cursor)
        if reset:
            have = {} if have is None else have
            certs_after = 0
        # The feed first, then what judges it: the relay's connection stores a parent's
        # events and their origins' certificates in one transaction, which may commit
        # while this runs. Read after these rows, the certificates and the cached
        # directory hold every origin the rows can name; read before, an origin could be
        # missing — its event skipped (a local kind's issuer unknown) or sent without
        # its certificate (set aside at the child) while the cursor moves past it.
        rows = self.conn.execute(
            "SELECT f.fseq, " + ", ".join("e." + c for c in log.COLUMNS) +
            ", r.creator, r.owner FROM feed f JOIN events e ON e.rseq=f.rseq"
            " JOIN records r ON r.record=e.record WHERE f.fseq>? AND f.rseq "
            + quarantine.EXCLUDED + " ORDER BY f.fseq LIMIT ?",
            (start, PULL_SCAN)).fetchall()
        self.reload_if_changed()
        subtree, scope = self.scopes(child)
        certs, certs_through, more_certs = self.directory.since(certs_after)
        last_fseq = start
        last_id = cursor.get("id", "") if isinstance(cursor, dict) and not reset else ""
        reply = {"epoch": self.epoch, "reset": reset, "certs": certs,
                 "certs_through": certs_through, "root": self.root().to_json()}
        if more_certs:
            # Every certificate before any event: an event whose origin the child cannot
            # check yet would be set aside there for good.
            return {**reply, "events": [], "more": True,
                    "cursor": {"epoch": self.epoch, "fseq": last_fseq, "id": last_id}}
        lineage = frozenset(self.directory.lineage(child.id))
        local = self.registry.local_kinds()
        out: list[list[Any]] = []
        sent: set[str] = set()
        for row in rows:
            fseq, values, creator, owner = row[0], row[1:-2], row[-2], row[-1]
            origin, seq, kind, event_id = values[2], values[3], values[8], values[1]
            last_fseq, last_id = fseq, event_id
            if event_id in sent or (have and seq <= have.get(origin, 0)):
                continue
            own = own_after is not None and origin == child.id and seq > own_after
            issuer = None
            if kind in local and not own:
                cert = self.directory.verified(origin)
                issuer = cert.parent if cert else None
            if not own and not self.policy.may_pull(child, subtree, origin, kind,
                                                    Audience(creator, owner, issuer), scope,
                                                    lineage):
                continue
            sent.add(event_id)
            out.append(to_pull(log.row_to_event(values)))
            if len(out) >= limit:
                break
        top = self.conn.execute("SELECT fseq FROM feed WHERE rseq " + quarantine.EXCLUDED +
                                " ORDER BY fseq DESC LIMIT 1").fetchone()
        max_fseq = top[0] if top else 0
        return {**reply, "events": out, "more": last_fseq < max_fseq,
                "cursor": {"epoch": self.epoch, "fseq": last_fseq, "id": last_id}}

    def scopes(self, child: Node) -> tuple[frozenset[str], frozenset[str]]:
        """(subtree, scope) of a child for the scope policy (used by pulls and by
        attachment downloads, sync.hub.blobs)."""
        subtree = self.tree.subtree(child.id)
        if child.kind == self.meta.get("level"):
            # A station at the hub's own level (the town center's tablets) acts for the
            # hub and supervises its villages: it sees what the hub's whole subtree
            # created and what was handed to the hub itself (an escalation).
            return subtree, self.tree.subtree(self.hub_id) | {self.hub_id}
        return subtree, subtree

    def _start_of(self, cursor: object) -> tuple[int, bool]:
        """Where a cursor points; (0, True) when it belongs to another epoch."""
        if cursor is None:
            return 0, False
        if not isinstance(cursor, dict) or type(cursor.get("fseq")) is not int \
                or cursor["fseq"] < 0 or not isinstance(cursor.get("epoch"), str) \
                or not isinstance(cursor.get("id"), str):
            raise Problem(400, "bad_cursor", "同步游标格式不对。")
        if cursor["epoch"] != self.epoch:
            return 0, True
        fseq = cursor["fseq"]
        if fseq == 0:
            return 0, False
        row = self.conn.execute("SELECT e.id FROM feed f JOIN events e ON e.rseq=f.rseq"
                                " WHERE f.fseq=?", (fseq,)).fetchone()
        if row is None or row[0] != cursor["id"]:
            # The child saw a feed this file no longer has: we were restored from an old
            # backup. A new epoch makes every child reconcile (issue #2 §3).
            with transaction(self.conn):
                self.meta.set("epoch", uuid7())
                self.meta.set("restored_detected_at", self.now_ms())
            return 0, True
        return fseq, False
