"""Offline-first replication, domain-agnostic (DESIGN.md "Sync design").

Public surface (imported lazily, so `import sync.store` does not pay for httpx):
    Store, NewEvent            a station's local event store (sync.store)
    HubStore                   a hub's storage (sync.hub.store)
    HubClient, Credentials     the httpx client (sync.client)
    Syncer, RoundResult        one station sync round (sync.session)
    enroll_station, enroll_hub (sync.enroll)
    sync_status                what the app shows (sync.status)
Errors: see sync.errors (SyncError > StoreError | Problem | TransportError).
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Credentials": "sync.client", "HubClient": "sync.client",
    "enroll_hub": "sync.enroll", "enroll_station": "sync.enroll",
    "Problem": "sync.errors", "StoreError": "sync.errors", "SyncError": "sync.errors",
    "TransportError": "sync.errors",
    "RoundResult": "sync.session", "Syncer": "sync.session",
    "credentials_for": "sync.session", "sync_status": "sync.status",
    "NewEvent": "sync.store", "Store": "sync.store", "HubStore": "sync.hub.store",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
