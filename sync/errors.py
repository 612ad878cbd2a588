"""Errors of the sync package.

    SyncError                       base of everything sync raises
    ├── StoreError                  the local store refused (bad event, broken chain, schema)
    ├── Problem                     a protocol-level problem with a stable machine code;
    │                               the hub answers it as HTTP 4xx, the client raises it
    │                               when the hub answered one
    └── TransportError              the link failed (timeout, reset, DNS, TLS); retry later

Every message is in Chinese and says what to do, because it is shown to village cadres.
"""
from __future__ import annotations


class SyncError(Exception):
    """Base class of sync errors."""


class StoreError(SyncError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Problem(SyncError):
    """A refusal with a stable code (problem+json `code`) and a human message."""

    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def to_json(self) -> dict[str, object]:
        return {"type": f"urn:sanji:problem:{self.code}", "code": self.code,
                "status": self.status, "title": self.message, **self.extra}


class TransportError(SyncError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
