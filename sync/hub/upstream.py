"""A hub's upstream side: what it sends its parent and applies from it (used by relay).

Up (here → parent): runs of this subtree's events the parent has not acknowledged,
each ending at a head signed by its origin where one is stored, else countersigned by
this hub; certificates of subtree nodes the parent has not been told about; and the
parent's acknowledgements (`mark_up`). Down (parent → here): the certificates the parent
sends are kept (trusted once their chain reaches the root); pulled events outside our
subtree are checked — envelope, hash, a certified origin and the policy, as a station
does — stored and indexed like pushed ones, and the parent's cursor kept. What is
refused is recorded in `problems` (issue #7 item 11).

HubUpstream is a mixin of HubStore (sync.hub.parts: the store's connection, tree,
directory, policy, identity, clock and record index).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sync import log
from sync.certs import Root
from sync.db import transaction
from sync.errors import Problem
from sync.hub import quarantine
from sync.hub.parts import HubParts
from sync.keys import head_message
from sync.intake import sort_pulled

MAX_RUN = 5000          # events in one pushed run (what a hub accepts, and sends up)


class HubUpstream(HubParts):
    """The upstream half of HubStore (see the module docstring)."""

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
        """Certificates of subtree nodes the parent has not been told about yet."""
        certs = []
        for (node_id,) in self.conn.execute("SELECT id FROM nodes WHERE sent_up=0 AND"
                                            " pubkey IS NOT NULL ORDER BY rowid"):
            cert = self.directory.get(node_id)
            if cert is not None:
                certs.append(cert.to_json())
        return certs

    def mark_up(self, accepted: Mapping[str, int], certs: Sequence[dict[str, Any]]) -> None:
        with transaction(self.conn):
            for origin, seq in accepted.items():
                self.conn.execute("INSERT INTO up_acked(origin, seq) VALUES(?,?) ON CONFLICT"
                                  "(origin) DO UPDATE SET seq=excluded.seq", (origin, seq))
            self.conn.executemany("UPDATE nodes SET sent_up=1 WHERE id=?",
                                  [(c["id"],) for c in certs])

    def rewind_up(self, heads: Mapping[str, int]) -> bool:
        """The parent, restored from a backup, holds these heads of our subtree's chains:
        where it acknowledged more, send again from what it holds. True if any moved."""
        subtree = self.tree.subtree(self.hub_id)
        back = [(heads.get(origin, 0), origin) for origin, seq in self.conn.execute(
            "SELECT origin, seq FROM up_acked") if origin in subtree
                and heads.get(origin, 0) < seq]
        if back:
            with transaction(self.conn):
                self.conn.executemany("UPDATE up_acked SET seq=? WHERE origin=?", back)
        return bool(back)

    def pending_up(self) -> int:
        acked = dict(self.conn.execute("SELECT origin, seq FROM up_acked"))
        subtree = self.tree.subtree(self.hub_id)
        return sum(max(0, top - acked.get(origin, 0)) for origin, top in self.conn.execute(
            "SELECT origin, MAX(seq) FROM events GROUP BY origin") if origin in subtree)

    # applying what the parent sent down --------------------------------------------------
    def apply_pulled(self, events: Sequence[dict[str, Any]], cursor: dict[str, Any],
                     certs: Sequence[object] = (), certs_through: int | None = None,
                     root: object = None) -> int:
        """Keep the certificates, then the events, of one (signature-checked) reply."""
        subtree = self.tree.subtree(self.hub_id)
        with transaction(self.conn):
            problems = self._adopt_root(root)
            changed, refused = self.directory.admit(certs)
            problems += refused
            if changed:
                self.touch_nodes()
                self._certified(changed)
            intake = sort_pulled(self, events, subtree.__contains__)
            problems += [problem for _, problem in intake.refused]
            fresh = intake.fresh
            for problem in problems:
                self.conn.execute("INSERT INTO problems(at, node, code, message) "
                                  "VALUES(?,?,?,?)", (self.now_ms(), "upstream",
                                                      problem.code, problem.message))
            log.insert(self.conn, fresh)
            self._index(fresh)
            self.meta.set("up_cursor", json.dumps(cursor))
            if certs_through is not None:
                self.meta.set("up_certs_after", certs_through)
            self.meta.set("hlc_last", self.clock.last)
        return len(fresh)

    def _adopt_root(self, stated: object) -> list[Problem]:
        """Pin the root the parent states if this hub enrolled before certificates; a
        different root later is refused (the parent cannot re-root its children)."""
        root = Root.from_json(stated)
        if root is None:
            return []
        upstream = json.loads(self.meta.get("upstream") or "{}")
        if not upstream.get("root"):
            self.meta.set("upstream", json.dumps({**upstream, "root": root.to_json()},
                                                 ensure_ascii=False))
            self.directory.forget()
            self.touch_nodes()    # the API's connection judged chains without this root
            return []
        if Root.from_json(upstream["root"]) != root:
            return [Problem(403, "root_changed", "上级服务器声明的根证书与登记时不同，已忽略；"
                                                 "请联系县里管理员核实。")]
        return []

    def up_certs_after(self) -> int:
        return int(self.meta.get("up_certs_after", "0") or 0)

    def up_cursor(self) -> dict[str, Any] | None:
        raw = self.meta.get("up_cursor")
        return json.loads(raw) if raw else None
