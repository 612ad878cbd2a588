"""A domain-agnostic state fold and its hash, for checking replicas agree.

State = every record folded from its events in the total order (hlc, origin, seq),
payload fields last-writer-wins (DESIGN.md "Conflicts"). Two replicas holding the same
events compute the same hash whatever order the events arrived in.
"""
from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from sync import log
from sync.canonical import canonical_json


def fold(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for row in conn.execute(log.SELECT + " ORDER BY hlc, origin, seq"):
        event = log.row_to_event(row)
        state = records.setdefault(event["record"], {"kind": event["kind"]})
        payload = event["payload"]
        fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else payload
        state.update(fields)
        if event["owner"]:
            state["_owner"] = event["owner"]
    return records


def state_hash(conn: sqlite3.Connection) -> str:
    return hashlib.sha256(canonical_json(fold(conn)).encode("utf-8")).hexdigest()


def event_ids(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT id FROM events")}
