"""Issue #7 item 6, against real hub processes: poison pills.

Before: one `config.set` whose value nested 260 lists deep was accepted; from then on
every pull from that town hub answered 500 and its relay thread died (orjson writes at
most 254 levels), across restarts, while /v1/status looked healthy. Now:
- the first hub refuses a payload too deep, too long or with too long a string, with a
  problem code, and stores nothing; honest stations see no change;
- a hub that already holds such an event (written by the old code) or meets one it
  cannot encode sets it aside, says so in /v1/status, and keeps serving and relaying;
- the relay loop survives any exception, backs off and reports it in /v1/status;
- a station sets aside a pull item it cannot read, and refuses a reply whose cursor it
  could not send back, rather than stall on either.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from schemas.bounds import MAX_PAYLOAD_CHARS
from sync import log, state
from sync.db import transaction
from sync.events import seal
from sync.hub.server import open_hub
from sync.problems import CATALOGUE
from tests.support.hubs import HubProcess, wait_for_relay
from tests.support.keys import key_beside
from tests.support.mitm import ReplyForger, on_path
from tests.sync.crafted import HAN, Sender, event, extend, problem_of, snapshot
from tests.sync.faultkit import (Lab, Station, count, hub_db, query, station_db,
                                 sync_until_clean, sync_via, visit_event, wait_for)


def nested(levels: int) -> Any:
    value: Any = "底"
    for _ in range(levels):
        value = [value]
    return value


def rule(value: Any, key: str = "service.overdue_notify_role") -> Callable[[int, int], dict[str, Any]]:
    def make(seq: int, now: int) -> dict[str, Any]:
        return event("", seq, now, type="config.set", kind="config", author="u-admin",
                     payload={"key": key, "value": value})
    return make


def push_stdlib(sender: Sender, runs: list[dict[str, Any]]) -> httpx.Response:
    """orjson cannot write 260 levels; an attacker's app can: stdlib JSON, gzipped."""
    body = json.dumps({"runs": runs}, ensure_ascii=False).encode("utf-8")
    return sender.send("POST", "/v1/push", gzip.compress(body))


def status(hub: HubProcess) -> dict[str, Any]:
    reply = hub.get("/v1/status", timeout=10)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def state_of(station: Station) -> str:
    return state.state_hash(station.store.conn)


def township(lab: Lab) -> tuple[HubProcess, HubProcess, Station, Station, Station]:
    county = lab.county()
    town = lab.town(county=county)
    honest = lab.station(town, "王湾村")
    center = lab.station(town, "新集镇便民服务中心", kind="town")
    mallory = lab.station(town, "李庄村")
    honest.store.append_many([visit_event(f"村民{i}") for i in range(3)])
    mallory.store.append(visit_event("李四"))
    for station in (honest, mallory, center):
        sync_until_clean(station.store, town.url)
    return county, town, honest, center, mallory


def test_a_payload_too_deep_or_too_long_is_refused_at_the_first_hub(lab: Lab) -> None:
    county, town, honest, center, mallory = township(lab)
    sync_until_clean(center.store, town.url)
    before = {s.store.node_id: state_of(s) for s in (honest, center)}
    held = snapshot(town.data)
    sender = Sender.of(mallory.store, town.url)

    # 260 levels: refused by the wire decoder, the whole request.
    run, _ = extend(mallory.store, [rule(nested(260))])
    problem_of(push_stdlib(sender, [run]), 422, "too_deep")
    # 10 levels (under the wire's cap): refused by the schema, which bounds every value.
    run, _ = extend(mallory.store, [rule(nested(10))])
    body = problem_of(sender.push([run]), 422, "schema_invalid")
    assert body["origin"] == mallory.store.node_id and body["accepted"] == {
        mallory.store.node_id: 1}
    # One string of 100,000 characters; and a payload over the size cap made of strings
    # each within its bound.
    run, _ = extend(mallory.store, [rule("长" * 100_000)])
    problem_of(sender.push([run]), 422, "schema_invalid")
    wide = {f"k{i}": ["宽" * 2000] * 100 for i in range(3)}
    assert len(json.dumps(wide, ensure_ascii=False)) > MAX_PAYLOAD_CHARS
    run, _ = extend(mallory.store, [rule(wide, key="catalog.extra")])
    problem_of(sender.push([run]), 422, "payload_too_large")

    # Nothing stored; the hub keeps serving; honest stations see no change.
    assert snapshot(town.data) == held
    for station in (honest, center):
        result = sync_until_clean(station.store, town.url)
        assert result.pulled == 0
        assert state_of(station) == before[station.store.node_id]
    assert status(town)["healthy"] is True
    wait_for_relay(town.url)
    assert count(hub_db(county), mallory.store.node_id) == 1


def poison(data: Path, origin: str, levels: int = 260) -> str:
    """Write an event of `origin` whose payload nests `levels` deep straight into a
    hub's file, chained after what it holds, as the old code stored it; returns its id."""
    hub = open_hub(data, key=key_beside(data))
    try:
        seq, prev = log.head(hub.conn, origin)
        item = seal(event(origin, seq + 1, hub.clock.now(), type="config.set", kind="config",
                          author="u-admin", payload={"key": "service.overdue_notify_role",
                                                     "value": nested(levels)}), prev)
        with transaction(hub.conn):
            log.insert(hub.conn, [item])
            hub._index([item])
        return str(item["id"])
    finally:
        hub.close()


def as_old_file(data: Path) -> None:
    """Take a hub file back to schema v2 (before quarantine and blob holders)."""
    with transaction(open_hub(data, key=key_beside(data)).conn) as conn:
        conn.execute("DROP TABLE IF EXISTS quarantine")
        conn.execute("DROP INDEX IF EXISTS events_flagged")
        conn.execute("DROP TABLE IF EXISTS blob_holders")
        conn.execute("UPDATE schema_version SET version=2 WHERE name='hub'")
    conn.close()


def assert_reports(hub: HubProcess, event_id: str) -> None:
    body = status(hub)
    assert body["healthy"] is False, body
    assert body["quarantined"]["count"] == 1, body
    assert body["quarantined"]["latest"][0]["id"] == event_id, body
    assert all(HAN.search(p) for p in body["problems"]) and body["problems"], body


def test_a_hub_file_holding_a_poison_pill_is_repaired_at_start(lab: Lab) -> None:
    county, town, honest, center, mallory = township(lab)
    origin = mallory.store.node_id or ""
    town.stop()
    bad = poison(town.data, origin)
    as_old_file(town.data)
    town.start()

    assert_reports(town, bad)                         # said at once, before any pull
    assert query(hub_db(town), "SELECT id FROM quarantine") == [(bad,)]
    # Pulls work and leave it out; the relay goes on for everyone else.
    sync_until_clean(center.store, town.url)
    assert query(station_db(center), "SELECT COUNT(*) FROM events WHERE id=?", (bad,)) == [(0,)]
    honest.store.append(visit_event("王五"))
    sync_until_clean(honest.store, town.url)
    wait_for(lambda: count(hub_db(county), honest.store.node_id) == 4, 30,
             "the honest village's new event reached the county")
    assert count(hub_db(county), origin) == 1         # the run stops before the poison


def test_a_hub_sets_aside_what_it_cannot_send_and_keeps_serving(lab: Lab) -> None:
    county, town, honest, center, mallory = township(lab)
    window = lab.station(county, "县信访局", kind="county")
    window.store.append(visit_event("县里来访"))
    sync_until_clean(window.store, county.url)

    # Already past the migration: met when relaying up (town) and when serving (county).
    up = poison(town.data, mallory.store.node_id or "")
    down = poison(county.data, window.store.node_id or "")
    honest.store.append(visit_event("王五"))
    sync_until_clean(honest.store, town.url)
    wait_for(lambda: count(hub_db(county), honest.store.node_id) == 4, 30,
             "the town relayed past the event it could not send")
    wait_for_relay(town.url)                          # …and pulled past the county's one
    assert_reports(town, up)
    assert_reports(county, down)
    assert count(hub_db(county), mallory.store.node_id) == 1
    assert query(hub_db(town), "SELECT COUNT(*) FROM events WHERE id=?", (down,)) == [(0,)]
    for station in (honest, center):
        assert sync_until_clean(station.store, town.url).ok
    assert status(town)["relay"]["failures"] == 0


def test_the_relay_loop_survives_any_exception_backs_off_and_reports_it(lab: Lab) -> None:
    county = lab.county()
    mitm = ReplyForger(county).start()
    try:
        # The county's push replies arrive as a JSON list (before: a TypeError in the
        # relay, and the thread died of it; now the reply is refused as unusable).
        mitm.rewrite = on_path("/v1/push", lambda path, code, body: (200, b"[]"))
        town = lab.town(county=county, upstream=mitm.url)
        honest = lab.station(town, "王湾村")
        honest.store.append_many([visit_event(f"村民{i}") for i in range(2)])
        sync_until_clean(honest.store, town.url)

        wait_for(lambda: status(town).get("relay", {}).get("failures", 0) >= 2, 30,
                 "the relay failed twice in a row and is still running")
        body = status(town)
        assert body["healthy"] is False, body
        assert json.loads(body["last_up_error"])["message"] == \
            f"{CATALOGUE['bad_reply'].message}（bad_reply）", body
        assert body["relay"]["next_try_at"], body
        assert any("向上级同步" in p for p in body["problems"]), body

        mitm.rewrite = None                           # the link heals
        wait_for(lambda: status(town)["relay"]["failures"] == 0, 60, "the relay recovered")
        wait_for(lambda: count(hub_db(county), honest.store.node_id) == 2, 30,
                 "events reached the county")
        assert status(town)["healthy"] is True
    finally:
        mitm.stop()


def test_a_station_sets_aside_a_pull_item_it_cannot_read_and_refuses_a_bad_cursor(
        lab: Lab) -> None:
    town = lab.town()
    writer, reader = lab.station(town, "王湾村"), lab.station(town, "新集镇便民服务中心", kind="town")
    writer.store.append_many([visit_event(f"村民{i}") for i in range(2)])
    sync_until_clean(writer.store, town.url)

    def garbage_first(path: str, code: int, body: bytes) -> tuple[int, bytes]:
        data = json.loads(body)
        if data.get("events"):
            data["events"].insert(0, ["短", nested(40)])
        return code, json.dumps(data, ensure_ascii=False).encode("utf-8")

    with ReplyForger(town, sign_as=town) as mitm:   # as if the hub sent it
        mitm.rewrite = on_path("/v1/pull", garbage_first)
        result = sync_via(reader.store, mitm.url)
        assert result.ok, result.error
        assert count(station_db(reader), writer.store.node_id) == 2   # the rest applied
        assert query(station_db(reader), "SELECT code FROM quarantine") == [("bad_event_id",)]

        def deep_cursor(path: str, code: int, body: bytes) -> tuple[int, bytes]:
            data = json.loads(body)
            data["cursor"] = {"epoch": nested(50), "fseq": 1, "id": ""}
            return code, json.dumps(data).encode("utf-8")

        cursor = reader.store.pull_cursor()
        mitm.rewrite = on_path("/v1/pull", deep_cursor)
        result = sync_via(reader.store, mitm.url)
        assert not result.ok and "游标" in (result.error or "")
        assert reader.store.pull_cursor() == cursor   # nothing stored that the hub refuses
    writer.store.append(visit_event("王五"))
    sync_until_clean(writer.store, town.url)
    assert sync_until_clean(reader.store, town.url).pulled == 1
