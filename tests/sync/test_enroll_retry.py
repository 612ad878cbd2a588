"""Enrollment over a bad link: the device whose reply was lost may ask again with the
same code and key; another device may not (issue #2: a link that comes and goes)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sync.errors import Problem
from sync.hub import admin
from sync.hub.store import HubStore
from sync.keys import SigningKey
from sync.nodes import same_secret


def test_same_device_can_retry_and_only_the_newest_token_works(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.sqlite")
    hub.init("town", "新集镇")
    node_id, code = admin.add_node(hub, "王湾村", "village")
    key = SigningKey.generate()
    first = admin.enroll(hub, {"code": code, "pubkey": key.public_b64})
    again = admin.enroll(hub, {"code": code, "pubkey": key.public_b64})
    assert first["node_id"] == again["node_id"] == node_id
    stored = hub.conn.execute("SELECT token_hash FROM nodes WHERE id=?", (node_id,)).fetchone()[0]
    assert same_secret(again["token"], stored)
    assert not same_secret(first["token"], stored)
    with pytest.raises(Problem) as caught:
        admin.enroll(hub, {"code": code, "pubkey": SigningKey.generate().public_b64})
    assert caught.value.code == "bad_code"
    hub.close()
