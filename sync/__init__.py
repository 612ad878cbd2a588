"""Offline-first replication, domain-agnostic (DESIGN.md "Sync design").

Public surface:
    Store, NewEvent            a station's local event store (sync.store)
    HubStore                   a hub's storage (sync.hub.store)
    HubClient, Credentials     the httpx client (sync.client)
    Syncer, RoundResult        one station sync round (sync.session)
    enroll_station, enroll_hub (sync.enroll)
    sync_status                what the app shows (sync.status)
Errors: see sync.errors (SyncError > StoreError | Problem | TransportError).
"""
from sync.client import Credentials, HubClient
from sync.enroll import enroll_hub, enroll_station
from sync.errors import Problem, StoreError, SyncError, TransportError
from sync.session import RoundResult, Syncer, credentials_for
from sync.status import sync_status
from sync.store import NewEvent, Store

__all__ = ["Credentials", "HubClient", "NewEvent", "Problem", "RoundResult", "Store",
           "StoreError", "SyncError", "Syncer", "TransportError", "credentials_for",
           "enroll_hub", "enroll_station", "sync_status"]
