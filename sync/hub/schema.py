"""Tables of a hub's SQLite file, created by step-by-step migrations."""
from __future__ import annotations

import sqlite3

from sync import certs, log
from sync.db import META_DDL, run_script
from sync.hub import quarantine
from sync.keys import SigningKey
from sync.migrations import Step
from sync.nodes import NODES_DDL


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(META_DDL)
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


def _v5(conn: sqlite3.Connection) -> None:
    """Certificates (issue #7). Every node this hub enrolled gets a certificate signed
    with the hub's key; a town enrolled at a county is a hub (it may certify its own
    stations, nothing else may). Records remember whether their creator is known from a
    creating event (existing ones: yes) and everyone they were ever handed to. Every
    node is sent up again so the parent gets the new certificates. (Safe to run again on
    a file that has them already.)"""
    certs.create_tables(conn)
    if "c_made" not in {row[1] for row in conn.execute("PRAGMA table_info(records)")}:
        conn.execute("ALTER TABLE records ADD COLUMN c_made INTEGER NOT NULL DEFAULT 1")
    run_script(conn, """
    CREATE TABLE IF NOT EXISTS record_owners(record TEXT NOT NULL, owner TEXT NOT NULL,
                                             PRIMARY KEY(record, owner)) WITHOUT ROWID;
    INSERT OR IGNORE INTO record_owners(record, owner)
      SELECT DISTINCT record, owner FROM events WHERE owner IS NOT NULL;
    UPDATE nodes SET sent_up=0
    """)
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN"
                             " ('hub_id', 'hub_key', 'level')"))
    if not meta.get("hub_key"):
        return   # a new file: init() gives it its identity
    if meta.get("level") == "county":
        conn.execute("UPDATE nodes SET roles=trim(roles || ',' || ?, ',') WHERE direct=1"
                     " AND kind='town' AND instr(roles, ?)=0", (certs.HUB_ROLE, certs.HUB_ROLE))
    key = SigningKey.from_b64(meta["hub_key"])
    rows = conn.execute("SELECT id, kind, name, pubkey, roles, short_code FROM nodes"
                        " WHERE direct=1 AND pubkey IS NOT NULL ORDER BY rowid").fetchall()
    first = conn.execute("SELECT COALESCE(MAX(cseq), 0) + 1 FROM certs").fetchone()[0]
    for cseq, (node_id, kind, name, pubkey, roles, short_code) in enumerate(rows, first):
        cert = certs.issue(key, node_id, meta["hub_id"], kind, name, pubkey,
                           [r for r in roles.split(",") if r], short_code)
        conn.execute("INSERT OR IGNORE INTO certs(id, parent, kind, name, pubkey, roles,"
                     " short_code, sig, cseq) VALUES(?,?,?,?,?,?,?,?,?)",
                     (cert.id, cert.parent, cert.kind, cert.name, cert.pubkey,
                      ",".join(cert.roles), cert.short_code, cert.sig, cseq))


MIGRATIONS = [Step("events, nodes, records, feed, attachments", _v1),
              Step("short codes", _v2),
              Step("quarantine", quarantine.migrate),    # issue #7 item 6
              Step("attachment holders", _v4),           # issue #7 item 10
              Step("certificates", _v5)]                 # issue #7
