"""Canonical bytes of an event and its chain hash.

hash = sha256(prev_hash ‖ canonical event) (DESIGN.md "Per-origin sequence + hash chain").
The canonical form is compact JSON with sorted keys and UTF-8 (not \\u escapes), so every
node, whatever its JSON library, hashes the same bytes.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64

# The envelope fields covered by the hash, in the order they appear in the wire tuple.
HASHED_FIELDS = ("id", "origin", "seq", "hlc", "type", "v", "record", "kind", "author", "owner")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def event_hash(prev: str, event: dict[str, Any], payload_json: str) -> str:
    """Chain hash of one event; `payload_json` is the payload's canonical JSON text."""
    head = canonical_json([event[f] for f in HASHED_FIELDS])
    digest = hashlib.sha256()
    digest.update(prev.encode("ascii"))
    digest.update(head.encode("utf-8"))
    digest.update(payload_json.encode("utf-8"))
    return digest.hexdigest()
