"""The database key of the hubs a test opens in its own process (no HubProcess, whose
key file sits beside its data directory): random per test run, like a real one."""
from __future__ import annotations

import secrets

HUB_KEY = secrets.token_bytes(32)

__all__ = ["HUB_KEY"]
