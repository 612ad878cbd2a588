"""A hub's upstream side: what it sends its parent and applies from it (used by relay).

Up (here → parent): runs of this subtree's events the parent has not acknowledged,
each ending at a head signed by its origin where one is stored, else countersigned by
this hub; certificates of subtree nodes the parent has not been told about; and the
parent's acknowledgements (`mark_up`). Down (parent → here): pulled events outside our
subtree are checked, stored and indexed like pushed ones, and the parent's cursor kept.

HubUpstream is a mixin of HubStore: it uses the store's connection, tree, identity,
clock and record index (`_index`).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from schemas import Registry
from sync import log
from sync.db import Meta, transaction
from sync.errors import Problem
from sync.hlc import HybridClock
from sync.hub import quarantine
from sync.keys import SigningKey, head_message, node_message
from sync.nodes import Tree
from sync.store import check_pulled

MAX_RUN = 5000          # events in one pushed run (what a hub accepts, and sends up)


class HubUpstream:
    """The upstream half of HubStore (see the module docstring)."""
    conn: sqlite3.Connection
    meta: Meta
    registry: Registry
    clock: HybridClock
    tree: Tree

    if TYPE_CHECKING:   # provided by HubStore
        @property
        def hub_id(self) -> str: ...
        def key(self) -> SigningKey: ...
        def now_ms(self) -> int: ...
        def _index(self, events: Sequence[dict[str, Any]]) -> None: ...

    # relay upward -----------------------------------------------------------------------
    def up_runs(self, max_events: int) -> list[dict[str, Any]]:
        """Runs of this subtree's events the parent has not acknowledged, each ending at a
        head signed by its origin where one is stored, else countersigned by this hub."""
        acked = dict(self.conn.execute("SELECT origin, seq FROM up_acked"))
        subtree = self.tree.subtree(self.hub_id)
        set_aside = quarantine.held(self.conn)
        runs, budget = [], max_events
        for origin, top in self.conn.execute(
                "SELECT origin, MAX(seq) FROM events GROUP BY origin ORDER BY origin"):
            if origin not in subtree or budget <= 0:
                continue
            after = acked.get(origin, 0)
            if top <= after:
                continue
            sig = self.conn.execute(
                "SELECT seq, hash, sig, signer FROM sigs WHERE origin=? AND seq>? AND seq<=?"
                " ORDER BY seq DESC LIMIT 1", (origin, after, after + budget)).fetchone()
            if sig is None:
                sig = self.conn.execute(
                    "SELECT seq, hash, sig, signer FROM sigs WHERE origin=? AND seq>? "
                    "ORDER BY seq LIMIT 1", (origin, after)).fetchone()
                if sig is not None and sig[0] - after > MAX_RUN:
                    sig = None
            events = log.run(self.conn, origin, after, (sig[0] - after) if sig else
                             min(budget, top - after))
            if set_aside:   # an origin's run stops before an event we cannot send on
                events = quarantine.servable_prefix(events, set_aside)
            if not events:
                continue
            last = events[-1]
            if sig is not None and sig[0] == last["seq"]:
                head = {"seq": sig[0], "hash": sig[1], "sig": sig[2], "signer": sig[3]}
            else:
                head = {"seq": last["seq"], "hash": last["hash"], "signer": self.hub_id,
                        "sig": self.key().sign(head_message(origin, last["seq"],
                                                            last["hash"]))}
            runs.append({"origin": origin, "from_seq": after + 1,
                         "prev": log.hash_at(self.conn, origin, after), "events": events,
                         "head": head})
            budget -= len(events)
        return runs

    def up_certs(self) -> list[dict[str, Any]]:
        """Certificates for subtree nodes the parent has not been told about yet."""
        certs = []
        key = self.key()
        for node_id, parent, kind, name, pubkey, cert_sig, direct in self.conn.execute(
                "SELECT id, parent, kind, name, pubkey, cert_sig, direct FROM nodes"
                " WHERE sent_up=0 AND pubkey IS NOT NULL ORDER BY rowid"):
            sig = key.sign(node_message(node_id, parent, kind, name, pubkey)) if direct \
                else cert_sig
            certs.append({"id": node_id, "parent": parent, "kind": kind, "name": name,
                          "pubkey": pubkey, "sig": sig})
        return certs

    def mark_up(self, accepted: dict[str, int], certs: Sequence[dict[str, Any]]) -> None:
        with transaction(self.conn):
            for origin, seq in accepted.items():
                self.conn.execute("INSERT INTO up_acked(origin, seq) VALUES(?,?) ON CONFLICT"
                                  "(origin) DO UPDATE SET seq=excluded.seq", (origin, seq))
            self.conn.executemany("UPDATE nodes SET sent_up=1 WHERE id=?",
                                  [(c["id"],) for c in certs])

    def pending_up(self) -> int:
        acked = dict(self.conn.execute("SELECT origin, seq FROM up_acked"))
        subtree = self.tree.subtree(self.hub_id)
        return sum(max(0, top - acked.get(origin, 0)) for origin, top in self.conn.execute(
            "SELECT origin, MAX(seq) FROM events GROUP BY origin") if origin in subtree)

    # applying what the parent sent down --------------------------------------------------
    def apply_pulled(self, events: Sequence[dict[str, Any]], cursor: dict[str, Any]) -> int:
        fresh = []
        subtree = self.tree.subtree(self.hub_id)
        taken: set[object] = set()   # ids and (origin, seq) of this batch's fresh events
        with transaction(self.conn):
            for event in events:
                problem = check_pulled(event, self.registry)
                if problem is None:
                    if event["origin"] in subtree or event["id"] in taken or log.find(
                            self.conn, event["id"]):
                        continue
                    slot = (event["origin"], event["seq"])
                    if slot in taken or log.hash_at(self.conn, *slot) is not None:
                        # Another event at a place of a chain already taken: set it aside
                        # rather than fail every relay round on UNIQUE(origin, seq).
                        problem = Problem(409, "conflict", "上级发来的事件与已有事件序号冲突，已跳过。")
                if problem is not None:
                    self.conn.execute("INSERT INTO problems(at, node, code, message) "
                                      "VALUES(?,?,?,?)", (self.now_ms(), "upstream",
                                                          problem.code, problem.message))
                    continue
                taken.update((event["id"], slot))
                if not self.clock.observe(event["hlc"]):
                    event["flags"] = log.FLAG_FAR_FUTURE
                fresh.append(event)
            log.insert(self.conn, fresh)
            self._index(fresh)
            self.meta.set("up_cursor", json.dumps(cursor))
            self.meta.set("hlc_last", self.clock.last)
        return len(fresh)

    def up_cursor(self) -> dict[str, Any] | None:
        raw = self.meta.get("up_cursor")
        return json.loads(raw) if raw else None
