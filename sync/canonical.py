"""Canonical bytes of an event and its chain hash.

hash = sha256(prev_hash ‖ canonical event) (DESIGN.md "Per-origin sequence + hash chain").
The canonical form is compact JSON with sorted keys and UTF-8 (not \\u escapes), so every
node, whatever its JSON library, hashes the same bytes.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sync.jsoncodec import orjson

GENESIS = "0" * 64

# The envelope fields covered by the hash, in the order they appear in the wire tuple.
HASHED_FIELDS = ("id", "origin", "seq", "hlc", "type", "v", "record", "kind", "author", "owner")


def canonical_json(value: Any) -> str:
    """The definition is the standard library's output below. orjson, where installed
    (hubs; tablets have none), writes the same bytes (checked for every code point and
    for key order, and by property tests in both set-ups) for plain JSON values — str
    keys; str, int, bool, None, list and dict; no floats, whose notation differs —
    about three times faster; anything else, and what orjson refuses (integers past 64
    bits, lone surrogates, deep nesting), takes the standard library."""
    if orjson is not None and _plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


_LEAVES = frozenset({str, int, bool, type(None)})
_KINDS = _LEAVES | {dict, list}
_STR = frozenset({str})


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        if not set(map(type, value)) <= _STR:
            return False
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _LEAVES
    kinds = set(map(type, items))
    if kinds <= _LEAVES:
        return True
    if not kinds <= _KINDS:
        return False
    try:
        return all(_plain(v) for v in items if type(v) is dict or type(v) is list)
    except RecursionError:
        return False


def event_hash(prev: str, event: dict[str, Any], payload_json: str) -> str:
    """Chain hash of one event; `payload_json` is the payload's canonical JSON text."""
    head = canonical_json([event[f] for f in HASHED_FIELDS])
    digest = hashlib.sha256()
    digest.update(prev.encode("ascii"))
    digest.update(head.encode("utf-8"))
    digest.update(payload_json.encode("utf-8"))
    return digest.hexdigest()
