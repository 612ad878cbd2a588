"""Sealed reports over real sync (issue #13 §1): taken on a village tablet with a photo as
evidence, sealed there (HPKE, app/seal_envelope.py) to every discipline device of the
town and of the county; the taking tablet keeps only the receipt number, the date and
已密封; a second 纪委 tablet of the town and the county's 纪委 open it; a key rotation
keeps the old report readable; no station or hub file, decrypted, and no log holds a word
of it. Hubs are real processes on 127.0.0.1, stations real encrypted stores."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from app import sealing
from app.accounts import Cadre, add_cadre
from app.sealing import SealError, open_file, open_sealed, rotate_seal_key
from app.services.petitions import Petitions
from app.services.photos import PHOTOS, attachment_from_file
from app.station import Station, open_station
from sync.db import connect
from tests.app.conftest import Township
from tests.support.dbfiles import decrypted_text, open_db
from tests.support.hubs import HubProcess, wait_for_relay

DAY = date(2026, 11, 27)
CONTENT = "村主任孙有财把危房改造补助款打进自己小舅子的账户，金额三万六千元"
SECRETS = ("孙有财", "危房改造补助款", "小舅子", "周凤英", "13812349876", "三万六千元")
# A photo of the bank slip: a real PNG header, and words that must never be seen in clear.
PHOTO = (b"\x89PNG\r\n\x1a\n" + "银行回单 孙有财 收款 36000".encode("utf-8")
         + bytes(range(256)) * 40)


def forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), json.dumps(text).encode("ascii")[1:-1]]


def leaks(data: bytes) -> list[str]:
    return [s for s in SECRETS if any(f in data for f in forms(s))] + (
        ["photo"] if PHOTO[8:40] in data else [])


@pytest.fixture
def places(township: Township) -> Iterator[dict[str, Station]]:
    opened: dict[str, Station] = {}

    def enroll(hub: HubProcess, name: str, kind: str, roles: tuple[str, ...] = ()) -> None:
        _, code = hub.add_node(name, kind, roles)
        station = open_station(township.root / f"st-{name}")
        station.enroll(hub.url, code)
        opened[name] = station

    try:
        enroll(township.town, "新集镇纪委", "town", ("discipline",))
        enroll(township.county, "新县纪委", "county", ("discipline",))
        enroll(township.town, "王湾村", "village")
        yield opened
    finally:
        for station in opened.values():
            station.close()


def sync(stations: dict[str, Station], rounds: int = 2) -> None:
    for _ in range(rounds):
        for station in stations.values():
            result = station.sync_once()
            assert result.ok, result.error
        wait_for_relay(stations["王湾村"].hub_url() or "")


_CADRES: dict[str, Cadre] = {}


def take_report(village: Station, evidence_path: Path) -> dict:
    if village.node_id not in _CADRES:
        _CADRES[village.node_id] = add_cadre(village.store, "李会计", "村会计", "258046")
    cadre = _CADRES[village.node_id]
    desk = Petitions(village, today=lambda: DAY, now=lambda: datetime(2026, 11, 27, 9, 30))
    return desk.file_accusation(
        cadre, content=CONTENT, accused=[{"name": "孙有财", "unit": "王湾村村委会", "post": "村主任"}],
        channel="来访", seal=sealing.seal_for_discipline, received_at="2026-11-27 09:30",
        complainant={"name": "周凤英", "phone": "13812349876"},
        subject="村级组织及其成员滥用职权、侵害群众利益",
        evidence=[attachment_from_file(evidence_path)], evidence_files=[evidence_path])


def test_taken_in_a_village_read_at_the_town_and_the_county_only(
        township: Township, places: dict[str, Station]) -> None:
    town_disc, county_disc, village = places["新集镇纪委"], places["新县纪委"], places["王湾村"]
    sync(places)
    keys = sealing.discipline_keys(village)
    assert set(keys) == {town_disc.node_id, county_disc.node_id}   # the town's and the county's

    # A camera shot of the bank slip, kept under photos/ until it is sealed.
    shot = village.data / PHOTOS / "拍照-20261127-093000.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.write_bytes(PHOTO)
    filed = take_report(village, shot)
    assert not shot.exists()                       # the plain photo is gone once sealed
    receipt = filed["receipt_no"]
    assert receipt.startswith(village.short_code + "-261127-")
    assert filed["line"].startswith(f"检举控告（密件）· 回执编号 {receipt} · 2026-11-27 · 村里收到 · 已密封")

    # The taking tablet: only the line; it cannot open its own report.
    [row] = Petitions(village, today=lambda: DAY).accusations()
    assert row["receipt_no"] == receipt and "已密封" in row["line"]
    [event] = sealing.sealed_events(village)
    with pytest.raises(SealError) as caught:
        open_sealed(village, event["payload"]["sealed"])
    assert caught.value.code == "not_discipline"
    [attachment] = event["payload"]["attachments"]
    assert set(attachment) == {"sha256", "size"}
    assert village.blobs.read(attachment["sha256"])[:4] == b"SJS\x02"   # the sealed bytes

    sync(places, rounds=3)
    expected_evidence = {"name": shot.name, "mime": "image/png", "size": len(PHOTO),
                         "sealed_sha256": attachment["sha256"]}
    for disc in (town_disc, county_disc):
        [held] = sealing.sealed_events(disc)
        report = json.loads(open_sealed(disc, held["payload"]["sealed"]))
        assert report["content"] == CONTENT and report["complainant"]["phone"] == "13812349876"
        assert report["subject"] == "村级组织及其成员滥用职权、侵害群众利益"
        assert report["evidence"] == [expected_evidence]
        assert open_file(disc, attachment["sha256"]) == PHOTO     # fetched from its hub

    # A second 纪委 tablet of the town: reports sealed from now on open there too.
    _, code = township.town.add_node("新集镇纪委二号", "town", ("discipline",))
    second = open_station(township.root / "st-新集镇纪委二号")
    second.enroll(township.town.url, code)
    places["新集镇纪委二号"] = second
    sync(places)
    assert second.node_id in sealing.discipline_keys(village)
    later = take_report(village, _photo_file(township.root / USB / "later.png"))
    sync(places, rounds=3)
    by_receipt = {e["payload"]["receipt_no"]: e for e in sealing.sealed_events(second)}
    assert json.loads(open_sealed(second, by_receipt[later["receipt_no"]]["payload"]["sealed"]))[
        "content"] == CONTENT
    with pytest.raises(SealError) as caught:   # taken before it joined: not addressed to it
        open_sealed(second, by_receipt[receipt]["payload"]["sealed"])
    assert caught.value.code == "not_addressed"

    # Rotation at the town's first 纪委 tablet: the old report still opens there, a new
    # one is sealed to the new key (the village learns it at its next sync).
    old_public = sealing.discipline_keys(town_disc)[town_disc.node_id]
    new_public = rotate_seal_key(town_disc)
    assert new_public != old_public
    sync(places)
    assert sealing.discipline_keys(village)[town_disc.node_id] == new_public
    newest = take_report(village, _photo_file(township.root / USB / "newest.png"))
    sync(places, rounds=3)
    held = {e["payload"]["receipt_no"]: e for e in sealing.sealed_events(town_disc)}
    for number in (receipt, later["receipt_no"], newest["receipt_no"]):
        assert json.loads(open_sealed(town_disc, held[number]["payload"]["sealed"]))[
            "content"] == CONTENT

    # No station or hub database (decrypted with its own key), no WAL, no log, no
    # attachment file holds a word of the report or the photo in clear.
    hubs = [township.town, township.county]
    for place in [*places.values(), *hubs]:
        assert leaks(decrypted_text(place)) == [], place
    for hub in hubs:
        for (sha,) in _blob_rows(hub):
            assert leaks(_hub_blob_plain(hub, sha)) == [], (hub, sha)
    for file in township.root.rglob("*"):
        if file.is_file() and USB not in file.parts:
            assert leaks(file.read_bytes()) == [], file


# A memory card the later photos are picked from: the citizen's own files, not the
# station's (only camera shots the app itself keeps under photos/ are its to delete).
USB = "usb-card"


def _photo_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PHOTO)
    return path


def _blob_rows(hub: HubProcess) -> list[tuple[str]]:
    conn = open_db(hub)
    try:
        return conn.execute("SELECT sha256 FROM blobs WHERE complete=1").fetchall()
    finally:
        conn.close()


def _hub_blob_plain(hub: HubProcess, sha: str) -> bytes:
    from tests.support.dbfiles import hub_blob
    data = hub_blob(hub, sha)
    assert hashlib.sha256(data).hexdigest() == sha
    return data


def test_the_private_key_is_only_inside_the_encrypted_store(tmp_path: Path,
                                                            township: Township) -> None:
    _, code = township.town.add_node("新集镇纪委", "town", ("discipline",))
    disc = open_station(tmp_path / "disc")
    disc.enroll(township.town.url, code)
    try:
        rotate_seal_key(disc)
        secrets = [disc.store.meta.get(sealing.META_KEY),
                   *json.loads(disc.store.meta.get(sealing.META_RETIRED) or "[]")]
        assert len(secrets) == 2 and all(secrets)
        assert connect(disc.data / "station.sqlite", disc.key).execute(
            "SELECT COUNT(*) FROM meta WHERE key IN (?, ?)",
            (sealing.META_KEY, sealing.META_RETIRED)).fetchone() == (2,)
        for file in disc.data.rglob("*"):
            if file.is_file():
                raw = file.read_bytes()
                for secret in secrets:
                    assert secret.encode() not in raw, file
    finally:
        disc.close()


def test_only_a_discipline_device_rotates(tmp_path: Path, township: Township) -> None:
    _, code = township.town.add_node("王湾村", "village")
    village = open_station(tmp_path / "v")
    village.enroll(township.town.url, code)
    try:
        with pytest.raises(SealError) as caught:
            rotate_seal_key(village)
        assert caught.value.code == "not_discipline"
        assert village.store.meta.get(sealing.META_KEY) is None
    finally:
        village.close()
