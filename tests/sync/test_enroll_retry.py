"""Enrollment over a bad link: the device whose reply was lost may ask again with the
same code and key, by a new SPAKE2 exchange (sync/pairing.py); another device may not,
and the code sent again as such (a replay) is refused (issue #2: a link that comes and
goes; issue #11: a replayed enrollment changes nothing)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spake2 import SPAKE2_B

from sync.errors import Problem
from sync.hub import admin
from sync.hub.pairing import Pairings
from sync.hub.store import HubStore
from sync.keys import SigningKey, b64, unb64
from sync.nodes import same_secret
from sync.pairing import ID_HUB, ID_STATION, hint_of, mac, password_of_code, same_mac


def exchange(hub: HubStore, pairings: Pairings, code: str, pubkey: str) -> dict[str, Any]:
    """The station's side of an enrollment, in process (plain HTTP: no certificate)."""
    station = SPAKE2_B(password_of_code(code), idA=ID_HUB, idB=ID_STATION)
    msg_b = station.start()
    first = pairings.start({"hint": hint_of(code), "msg": b64(msg_b)}, tls=False)
    msg_a = unb64(first["msg"])
    key = station.finish(msg_a)
    assert same_mac(first["confirm"], mac(key, b"hub", "", msg_a, msg_b))
    node = pairings.finish({"session": first["session"],
                            "proof": mac(key, b"station", "", msg_a, msg_b)})
    return admin.enroll(hub, {"pubkey": pubkey}, proven=node)


def test_same_device_can_retry_and_only_the_newest_token_works(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.sqlite")
    hub.init("town", "新集镇")
    pairings = Pairings(hub)
    node_id, code = admin.add_node(hub, "王湾村", "village")
    key = SigningKey.generate()
    first = exchange(hub, pairings, code, key.public_b64)
    again = exchange(hub, pairings, code, key.public_b64)
    assert first["node_id"] == again["node_id"] == node_id
    stored = hub.conn.execute("SELECT token_hash FROM nodes WHERE id=?", (node_id,)).fetchone()[0]
    assert same_secret(again["token"], stored)
    assert not same_secret(first["token"], stored)
    with pytest.raises(Problem) as caught:           # another device, same code
        exchange(hub, pairings, code, SigningKey.generate().public_b64)
    assert caught.value.code == "bad_code"
    with pytest.raises(Problem) as replayed:         # the code itself, sent again
        admin.enroll(hub, {"code": code, "pubkey": key.public_b64})
    assert replayed.value.code == "bad_code"
    assert same_secret(again["token"], hub.conn.execute(
        "SELECT token_hash FROM nodes WHERE id=?", (node_id,)).fetchone()[0])
    hub.close()
