"""Tamper evidence: re-check every chain and signature in a hub's or station's file.

Finds an edited payload (hash no longer matches), a deleted event (a gap in seq), swapped
or re-ordered events (prev no longer links), a forged origin (an origin no node vouches
for, or outside the tree) and a stored signature that does not verify (issue #2 §5).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from sync import log
from sync.canonical import GENESIS
from sync.events import seal
from sync.keys import head_message, verify


@dataclass(frozen=True)
class Finding:
    code: str          # edited | gap | relinked | forged_origin | bad_signature
    origin: str
    seq: int
    message: str


def audit(conn: sqlite3.Connection, complete_origins: set[str] | None = None,
          keys: dict[str, str] | None = None) -> list[Finding]:
    """Check the file. `complete_origins` are origins whose whole chain must be here (a
    station's own, a hub's subtree); others arrived by scoped pull and may have gaps.
    `keys` maps node id → public key (a hub's nodes table) to check stored signatures."""
    findings: list[Finding] = []
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(log.SELECT + " ORDER BY origin, seq"):
        event = log.row_to_event(row)
        by_origin.setdefault(event["origin"], []).append(event)
    for origin, events in by_origin.items():
        complete = complete_origins is None or origin in complete_origins
        if keys is not None and origin not in keys:
            findings.append(Finding("forged_origin", origin, events[0]["seq"],
                                    f"来源 {origin} 没有任何节点登记或担保。"))
        expected_prev, expected_seq = GENESIS, 1
        for event in events:
            if complete and event["seq"] != expected_seq:
                findings.append(Finding("gap", origin, expected_seq,
                                        f"第 {expected_seq} 到 {event['seq'] - 1} 条不见了（被删除？）。"))
            recomputed = seal({**event}, event["prev"])["hash"]
            if recomputed != event["hash"]:
                findings.append(Finding("edited", origin, event["seq"],
                                        f"第 {event['seq']} 条的内容与它的哈希不符（被修改）。"))
            elif complete and event["seq"] == expected_seq and event["prev"] != expected_prev:
                findings.append(Finding("relinked", origin, event["seq"],
                                        f"第 {event['seq']} 条没有接在前一条后面（顺序被调换？）。"))
            expected_prev, expected_seq = event["hash"], event["seq"] + 1
    if keys is not None and _has_table(conn, "sigs"):
        for origin, seq, chain_hash, sig, signer in conn.execute(
                "SELECT origin, seq, hash, sig, signer FROM sigs"):
            stored = log.hash_at(conn, origin, seq)
            key = keys.get(signer)
            if stored != chain_hash or key is None or not verify(
                    key, head_message(origin, seq, chain_hash), sig):
                findings.append(Finding("bad_signature", origin, seq,
                                        f"第 {seq} 条处的签名验证不通过。"))
    return findings


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                        (name,)).fetchone() is not None


def audit_hub(hub) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Audit a HubStore: its subtree's chains are complete; keys come from its nodes."""
    keys = {n.id: n.pubkey for n in hub.tree.nodes.values() if n.pubkey}
    keys[hub.hub_id] = hub.key().public_b64
    subtree = set(hub.tree.subtree(hub.hub_id))
    findings = audit(hub.conn, subtree, keys)
    # Events from outside the subtree came down from the parent: their origins are not
    # in our tree by design, so only their content hashes are checked.
    return [f for f in findings if not (f.code == "forged_origin" and f.origin not in subtree
                                        and _pulled(hub, f.origin))]


def _pulled(hub, origin: str) -> bool:  # type: ignore[no-untyped-def]
    return hub.tree.get(origin) is None and hub.meta.get("upstream") is not None
