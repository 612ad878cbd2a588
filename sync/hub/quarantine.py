"""Events a hub holds but cannot send on, set aside so that everything else flows.

Before issue #7 a hub accepted a payload nested 260 lists deep; orjson writes at most
254 levels, so from then on every pull that reached that event answered 500 and the
relay thread died on it, across restarts. Now the schemas and the wire decoder bound
what comes in (schemas/bounds.py), and what is already stored is checked once by the
hub schema migration below. Should an event still fail to encode when it is served or
relayed, it is quarantined then: kept in the event log (nothing is ever deleted), left
out of pulls and of runs sent up (a run stops before it: the parent must receive a
chain whole), and listed in /v1/status.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from schemas.bounds import MAX_PAYLOAD_CHARS, MAX_PAYLOAD_DEPTH, too_deep
from sync import jsoncodec, log
from sync.db import transaction
from sync.errors import Problem
from sync.hlc import system_ms

DDL = ("CREATE TABLE quarantine(rseq INTEGER PRIMARY KEY, id TEXT NOT NULL, at INTEGER NOT NULL,"
       " code TEXT NOT NULL, message TEXT NOT NULL)")
# Listed in status, and kept out of a pull's scan (a NOT IN over a table that is empty
# in a healthy hub costs nothing).
EXCLUDED = "NOT IN (SELECT rseq FROM quarantine)"


def check_stored(payload_json: str) -> Problem | None:
    """Why a stored payload cannot be served, or None."""
    if len(payload_json) > MAX_PAYLOAD_CHARS:
        return Problem(422, "payload_too_large", "事件内容超过上限，无法转发，已隔离。")
    try:
        payload = log.loads(payload_json)
        if too_deep(payload, MAX_PAYLOAD_DEPTH):
            return Problem(422, "too_deep", f"事件内容嵌套超过 {MAX_PAYLOAD_DEPTH} 层，无法转发，已隔离。")
        jsoncodec.dumps(payload)
    except (ValueError, TypeError, RecursionError) as exc:
        return Problem(422, "unservable", f"事件内容无法编码（{type(exc).__name__}），已隔离。")
    return None


def migrate(conn: sqlite3.Connection) -> None:
    """Hub schema step: the quarantine table, and every stored event checked once."""
    conn.execute(DDL)
    # Far-future events are few; status counts them through this index, not a scan.
    conn.execute("CREATE INDEX events_flagged ON events(origin) WHERE flags != 0")
    bad = [(rseq, event_id, problem) for rseq, event_id, payload in
           conn.execute("SELECT rseq, id, payload FROM events")
           if (problem := check_stored(payload)) is not None]
    _insert(conn, bad)


def _insert(conn: sqlite3.Connection, bad: Iterable[tuple[int, str, Problem]]) -> None:
    conn.executemany("INSERT OR IGNORE INTO quarantine(rseq, id, at, code, message)"
                     " VALUES(?,?,?,?,?)",
                     [(rseq, event_id, system_ms(), p.code, p.message)
                      for rseq, event_id, p in bad])


def set_aside(conn: sqlite3.Connection, event_ids: Sequence[str]) -> int:
    """After a reply or a push body failed to encode: quarantine those of `event_ids`
    that cannot be served; returns how many."""
    bad = []
    for event_id in event_ids:
        row = conn.execute("SELECT rseq, payload FROM events WHERE id=?", (event_id,)
                           ).fetchone()
        if row is not None and (problem := check_stored(row[1])) is not None:
            bad.append((row[0], event_id, problem))
    if bad:
        with transaction(conn):
            _insert(conn, bad)
    return len(bad)


def held(conn: sqlite3.Connection) -> set[int]:
    return {row[0] for row in conn.execute("SELECT rseq FROM quarantine")}


def servable_prefix(events: list[dict[str, Any]], quarantined: set[int]
                    ) -> list[dict[str, Any]]:
    """The events of a run before its first quarantined one."""
    for i, event in enumerate(events):
        if event["rseq"] in quarantined:
            return events[:i]
    return events


def summary(conn: sqlite3.Connection, latest: int = 5) -> dict[str, Any]:
    count = conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
    rows = conn.execute("SELECT q.id, e.origin, e.seq, q.code, q.message, q.at FROM quarantine q"
                        " JOIN events e ON e.rseq=q.rseq ORDER BY q.rseq DESC LIMIT ?",
                        (latest,)).fetchall()
    return {"count": count, "latest": [
        {"id": r[0], "origin": r[1], "seq": r[2], "code": r[3], "message": r[4], "at": r[5]}
        for r in rows]}
