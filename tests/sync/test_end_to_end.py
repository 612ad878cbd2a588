"""A village's events reach town and county through real hub processes, and a county
answer reaches the village (issue #2)."""
from __future__ import annotations

import time

from sync.blobfiles import SEALED
from sync.ids import uuid7
from sync.store import NewEvent
from tests.support.dbfiles import hub_blob
from tests.support.hubs import HubProcess
from tests.sync.conftest import Township


def visit(name: str = "王秀英") -> dict[str, object]:
    return {"name": name, "sex": "女", "age": 63, "phone": "13812345678",
            "address": "三组", "visited_at": "2026-11-28 09:30", "place": "便民服务站",
            "matter": "咨询城乡居民医保缴费", "officer": "李建国", "officer_post": "村委委员"}


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def count_events(process: HubProcess) -> int:
    hub = process.open()
    try:
        return hub.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    finally:
        hub.close()


def test_village_events_reach_town_and_county(township: Township) -> None:
    town = township.add_town("新集镇")
    village = township.add_station(town, "王湾村")
    for i in range(30):
        village.store.append(NewEvent("visit.logged", uuid7(), visit(f"村民{i}"), "u-li"))
    result = village.sync_once()
    assert result.ok, result.error
    assert result.pushed == 30
    assert village.store.pending_count() == 0
    assert count_events(town) == 30
    wait_for(lambda: count_events(township.county) == 30)


def test_attachment_reaches_town_and_county_after_its_event(township: Township) -> None:
    town = township.add_town("新集镇")
    village = township.add_station(town, "王湾村")
    photo = bytes(range(256)) * 3000          # ~750 KB: several upload chunks
    ref = village.store.add_blob(village.blobs, photo)
    payload = {**visit(), "attachments": [{**ref, "mime": "image/jpeg", "name": "签字页.jpg"}]}
    village.store.append(NewEvent("visit.logged", uuid7(), payload, "u-li"))
    result = village.sync_once()
    assert result.ok, result.error
    assert result.blobs == 1
    town_copy = town.data / "blobs" / ref["sha256"][:2] / ref["sha256"]
    assert hub_blob(town, ref["sha256"]) == photo
    county_copy = township.county.data / "blobs" / ref["sha256"][:2] / ref["sha256"]
    wait_for(county_copy.exists)
    assert hub_blob(township.county, ref["sha256"]) == photo
    for copy in (town_copy, county_copy):          # sealed at rest (issue #11)
        assert copy.read_bytes().startswith(SEALED) and photo[:4096] not in copy.read_bytes()
    again = village.sync_once()          # the same bytes twice cost nothing
    assert again.ok and again.blobs == 0
