"""Keeping a station's clock to its own history, and repairing clocks dragged in the field.

Before issue #7 a station started its clock at MAX(hlc) of every event it held, so one
pulled event stamped ten years ahead (flagged, not adopted while running) was adopted at
the next start; from then on every stamp of that station was ten years ahead too, and a
forged hub time could push the clock past what a stamp can encode (the tablet could no
longer write, or sync: request counters past 18 digits are refused).

Now `hlc_last` is the one source of a station's clock at start-up: it only ever rises,
with each own stamp and each remote stamp adopted within the allowed skew. The station
migration below recomputes it once for files written by the old code.
"""
from __future__ import annotations

import json
import sqlite3

from sync.db import Meta
from sync.hlc import MIN_HUB_MS, PHYSICAL_CEILING_MS, system_ms, wall_ms_of
from sync.log import FLAG_FAR_FUTURE

MAX_COUNTER = 10**18 - 1       # sync.hub.admin refuses request counters of more digits


def stored_last(meta: Meta) -> int:
    """The clock's start: `hlc_last`, or 0 if it is beyond what a stamp may carry."""
    last = int(meta.get("hlc_last", "0") or 0)
    return last if 0 <= wall_ms_of(last) <= PHYSICAL_CEILING_MS else 0


def raise_last(meta: Meta, stamp: int) -> None:
    """Persist a clock reading; never lowers it (the app and its sync thread each hold
    a connection and a clock, and either may write last)."""
    meta.conn.execute(
        "INSERT INTO meta(key, value) VALUES('hlc_last', ?) ON CONFLICT(key) DO UPDATE SET"
        " value=CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
        (str(stamp),))


def repair_station_clock(conn: sqlite3.Connection) -> None:
    """Station schema v3: recompute `hlc_last` from what the clock may rest on.

    Own stamps count, except those dragged by an adopted far-future stamp: an own event
    written after a flagged foreign event arrived (larger rseq) and stamped at or above
    it can only have got there by adopting it (had our own clock been that far ahead,
    the foreign event would not have been flagged). Foreign stamps count if they were not
    flagged. The dragged own events stay as they are (they are signed and may be
    anywhere by now); later ones sort before them, which the note records."""
    meta = Meta(conn)
    node = meta.get("node_id")
    flagged = conn.execute("SELECT rseq, hlc FROM events WHERE flags & ? AND origin IS NOT ?"
                           " ORDER BY rseq", (FLAG_FAR_FUTURE, node)).fetchall()
    lowest_flag, i = None, 0
    clean, dragged = 0, []
    for rseq, hlc in conn.execute("SELECT rseq, hlc FROM events WHERE origin=? ORDER BY rseq",
                                  (node,)):
        while i < len(flagged) and flagged[i][0] < rseq:
            lowest_flag = flagged[i][1] if lowest_flag is None else min(lowest_flag,
                                                                        flagged[i][1])
            i += 1
        if lowest_flag is not None and hlc >= lowest_flag:
            dragged.append(hlc)
        else:
            clean = max(clean, hlc)
    foreign = conn.execute("SELECT COALESCE(MAX(hlc), 0) FROM events WHERE origin IS NOT ?"
                           " AND NOT flags & ?", (node, FLAG_FAR_FUTURE)).fetchone()[0]
    before = int(meta.get("hlc_last", "0") or 0)
    meta.set("hlc_last", max(clean, foreign))
    offset = int(meta.get("clock_offset", "0") or 0)
    if not MIN_HUB_MS <= system_ms() + offset <= PHYSICAL_CEILING_MS:
        meta.set("clock_offset", 0)       # learned from an impossible hub time
    if int(meta.get("req_counter", "0") or 0) > MAX_COUNTER:
        meta.set("req_counter", 0)        # every request would be refused forever
    if dragged or before > max(clean, foreign):
        meta.set("clock_repaired", json.dumps({
            "at": system_ms(), "hlc_last_before": before, "hlc_last_after": max(clean, foreign),
            "own_events_dragged": len(dragged)}))
