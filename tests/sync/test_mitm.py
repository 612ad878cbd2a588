"""Someone on the village link (issue #11), against real hub processes over their real
TLS: a passive listener captures no code, token or personal data; an active man in the
middle with a certificate of his own gets nothing sent and the cadre is told in Chinese
which hub and what to do; the town hub's relay refuses him too."""
from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from sync.client import HubClient
from sync.hub import admin
from sync.enroll import enroll_station
from sync.errors import Problem
from sync.store import Store
from sync.tls import WrongCertificate, fingerprint
from tests.support.mitm import ReplyForger, Wiretap
from tests.sync.faultkit import (Lab, count, hub_db, sync_until_clean, sync_via, visit_event,
                                 wait_for)

PHONE, NAME = b"13812345678", "王秀英".encode()


def readable(captured: bytes) -> bytes:
    """The capture and every gzip stream in it inflated: what a listener could read."""
    out = [captured]
    start = captured.find(b"\x1f\x8b")
    while start != -1:
        try:
            out.append(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(captured[start:]))
        except zlib.error:
            pass
        start = captured.find(b"\x1f\x8b", start + 2)
    return b"".join(out)


def enroll_through(tap_url: str, code: str, data: Path) -> Store:
    data.mkdir(parents=True, exist_ok=True)
    store = Store(data / "station.sqlite")
    client = HubClient(tap_url)
    try:
        enroll_station(store, client, code)
    finally:
        client.close()
    return store


@pytest.mark.parametrize("insecure", [False, True], ids=["https", "insecure-control"])
def test_a_listener_on_the_link_reads_no_code_token_or_personal_data(
        lab: Lab, tmp_path: Path, insecure: bool) -> None:
    """The `--insecure` run is the positive control: the same capture there shows the
    token and the resident's name and phone, so the check below can fail. The code is
    in neither: enrollment proves it by SPAKE2 and never sends it (sync/pairing.py)."""
    town = lab.town(insecure=insecure)
    _, code = town.add_node("王湾村", "village")
    with Wiretap(town.port, "http" if insecure else "https") as tap:
        store = enroll_through(tap.url, code, tmp_path / "station")
        store.append_many([visit_event("王秀英") for _ in range(3)])
        sync_until_clean(store, tap.url)
        seen = readable(tap.captured)
    token = store.identity()["token"].encode()
    secrets = {"code": code.encode(), "token": token, "phone": PHONE, "name": NAME}
    assert count(hub_db(town)) == 3 and len(seen) > 2000      # it did go through the tap
    found = {what for what, value in secrets.items() if value in seen}
    if insecure:
        assert found == {"token", "phone", "name"}, found
    else:
        assert found == set(), found
    store.close()


def test_a_man_in_the_middle_with_another_certificate_gets_nothing(lab: Lab) -> None:
    town = lab.town("新集镇")
    station = lab.station(town, "王湾村")
    station.store.append_many([visit_event("王秀英") for _ in range(2)])
    with ReplyForger(town, certificate="other") as mitm:
        result = sync_via(station.store, mitm.url)
        assert not result.ok
        message = result.error or ""
        assert "新集镇" in message and "证书" in message and "没有发送任何数据" in message
        assert "打电话问镇里" in message and "sanji node replace" in message
        assert mitm.seen == []                       # not one request was readable
    assert count(hub_db(town)) == 0                  # nothing reached the hub either
    assert station.store.pending_count() == 2        # and nothing is lost: the real hub
    assert sync_via(station.store, town.url).ok      # takes it
    assert count(hub_db(town)) == 2


def test_a_town_relay_refuses_a_man_in_the_middle(lab: Lab) -> None:
    county = lab.county("新县")
    with ReplyForger(county, certificate="other") as mitm:
        town = lab.town(county=county, upstream=mitm.url)
        station = lab.station(town, "王湾村")
        station.store.append_many([visit_event("王秀英")])
        sync_until_clean(station.store, town.url)
        wait_for(lambda: town.status()["relay"]["failures"] >= 1, 30, "a refused relay")
        error = json.loads(town.status()["last_up_error"])["message"]
        assert "新县" in error and "证书" in error, error
        assert mitm.seen == []
    assert count(hub_db(county)) == 0


def test_enrolling_from_a_qr_code_refuses_a_man_in_the_middle_before_sending_the_code(
        lab: Lab, tmp_path: Path) -> None:
    town = lab.town()
    _, code = town.add_node("王湾村", "village")
    printed = fingerprint(town.cert or "")           # what the QR code carries
    store = Store(tmp_path / "station.sqlite")
    with ReplyForger(town, certificate="other") as mitm:
        client = HubClient(mitm.url)
        with pytest.raises(WrongCertificate):
            enroll_station(store, client, code, fingerprint=printed)
        client.close()
        assert mitm.seen == []                       # the code never left the tablet
    assert store.node_id is None
    client = HubClient(town.url)                     # the real hub: the code still works
    enroll_station(store, client, code, fingerprint=printed)
    client.close()
    assert store.node_id is not None and store.identity()["hub_cert"] == town.cert
    store.close()


def test_a_man_in_the_middle_at_a_typed_enrollment_cannot_make_the_station_trust_him(
        lab: Lab, tmp_path: Path) -> None:
    """No QR code: the cadre types address and code. The attacker relays the exchange to
    the real hub faithfully but shows his own certificate: the hub's confirmation names
    the real certificate, so the station refuses, pins nothing, and the code — never
    sent — still works at the real hub."""
    town = lab.town()
    _, code = town.add_node("王湾村", "village")
    store = Store(tmp_path / "station.sqlite")
    with ReplyForger(town, certificate="other") as mitm:
        client = HubClient(mitm.url)
        with pytest.raises(Problem) as refused:
            enroll_station(store, client, code)
        client.close()
        seen = b"".join(mitm.seen)
    assert refused.value.code == "bad_code" and "冒充服务器" in refused.value.message
    assert b"/v1/enroll/start" in seen and code.encode() not in seen
    assert code.replace("-", "").encode() not in seen
    assert store.node_id is None and not store.identity()
    client = HubClient(town.url)
    enroll_station(store, client, code)
    client.close()
    assert store.identity()["hub_cert"] == town.cert
    store.close()


def test_a_replayed_enrollment_changes_nothing(lab: Lab, tmp_path: Path) -> None:
    """Everything the enrollment sent, replayed to the hub afterwards (as someone who
    could read it would): refused, and the station's token keeps working."""
    town = lab.town()
    _, code = town.add_node("王湾村", "village")
    store = Store(tmp_path / "station.sqlite")
    with ReplyForger(town) as recorder:              # the hub's own certificate: a recorder
        client = HubClient(recorder.url)
        enroll_station(store, client, code)
        client.close()
        bodies = {path.encode(): body for path, body in recorder.requests}
    with town.http(admin_view=False) as attacker:
        replay = attacker.post("/v1/enroll", content=bodies[b"/v1/enroll"],
                               headers={"content-type": "application/json"})
        assert replay.status_code == 401 and replay.json()["code"] == "bad_session"
        start = attacker.post("/v1/enroll/start", content=bodies[b"/v1/enroll/start"],
                              headers={"content-type": "application/json"}).json()
        finish = json.loads(bodies[b"/v1/enroll"])
        again = attacker.post("/v1/enroll", json={**finish, "session": start["session"]})
        assert again.status_code == 401 and again.json()["code"] == "bad_code"
    store.append_many([visit_event("王秀英")])
    assert sync_via(store, town.url).ok               # the token was not rotated
    assert count(hub_db(town)) == 1
    store.close()


def test_guessing_a_code_by_exchanges_voids_it(lab: Lab, tmp_path: Path) -> None:
    """Each exchange is one guess; after five without a proof the code is void (a
    guesser has 5 of 10^8 chances), and the town gives a new one."""
    town = lab.town()
    node_id, code = town.add_node("王湾村", "village")
    store = Store(tmp_path / "station.sqlite")
    for guess in range(5):
        wrong = code[:5] + f"{guess:04d}" + code[9:]
        if wrong == code:
            continue
        client = HubClient(town.url)
        with pytest.raises(Problem):
            enroll_station(store, client, wrong)
        client.close()
    client = HubClient(town.url)
    with pytest.raises(Problem):
        enroll_station(store, client, code)          # the sixth exchange: void by now
    client.close()
    assert store.node_id is None
    hub = town.open()
    try:
        fresh = admin.replace_device(hub, node_id)   # the town's way out: a new code
    finally:
        hub.close()
    client = HubClient(town.url)
    enroll_station(store, client, fresh)
    client.close()
    assert store.node_id == node_id
    store.close()
