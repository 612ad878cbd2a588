"""The canonical JSON that chain hashes cover is byte for byte the standard library's
compact, key-sorted, UTF-8 form, whichever encoder wrote it (sync/canonical.py takes
orjson for plain values), and stored payloads read back (sync/log.py) as exactly the
values that were written."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.canonical import canonical_json
from sync.log import loads


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


# Every code point, lone surrogates included; integers of any size; floats.
TEXT = st.text(st.characters(blacklist_categories=()), max_size=12)
LEAVES = (st.none() | st.booleans() | st.integers() | st.integers(-2**64, 2**64)
          | st.floats(allow_nan=False, allow_infinity=False) | TEXT)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(TEXT, inner, max_size=5), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_canonical_json_is_the_standard_librarys_bytes(value: Any) -> None:
    assert canonical_json(value) == reference(value)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_stored_canonical_json_reads_back_the_same_values(value: Any) -> None:
    text = reference(value)
    assert repr(loads(text)) == repr(json.loads(text))
    assert reference(loads(text)) == text


def test_values_orjson_writes_differently_take_the_standard_library() -> None:
    deep: list[Any] = []
    inner = deep
    for _ in range(400):          # deeper than orjson nests
        inner.append([])
        inner = inner[0]
    for value in ({"b": 1, "a": [1.0, 1e16, 1e-05, 0.1]}, {1: "int key"}, (1, "tuple"),
                  2**64, -(2**63) - 1, {"n": [2**70]}, "\ud800", deep,
                  {"名": "王秀英", "\u2028": "\x00\x1f\x7f"}):
        assert canonical_json(value) == reference(value)
