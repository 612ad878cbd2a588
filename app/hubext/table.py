"""The hub's public-status table, kept by a projector that re-folds touched cases.

A hub holds the events of its subtree (pushed up) and what its parent handed down (a
county department's reply, the broadcast node.announced events). It has no station
projections, so this module keeps the one table the public page reads:

    public_status(receipt_no PK, record, phone_last4, status_name, due, due_provisional,
                  closed_on, updated_hlc, kind, extra)
    public_levels(node PK, level)      levels announced by nodes outside our tree

Service cases (kind svc_case) and petitions (kind petition, issue #10: 可查询、可跟踪) share
the table: both have receipts of the same form from the same per-station counter.  A
petition is folded with the rules the town sent down (its config events, which reach the
hub as every station's events do).

Levels for the fold (app.domain.fold needs origin → level): the hub's nodes table gives
the kind of every node in its subtree (signed certificates, authoritative); nodes above
or beside it (a county department's window acting on a forwarded case) are known from
their node.announced events, which arrive by pull.

The projector runs inside the transaction that stored the new events
(sync.hub.store.HubStore._index), on the API's connection and on the relay's.
"""
from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from app.domain import fold, petition_case
from app.domain.petition_rules import PetitionRules
from app.domain.service_state import iso_date
from app.hubext.petition_status import KIND, petition_phone_last4, public_petition_status
from app.hubext.status import PublicStatus, phone_last4, public_status
from app.services.rules import load_rules
from sync import log
from sync.db import migrate, run_script
from sync.hub.store import HubStore

DDL = """
CREATE TABLE public_status(receipt_no TEXT PRIMARY KEY, record TEXT NOT NULL,
  phone_last4 TEXT, status_name TEXT NOT NULL, due TEXT, due_provisional INTEGER NOT NULL,
  closed_on TEXT, updated_hlc INTEGER NOT NULL);
CREATE INDEX public_status_record ON public_status(record);
CREATE TABLE public_levels(node TEXT PRIMARY KEY, level TEXT NOT NULL)
"""


def _v1(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)
    # A hub that already holds events (upgraded to this version): build the table now.
    for (node, payload) in conn.execute(
            "SELECT origin, payload FROM events WHERE type='node.announced' ORDER BY rseq"
    ).fetchall():
        _remember_level(conn, node, json.loads(payload))
    levels = levels_of(conn)
    for (record,) in conn.execute("SELECT DISTINCT record FROM events WHERE kind='svc_case'"
                                  ).fetchall():
        refresh(conn, record, levels)


def _v2(conn: sqlite3.Connection) -> None:
    run_script(conn, "ALTER TABLE public_status ADD COLUMN kind TEXT NOT NULL DEFAULT 'svc_case';"
                     "ALTER TABLE public_status ADD COLUMN extra TEXT")
    levels = levels_of(conn)
    for (record,) in conn.execute("SELECT DISTINCT record FROM events WHERE kind='petition'"
                                  ).fetchall():
        refresh_petition(conn, record, levels)


MIGRATIONS = [_v1, _v2]


def install(hub: HubStore) -> "StatusProjector":
    """Create the tables if needed (idempotent: versioned by sync.db.migrate) and hook the
    projector onto this HubStore connection."""
    migrate(hub.conn, MIGRATIONS, "hubext")
    projector = StatusProjector()
    hub.projectors.append(projector)
    return projector


def _remember_level(conn: sqlite3.Connection, node: str, payload: dict[str, Any]) -> bool:
    """Store an announced level; True if it changed."""
    level = payload.get("level")
    if level not in ("village", "town", "county"):
        return False
    old = conn.execute("SELECT level FROM public_levels WHERE node=?", (node,)).fetchone()
    if old is not None and old[0] == level:
        return False
    conn.execute("INSERT OR REPLACE INTO public_levels(node, level) VALUES(?,?)", (node, level))
    return True


def levels_of(conn: sqlite3.Connection) -> dict[str, str]:
    """origin → level: announced levels, overridden by the certified kinds of our tree."""
    return {**dict(conn.execute("SELECT node, level FROM public_levels")),
            **dict(conn.execute("SELECT id, kind FROM nodes"))}


def refresh(conn: sqlite3.Connection, record: str, levels: dict[str, str]) -> None:
    events = log.of_record(conn, record)
    if not events:
        return
    state = fold(events, levels)
    view = public_status(state)
    if view is None:
        return   # not accepted yet (an update that arrived before its acceptance)
    conn.execute("DELETE FROM public_status WHERE record=? AND receipt_no<>?",
                 (record, view.receipt_no))
    conn.execute(
        "INSERT OR REPLACE INTO public_status(receipt_no, record, phone_last4, status_name,"
        " due, due_provisional, closed_on, updated_hlc) VALUES(?,?,?,?,?,?,?,?)",
        (view.receipt_no, record, phone_last4(state), view.status_name,
         view.due.isoformat() if view.due else None, int(view.due_provisional),
         view.closed_on.isoformat() if view.closed_on else None,
         max(int(e["hlc"]) for e in events)))


def _rules(conn: sqlite3.Connection) -> PetitionRules:
    """The rules the town sent down (its config events, as the hub holds them)."""
    return PetitionRules.from_config(load_rules(conn).config)


def _last_day(events: Sequence[dict[str, Any]]) -> date:
    """The business date of the newest step: the petition's "today" for a deterministic
    fold (only an open hearing's days depend on it)."""
    days = [d for d in (iso_date(e["payload"].get("on")) for e in events
                        if isinstance(e.get("payload"), dict)) if d is not None]
    return max(days) if days else date.min


def refresh_petition(conn: sqlite3.Connection, record: str, levels: dict[str, str],
                     rules: PetitionRules | None = None) -> None:
    events = log.of_record(conn, record)
    if not events:
        return
    rules = rules or _rules(conn)
    state = petition_case.fold(events, levels, rules)
    view = public_petition_status(state, rules, _last_day(events))
    if view is None:
        return
    conn.execute("DELETE FROM public_status WHERE record=? AND receipt_no<>?",
                 (record, view.receipt_no))
    conn.execute(
        "INSERT OR REPLACE INTO public_status(receipt_no, record, phone_last4, status_name,"
        " due, due_provisional, closed_on, updated_hlc, kind, extra)"
        " VALUES(?,?,?,?,?,?,?,?,?,?)",
        (view.receipt_no, record, petition_phone_last4(state), view.status_name,
         view.due.isoformat() if view.due else None, int(view.due_provisional),
         view.closed_on.isoformat() if view.closed_on else None,
         max(int(e["hlc"]) for e in events), "petition",
         json.dumps(view.extra, ensure_ascii=False)))


class StatusProjector:
    """Re-folds the svc_case and petition records touched by a batch of new events."""

    def __call__(self, conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
        kinds = ("svc_case", "petition")
        records = {(e["record"], e["kind"]) for e in events if e["kind"] in kinds}
        relevelled = [e["origin"] for e in events if e["type"] == "node.announced"
                      and isinstance(e.get("payload"), dict)
                      and _remember_level(conn, e["origin"], e["payload"])]
        for origin in relevelled:
            # Records this node acted on were folded without knowing its level: redo them.
            records.update(conn.execute(
                "SELECT DISTINCT record, kind FROM events WHERE origin=? AND kind IN (?,?)",
                (origin, *kinds)).fetchall())
        if any(e["kind"] == "config" for e in events):
            # new rules (a holiday list, a stricter limit): the petitions' dates may move
            records.update(conn.execute("SELECT DISTINCT record, kind FROM events"
                                        " WHERE kind='petition'").fetchall())
        if not records:
            return
        levels = levels_of(conn)
        rules = _rules(conn) if any(kind == "petition" for _, kind in records) else None
        for record, kind in sorted(records):
            if kind == "svc_case":
                refresh(conn, record, levels)
            else:
                refresh_petition(conn, record, levels, rules)


# the query ------------------------------------------------------------------------------
_NO_DIGITS = "\x00\x00\x00\x00"


def lookup(conn: sqlite3.Connection, receipt_no: str, last4: str) -> PublicStatus | None:
    """The public status if the receipt exists and its phone ends in `last4`; None
    otherwise, the same None whether the receipt is unknown or the digits are wrong (no
    oracle), with a constant-time comparison in both cases."""
    row = conn.execute("SELECT phone_last4, status_name, due, due_provisional, closed_on,"
                       " kind, extra FROM public_status WHERE receipt_no=?",
                       (receipt_no,)).fetchone()
    stored = (row[0] if row else None) or _NO_DIGITS
    matches = hmac.compare_digest(stored.encode(), last4.encode())
    if row is None or not matches:
        return None
    kind = KIND if row[5] == "petition" else "便民服务事项"
    extra = tuple(tuple(pair) for pair in json.loads(row[6])) if row[6] else ()
    return PublicStatus(receipt_no, row[1], date.fromisoformat(row[2]) if row[2] else None,
                        bool(row[3]), date.fromisoformat(row[4]) if row[4] else None,
                        kind, extra)
