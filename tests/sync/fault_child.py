"""Child processes the kill tests SIGKILL at random moments (issue #2 §5).

    python -m tests.sync.fault_child write STATION.sqlite SEED
        appends batches (a visit.logged and its visit.amended events) forever; after each
        append returns it
        prints "SEQ RECORD SIZE" (the batch's last seq, its record, its size), flushed,
        so the parent knows exactly which appends were acknowledged to the caller.
    python -m tests.sync.fault_child pull STATION.sqlite HUB_URL BATCH
        pulls everything from the hub in batches of BATCH, printing "pull N" after each
        batch is applied (events and cursor committed together), then "done".
"""
from __future__ import annotations

import random
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

TALLY_DDL = "CREATE TABLE IF NOT EXISTS tally(record TEXT PRIMARY KEY, n INTEGER NOT NULL)"
VISIT = {"name": "王秀英", "sex": "女", "age": 63, "phone": "13812345678", "address": "三组",
         "visited_at": "2026-11-28 09:30", "place": "便民服务站", "matter": "咨询城乡居民医保缴费",
         "officer": "李建国", "officer_post": "村委委员"}


def tally(conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
    """A projection: events per record, kept in the writing transaction."""
    for event in events:
        conn.execute("INSERT INTO tally(record, n) VALUES(?, 1) ON CONFLICT(record) "
                     "DO UPDATE SET n=n+1", (event["record"],))


def write(path: str, seed: str) -> None:
    from sync.ids import uuid7
    from sync.store import NewEvent, Store

    store = Store(path, projector=tally)
    store.conn.execute(TALLY_DDL)
    rng = random.Random(int(seed))
    print("ready", flush=True)
    while True:
        size = rng.choice((1, 1, 2, 5, 9))
        record = uuid7()
        # A visit and its amendments: a station acts only on records that exist (issue #7).
        out = store.append_many([NewEvent("visit.logged", record,
                                          {**VISIT, "remark": f"batch={size}"}, "u-li")] + [
            NewEvent("visit.amended", record, {"fields": {"batch": size, "part": part}}, "u-li")
            for part in range(1, size)])
        print(out[-1]["seq"], record, size, flush=True)


def pull(path: str, url: str, batch: str) -> None:
    from sync.batching import BatchSizer
    from sync.client import HubClient
    from sync.session import Syncer, credentials_for
    from sync.store import Store

    store = Store(path)
    size = int(batch)
    client = HubClient(url, credentials_for(store))
    syncer = Syncer(store, client, sizer=BatchSizer(size=size, low=size, high=size),
                    progress=lambda stage, done, total: print(stage, done, flush=True))
    print("ready", flush=True)
    syncer.pull_all()
    print("done", flush=True)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"write": write, "pull": pull}[command](*args)
