"""Unit checks of the gzip body codec and the payload caps (the hub-level refusals are in
test_bad_input and test_attack_poison)."""
import gzip
import json
from pathlib import Path

import pytest

from sync import jsoncodec, wire
from sync.errors import Problem, StoreError
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import NewEvent, Store


def test_trailing_bytes_after_the_gzip_member_are_refused() -> None:
    with pytest.raises(Problem) as caught:
        wire.decode(gzip.compress(b'{"runs": []}') + gzip.compress(b"{}"), "gzip")
    assert caught.value.code == "bad_gzip"


def test_a_well_formed_body_round_trips() -> None:
    assert wire.decode(wire.encode({"a": [1, "乡"]}), "gzip") == {"a": [1, "乡"]}


def nested(levels: int) -> object:
    value: object = "底"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("with_orjson", [True, False], ids=["hub", "without-orjson"])
def test_a_body_nested_deeper_than_the_cap_is_refused(with_orjson: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not with_orjson:   # as on a tablet (sync.jsoncodec): the depth is walked instead
        monkeypatch.setattr(jsoncodec, "orjson", None)
    # The standard library writes what orjson refuses (over 254 levels); so can an attacker.
    for levels in (wire.MAX_DEPTH, wire.MAX_DEPTH + 1, 900):
        body = gzip.compress(json.dumps({"runs": nested(levels - 1)}).encode())
        if levels <= wire.MAX_DEPTH:
            assert wire.decode(body, "gzip")
            continue
        with pytest.raises(Problem) as caught:
            wire.decode(body, "gzip")
        assert caught.value.code == "too_deep" and caught.value.status == 422


def test_a_local_write_over_the_payload_cap_is_refused_and_nothing_stored(tmp_path: Path
                                                                            ) -> None:
    store = Store(tmp_path / "station.sqlite")
    store.set_identity("station-A", SigningKey.generate(), {"token": "t"})
    wide = {f"k{i}": ["宽" * 2000] * 100 for i in range(3)}
    with pytest.raises(StoreError) as caught:
        store.append(NewEvent("config.set", uuid7(), {"key": "a.b", "value": wide}, "u-admin"))
    assert caught.value.code == "payload_too_large" and "上限" in caught.value.message
    assert store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    assert store.pending_count() == 0
    store.close()
