"""A hub's storage: accepting pushed runs, serving scoped pulls, the node tree; the
upstream side (runs sent to the parent, what it sends down) is in sync.hub.upstream.

Push (child → here): one transaction per batch; per origin, the run must continue the
chain we hold (else `seq_gap`, telling the child where to restart), its recomputed
head must match the signed head (else nothing of that run is stored), and events are
kept up to the first invalid one, which stops that origin's run (DESIGN.md "Push").

Pull (here → child): a feed of receive order; an event is fed again when its record's
audience changes (an escalation hands a record to the town), so a newly entitled
subtree receives the record's history. The cursor (epoch, fseq, id-at-fseq) detects a
hub restored from an old backup: then the epoch changes and children reconcile by
per-origin high-water marks.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from schemas import Registry, load_registry
from sync import log
from sync.db import Meta, connect, migrate, transaction
from sync.errors import Problem
from sync.events import check_envelope, from_push, seal, to_pull
from sync.hlc import HybridClock, system_ms
from sync.hub import quarantine
from sync.hub.schema import MIGRATIONS
from sync.hub.upstream import MAX_RUN, HubUpstream
from sync.ids import uuid7
from sync.keys import SigningKey, head_message, node_message, verify
from sync.nodes import Node, Tree
from sync.policy import Audience, DefaultPolicy, ScopePolicy

PULL_SCAN = 5000        # feed rows examined per pull request at most


class HubStore(HubUpstream):
    def __init__(self, path: str | Path, registry: Registry | None = None,
                 wall: Callable[[], int] = system_ms, policy: ScopePolicy | None = None,
                 key: bytes | None = None) -> None:
        self.path = Path(path)
        self.db_key = key               # the database key (sync.db), held while open
        self.conn = connect(self.path, key)
        self.meta = Meta(self.conn)
        migrate(self.conn, MIGRATIONS, "hub")
        self.registry = registry or load_registry()
        self.policy = policy or DefaultPolicy(self.registry.confidential_kinds(),
                                              self.registry.broadcast_kinds())
        self.wall = wall
        self.clock = HybridClock(last=int(self.meta.get("hlc_last", "0") or 0), wall=wall)
        self.tree = Tree(self.conn)
        # Domain hooks run inside the transaction that stored new events (a hub's own
        # query tables, e.g. the public receipt status of app/hubext).
        self.projectors: list[Callable[[sqlite3.Connection, Sequence[dict[str, Any]]],
                                       None]] = []

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
        return SigningKey.from_b64(self.meta.get("hub_key") or "")

    def identity(self) -> dict[str, Any]:
        upstream = json.loads(self.meta.get("upstream") or "{}")
        return {"hub_id": self.hub_id, "level": self.meta.get("level"),
                "name": self.meta.get("name"), "pubkey": self.key().public_b64,
                "epoch": self.epoch,
                "ancestors": [self.hub_id] + upstream.get("ancestors", [])}

    def adopt_id(self, node_id: str) -> None:
        """A hub enrolling upward keeps its own id; nothing to change here."""

    def close(self) -> None:
        self.conn.close()

    # time -------------------------------------------------------------------------------
    def now_ms(self) -> int:
        return self.wall()

    # push -------------------------------------------------------------------------------
    def accept_push(self, sender: Node, body: dict[str, Any]) -> dict[str, Any]:
        """Store what is valid of a push; returns accepted_through per origin and the
        problems met. Raises Problem only for a request that is wrong as a whole."""
        runs = body.get("runs")
        certs = body.get("nodes", [])
        if not isinstance(runs, list) or not isinstance(certs, list):
            raise Problem(400, "bad_request", "推送内容缺少 runs 列表。")
        accepted: dict[str, int] = {}
        problems: list[dict[str, Any]] = []
        with transaction(self.conn):
            for cert in certs:
                problem = self._accept_cert(sender, cert)
                if problem:
                    problems.append(problem.to_json())
            if certs:
                self.tree.reload()
            fresh: list[dict[str, Any]] = []
            for run in runs:
                try:
                    origin, through, events, stopped = self._accept_run(sender, run)
                except Problem as exc:
                    problems.append(exc.to_json())
                    origin = run.get("origin") if isinstance(run, dict) else None
                    if isinstance(origin, str) and self.tree.is_within(origin, sender.id):
                        accepted[origin] = log.head(self.conn, origin)[0]
                    continue
                accepted[origin] = through
                fresh.extend(events)
                if stopped is not None:
                    problems.append(stopped.to_json())
            self._index(fresh)
            self.meta.set("hlc_last", self.clock.last)
            for problem in problems:
                self.conn.execute("INSERT INTO problems(at, node, code, message) VALUES(?,?,?,?)",
                                  (self.now_ms(), sender.id, problem["code"], problem["title"]))
        return {"accepted": accepted, "problems": problems, "stored": len(fresh)}

    def _accept_cert(self, sender: Node, cert: object) -> Problem | None:
        if not isinstance(cert, dict):
            return Problem(422, "bad_cert", "节点证书格式不对。")
        try:
            node_id, parent, kind, name, pubkey, sig = (
                cert["id"], cert["parent"], cert["kind"], cert["name"], cert["pubkey"],
                cert["sig"])
        except KeyError:
            return Problem(422, "bad_cert", "节点证书缺少字段。")
        signer = self.tree.get(parent) if isinstance(parent, str) else None
        if signer is None or not self.tree.is_within(parent, sender.id) or not signer.pubkey:
            return Problem(403, "foreign_node", "这个节点不属于推送方的下级。", node=node_id)
        if not all(isinstance(x, str) for x in (node_id, kind, name, pubkey, sig)) or \
                not verify(signer.pubkey, node_message(node_id, parent, kind, name, pubkey), sig):
            return Problem(403, "bad_cert", "节点证书签名不对。", node=node_id)
        known = self.tree.get(node_id)
        if known is not None and known.direct:
            return None  # enrolled here directly: our own record wins
        upstream = json.loads(self.meta.get("upstream") or "{}")
        if node_id in (self.hub_id, *upstream.get("ancestors", [])) or (
                known is not None and not self.tree.is_within(node_id, sender.id)):
            # Only the branch a node already hangs in may re-vouch for it: otherwise one
            # town could move another town's village (or us) under itself and then sign
            # events in its name (issue #2 §4, forged origins).
            return Problem(403, "foreign_node", "这个节点已属于别的下级，不能改挂到推送方名下。",
                           node=node_id)
        self.conn.execute(
            "INSERT INTO nodes(id, parent, kind, name, pubkey, cert_sig) VALUES(?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET parent=excluded.parent, kind=excluded.kind,"
            " name=excluded.name, pubkey=excluded.pubkey, cert_sig=excluded.cert_sig,"
            " sent_up=0", (node_id, parent, kind, name, pubkey, sig))
        if known is None or known.parent != parent:
            # The node is new in our tree (or hangs elsewhere now): records already
            # handed to it were skipped by earlier pulls of its branch, whose cursors
            # are past them. Feed them again, like an owner change does (_index).
            self.conn.execute("INSERT INTO feed(rseq) SELECT e.rseq FROM events e JOIN"
                              " records r ON r.record=e.record WHERE r.owner=? OR r.creator=?"
                              " ORDER BY e.rseq", (node_id, node_id))
        return None

    def _accept_run(self, sender: Node, run: object
                    ) -> tuple[str, int, list[dict[str, Any]], Problem | None]:
        if not isinstance(run, dict):
            raise Problem(400, "bad_request", "推送的 run 格式不对。")
        origin, from_seq, prev = run.get("origin"), run.get("from_seq"), run.get("prev")
        items, head = run.get("events"), run.get("head")
        if not isinstance(origin, str) or type(from_seq) is not int or from_seq < 1 \
                or not isinstance(prev, str) or not isinstance(items, list) \
                or not isinstance(head, dict) or not items or len(items) > MAX_RUN:
            raise Problem(400, "bad_request", "推送的 run 缺少字段或超出长度。")
        node = self.tree.get(origin)
        if not self.tree.is_within(origin, sender.id):
            raise Problem(403, "foreign_origin",
                          "只能推送本机或下级产生的数据。", origin=origin)
        if node is None or not node.pubkey:
            raise Problem(403, "unknown_origin", "不认识这个数据来源，请先同步节点登记。",
                          origin=origin)
        held_seq, _ = log.head(self.conn, origin)
        if from_seq > held_seq + 1:
            raise Problem(409, "seq_gap", f"数据缺了一段：请从第 {held_seq + 1} 条开始重新推送。",
                          origin=origin, expected=held_seq + 1)
        if log.hash_at(self.conn, origin, from_seq - 1) != prev:
            raise Problem(409, "chain_broken", "数据链与服务器上的不衔接（可能被篡改）。",
                          origin=origin, seq=from_seq)
        # Recompute the whole chain first: the signature vouches for the run as a whole.
        events, chain = [], prev
        for offset, item in enumerate(items):
            event = from_push(item, origin, from_seq + offset)
            try:
                chain = seal(event, chain)["hash"]
            except (TypeError, ValueError) as exc:
                raise Problem(422, "bad_envelope", "事件内容无法解析。", origin=origin) from exc
            events.append(event)
        signer_id = head.get("signer", origin)
        signer = self.tree.get(signer_id) if isinstance(signer_id, str) else None
        last_seq = from_seq + len(items) - 1
        if head.get("seq") != last_seq or head.get("hash") != chain:
            raise Problem(422, "chain_broken", "数据链的末端与签名不符（可能被篡改），这一段没有保存。",
                          origin=origin, seq=from_seq)
        if signer is None or not signer.pubkey or not (
                signer_id == origin or origin in self.tree.subtree(signer_id)) \
                or not self.tree.is_within(signer_id, sender.id) \
                or not verify(signer.pubkey, head_message(origin, last_seq, chain),
                              str(head.get("sig", ""))):
            raise Problem(403, "bad_signature", "数据签名验证失败，这一段没有保存。",
                          origin=origin, seq=from_seq)
        keep: list[dict[str, Any]] = []
        stopped: Problem | None = None
        ids: set[str] = set()
        for event in events:
            if event["seq"] <= held_seq:
                if log.hash_at(self.conn, origin, event["seq"]) != event["hash"]:
                    raise Problem(409, "conflict", "同一序号的数据与服务器上的不同。",
                                  origin=origin, seq=event["seq"])
                continue
            try:
                check_envelope(event, self.registry)
                if event["id"] in ids or self.conn.execute(
                        "SELECT 1 FROM events WHERE id=?", (event["id"],)).fetchone():
                    # Same id, different event (DESIGN.md "Push": a conflict, not a crash).
                    raise Problem(409, "conflict", "这个事件编号已被另一条数据使用。",
                                  event_id=event["id"])
            except Problem as exc:
                # A bad event stops its origin's run here; what came before is kept.
                stopped = Problem(exc.status, exc.code, exc.message, **exc.extra,
                                  origin=origin, seq=event["seq"])
                break
            ids.add(event["id"])
            if not self.clock.observe(event["hlc"]):
                event["flags"] = log.FLAG_FAR_FUTURE
            keep.append(event)
        log.insert(self.conn, keep)
        through = keep[-1]["seq"] if keep else held_seq
        if keep and through == last_seq:
            self.conn.execute("INSERT OR REPLACE INTO sigs(origin, seq, hash, sig, signer) "
                              "VALUES(?,?,?,?,?)", (origin, last_seq, chain, head["sig"],
                                                    signer_id))
        return origin, max(through, held_seq), keep, stopped

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
        """Creator = origin of a record's first event in (hlc, origin, seq) order; owner =
        the latest `owner` handed over. One read and one write per batch, not per event.
        Returns the records whose audience changed (their history must be fed again)."""
        names = list(dict.fromkeys(e["record"] for e in events))
        known: dict[str, list[Any]] = {}
        for i in range(0, len(names), 500):
            chunk = names[i:i + 500]
            for row in self.conn.execute(
                    "SELECT record, kind, creator, c_hlc, c_origin, c_seq, owner, o_hlc,"
                    f" o_origin, o_seq FROM records WHERE record IN ({','.join('?' * len(chunk))})",
                    chunk):
                known[row[0]] = list(row)
        before = {r: (row[2], row[6]) for r, row in known.items()}
        for event in events:
            key = (event["hlc"], event["origin"], event["seq"])
            owner = event.get("owner")
            row = known.get(event["record"])
            if row is None:
                known[event["record"]] = [event["record"], event["kind"], event["origin"], *key,
                                          owner, *(key if owner else (None, None, None))]
                continue
            if key < (row[3], row[4], row[5]):
                row[2:6] = [event["origin"], *key]
            if owner and (row[7] is None or key > (row[7], row[8], row[9])):
                row[6:10] = [owner, *key]
        self.conn.executemany("INSERT OR REPLACE INTO records VALUES(?,?,?,?,?,?,?,?,?,?)",
                              [tuple(row) for row in known.values()])
        return {r for r, (creator, owner) in before.items()
                if (known[r][2], known[r][6]) != (creator, owner)}

    def _index_blobs(self, events: Sequence[dict[str, Any]], rseqs: dict[str, int]) -> None:
        refs = [(a["sha256"], rseqs[e["id"]]) for e in events
                for a in e["payload"].get("attachments", []) if isinstance(a, dict)]
        if refs:
            self.conn.executemany("INSERT OR IGNORE INTO blob_refs(sha256, rseq) VALUES(?,?)",
                                  refs)

    # pull -------------------------------------------------------------------------------
    def pull(self, child: Node, cursor: object, limit: int = 500,
             have: dict[str, int] | None = None, own_after: int | None = None
             ) -> dict[str, Any]:
        """Events for `child`'s subtree after `cursor`, in feed order. With `own_after`
        (a restored or replaced device taking its records back, sync.store.RESYNC) the
        child's own events after that seq come too, which are otherwise never echoed."""
        limit = max(1, min(int(limit), 2000))
        start, reset = self._start_of(cursor)
        if reset and have is None:
            have = {}
        subtree, scope = self.scopes(child)
        rows = self.conn.execute(
            "SELECT f.fseq, " + ", ".join("e." + c for c in log.COLUMNS) +
            ", r.creator, r.owner FROM feed f JOIN events e ON e.rseq=f.rseq"
            " JOIN records r ON r.record=e.record WHERE f.fseq>? AND f.rseq "
            + quarantine.EXCLUDED + " ORDER BY f.fseq LIMIT ?",
            (start, PULL_SCAN)).fetchall()
        out: list[list[Any]] = []
        last_fseq, last_id = start, (cursor or {}).get("id", "") if not reset else ""
        sent: set[str] = set()
        for row in rows:
            fseq, values, creator, owner = row[0], row[1:-2], row[-2], row[-1]
            origin, seq, kind, event_id = values[2], values[3], values[8], values[1]
            last_fseq, last_id = fseq, event_id
            if event_id in sent or (have and seq <= have.get(origin, 0)):
                continue
            own = own_after is not None and origin == child.id and seq > own_after
            if not own and not self.policy.may_pull(child, subtree, origin, kind,
                                                    Audience(creator, owner), scope):
                continue
            sent.add(event_id)
            out.append(to_pull(log.row_to_event(values)))
            if len(out) >= limit:
                break
        top = self.conn.execute("SELECT fseq FROM feed WHERE rseq " + quarantine.EXCLUDED +
                                " ORDER BY fseq DESC LIMIT 1").fetchone()
        max_fseq = top[0] if top else 0
        return {"epoch": self.epoch, "reset": reset, "events": out,
                "cursor": {"epoch": self.epoch, "fseq": last_fseq, "id": last_id},
                "more": last_fseq < max_fseq}

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
