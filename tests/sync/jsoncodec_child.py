"""The JSON paths of a node without orjson, for tests/sync/test_jsoncodec.py.

    python -m tests.support.tablet tests.sync.jsoncodec_child < values.pickle > results.pickle

Run under tests.support.tablet (orjson, like everything not on a tablet, cannot be
imported), it reads a pickled list of values and writes back, pickled, what this node
makes of each (see `results`), so the test can compare byte for byte with a node that
has orjson.
"""
from __future__ import annotations

import pickle
import sys
from typing import Any


def outcome(make: Any) -> tuple[str, Any]:
    try:
        return ("ok", make())
    except Exception as exc:       # which values are refused must agree too
        return ("refused", type(exc).__name__)


def results(values: list[Any], key_b64: str) -> dict[str, Any]:
    from sync import jsoncodec, wire
    from sync.canonical import GENESIS, canonical_json, event_hash
    from sync.keys import SigningKey, head_message
    from sync.log import loads

    canonical = [outcome(lambda v=v: canonical_json(v).encode("utf-8")) for v in values]
    wired = [outcome(lambda v=v: wire.dumps(v)) for v in values]
    read_back = [outcome(lambda c=c: repr(loads(c[1].decode("utf-8"))))
                 if c[0] == "ok" else c for c in canonical]
    # A hash chain over every value as an event payload, and its signed head.
    chain, prev = [], GENESIS
    for seq, value in enumerate(values, start=1):
        if canonical[seq - 1][0] != "ok":
            continue
        event = {"id": f"e{seq}", "origin": "某村", "seq": seq, "hlc": 1 << 40 | seq,
                 "type": "visit.logged", "v": 1, "record": "r", "kind": "visit",
                 "author": "王秀英", "owner": None}
        prev = event_hash(prev, event, canonical[seq - 1][1].decode("utf-8"))
        chain.append(prev)
    signature = SigningKey.from_b64(key_b64).sign(head_message("某村", len(values), prev))
    return {"orjson": jsoncodec.orjson is not None, "canonical": canonical, "wire": wired,
            "read_back": read_back, "chain": chain, "signature": signature}


if __name__ == "__main__":
    values, key = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(results(values, key)))
