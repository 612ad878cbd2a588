"""Tables of a hub's SQLite file, created by step-by-step migrations."""
from __future__ import annotations

import sqlite3

from sync import log
from sync.db import run_script
from sync.hub import quarantine
from sync.nodes import NODES_DDL


def _v1(conn: sqlite3.Connection) -> None:
    log.create_events_table(conn)
    run_script(conn, NODES_DDL + """
    CREATE TABLE sigs(origin TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
                      sig TEXT NOT NULL, signer TEXT NOT NULL, PRIMARY KEY(origin, seq));
    CREATE TABLE records(record TEXT PRIMARY KEY, kind TEXT NOT NULL,
                         creator TEXT NOT NULL, c_hlc INTEGER, c_origin TEXT, c_seq INTEGER,
                         owner TEXT, o_hlc INTEGER, o_origin TEXT, o_seq INTEGER);
    CREATE TABLE feed(fseq INTEGER PRIMARY KEY, rseq INTEGER NOT NULL);
    CREATE TABLE up_acked(origin TEXT PRIMARY KEY, seq INTEGER NOT NULL);
    CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL,
                       complete INTEGER NOT NULL DEFAULT 0, sent_up INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE blob_refs(sha256 TEXT NOT NULL, rseq INTEGER NOT NULL,
                           PRIMARY KEY(sha256, rseq));
    CREATE TABLE problems(id INTEGER PRIMARY KEY, at INTEGER, node TEXT, code TEXT,
                          message TEXT);
    """)


def _v2(conn: sqlite3.Connection) -> None:
    # Short codes: a town's two letters (given by its county) and each station's
    # letters + 3 digits, used in receipt numbers that stay unique offline.
    conn.execute("ALTER TABLE nodes ADD COLUMN short_code TEXT")


def _v4(conn: sqlite3.Connection) -> None:
    # Who sent a blob's bytes (sync.hub.blobs: a reference alone does not let a node
    # read them). For blobs already held: the origin of the first event that referenced
    # each, which is who uploaded it (a blob is accepted only after a reference, and
    # nobody else knew its sha then); a later reference is a claim and earns nothing.
    conn.execute("CREATE TABLE blob_holders(sha256 TEXT NOT NULL, node TEXT NOT NULL,"
                 " PRIMARY KEY(sha256, node))")
    conn.execute("INSERT OR IGNORE INTO blob_holders(sha256, node) SELECT b.sha256,"
                 " (SELECT e.origin FROM blob_refs r JOIN events e ON e.rseq=r.rseq"
                 "  WHERE r.sha256=b.sha256 ORDER BY r.rseq LIMIT 1)"
                 " FROM blobs b WHERE b.complete=1 AND EXISTS("
                 "  SELECT 1 FROM blob_refs r WHERE r.sha256=b.sha256)")


MIGRATIONS = [_v1, _v2,
              quarantine.migrate,   # v3: events a hub cannot send on (issue #7 item 6)
              _v4]                  # v4: who sent each attachment (issue #7 item 10)
