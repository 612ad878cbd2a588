"""What a node takes from a pulled batch: one implementation for a station pulling from
its hub (sync.store) and a hub pulling from its parent (sync.hub.upstream).

Each event is checked — envelope, payload schema, hash over its content and stated prev
(sync.store.check_pulled), a certified origin and the write policy (check_written) —
and refused if it takes a place already taken: an id held with another hash, or an
(origin, seq) slot held by another event (else UNIQUE(origin, seq) would fail the whole
batch on every pull). Events of the node's own side (a station's own chain, a hub's
subtree) are echoes and skipped, except those `adopt` takes back (a restored station
re-adopting its own chain, sync.store.RESYNC). Accepted events advance the hybrid clock;
a far-future stamp is kept, flagged, not adopted (issue #7 item 5).

The caller stores `fresh`, indexes or projects it, records `refused` its own way
(a station's quarantine, a hub's problems table) and keeps the cursor — all in the
transaction it opened around `sort_pulled`.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from schemas import Registry
from sync import log
from sync.certs import Directory
from sync.errors import Problem
from sync.events import check_envelope, check_size, seal
from sync.hlc import HybridClock
from sync.policy import Overlay, Policy, RecordFacts, Where

Event = dict[str, Any]
# An own-side event that continues the node's chain and is taken back; None: an echo.
Adopt = Callable[[Event], bool]


@dataclass
class Intake:
    fresh: list[Event] = field(default_factory=list)
    refused: list[tuple[Event, Problem]] = field(default_factory=list)


class Receiver(Protocol):
    """The parts of a node that judge what it pulls (a Store, a HubStore)."""

    conn: sqlite3.Connection
    registry: Registry
    directory: Directory
    policy: Policy
    clock: HybridClock

    def record_facts(self, records: Sequence[str]) -> dict[str, RecordFacts]: ...


def sort_pulled(node: Receiver, events: Sequence[Event], own_side: Callable[[str], bool],
                adopt: Adopt | None = None) -> Intake:
    """Split a pulled batch into the events to store and the refused ones (see the
    module docstring). Call inside the transaction that stores the result."""
    out = Intake()
    batch: dict[str, str] = {}               # id -> hash of this batch's fresh events
    slots: set[tuple[str, int]] = set()      # their (origin, seq)
    overlay = Overlay(node.record_facts, [e["record"] for e in events
                                          if isinstance(e.get("record"), str)])
    where = Where(node.directory, overlay.facts)
    for event in events:
        problem = check_pulled(event, node.registry)
        if problem is not None:
            out.refused.append((event, problem))
            continue
        existing = log.find(node.conn, event["id"])
        held = existing["hash"] if existing is not None else batch.get(event["id"])
        if held is not None:
            if held != event["hash"]:
                out.refused.append((event, Problem(409, "conflict",
                                                   "同一编号的事件内容不同，已隔离。")))
            continue
        if own_side(event["origin"]):
            if adopt is not None and adopt(event):
                # our own chain back after a restore or a replaced device: the clock
                # continues above it (an origin's stamps never go back: sync.hub.push)
                node.clock.observe(event["hlc"])
                batch[event["id"]] = event["hash"]
                out.fresh.append(event)
            continue                          # our own side's, echoed back
        slot = (event["origin"], event["seq"])
        if slot in slots or log.hash_at(node.conn, *slot) is not None:
            out.refused.append((event, Problem(409, "conflict",
                                               "同一来源同一序号已有另一条事件，已隔离。")))
            continue
        problem = check_written(event, node.directory, node.policy, where)
        if problem is not None:
            out.refused.append((event, problem))
            continue
        overlay.add(event, node.policy.creates(event["type"]))
        batch[event["id"]] = event["hash"]
        slots.add(slot)
        if not node.clock.observe(event["hlc"]):
            event["flags"] = log.FLAG_FAR_FUTURE
        out.fresh.append(event)
    return out


def check_written(event: dict[str, Any], directory: Directory, policy: Policy,
                  where: Where) -> Problem | None:
    """May the event's origin have written it? Its certificate must chain to the root,
    and the policy must allow it (issue #7 items 2, 11)."""
    author = directory.verified(event["origin"])
    if author is None:
        return Problem(403, "unknown_origin", "这条数据的来源没有经过上级认证（可能是伪造的），"
                                              "已隔离，没有采用；请告诉镇里管理员。",
                       origin=event["origin"])
    return policy.may_write(event, author, where)


def check_pulled(event: dict[str, Any], registry: Registry) -> Problem | None:
    """Check a pulled event: envelope, payload schema, and that its hash matches its
    content and stated prev (it cannot be checked against a chain: scoped pulls have
    gaps). Fills payload_json on success."""
    try:
        check_envelope(event, registry)
        if not isinstance(event.get("prev"), str) or not isinstance(event.get("hash"), str):
            raise Problem(422, "bad_envelope", "缺少链哈希。")
        sealed = seal(dict(event), event["prev"])
        if sealed["hash"] != event["hash"]:
            raise Problem(422, "hash_mismatch", "事件内容与哈希不符，可能被篡改，已隔离。")
        check_size(sealed)
        event["payload_json"] = sealed["payload_json"]
    except Problem as exc:
        return exc
    except (TypeError, ValueError) as exc:
        return Problem(422, "bad_envelope", f"事件无法解析：{exc}")
    return None
