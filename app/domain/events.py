"""What the domain relies on in an event envelope, and the replay order.

An event is a dict: {"id", "origin", "seq", "hlc", "type", "v", "record", "kind",
"author", "payload"} (DESIGN.md "Events, not rows").  Projections replay events in the
total order (hlc, origin, seq), which every node computes the same way; the workflows
replay through ``app.domain.workflow`` (``Flow.fold``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

Event = Mapping[str, Any]


def order_key(event: Event) -> tuple[int, str, int]:
    """The total replay order of DESIGN.md: (hlc, origin, seq)."""
    return (int(event["hlc"]), str(event["origin"]), int(event["seq"]))


@dataclass(frozen=True)
class Rejected:
    """An event kept in the log but not applied, with the reason shown to users."""

    event_id: str
    event_type: str
    author: str
    origin: str
    hlc: int
    code: str
    reason: str


def rejected(event: Event, code: str, reason: str) -> Rejected:
    """The ``Rejected`` record for ``event``."""
    return Rejected(str(event["id"]), str(event["type"]), str(event.get("author", "")),
                    str(event["origin"]), int(event["hlc"]), code, reason)
