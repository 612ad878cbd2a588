"""Folds for the simple kinds: visits (来访登记), cadres, duty roster, town config."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from sync.db import run_script

DDL = """
CREATE TABLE visits(record TEXT PRIMARY KEY, name TEXT, sex TEXT, age INTEGER, phone TEXT,
  address TEXT, visited_at TEXT, place TEXT, matter TEXT, officer TEXT, officer_post TEXT,
  opinion TEXT, result TEXT, remark TEXT, origin TEXT, author TEXT, hlc INTEGER,
  conflicts TEXT);
CREATE INDEX visits_time ON visits(visited_at);
CREATE TABLE cadres(id TEXT PRIMARY KEY, name TEXT, post TEXT, origin TEXT, active INTEGER);
CREATE TABLE duty(record TEXT PRIMARY KEY, date TEXT, shift TEXT, cadre TEXT,
  cadre_name TEXT, role TEXT, window TEXT, cancelled INTEGER, checked_in_at TEXT,
  checked_out_at TEXT, origin TEXT);
CREATE INDEX duty_date ON duty(date);
CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT, origin TEXT, hlc INTEGER)
"""

VISIT_FIELDS = ("name", "sex", "age", "phone", "address", "visited_at", "place", "matter",
                "officer", "officer_post", "opinion", "result", "remark")


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


def fold_visit(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    """Last writer wins per field; an amendment made without seeing an earlier concurrent
    one (its `base` is not the event before it) is listed in `conflicts` for review.
    `converted`: what the visit became (a case, dispute or petition), from the station
    that logged it (visit.converted; others' are ignored: only the visit's own station
    turns it into a record)."""
    row: dict[str, Any] = {}
    conflicts = []
    converted: list[dict[str, Any]] = []
    seen: set[str] = set()
    first = None
    for event in events:
        payload = event["payload"]
        if event["type"] == "visit.converted":
            if first is not None and event["origin"] == first["origin"]:
                converted.append({"kind": payload["to_kind"], "record": payload["to_record"],
                                  "label": payload.get("label", ""), "on": payload["on"]})
        elif event["type"] == "visit.logged":
            first = first or event
            row.update({k: payload.get(k) for k in VISIT_FIELDS})
        elif event["type"] == "visit.amended":
            base = payload.get("base")
            for name, value in payload["fields"].items():
                if name not in VISIT_FIELDS:
                    continue
                if base is not None and base not in seen and row.get(name) != value \
                        and name in row:
                    conflicts.append({"field": name, "kept": value, "lost": row.get(name),
                                      "event": event["id"]})
                row[name] = value
        seen.add(event["id"])
    if first is None:
        return  # an amendment or link that arrived before its visit: wait for it
    conn.execute(
        "INSERT OR REPLACE INTO visits(record, " + ", ".join(VISIT_FIELDS) +
        ", origin, author, hlc, conflicts, converted) VALUES(?," +
        ",".join("?" * len(VISIT_FIELDS)) + ",?,?,?,?,?)",
        (record, *[row.get(k) for k in VISIT_FIELDS], first["origin"], first["author"],
         events[-1]["hlc"], json.dumps(conflicts, ensure_ascii=False) if conflicts else None,
         json.dumps(converted, ensure_ascii=False) if converted else None))


def fold_cadre(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    state: dict[str, Any] = {"active": True}
    for event in events:
        if event["type"] == "cadre.password_reset":
            continue   # 忘记密码 (app.password_reset): nothing the roster shows
        state.update(event["payload"])
    conn.execute("INSERT OR REPLACE INTO cadres VALUES(?,?,?,?,?)",
                 (record, state.get("name"), state.get("post"), events[0]["origin"],
                  int(bool(state.get("active", True)))))


def fold_duty(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    state: dict[str, Any] = {}
    checked_in = checked_out = None
    for event in events:
        if event["type"] == "duty.scheduled":
            state.update(event["payload"])
        elif event["type"] == "duty.checked_in":
            checked_in = checked_in or event["payload"]["at"]
        elif event["type"] == "duty.checked_out":
            checked_out = event["payload"]["at"]
    if not state:
        return  # a check-in that arrived before its roster entry: wait for it
    conn.execute("INSERT OR REPLACE INTO duty VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                 (record, state["date"], state["shift"], state["cadre"], state["cadre_name"],
                  state["role"], state.get("window"), int(bool(state.get("cancelled"))),
                  checked_in, checked_out, events[0]["origin"]))


def fold_config(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    """config.set values by key (catalog.* edits share the kind; app.services.rules
    replays those itself)."""
    settings = [e for e in events if e["type"] == "config.set"]
    if not settings:
        return
    last = settings[-1]
    conn.execute("INSERT OR REPLACE INTO config VALUES(?,?,?,?)",
                 (last["payload"]["key"], json.dumps(last["payload"]["value"],
                                                     ensure_ascii=False),
                  last["origin"], last["hlc"]))


def index_events_by_kind(conn: sqlite3.Connection) -> None:
    """Migration: the rules in force are keyed on the station's config events
    (app.services.rules.RulesCache, read on every intake and every screen); without an
    index that was a scan of the whole event log (88 ms at 100,000 cases)."""
    conn.execute("CREATE INDEX IF NOT EXISTS events_kind ON events(kind, rseq)")


def visit_links(conn: sqlite3.Connection) -> None:
    """Migration: what a visit was turned into (visit.converted), as a JSON list (skipped
    where the column is there already)."""
    if "converted" not in {row[1] for row in conn.execute("PRAGMA table_info(visits)")}:
        conn.execute("ALTER TABLE visits ADD COLUMN converted TEXT")


FOLDS = {"visit": fold_visit, "cadre": fold_cadre, "duty": fold_duty, "config": fold_config}
