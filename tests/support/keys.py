"""Database keys in tests: HUB_KEY for the hubs a test opens in its own process (random
per test run, like a real one), and `key_beside` for a HubProcess's directory (its key
file sits beside it, never inside: bench.procs.HubProcess.key_file)."""
from __future__ import annotations

import secrets
from pathlib import Path

from sync.hub.dbkey import read_key_file

HUB_KEY = secrets.token_bytes(32)


def key_beside(data: Path) -> bytes:
    """The key of the hub process whose data directory is `data`."""
    return read_key_file(data.parent / f"{data.name}.key", data)


__all__ = ["HUB_KEY", "key_beside"]
