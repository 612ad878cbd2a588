"""JSON with and without orjson (sync/jsoncodec.py): a tablet has no orjson, a hub does,
and the bytes that hash chains and signatures cover are the same either way. The
no-orjson side runs for real in a child process in which orjson cannot be imported
(tests.support.tablet), on tricky inputs: CJK and astral characters, every kind of
escape, floats and integers at their edges, nested and unsorted containers."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import jsoncodec
from sync.keys import SigningKey
from tests.support.hubs import ROOT
from tests.sync.jsoncodec_child import results

DEEP: list[Any] = []
_inner = DEEP
for _ in range(60):
    _inner.append([{"层": []}])
    _inner = _inner[0][0]["层"]

TRICKY: list[Any] = [
    "王秀英", "堃喆赟", "𠀀𪚥", "👍🏽", "é\u0301", "\ufeff开头", "\u2028\u2029", "\x00\x1f\x7f",
    '"引号" \\反斜杠\\ /斜杠/', "\b\f\n\r\t", "\\ud800 is text, not an escape",
    0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1,
    10**30, True, False, None,
    0.1, 1.0, -0.0, 1.5, 100.0, 1e16, 1e-7, 1.5e300, 5e-324, 123456789.125, 1e22,
    [], {}, [[]], {"": ""}, [1, "二", 3.0, None, True],
    {"b": 1, "a": 2, "é": 3, "中": 4, "Z": 5, "a\u0000": 6, "𠀀": 7, "\uffff": 8},
    {"名": "王秀英", "年龄": 63, "地址": "新集镇王湾村三组", "备注": "说：\"家里漏雨\"\n\t已记录"},
    {1: "整数键"}, {"嵌套": {"列表": [{"z": 0.5, "y": [2**70, -0.0]}]}}, DEEP,
    "\ud800", {"\udc00": 1},          # lone surrogates: refused on both sides
]


def orjson_writes_differently(value: Any) -> bool:
    """The documented cases where jsoncodec.dumps follows the standard library."""
    if type(value) is float:
        return "e" in repr(value)
    if type(value) is int:
        return not -(2**63) <= value < 2**64
    if type(value) is list:
        return any(orjson_writes_differently(v) for v in value)
    if type(value) is dict:
        return any(type(k) is not str or orjson_writes_differently(v)
                   for k, v in value.items())
    return False


@pytest.fixture(scope="module")
def without_orjson() -> dict[str, Any]:
    key = SigningKey.generate().to_b64()
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.tablet", "tests.sync.jsoncodec_child"],
        input=pickle.dumps((TRICKY, key)), capture_output=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return {"child": pickle.loads(done.stdout), "here": results(TRICKY, key)}


def test_the_child_really_has_no_orjson(without_orjson: dict[str, Any]) -> None:
    assert without_orjson["child"]["orjson"] is False
    assert without_orjson["here"]["orjson"] is True and jsoncodec.orjson is orjson


def test_canonical_bytes_hash_chain_and_signature_are_identical(
        without_orjson: dict[str, Any]) -> None:
    child, here = without_orjson["child"], without_orjson["here"]
    assert child["canonical"] == here["canonical"]
    assert [c for c, _ in here["canonical"]].count("refused") == 2   # the lone surrogates
    assert child["read_back"] == here["read_back"]
    assert len(here["chain"]) == len(TRICKY) - 2
    assert child["chain"] == here["chain"]
    assert child["signature"] == here["signature"]


def test_wire_bytes_are_identical_except_where_documented(
        without_orjson: dict[str, Any]) -> None:
    child, here = without_orjson["child"], without_orjson["here"]
    differing = 0
    for value, mine, theirs in zip(TRICKY, child["wire"], here["wire"]):
        if orjson_writes_differently(value):
            differing += 1
            if mine[0] == "ok":       # still JSON, and still the same value
                assert repr(json.loads(mine[1])) == repr(json.loads(json.dumps(value)))
        else:
            assert mine == (theirs if theirs[0] == "ok" else ("refused", mine[1])), value
    assert differing >= 5


# the standard-library path in this process, against orjson -----------------------------------
KEYS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))
    | KEYS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_std_dumps_writes_orjsons_bytes(value: Any) -> None:
    assert jsoncodec.std_dumps(value) == orjson.dumps(value)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_std_loads_reads_what_orjson_reads(value: Any) -> None:
    data = orjson.dumps(value)
    assert repr(jsoncodec.std_loads(data)) == repr(orjson.loads(data))
    assert repr(jsoncodec.std_loads(data.decode("utf-8"))) == repr(orjson.loads(data))


@pytest.mark.parametrize("data", [
    b"NaN", b"[Infinity]", b"-Infinity", b"1e400", b'["\\ud800"]', b'"\\udc00x"',
    b'{"\\ud83d": 1}', b"\xef\xbb\xbf{}", b'"\xff"', b"", b"1 2", b"{'a': 1}", b"[1,]",
    b"[" * 1100 + b"]" * 1100])
def test_both_refuse_the_same_bad_input(data: bytes) -> None:
    with pytest.raises(jsoncodec.DecodeError):
        orjson.loads(data)
    with pytest.raises(jsoncodec.DecodeError):
        jsoncodec.std_loads(data)


def test_a_surrogate_pair_and_an_escaped_backslash_are_not_lone_surrogates() -> None:
    for data in (b'"\\ud83d\\udc4d"', b'"\\\\ud800"', b'{"\\\\udc00": "\\u00e9"}'):
        assert jsoncodec.std_loads(data) == orjson.loads(data)


def test_std_dumps_refuses_what_cannot_be_json() -> None:
    for value in (float("nan"), float("inf"), "\ud800", {"k": object()}):
        with pytest.raises(TypeError):
            jsoncodec.std_dumps(value)
