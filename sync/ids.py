"""Identifiers: UUIDv7 (RFC 9562) for events, records and attachments.

UUIDv7 puts a millisecond timestamp in front so ids cluster in B-tree indexes, but
order is never taken from ids alone (DESIGN.md: order comes from (hlc, origin, seq)).
"""
from __future__ import annotations

import os
import re
import time
import uuid

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def uuid7(now_ms: int | None = None) -> str:
    """A new UUIDv7 as its canonical lower-case string."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76                      # version 7
    value |= ((rand >> 62) & 0xFFF) << 64   # rand_a (12 bits)
    value |= 0b10 << 62                     # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)         # rand_b (62 bits)
    return str(uuid.UUID(int=value))


def is_uuid(text: object) -> bool:
    """True for a canonical lower-case UUID string (any version)."""
    return isinstance(text, str) and _UUID_RE.match(text) is not None
