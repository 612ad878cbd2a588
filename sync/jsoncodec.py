"""JSON bytes in and out: orjson where it is installed, the standard library where not.

Hubs install orjson (the `hub` extra; about three times faster on big pushes and pulls).
A tablet cannot: python-for-android has no recipe for orjson, which is written in Rust,
so stations run on the standard library alone. Hash chains and signatures cover
canonical bytes, which are the standard library's by definition (sync/canonical.py);
for the rest the fallback behaves as orjson does wherever it matters:

- `dumps`: compact UTF-8 (no \\u escapes except for control characters), keys in the
  order given. Byte-identical to orjson for str keys and str, int (64-bit), bool, None,
  list and dict values, and for floats whose shortest repr has no exponent. Elsewhere
  the standard library has its way: 1e-07 where orjson writes 1e-7, integers past 64
  bits and non-str keys written where orjson refuses them, NaN refused where orjson
  writes null. Nothing hashed or signed goes through `dumps` (sync/canonical.py
  defines those bytes, the same with or without orjson).
- `loads`: refuses what orjson refuses (not UTF-8, a byte-order mark, NaN or Infinity,
  numbers too large for a double, lone surrogates, nesting about 1000 deep) with
  `DecodeError`, so a reply that a hub cannot read is not read by a station either.
  Integers past 64 bits come back exact (orjson gives a float): sync/log.py reparses
  those with the standard library anyway.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

try:
    import orjson
except ImportError:         # a tablet: see above
    orjson = None  # type: ignore[assignment]

# Both libraries' decode errors are ValueErrors (so is UnicodeDecodeError).
DecodeError = ValueError


def dumps(value: Any) -> bytes:
    if orjson is not None:
        return orjson.dumps(value)
    return std_dumps(value)


def loads(data: bytes | str) -> Any:
    if orjson is not None:
        return orjson.loads(data)
    return std_loads(data)


def std_dumps(value: Any) -> bytes:
    """The standard library's take on `orjson.dumps(value)`; raises TypeError (as
    orjson's JSONEncodeError is) for what cannot be written."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:   # NaN; lone surrogate; too deep
        raise TypeError(f"cannot encode as JSON: {exc}") from exc


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def std_loads(data: bytes | str) -> Any:
    """The standard library's take on `orjson.loads(data)`."""
    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) \
        else data
    if text.startswith("\ufeff"):
        raise DecodeError("a UTF-8 byte-order mark is not JSON")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:      # about 1000 deep; orjson stops at 1024
        raise DecodeError("JSON nested too deep") from exc
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _no_constant(name: str) -> Any:
    raise DecodeError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise DecodeError(f"number {text[:20]} is too large")
    return number


def _refuse_lone_surrogates(value: Any) -> None:
    """Escapes such as \\ud800 decode to a lone surrogate, which is not text (and which
    SQLite would refuse later); orjson refuses them at parse time, and so do we."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            _utf8(item)
        elif type(item) is list:
            stack.extend(item)
        elif type(item) is dict:
            for key, inner in item.items():
                _utf8(key)
                stack.append(inner)


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DecodeError("lone surrogate in a JSON string") from exc


__all__ = ["DecodeError", "dumps", "loads", "orjson", "std_dumps", "std_loads"]
