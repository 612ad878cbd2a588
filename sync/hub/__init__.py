"""The hub a town center or a county runs: storage (store), HTTP API (api), relay to
its parent (relay). Public surface: HubStore, create_app, Relay."""
from sync.hub.store import HubStore

__all__ = ["HubStore"]
