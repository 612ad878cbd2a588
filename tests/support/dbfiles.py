"""Reading the encrypted database files of a test's stations and hubs the way a test
needs to: with their key, beside the running program (WAL allows it)."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from app.station import Station
from sync.db import connect


class HasDb(Protocol):
    def db(self) -> sqlite3.Connection: ...


def open_db(place: Station | HasDb) -> sqlite3.Connection:
    """A connection to a station's (its key in hand: it is open) or a hub process's file."""
    if isinstance(place, Station):
        return connect(place.data / "station.sqlite", place.key)
    return place.db()


def decrypted_text(place: Station | HasDb) -> bytes:
    """Everything the database holds, as SQL text (what a thief with the key would see):
    for checks that something is, or is not, stored in a readable form."""
    conn = open_db(place)
    lines: list[str] = []
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                lines.append("\t".join(v.decode("utf-8", "replace") if isinstance(v, bytes)
                                       else str(v) for v in row))
    finally:
        conn.close()
    return "\n".join(lines).encode("utf-8")


def hub_blob(process: "HubProcessLike", sha: str) -> bytes:
    """An attachment as a hub process holds it, opened with the hub's files key (the
    file on disk is sealed: sync/blobfiles.py)."""
    from sync.hub.server import hub_blobs, open_hub
    hub = open_hub(process.data, key=process.key)
    try:
        return hub_blobs(hub, process.data / "blobs").read(sha)
    finally:
        hub.close()


class HubProcessLike(Protocol):
    data: Path
    key: bytes | None


__all__ = ["decrypted_text", "hub_blob", "open_db"]
