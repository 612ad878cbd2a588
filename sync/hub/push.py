"""A hub accepting a push: certificates of subtree nodes, then runs of events.

Per origin, the run must continue the chain we hold (else `seq_gap`, telling the child
where to restart), its recomputed head must match the signed head (else nothing of that
run is stored), and events are kept up to the first invalid one, which stops that
origin's run (DESIGN.md "Push").

Authority (issue #7): every event's origin must hold a certificate whose chain reaches
the root, and the policy must allow it (sync.policy.Policy.may_write). For a run the
sender wrote itself this hub is the first hop: it holds everything the author has seen,
so the record's state is checked too, and any refusal refuses the whole push — nothing
of it is stored, the refusal is recorded and answered 403 with its code. A run relayed
from below is checked again; a refused event stops its origin's run there, like any
bad event. Only a hub certifies nodes: a certificate pushed by a station refuses the
push as well; one a hub issued against the rules of the chain (sync.certs) is refused
on its own, and so are the runs of the node it was meant for.

Clocks (review-night.md H4): an origin's stamps do not go back. An honest device's
hybrid clock only rises (sync.clockfix `hlc_last`), so at the first hop an event stamped
more than the allowed skew below that origin's latest unflagged stamp was back-dated by
a modified app — and a back-dated stamp chooses which of the town's rules judge it. It
stops the run (`clock_went_back`). Far-future (flagged) stamps do not raise the floor: a
tablet whose date was wrong, or whose clock an old release dragged (repaired since by
clockfix), writes below them again. The skew's slack keeps a replaced or restored tablet
writing: its last stamps may have run up to the skew ahead of the hub's time.

HubPush is a mixin of HubStore (sync.hub.parts: its connection, tree, directory, policy
and record index).
"""
from __future__ import annotations

import json
from typing import Any

from sync import log
from sync.certs import Cert, may_issue
from sync.db import transaction
from sync.errors import Problem
from sync.events import check_envelope, from_push, seal
from sync.hub.parts import HubParts
from sync.hlc import pack, wall_ms_of
from sync.hub.upstream import MAX_RUN
from sync.keys import head_message, verify
from sync.nodes import Node
from sync.policy import Overlay, Where


class Refused(Exception):
    """A first-hop refusal: the whole push is refused and nothing of it is stored."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class HubPush(HubParts):
    """The push half of HubStore (see the module docstring)."""

    def accept_push(self, sender: Node, body: dict[str, Any]) -> dict[str, Any]:
        """Store what is valid of a push; returns accepted_through per origin and the
        problems met. Raises Problem only for a request that is wrong as a whole."""
        runs = body.get("runs")
        certs = body.get("nodes", [])
        if not isinstance(runs, list) or not isinstance(certs, list):
            raise Problem(400, "bad_request", "推送内容缺少 runs 列表。")
        self._rows_seen = {}
        try:
            with transaction(self.conn):
                return self._accept(sender, runs, certs)
        except Refused as refused:   # everything of the push was rolled back
            problem = refused.problem.to_json()
            with transaction(self.conn):
                self._log_problems(sender, [problem])
            held = {o: log.head(self.conn, o)[0] for o in self._origins(runs)
                    if self.tree.is_within(o, sender.id)}
            return {"accepted": held, "problems": [problem], "stored": 0}
        finally:
            self._rows_seen = None

    def _origins(self, runs: list[Any]) -> list[str]:
        return [r["origin"] for r in runs
                if isinstance(r, dict) and isinstance(r.get("origin"), str)]

    def _log_problems(self, sender: Node, problems: list[dict[str, Any]]) -> None:
        for problem in problems:
            self.conn.execute("INSERT INTO problems(at, node, code, message) VALUES(?,?,?,?)",
                              (self.now_ms(), sender.id, problem["code"],
                               problem.get("detail") or problem["title"]))

    def _accept(self, sender: Node, runs: list[Any], certs: list[Any]) -> dict[str, Any]:
        accepted: dict[str, int] = {}
        problems: list[dict[str, Any]] = []
        if certs and not self._is_hub(sender):
            raise Refused(Problem(403, "not_a_hub", "只有镇、县服务器可以为下级节点颁发证书；"
                                  "本机不能登记下级节点。", node=sender.id))
        certified = []
        for cert in certs:
            try:
                certified.extend(self._accept_cert(sender, cert))
            except Problem as exc:   # a hub's certificate: its nodes' runs fail below
                problems.append(exc.to_json())
        if certified:
            self.tree.reload()
            self._certified(certified)
        fresh: list[dict[str, Any]] = []
        for run in runs:
            try:
                origin, through, events, stopped = self._accept_run(sender, run)
            except Problem as exc:
                if isinstance(run, dict) and run.get("origin") == sender.id \
                        and exc.status == 403:
                    raise Refused(exc) from exc
                problems.append(exc.to_json())
                named = run.get("origin") if isinstance(run, dict) else None
                if isinstance(named, str) and self.tree.is_within(named, sender.id):
                    accepted[named] = log.head(self.conn, named)[0]
                continue
            accepted[origin] = through
            fresh.extend(events)
            if stopped is not None:
                problems.append(stopped.to_json())
        self._index(fresh)
        self.meta.set("hlc_last", self.clock.last)
        self._log_problems(sender, problems)
        return {"accepted": accepted, "problems": problems, "stored": len(fresh)}

    def _is_hub(self, node: Node) -> bool:
        cert = self.directory.verified(node.id)
        return cert is not None and cert.is_hub

    # certificates -----------------------------------------------------------------------
    def _accept_cert(self, sender: Node, item: object) -> list[str]:
        """Check and keep one certificate of the sender's subtree; the ids it changed."""
        cert = Cert.from_json(item)
        issuer = self.directory.verified(cert.parent)
        if issuer is None or not self.tree.is_within(cert.parent, sender.id):
            raise Problem(403, "foreign_node", "这个节点不属于推送方的下级。", node=cert.id)
        if not may_issue(issuer, cert):
            raise Problem(403, "not_a_hub",
                          f"节点证书不合规则：只有镇、县服务器可以颁发证书，且下级的级别不能高于上级"
                          f"（{cert.kind} 不能由 {issuer.kind} 颁发）。", node=cert.id)
        if not verify(issuer.pubkey, cert.message(), cert.sig):
            raise Problem(422, "bad_cert", "节点证书签名不对。", node=cert.id)
        known = self.tree.get(cert.id)
        if known is not None and known.direct:
            return []  # enrolled here directly: our own record wins
        upstream = json.loads(self.meta.get("upstream") or "{}")
        if cert.id in (self.hub_id, *upstream.get("ancestors", [])) or (
                known is not None and not self.tree.is_within(cert.id, sender.id)):
            # Only the branch a node already hangs in may re-vouch for it: otherwise one
            # town could move another town's village (or us) under itself and then sign
            # events in its name (issue #2 §4, forged origins).
            raise Problem(403, "foreign_node", "这个节点已属于别的下级，不能改挂到推送方名下。",
                          node=cert.id)
        self.conn.execute(
            "INSERT INTO nodes(id, parent, kind, name, pubkey, roles, short_code, cert_sig)"
            " VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET parent=excluded.parent,"
            " kind=excluded.kind, name=excluded.name, pubkey=excluded.pubkey,"
            " roles=excluded.roles, short_code=excluded.short_code,"
            " cert_sig=excluded.cert_sig, sent_up=0",
            (cert.id, cert.parent, cert.kind, cert.name, cert.pubkey, ",".join(cert.roles),
             cert.short_code, cert.sig))
        changed = self.directory.store(cert)
        if known is None or known.parent != cert.parent:
            # The node is new in our tree (or hangs elsewhere now): records already
            # handed to it were skipped by earlier pulls of its branch, whose cursors
            # are past them. Feed them again, like an owner change does (_index).
            self.conn.execute("INSERT INTO feed(rseq) SELECT e.rseq FROM events e JOIN"
                              " records r ON r.record=e.record WHERE r.owner=? OR r.creator=?"
                              " ORDER BY e.rseq", (cert.id, cert.id))
        return [cert.id] if changed else []

    # runs ---------------------------------------------------------------------------------
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
        author = self.directory.verified(origin)
        if node is None or not node.pubkey or author is None:
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
            raise Problem(409, "chain_broken", "数据链的末端与签名不符（可能被篡改），这一段没有保存。",
                          origin=origin, seq=from_seq)
        if signer is None or not signer.pubkey or not (
                signer_id == origin or origin in self.tree.subtree(signer_id)
                and self._is_hub(signer)) \
                or not self.tree.is_within(signer_id, sender.id) \
                or not verify(signer.pubkey, head_message(origin, last_seq, chain),
                              str(head.get("sig", ""))):
            raise Problem(403, "bad_run_signature", "数据签名验证失败，这一段没有保存。",
                          origin=origin, seq=from_seq)
        keep, stopped = self._check_events(sender, author, events, held_seq)
        log.insert(self.conn, keep)
        through = keep[-1]["seq"] if keep else held_seq
        if keep and through == last_seq:
            self.conn.execute("INSERT OR REPLACE INTO sigs(origin, seq, hash, sig, signer) "
                              "VALUES(?,?,?,?,?)", (origin, last_seq, chain, head["sig"],
                                                    signer_id))
        return origin, max(through, held_seq), keep, stopped

    def _check_events(self, sender: Node, author: Cert, events: list[dict[str, Any]],
                      held_seq: int) -> tuple[list[dict[str, Any]], Problem | None]:
        """The events to keep: up to the first invalid one (returned as the problem). A
        first-hop authority refusal raises Refused instead."""
        origin = author.id
        first_hop = origin == sender.id
        scope = self.scopes(sender)[1] if first_hop else frozenset()
        overlay = Overlay(self.record_facts, [e["record"] for e in events if e["seq"] > held_seq])
        where = Where(self.directory, overlay.facts, first_hop, scope)
        keep: list[dict[str, Any]] = []
        ids: set[str] = set()
        floor = self._clock_floor(origin) if first_hop else 0
        for event in events:
            if event["seq"] <= held_seq:
                if log.hash_at(self.conn, origin, event["seq"]) != event["hash"]:
                    raise Problem(409, "conflict", "同一序号的数据与服务器上的不同。",
                                  origin=origin, seq=event["seq"])
                continue
            try:
                check_envelope(event, self.registry)
                if event["hlc"] < floor:
                    raise Problem(422, "clock_went_back",
                                  "这条数据的时间早于本机之前发送的数据，没有保存（程序可能被改动过）。",
                                  event_id=event["id"])
                if event["id"] in ids or self.conn.execute(
                        "SELECT 1 FROM events WHERE id=?", (event["id"],)).fetchone():
                    # Same id, different event (DESIGN.md "Push": a conflict, not a crash).
                    raise Problem(409, "conflict", "这个事件编号已被另一条数据使用。",
                                  event_id=event["id"])
                refusal = self.policy.may_write(event, author, where)
                if refusal is not None:
                    refusal.extra.update(origin=origin, seq=event["seq"],
                                         event_id=event["id"])
                    if first_hop:
                        raise Refused(refusal)
                    raise refusal
            except Problem as exc:
                # A bad event stops its origin's run here; what came before is kept.
                stopped = Problem(exc.status, exc.code, exc.message,
                                  **{**exc.extra, "origin": origin, "seq": event["seq"]})
                return keep, stopped
            ids.add(event["id"])
            overlay.add(event, self.policy.creates(event["type"]))
            if not self.clock.observe(event["hlc"]):
                event["flags"] = log.FLAG_FAR_FUTURE
            elif first_hop:
                floor = max(floor, self._slack_below(event["hlc"]))
            keep.append(event)
        return keep, None

    def _clock_floor(self, origin: str) -> int:
        """The lowest stamp the origin's next event may carry: its latest unflagged
        stamp held here, less the allowed skew (0 if none)."""
        row = self.conn.execute("SELECT hlc FROM events WHERE origin=? AND NOT flags & ?"
                                " ORDER BY seq DESC LIMIT 1",
                                (origin, log.FLAG_FAR_FUTURE)).fetchone()
        return self._slack_below(int(row[0])) if row else 0

    def _slack_below(self, stamp: int) -> int:
        return pack(max(0, wall_ms_of(stamp) - self.clock.max_ahead_ms), 0)
