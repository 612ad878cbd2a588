"""kill -9 at the worst moments (issue #2 §5): a hub inside a push, a station inside
its write loop, a station between applying a pull and saving its cursor. After each
kill the SQLite files pass integrity_check, chains are gapless and intact, nothing that
was acknowledged is lost, and a further sync converges with no duplicates."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

from sync.audit import audit as audit_chains
from sync.batching import BatchSizer
from sync.client import Backoff, HubClient
from sync.errors import SyncError
from sync.session import Syncer, credentials_for
from sync.store import Store
from tests.support.hubs import ROOT
from sync.db import OperationalError
from tests.sync.faultkit import (DbFile, Lab, assert_gapless, assert_holds_exactly, audit, chain,
                                 config_event, count, hub_db, ids, integrity, query,
                                 station_db, sync_until_clean, visit_event, wait_for)


class Child:
    """A python child process (tests.sync.fault_child) whose stdout lines we follow."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.fault_child", *args], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        first = self.readline()
        assert first == "ready", f"child did not start: {first!r} {self.errors()}"

    def readline(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line and line != "ready":
            self.lines.append(line)
        return line

    def kill(self) -> list[str]:
        """SIGKILL; returns every line it printed (also those still in the pipe)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        while self.readline():
            pass
        return self.lines

    def errors(self) -> str:
        stream: IO[str] | None = self.proc.stderr
        return stream.read() if stream is not None and self.proc.poll() is not None else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


# hub kill -9 inside a push -----------------------------------------------------------------
def writer_busy(db: DbFile) -> bool:
    """True while another process holds the database's write lock (in a transaction)."""
    conn = db.connect()
    try:
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except OperationalError:
        return True
    finally:
        conn.close()


def kill_inside_write(db: DbFile, pushing: threading.Thread, kill: Callable[[], None]) -> bool:
    """SIGKILL the hub once it has been inside a write transaction for >= 20 ms (the
    big push's, not a small counter update); False if that never happened."""
    busy_since: float | None = None
    deadline = time.monotonic() + 10
    while pushing.is_alive() and time.monotonic() < deadline:
        if writer_busy(db):
            now = time.monotonic()
            busy_since = busy_since or now
            if now - busy_since >= 0.02:
                kill()
                return True
        else:
            busy_since = None
        time.sleep(0.002)
    return False


def test_hub_killed_inside_a_push_keeps_all_or_nothing_of_the_run(lab: Lab) -> None:
    rng = random.Random(5)
    county = lab.county()
    town = lab.town(county=county)
    village = lab.station(town, "王湾村")
    origin = village.store.node_id or ""
    run = 2000
    big = BatchSizer(size=run, low=run, high=run)

    def push_once() -> None:
        client = HubClient(town.url, credentials_for(village.store), timeout=30)
        try:
            Syncer(village.store, client, sizer=big, backoff=Backoff(attempts=1)).push_all()
        except SyncError:
            pass  # the hub died under it: judged by what the files hold
        finally:
            client.close()

    # Calibrate: how long one big push takes on this machine.
    village.store.append_many([visit_event(f"村民{i}") for i in range(run)])
    started = time.monotonic()
    push_once()
    took = time.monotonic() - started
    assert village.store.pending_count() == 0

    outcomes = []
    for attempt in range(6):
        held = count(hub_db(town), origin)
        village.store.append_many([visit_event(f"村民{attempt}-{i}") for i in range(run)])
        pushing = threading.Thread(target=push_once)
        pushing.start()
        if attempt % 2 == 0:
            inside = kill_inside_write(hub_db(town), pushing, town.kill)
            assert inside, "never caught the hub inside its push transaction"
        else:
            time.sleep(rng.uniform(0.0, took))
            town.kill()
        pushing.join(timeout=60)
        assert not pushing.is_alive()

        db = hub_db(town)
        assert integrity(db) == "ok"
        after = count(db, origin)
        assert after in (held, held + run), f"partial batch: {held} → {after}"
        assert assert_gapless(db, origin) == after
        assert chain(db, origin) == chain(station_db(village), origin)[:after]
        # Nothing acknowledged was lost: the station never believes the hub holds more.
        assert village.store.pushed_through() in (held, after)
        outcomes.append("all" if after > held else "none")
        town.start()
        assert audit(town) == []
        sync_until_clean(village.store, town.url)     # re-push (or harmless repeat)
        assert_holds_exactly(db, village)
    assert "none" in outcomes, outcomes

    total = count(station_db(village), origin)
    assert total == 7 * run
    wait_for(lambda: count(hub_db(county), origin) == total, 60, "county caught up")
    for hub in (town, county):
        assert_holds_exactly(hub_db(hub), village)
        assert count(hub_db(hub)) == total
        assert audit(hub) == []
        assert integrity(hub_db(hub)) == "ok"


# station kill -9 inside a write loop ----------------------------------------------------------
def test_station_killed_inside_its_write_loop_loses_no_returned_append(lab: Lab) -> None:
    rng = random.Random(9)
    town = lab.town()
    village = lab.station(town, "王湾村")
    origin = village.store.node_id or ""
    db = station_db(village)
    village.store.close()          # the child process is the only writer now
    returned: dict[str, tuple[int, int]] = {}
    for _ in range(6):
        child = Child("write", str(db), str(rng.randrange(1 << 30)))
        try:
            for _ in range(rng.randint(5, 60)):
                assert child.readline(), child.errors()
            for line in child.kill():
                seq, record, size = line.split()
                returned[record] = (int(seq), int(size))
        finally:
            child.close()

        assert integrity(db) == "ok"
        held = assert_gapless(db, origin)
        assert held >= max(seq for seq, _ in returned.values())
        batches = {record: (top, n) for record, top, n in query(
            db, "SELECT record, MAX(seq), COUNT(*) FROM events GROUP BY record")}
        for record, (seq, size) in returned.items():     # every returned append is there
            assert batches[record] == (seq, size)
        for record, n in query(db, "SELECT record, COUNT(*) FROM events GROUP BY record"):
            size = int(json.loads(query(db, "SELECT payload FROM events WHERE record=? AND"
                                        " type='visit.logged'", (record,))[0][0])["remark"][6:])
            assert n == size, "a batch was half written"
        # The projection ran in the same transactions: it agrees with the log exactly.
        assert dict(query(db, "SELECT record, n FROM tally")) == dict(
            query(db, "SELECT record, COUNT(*) FROM events GROUP BY record"))
        conn = db.connect()
        try:
            assert audit_chains(conn, {origin}) == []
        finally:
            conn.close()

    assert len(returned) > 30
    village.store = Store(db)
    sync_until_clean(village.store, town.url)
    assert_holds_exactly(hub_db(town), village)


# kill between applying a pull and saving its cursor ------------------------------------------
def test_pull_and_its_cursor_are_one_transaction_under_kill(lab: Lab) -> None:
    rng = random.Random(13)
    town = lab.town()
    writer = lab.station(town, "新集镇便民服务中心", kind="town")   # sends rules down
    reader = lab.station(town, "李庄村")
    source = writer.store.node_id or ""
    total = 1200
    writer.store.append_many([config_event(f"holiday.d{i}", i) for i in range(total)])
    sync_until_clean(writer.store, town.url)
    db = station_db(reader)
    reader.store.close()
    batch, partial = 20, 0

    def fed_through(fseq: int) -> set[str]:
        return {r[0] for r in query(hub_db(town), "SELECT e.id FROM feed f JOIN events e ON "
                                    "e.rseq=f.rseq WHERE f.fseq<=? AND e.origin=?",
                                    (fseq, source))}

    for _ in range(5):
        held_before = count(db)
        remaining = (total - held_before) // batch
        if remaining < 3:
            break
        child = Child("pull", str(db), town.url, str(batch))
        try:
            for _ in range(rng.randint(1, min(remaining - 1, 12))):
                assert child.readline().startswith("pull"), child.errors()
            child.kill()
        finally:
            child.close()
        assert integrity(db) == "ok"
        raw = query(db, "SELECT value FROM meta WHERE key='pull_cursor'")
        cursor = json.loads(raw[0][0]) if raw and raw[0][0] else {"fseq": 0}
        held = ids(db)
        assert held == fed_through(cursor["fseq"])       # events present ⇔ cursor covers them
        assert count(db) == len(held)
        partial += 0 < len(held) < total
    assert partial >= 3

    reader.store = Store(db)
    sync_until_clean(reader.store, town.url)
    assert ids(db) == ids(hub_db(town), source)
    assert count(db) == total
    assert query(db, "SELECT COUNT(*) FROM quarantine") == [(0,)]
