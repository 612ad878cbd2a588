"""The append-only event table shared by stations and hubs.

Nothing here is ever updated or deleted (DESIGN.md "Events, not rows"). `rseq` is this
file's receive order; (origin, seq) and id are each unique, so an event that arrives
twice, by one route or two, is stored once.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from sync.canonical import GENESIS
from sync.db import run_script
from sync.jsoncodec import orjson

FLAG_FAR_FUTURE = 1   # stamp was far ahead of our clock when it arrived (not adopted)

EVENTS_DDL = """
CREATE TABLE events(
  rseq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hlc INTEGER NOT NULL,
  type TEXT NOT NULL,
  v INTEGER NOT NULL,
  record TEXT NOT NULL,
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  owner TEXT,
  payload TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0,
  UNIQUE(origin, seq)
);
CREATE INDEX events_record ON events(record, hlc, origin, seq);
"""

COLUMNS = ("rseq", "id", "origin", "seq", "hlc", "type", "v", "record", "kind", "author",
           "owner", "payload", "prev", "hash", "flags")
SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM events"


def create_events_table(conn: sqlite3.Connection) -> None:
    run_script(conn, EVENTS_DDL)


def row_to_event(row: tuple[Any, ...]) -> dict[str, Any]:
    event = dict(zip(COLUMNS, row))
    event["payload_json"] = event["payload"]
    event["payload"] = loads(event["payload_json"])
    return event


def loads(text: str) -> Any:
    """Parse stored canonical JSON with orjson (about 3x faster; same values, same key
    order). orjson reads an integer past 64 bits as a float and refuses lone
    surrogates; a result holding any float, or a refusal, is parsed again with the
    standard library, so every text canonical_json wrote reads back exactly. Without
    orjson (a tablet) the standard library reads it all."""
    if orjson is None:
        return json.loads(text)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return json.loads(text) if _has_float(value) else value


def _has_float(value: Any) -> bool:
    items: Iterable[Any]
    if type(value) is dict:
        items = value.values()
    elif type(value) is list:
        items = value
    else:
        return type(value) is float
    kinds = set(map(type, items))
    if float in kinds:
        return True
    if dict in kinds or list in kinds:
        return any(_has_float(v) for v in items if type(v) in (dict, list))
    return False


def head(conn: sqlite3.Connection, origin: str) -> tuple[int, str]:
    """(seq, hash) of the last event of `origin` held here, (0, GENESIS) if none."""
    row = conn.execute("SELECT seq, hash FROM events WHERE origin=? ORDER BY seq DESC LIMIT 1",
                       (origin,)).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def heads(conn: sqlite3.Connection) -> dict[str, int]:
    """Per-origin high-water marks: the version vector of this file."""
    return dict(conn.execute("SELECT origin, MAX(seq) FROM events GROUP BY origin"))


def hash_at(conn: sqlite3.Connection, origin: str, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = conn.execute("SELECT hash FROM events WHERE origin=? AND seq=?",
                       (origin, seq)).fetchone()
    return row[0] if row else None


def find(conn: sqlite3.Connection, event_id: str) -> dict[str, Any] | None:
    row = conn.execute(SELECT + " WHERE id=?", (event_id,)).fetchone()
    return row_to_event(row) if row else None


def insert(conn: sqlite3.Connection, events: Iterable[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT INTO events(id, origin, seq, hlc, type, v, record, kind, author, owner,"
        " payload, prev, hash, flags) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(e["id"], e["origin"], e["seq"], e["hlc"], e["type"], e["v"], e["record"], e["kind"],
          e["author"], e["owner"], e["payload_json"], e["prev"], e["hash"], e.get("flags", 0))
         for e in events])


def run(conn: sqlite3.Connection, origin: str, after_seq: int, limit: int
        ) -> list[dict[str, Any]]:
    """Events of one origin after `after_seq`, in seq order."""
    rows = conn.execute(SELECT + " WHERE origin=? AND seq>? ORDER BY seq LIMIT ?",
                        (origin, after_seq, limit)).fetchall()
    return [row_to_event(r) for r in rows]


def of_record(conn: sqlite3.Connection, record: str) -> list[dict[str, Any]]:
    """All events of one record in the total order (hlc, origin, seq)."""
    rows = conn.execute(SELECT + " WHERE record=? ORDER BY hlc, origin, seq",
                        (record,)).fetchall()
    return [row_to_event(r) for r in rows]
