"""Group commit: pushes that reach the hub together are stored in one transaction.

With synchronous=FULL every COMMIT waits for an fsync, and for the small pushes
villages send that wait is most of a push's cost (bench.hub profile). Pushes queue
while the event loop is busy; the next loop iteration stores the whole queue in one
transaction, each push in its own savepoint, so a push refused as a whole leaves the
others untouched, and none is answered before the group's COMMIT (DESIGN.md
"Durability": acknowledged means on disk). The same idea as PostgreSQL's
commit_delay, with no added delay: a group is whatever arrived during the last one.
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

from sync.db import transaction


class GroupCommit:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    async def run(self, work: Callable[[], Any]) -> Any:
        """Run `work` (synchronous, no await) inside the next group's transaction and
        return its result once the group is committed; its exception if it raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.pending.append((work, future))
        if len(self.pending) == 1:
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        group, self.pending = self.pending, []
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            with transaction(self.conn):
                for work, future in group:
                    try:
                        with transaction(self.conn):      # a savepoint
                            outcomes.append((future, work(), None))
                    except Exception as exc:  # this push only; the group goes on
                        outcomes.append((future, None, exc))
        except Exception as exc:  # the COMMIT failed: nothing of the group is stored
            outcomes = [(future, None, exc) for _, future in group]
        for future, value, error in outcomes:
            if future.done():      # the client went away; what it sent is stored all the same
                continue
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
