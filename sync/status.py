"""What the app shows about sync: last success, pending count, last error (in Chinese)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sync.store import Store


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    pending: int
    last_success_ms: int | None
    last_attempt_ms: int | None
    last_error: str | None
    quarantined: int
    clock_warning: str | None = None   # the hub's time was not learned (sync.hlc), and why


def sync_status(store: Store) -> SyncStatus:
    def as_int(key: str) -> int | None:
        value = store.meta.get(key)
        return int(value) if value else None

    error = store.meta.get("last_error")
    quarantined = store.conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
    return SyncStatus(enrolled=store.node_id is not None, pending=store.pending_count(),
                      last_success_ms=as_int("last_success"),
                      last_attempt_ms=as_int("last_attempt"),
                      last_error=json.loads(error)["message"] if error else None,
                      quarantined=quarantined,
                      clock_warning=store.meta.get("clock_warning"))
