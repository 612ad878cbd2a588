"""Unit checks of the gzip body codec (the hub-level refusals are in test_bad_input)."""
import gzip

import pytest

from sync import wire
from sync.errors import Problem


def test_trailing_bytes_after_the_gzip_member_are_refused() -> None:
    with pytest.raises(Problem) as caught:
        wire.decode(gzip.compress(b'{"runs": []}') + gzip.compress(b"{}"), "gzip")
    assert caught.value.code == "bad_gzip"


def test_a_well_formed_body_round_trips() -> None:
    assert wire.decode(wire.encode({"a": [1, "乡"]}), "gzip") == {"a": [1, "乡"]}
