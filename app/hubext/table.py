"""The hub's public-status table, kept by a projector that re-folds touched cases.

A hub holds the events of its subtree (pushed up) and what its parent handed down (a
county department's reply). It has no station projections, so this module keeps the one
table the public page reads:

    public_status(receipt_no PK, record, phone_last4, status_name, due, due_provisional,
                  closed_on, updated_hlc, kind, extra)

Service cases (kind svc_case) and petitions (kind petition, issue #10: 可查询、可跟踪) share
the table: both have receipts of the same form from the same per-station counter.  A
petition is folded with the rules the town sent down (its config events, which reach the
hub as every station's events do).

Levels for the fold (app.domain.fold needs origin → level) come from the hub's
certificates only (sync.certs): its own subtree's, and those of nodes above or beside
it (a county department's window acting on a forwarded case), which come down with
pulls. Never from what a node announces (issue #7 item 2), and the folds read only what
the declaration of who may write what allows (app.authority.admissible). A receipt row
belongs to the record that first claimed its number here: another record with the same
number never takes it over (item 9; hubs also refuse a receipt number that is not the
author's own station code).

The projector runs inside the transaction that stored the new events
(sync.hub.store.HubStore._index), on the API's connection and on the relay's, and again
when certificates arrive (their nodes' steps may count now).
"""
from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from app.authority import admissible, app_policy
from app.domain import fold
from app.domain.petition import flow as petition_case
from app.domain.petition.rules import PetitionRules
from app.domain.workflow import iso_date
from app.hubext.petition_status import KIND, petition_phone_last4, public_petition_status
from app.hubext.status import PublicStatus, phone_last4, public_status
from app.services.rules import load_rules
from sync import log
from sync.certs import Directory
from sync.db import run_script, transaction
from sync.migrations import Step, migrate
from sync.hub.store import HubStore

DDL = """
CREATE TABLE public_status(receipt_no TEXT PRIMARY KEY, record TEXT NOT NULL,
  phone_last4 TEXT, status_name TEXT NOT NULL, due TEXT, due_provisional INTEGER NOT NULL,
  closed_on TEXT, updated_hlc INTEGER NOT NULL);
CREATE INDEX public_status_record ON public_status(record)
"""


REBUILD = "hubext_rebuild"   # meta flag: fold every record again when installed


def _rebuild_later(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, '1')", (REBUILD,))


def _v1(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)
    _rebuild_later(conn)   # a hub that already holds events (upgraded to this version)


def _v2(conn: sqlite3.Connection) -> None:
    run_script(conn, "ALTER TABLE public_status ADD COLUMN kind TEXT NOT NULL DEFAULT 'svc_case';"
                     "ALTER TABLE public_status ADD COLUMN extra TEXT")
    _rebuild_later(conn)   # its petitions too


def _v3(conn: sqlite3.Connection) -> None:
    # Levels announced by nodes outside the tree were kept here before certificates
    # (issue #7): they no longer count; the table is rebuilt from certified levels.
    conn.execute("DROP TABLE IF EXISTS public_levels")
    _rebuild_later(conn)


MIGRATIONS = [Step("public status", _v1),
              Step("public status of petitions", _v2),
              Step("levels from certificates", _v3)]   # issue #7


def install(hub: HubStore) -> "StatusProjector":
    """Create the tables if needed (idempotent: sync.migrations), put the
    app's policy of who may write what on this HubStore connection and hook the
    projector onto it."""
    migrate(hub.conn, MIGRATIONS, "hubext")
    hub.policy = app_policy(hub.registry)
    projector = StatusProjector(hub.directory)
    hub.projectors.append(projector)
    hub.certified_hooks.append(projector.certified)
    if hub.meta.get(REBUILD):
        with transaction(hub.conn):
            projector.refresh(hub.conn, set(hub.conn.execute(
                "SELECT DISTINCT record, kind FROM events WHERE kind IN (?,?)", KINDS)))
            hub.meta.set(REBUILD, None)
    return projector


def _claimed(conn: sqlite3.Connection, receipt_no: str, record: str) -> bool:
    """Does another record hold this receipt number's row already?"""
    held = conn.execute("SELECT record FROM public_status WHERE receipt_no=?",
                        (receipt_no,)).fetchone()
    return held is not None and held[0] != record


def refresh(conn: sqlite3.Connection, record: str, directory: Directory) -> None:
    events = admissible(log.of_record(conn, record), directory)
    if not events:
        return
    state = fold(events, directory.levels())
    view = public_status(state)
    if view is None or _claimed(conn, view.receipt_no, record):
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


def refresh_petition(conn: sqlite3.Connection, record: str, directory: Directory,
                     rules: PetitionRules | None = None) -> None:
    events = admissible(log.of_record(conn, record), directory)
    if not events:
        return
    rules = rules or _rules(conn)
    state = petition_case.fold(events, directory.levels(), rules)
    view = public_petition_status(state, rules, _last_day(events))
    if view is None or _claimed(conn, view.receipt_no, record):
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


KINDS = ("svc_case", "petition")


class StatusProjector:
    """Re-folds the svc_case and petition records touched by a batch of new events, and
    those of nodes whose certificates came in."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def __call__(self, conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
        records = {(e["record"], e["kind"]) for e in events if e["kind"] in KINDS}
        if any(e["kind"] == "config" for e in events):
            # new rules (a holiday list, a stricter limit): the petitions' dates may move
            records.update(conn.execute("SELECT DISTINCT record, kind FROM events"
                                        " WHERE kind='petition'").fetchall())
        self.refresh(conn, records)

    def certified(self, conn: sqlite3.Connection, nodes: Sequence[Any]) -> None:
        records: set[tuple[str, str]] = set()
        for node in nodes:
            records.update(conn.execute("SELECT DISTINCT record, kind FROM events WHERE"
                                        " origin=? AND kind IN (?,?)", (node, *KINDS)))
        self.refresh(conn, records)

    def refresh(self, conn: sqlite3.Connection, records: set[tuple[str, str]]) -> None:
        if not records:
            return
        rules = _rules(conn) if any(kind == "petition" for _, kind in records) else None
        for record, kind in sorted(records):
            if kind == "svc_case":
                refresh(conn, record, self.directory)
            else:
                refresh_petition(conn, record, self.directory, rules)


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
    kind = {"petition": KIND, "complaint": "检举控告（密件）"}.get(row[5], "便民服务事项")
    extra = tuple(tuple(pair) for pair in json.loads(row[6])) if row[6] else ()
    return PublicStatus(receipt_no, row[1], date.fromisoformat(row[2]) if row[2] else None,
                        bool(row[3]), date.fromisoformat(row[4]) if row[4] else None,
                        kind, extra)
