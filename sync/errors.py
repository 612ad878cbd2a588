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

from sync.problems import entry


class SyncError(Exception):
    """Base class of sync errors."""


class StoreError(SyncError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Problem(SyncError):
    """A refusal with a stable code (problem+json `code`) and a human message.

    A catalogued code (sync.problems) has one status, whatever a raise site passes
    (tests/sync/test_problems.py holds the sites to it). `message` is the raise site's
    own words; on the wire they travel as `detail` under the catalogue's `title`."""

    def __init__(self, status: int, code: str, message: str, **extra: object) -> None:
        known = entry(code)
        status = known.status if known is not None else status
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    @property
    def title(self) -> str:
        """The catalogue's message for this code (what to do), else the site's own."""
        known = entry(self.code)
        return known.message if known is not None else self.message

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {"type": f"urn:sanji:problem:{self.code}",
                                   "code": self.code, "status": self.status,
                                   "title": self.title, **self.extra}
        if self.message != self.title:
            body["detail"] = self.message
        return body


class TransportError(SyncError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
