"""The intake linker's index: every dispute and petition as a ``dispute.links.Prior``.

Issue #4 §1–2, RULES.md §2: repeat matters are linked to earlier ones of the same person
(ID number, or name + village) or the same matter, and shown at intake; 初信初访 is
flagged.  The dispute and petition folds keep one ``priors`` row and its
``prior_people`` rows per record (what ``prior_of_dispute`` / ``prior_of_petition`` say),
so an intake looks up candidates by ID number, name or village instead of replaying
every record.  检举控告 never appear here: they are not petition records
(petition_sealed).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from app.domain.dispute.links import Person, Prior, normalise_id, normalise_name
from sync.db import run_script

DDL = """
CREATE TABLE priors(record TEXT PRIMARY KEY, kind TEXT, opened_on TEXT, summary TEXT,
  village TEXT, level TEXT, status TEXT, handled INTEGER);
CREATE INDEX priors_village ON priors(village, opened_on);
CREATE TABLE prior_people(record TEXT, name TEXT, id_number TEXT, village TEXT);
CREATE INDEX prior_people_record ON prior_people(record);
CREATE INDEX prior_people_id ON prior_people(id_number);
CREATE INDEX prior_people_name ON prior_people(name)
"""

# How many earlier records of the same village are compared by summary alone
# (a neighbour reporting the same wall): the newest ones; older ones still match by person.
SAME_VILLAGE_LIMIT = 500


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


def put(conn: sqlite3.Connection, prior: Prior) -> None:
    """Replace the index rows of ``prior.record``."""
    conn.execute("INSERT OR REPLACE INTO priors VALUES(?,?,?,?,?,?,?,?)",
                 (prior.record, prior.kind, prior.opened_on.isoformat(), prior.summary,
                  normalise_name(prior.village), prior.level, prior.status,
                  int(prior.handled)))
    conn.execute("DELETE FROM prior_people WHERE record=?", (prior.record,))
    conn.executemany("INSERT INTO prior_people VALUES(?,?,?,?)", [
        (prior.record, normalise_name(p.name), normalise_id(p.id_number),
         normalise_name(p.village)) for p in prior.people])


def candidates(conn: sqlite3.Connection, people: Sequence[Person], village: str,
               exclude: Iterable[str] = ()) -> list[Prior]:
    """Earlier records that may be the same person or matter (``find_links`` decides)."""
    ids = sorted({normalise_id(p.id_number) for p in people if normalise_id(p.id_number)})
    names = sorted({normalise_name(p.name) for p in people if normalise_name(p.name)})
    found: set[str] = set()
    if ids:
        found.update(r for (r,) in conn.execute(
            f"SELECT record FROM prior_people WHERE id_number IN ({','.join('?' * len(ids))})",
            ids))
    if names:
        found.update(r for (r,) in conn.execute(
            f"SELECT record FROM prior_people WHERE name IN ({','.join('?' * len(names))})",
            names))
    if normalise_name(village):
        found.update(r for (r,) in conn.execute(
            "SELECT record FROM priors WHERE village=? ORDER BY opened_on DESC LIMIT ?",
            (normalise_name(village), SAME_VILLAGE_LIMIT)))
    found.difference_update(exclude)
    return load(conn, sorted(found))


def load(conn: sqlite3.Connection, records: Sequence[str]) -> list[Prior]:
    out: list[Prior] = []
    for start in range(0, len(records), 500):
        chunk = list(records[start:start + 500])
        marks = ",".join("?" * len(chunk))
        people: dict[str, list[Person]] = {}
        for record, name, id_number, village in conn.execute(
                f"SELECT record, name, id_number, village FROM prior_people "
                f"WHERE record IN ({marks})", chunk):
            people.setdefault(record, []).append(Person(name, id_number or "", village or ""))
        for row in conn.execute(f"SELECT record, kind, opened_on, summary, village, level,"
                                f" status, handled FROM priors WHERE record IN ({marks})",
                                chunk):
            record, kind, opened, summary, village, level, status, handled = row
            out.append(Prior(record, kind, date.fromisoformat(opened),
                             tuple(people.get(record, ())), summary or "", village or "",
                             level or "", status or "", bool(handled)))
    return out
