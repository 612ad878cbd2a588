"""检举控告 sealed on the filing device for the town's discipline role (app/sealing.py;
RULES.md §2, §4; issue #4 §2 and §4): unit tests of the envelope, then the whole path over
real sync with hub processes — only the discipline tablet receives and opens it, no other
station holds it at all, and no hub or device file holds the plaintext."""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app import sealing
from app import seal_envelope as envelope
from app.domain.petition.sealed import EVENT_TYPE, check_sealed_payload, sealed_payload, \
    sealed_plaintext
from app.seal_envelope import open_bytes, open_text, seal_bytes, seal_text
from app.sealing import SealError, open_sealed, seal_for_discipline
from app.station import Station, open_station
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import NewEvent
from tests.app.conftest import TODAY, Township
from tests.support.dbfiles import decrypted_text, open_db
from tests.support.hubs import HubProcess, wait_for_relay

# What the complainant said; none of it may appear outside the discipline device's memory.
SECRETS = ("赵德福", "王湾村村委会", "挪用低保金", "钱秀兰", "13912345678", "ZDF-LOWINCOME-7731")


def accusation() -> bytes:
    return sealed_plaintext(
        content="村主任赵德福挪用低保金两万元，账目编号 ZDF-LOWINCOME-7731",
        accused=[{"name": "赵德福", "unit": "王湾村村委会"}], channel="来访",
        received_at="2026-11-27T09:30", complainant={"name": "钱秀兰", "phone": "13912345678"})


# accusation() sealed by the release before issue #13 (app/sealing.py v1) to the key
# X25519PrivateKey.from_private_bytes(bytes(range(1, 33))).
V1_SEALED = (
             "U0pTAbbGOAIwOSho8KxlY6RvxUhHPUB3OzfuXLzcbyBVIJtiAaqo//cDtQsic+UQUiZnInpta+8Ag66E"
             "4eg5boFGMJ2CHKZqSYJq+3y8OMfBc0PFNoCijvtq1UOil91AbzSW01bzaAlFkq99O+GAsqmIESaz5h1R"
             "fcABwG8fwHz27NaOyB0fhB1M6KIMVRUJZ401hmNkkGmzv6jiN8/yRgUnExXDHNih/Qc/rSihm0b+Ex2i"
             "HRbMssqDPjUCUtGyjzdYa4FUvnF99eXZQsVtb9qijsAjAvRYZNb2bAxLPp10nJdCXx6/qCk0XYhBwExW"
             "/n3oNCNnVU+fyT8on0FM6j/xl7j0z+rY2LUI6ZZVldcjE52dNJhO1uD0CbBv6ch7DxAmXH5eRZdfSVOa"
             "3BH//od8aIRux2ZOE+Nz9UTgUaHd8QFlk6C3ESD8BH94fkKTWqJuAYYpD7hTJqFDY/Cfzef/soufu2Ka"
             "rqAc0/EZ49etCEsZm3/A5uHmT9LV3ZG6K9Y85Rao594jy4YUQpMYzhYqioKqleDkA4sKbMe/g5NVcZcY"
             "dJQ+FPiFTM5e/gfocuNOU9Ucxk/ZOw==")


def raw_key() -> tuple[X25519PrivateKey, bytes]:
    private = X25519PrivateKey.generate()
    return private, private.public_key().public_bytes_raw()


# unit: the envelope (HPKE, app/seal_envelope.py) ----------------------------------------
def test_round_trip_to_every_recipient() -> None:
    (one, one_pub), (two, two_pub) = raw_key(), raw_key()
    sealed = seal_text(accusation(), [one_pub, two_pub])
    assert open_text(sealed, [one]) == accusation()
    assert open_text(sealed, [two]) == accusation()
    assert base64.b64decode(sealed)[:5] == b"SJS\x02\x02"     # version 2, two recipients
    assert seal_text(accusation(), [one_pub]) != seal_text(accusation(), [one_pub])  # fresh keys


def test_a_report_sealed_the_old_way_still_opens() -> None:
    """Version 1 (the hand-assembled envelope before issue #13), made by that release's
    seal_to for the fixed key below; the new code only opens it."""
    old_key = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    assert base64.b64decode(V1_SEALED)[:4] == b"SJS\x01"
    assert open_text(V1_SEALED, [old_key]) == accusation()
    assert open_text(V1_SEALED, [raw_key()[0], old_key]) == accusation()   # a retired key
    with pytest.raises(SealError) as caught:
        open_text(V1_SEALED, [raw_key()[0]])
    assert caught.value.code == "not_addressed"
    bad = bytearray(base64.b64decode(V1_SEALED))
    bad[-5] ^= 1
    with pytest.raises(SealError) as caught:
        open_bytes(bytes(bad), [old_key])
    assert caught.value.code == "damaged"


def test_wrong_key_cannot_open() -> None:
    _, pub = raw_key()
    stranger, _ = raw_key()
    with pytest.raises(SealError) as caught:
        open_text(seal_text(b"secret", [pub]), [stranger])
    assert caught.value.code == "not_addressed"
    assert "打不开" in caught.value.message


def test_tampering_anywhere_fails() -> None:
    private, pub = raw_key()
    raw = bytearray(seal_bytes(accusation(), [pub]))
    # key id, HPKE enc, wrapped key, its tag, nonce, body, body tag
    for at in (6, 15, 40, 70, 90, 95, len(raw) - 30, len(raw) - 1):
        bad = bytearray(raw)
        bad[at] ^= 0x01
        with pytest.raises(SealError) as caught:
            open_bytes(bytes(bad), [private])
        assert caught.value.code in ("damaged", "not_addressed")
    with pytest.raises(SealError) as caught:
        open_bytes(bytes(raw[:-1]), [private])
    assert caught.value.code == "damaged"
    # A removed recipient entry: the header is authenticated by the body.
    (_, other_pub) = raw_key()
    two = seal_bytes(accusation(), [pub, other_pub])
    start, entry = 5, envelope.ENTRY
    entries = [two[a:a + entry] for a in range(start, start + 2 * entry, entry)]
    mine = next(e for e in entries if e.startswith(envelope.key_id(pub)))
    stripped = two[:4] + b"\x01" + mine + two[start + 2 * entry:]
    with pytest.raises(SealError) as caught:
        open_bytes(stripped, [private])
    assert caught.value.code == "damaged"
    # A wrap moved into another recipient's slot does not open (HPKE info binds the id).
    (third, third_pub) = raw_key()
    moved = bytearray(seal_bytes(accusation(), [pub, third_pub]))
    first, second = moved[start:start + entry], moved[start + entry:start + 2 * entry]
    moved[start + envelope.KID:start + entry] = second[envelope.KID:]
    moved[start + entry + envelope.KID:start + 2 * entry] = first[envelope.KID:]
    for key in (private, third):
        with pytest.raises(SealError) as caught:
            open_bytes(bytes(moved), [key])
        assert caught.value.code == "damaged"


def test_no_plaintext_in_the_sealed_string() -> None:
    _, pub = raw_key()
    plaintext = accusation()
    sealed = seal_text(plaintext, [pub])
    raw = base64.b64decode(sealed)
    for secret in SECRETS:
        assert secret not in sealed
        assert secret.encode("utf-8") not in raw
    assert plaintext not in raw
    payload = sealed_payload(sealed, TODAY, "village")
    assert check_sealed_payload(payload).ok
    assert set(payload) == {"sealed", "category", "received_on", "level"}


def test_not_a_sealed_string_or_unknown_version() -> None:
    private, pub = raw_key()
    for junk in ("村主任赵德福", "aGVsbG8gd29ybGQ=", ""):
        with pytest.raises(SealError) as caught:
            open_text(junk, [private])
        assert caught.value.code == "not_sealed"
    raw = bytearray(seal_bytes(b"x", [pub]))
    raw[3] = 3
    with pytest.raises(SealError) as caught:
        open_bytes(bytes(raw), [private])
    assert caught.value.code == "unknown_version"
    assert "v3" in caught.value.message


def _offline_station(root: Path, roles: list[str]) -> Station:
    station = open_station(root)
    station.store.set_identity(uuid7(), SigningKey.generate(),
                               {"kind": "town", "name": "新集镇纪委", "roles": roles,
                                "hub": {"hub_id": "hub-1", "ancestors": []}})
    station.announce()
    return station


def test_station_keys_and_refusal(tmp_path: Path) -> None:
    plain = _offline_station(tmp_path / "plain", [])
    try:
        with pytest.raises(SealError) as caught:
            seal_for_discipline(plain, accusation())
        assert caught.value.message == "镇纪委的密钥还没有同步到本机，请先同步再登记检举控告"
        with pytest.raises(SealError) as caught:
            open_sealed(plain, "U0pTAQ==")
        assert caught.value.code == "not_discipline"
        assert not sealing.can_open(plain) and not sealing.can_seal(plain)
    finally:
        plain.close()
    disc = _offline_station(tmp_path / "disc", ["discipline"])
    try:
        keys = sealing.discipline_keys(disc)
        assert list(keys) == [disc.node_id]
        stored = disc.store.meta.get(sealing.META_KEY)
        assert stored is not None and stored not in json.dumps(keys)
        disc.announce()  # the same key again: generated once
        assert sealing.discipline_keys(disc) == keys
        assert open_sealed(disc, seal_for_discipline(disc, accusation())) == accusation()
    finally:
        disc.close()


# over real sync ---------------------------------------------------------------------------
@pytest.fixture
def stations(township: Township) -> Iterator[dict[str, Station]]:
    opened: dict[str, Station] = {}

    def enroll(name: str, kind: str, roles: tuple[str, ...] = ()) -> None:
        _, code = township.town.add_node(name, kind, roles)
        station = open_station(township.root / f"st-{name}")
        station.enroll(township.town.url, code)
        opened[name] = station

    try:
        enroll("新集镇纪委", "town", ("discipline",))
        enroll("新集镇便民服务中心", "town")
        enroll("王湾村", "village")
        enroll("李庄村", "village")
        yield opened
    finally:
        for station in opened.values():
            station.close()


def sync_all(stations: dict[str, Station], rounds: int = 2) -> None:
    for _ in range(rounds):
        for station in stations.values():
            result = station.sync_once()
            assert result.ok, result.error
        # the town hub's relay towards the county runs on its own interval
        wait_for_relay(next(iter(stations.values())).hub_url() or "")


def complaint_rows(place: Station | HubProcess) -> list[tuple[str, str]]:
    conn = open_db(place)
    try:
        return conn.execute("SELECT type, payload FROM events WHERE kind='complaint'").fetchall()
    finally:
        conn.close()


def raw_bytes(place: Station | HubProcess) -> bytes:
    """Everything its database holds, decrypted (the files themselves are encrypted at
    rest: sync/db.py; this checks what the sealing leaves readable to whoever has the
    database key)."""
    return decrypted_text(place)


def forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), json.dumps(text).encode("ascii")[1:-1]]


def holds(place: Station | HubProcess, text: str) -> bool:
    data = raw_bytes(place)
    return any(form in data for form in forms(text))


def wait_for_complaint(hub: HubProcess, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not complaint_rows(hub):
        assert time.monotonic() < deadline, "the sealed complaint never reached " + hub.level
        time.sleep(0.3)


def test_only_the_discipline_tablet_receives_and_opens_it(township: Township,
                                                          stations: dict[str, Station]) -> None:
    disc, centre = stations["新集镇纪委"], stations["新集镇便民服务中心"]
    village, other = stations["王湾村"], stations["李庄村"]

    # Before any sync the village knows no discipline key: it refuses, writes nothing.
    with pytest.raises(SealError) as caught:
        seal_for_discipline(village, accusation())
    assert caught.value.message == "镇纪委的密钥还没有同步到本机，请先同步再登记检举控告"
    assert not complaint_rows(village)

    sync_all(stations)
    for station in stations.values():   # the broadcast announcement reached everyone
        assert sealing.discipline_keys(station) == sealing.discipline_keys(disc) != {}
    assert sealing.can_open(disc) and not sealing.can_open(centre)

    sealed = seal_for_discipline(village, accusation())
    payload = sealed_payload(sealed, TODAY, "village")
    record = uuid7()
    village.store.append(NewEvent(EVENT_TYPE, record, payload, "李建国"))
    sync_all(stations, rounds=3)

    # The discipline tablet holds it, sealed, and can open it.
    held = complaint_rows(disc)
    assert [row[0] for row in held] == [EVENT_TYPE]
    assert json.loads(held[0][1])["sealed"] == sealed
    assert open_sealed(disc, sealed) == accusation()
    assert [e["record"] for e in sealing.sealed_events(disc)] == [record]

    # The town's service centre and the other village hold no complaint event at all.
    fragment = sealed[40:100]
    for station in (centre, other):
        assert complaint_rows(station) == []
        assert not holds(station, fragment)
        assert not holds(station, record)
        with pytest.raises(SealError) as caught:
            open_sealed(station, sealed)
        assert caught.value.code == "not_discipline"

    # Hubs and every device file: ciphertext only. The visible category is found in the
    # same files (the search works), the complainant's words are not.
    wait_for_complaint(township.town)
    wait_for_complaint(township.county)
    places = [township.town, township.county] + list(stations.values())
    for place in places:
        if place in (centre, other):
            continue
        assert holds(place, fragment), place
        assert holds(place, "检举控告"), place
        for secret in SECRETS:
            assert not holds(place, secret), (place, secret)
