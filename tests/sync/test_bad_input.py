"""Bad input against a real hub process (issue #2 §4).

Each refusal is a 4xx problem+json with a stable `code` and a Chinese `title`; nothing
partial is stored (the hub's SQLite file is inspected before and after); valid events
before the bad one are kept and acknowledged exactly; and the hub keeps serving (a normal
sync round still works afterwards).
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.station import Station, open_station
from sync import log, wire
from sync.blobfiles import MAX_BLOB
from sync.canonical import GENESIS
from sync.client import HubClient
from sync.enroll import enroll_station
from sync.hub.server import open_hub
from tests.support.keys import HUB_KEY
from sync.events import seal
from sync.ids import uuid7
from sync.certs import issue
from sync.keys import SigningKey
from sync.status import sync_status
from sync.store import NewEvent
from tests.sync.crafted import (HAN, Sender, count_events, event, extend, gzip_bomb, held,
                                hub_db, memory_kb, problem_of, run_of, snapshot, visit)
from tests.support.hubs import ROOT, HubProcess

Enroll = Callable[[str], Station]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One county hub for the module: villages and (fake) towns enroll directly."""
    process = HubProcess(tmp_path_factory.mktemp("bad-input") / "county", "county")
    process.init("新县")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def enroll(hub: HubProcess, tmp_path: Path) -> Iterator[Enroll]:
    stations: list[Station] = []

    def make(name: str) -> Station:
        _, code = hub.add_node(name, "village")
        station = open_station(tmp_path / name)
        client = HubClient(hub.url)
        try:
            enroll_station(station.store, client, code)
        finally:
            client.close()
        stations.append(station)
        return station

    yield make
    for station in stations:
        station.store.close()


def record(station: Station, count: int = 1, name: str = "村民") -> list[dict[str, Any]]:
    return station.store.append_many(
        [NewEvent("visit.logged", uuid7(), visit(f"{name}{i}"), "u-li") for i in range(count)])


def synced(station: Station) -> None:
    result = station.sync_once()
    assert result.ok, result.error


def mirrors(hub: HubProcess, station: Station) -> bool:
    """The hub holds exactly the station's own chain, event for event."""
    origin = station.store.node_id or ""
    mine = [(e["seq"], e["hash"]) for e in log.run(station.store.conn, origin, 0, 10**6)]
    return held(hub.data, origin) == mine


def still_serves(hub: HubProcess, station: Station) -> None:
    """The hub is up and a normal round from this station stores what it should."""
    assert hub.proc is not None and hub.proc.poll() is None, hub.log_text()
    record(station, 2, "后来")
    synced(station)
    assert station.store.pending_count() == 0
    assert mirrors(hub, station)


def sender(hub: HubProcess, station: Station) -> Sender:
    return Sender.of(station.store, hub.url)


# transport-level garbage --------------------------------------------------------------------
def test_malformed_json_is_refused_and_nothing_stored(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("坏JSON村")
    raw = sender(hub, station)
    record(station, 3)
    good = wire.dumps({"runs": [extend(station.store, [])[0]]})
    before = snapshot(hub.data)
    for body, gzipped in ((good[:-7], False), (b"{runs: [", False),
                          (gzip.compress(good[:-1]), True), ("推送".encode("gbk"), False)):
        problem_of(raw.send("POST", "/v1/push", body, gzipped=gzipped), 400, "bad_json")
    # Well-formed JSON of the wrong shape is refused as a bad request, not a crash.
    for shape in ([], {"runs": "x"}, {"runs": [1]}, {"runs": [{"origin": 5}]}):
        problem_of(raw.send("POST", "/v1/push", wire.encode(shape)), 400, "bad_request")
    problem_of(raw.send("POST", "/v1/pull", b"[1,", gzipped=False), 400, "bad_json")
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_malformed_and_truncated_gzip_are_refused(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("坏压缩村")
    raw = sender(hub, station)
    record(station, 20)
    packed = wire.encode({"runs": [extend(station.store, [])[0]]})
    before = snapshot(hub.data)
    flipped = bytearray(packed)
    flipped[len(packed) // 2] ^= 0xFF
    for body in (b"not gzip at all", b"\x1f\x8b\x08\x00garbage", bytes(flipped)):
        problem_of(raw.send("POST", "/v1/push", body), 400, "bad_gzip")
    # A body cut off in transit: every valid event inside it must not be half-stored.
    for cut in (len(packed) // 2, len(packed) - 4, 10):
        body = problem_of(raw.send("POST", "/v1/push", packed[:cut]), 400, "bad_gzip")
        assert "accepted" not in body
    assert snapshot(hub.data) == before
    assert count_events(hub.data, station.store.node_id) == 0
    still_serves(hub, station)


def test_gzip_bomb_is_refused_quickly_with_modest_memory(hub: HubProcess, enroll: Enroll
                                                         ) -> None:
    station = enroll("压缩炸弹村")
    raw = sender(hub, station)
    bomb = gzip_bomb(1024)   # 1 GB of zeros in about 1 MB
    assert len(bomb) < wire.MAX_COMPRESSED
    assert hub.proc is not None
    peak_before = memory_kb(hub.proc.pid)["VmHWM"]
    before = snapshot(hub.data)
    for path in ("/v1/push", "/v1/pull"):
        started = time.monotonic()
        problem_of(raw.send("POST", path, bomb), 413, "too_large")
        assert time.monotonic() - started < 5, f"{path} took too long to refuse a bomb"
    # The unauthenticated route: 16 MB of zeros in 16 KB, and enrollment inflates 64 KB.
    small = gzip_bomb(16)
    assert len(small) < 64 * 1024
    problem_of(hub.post("/v1/enroll", content=small,
                          headers={"content-encoding": "gzip"}, timeout=30), 413, "too_large")
    grown_mb = (memory_kb(hub.proc.pid)["VmHWM"] - peak_before) / 1024
    assert grown_mb < 64, f"hub peak memory grew {grown_mb:.0f} MB on a gzip bomb"
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_oversized_body_is_refused_without_buffering_it(hub: HubProcess, enroll: Enroll
                                                        ) -> None:
    station = enroll("超大请求村")
    raw = sender(hub, station)
    assert hub.proc is not None
    before = snapshot(hub.data)
    just_over = bytes(wire.MAX_COMPRESSED + 1)
    problem_of(raw.send("POST", "/v1/push", just_over, gzipped=False), 413, "too_large")
    problem_of(raw.send("POST", "/v1/push", just_over), 413, "too_large")
    # A very large body, signed or not, is refused before the hub holds it in memory.
    huge = bytes(96 * 1024 * 1024)
    peak_before = memory_kb(hub.proc.pid)["VmHWM"]
    problem_of(raw.send("POST", "/v1/push", huge, gzipped=False, timeout=60), 413, "too_large")
    problem_of(hub.post("/v1/push", content=huge, timeout=60), 413, "too_large")
    problem_of(hub.post("/v1/enroll", content=huge, timeout=60), 413, "too_large")
    grown_mb = (memory_kb(hub.proc.pid)["VmHWM"] - peak_before) / 1024
    assert grown_mb < 48, f"hub peak memory grew {grown_mb:.0f} MB on a 96 MB body"
    assert snapshot(hub.data) == before
    still_serves(hub, station)


# events that are wrong ------------------------------------------------------------------------
def bad_visit(seq: int, hlc: int) -> dict[str, Any]:
    """Violates visit.logged's schema: age out of range and an unknown field."""
    return event("", seq, hlc, payload=visit("赵六", age=-3, 备注="x"))


def good_visit(seq: int, hlc: int) -> dict[str, Any]:
    return event("", seq, hlc, payload=visit(f"好人{seq}"))


def test_schema_invalid_event_mid_batch_keeps_the_events_before_it(
        hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("坏内容村")
    origin = station.store.node_id
    raw = sender(hub, station)
    record(station, 4)                                      # seqs 1..4, valid
    run, events = extend(station.store, [bad_visit, good_visit, good_visit])  # 5 bad, 6, 7
    before = snapshot(hub.data)
    body = problem_of(raw.push([run]), 422, "schema_invalid")
    assert body["accepted"] == {origin: 4}
    assert body["origin"] == origin and body["seq"] == 5
    assert body["event_id"] == events[4]["id"]
    assert [p["code"] for p in body["problems"]] == ["schema_invalid"]
    assert held(hub.data, origin) == [(e["seq"], e["hash"]) for e in events[:4]]
    after = snapshot(hub.data)
    assert after["events"] == before["events"] + 4 and after["feed"] == before["feed"] + 4
    # The station's own client takes the exact acknowledgement and carries on.
    still_serves(hub, station)


def test_bad_event_in_a_later_run_of_the_same_batch(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("两段村")
    origin = station.store.node_id
    record(station, 3)
    first, events = extend(station.store, [])
    chain_end = events[-1]["hash"]
    later = [good_visit(4, station.store.clock.now()), bad_visit(5, station.store.clock.now()),
             good_visit(6, station.store.clock.now())]
    for item in later:
        item["origin"] = origin
    prev = chain_end
    for item in later:
        prev = seal(item, prev)["hash"]
    second = run_of(origin, 4, chain_end, later, station.store.signing_key())
    body = problem_of(sender(hub, station).push([first, second]), 422, "schema_invalid")
    assert body["accepted"] == {origin: 4}
    assert held(hub.data, origin) == [(e["seq"], e["hash"]) for e in [*events, later[0]]]
    with hub_db(hub.data) as conn:   # the first run's signed head is kept for relaying
        assert conn.execute("SELECT seq FROM sigs WHERE origin=?", (origin,)).fetchall() == [(3,)]
    log.insert(station.store.conn, [later[0]])   # the hub kept it: the station owns it
    still_serves(hub, station)


def test_unknown_event_type_stops_the_run_there(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("新类型村")
    origin = station.store.node_id
    record(station, 2)
    for bad, code in (
            (lambda s, h: event("", s, h, type="visit.teleported"), "unknown_event_type"),
            (lambda s, h: event("", s, h, v=9), "unknown_event_type"),
            (lambda s, h: event("", s, h, kind="complaint"), "bad_envelope"),
            (lambda s, h: event("", s, h, event_id="not-a-uuid"), "bad_event_id"),
            (lambda s, h: event("", s, h, payload=["列表"]), "schema_invalid")):
        run, events = extend(station.store, [good_visit, bad, good_visit])
        body = problem_of(sender(hub, station).push([run]), 422, code)
        kept = run["from_seq"] + len(events) - 3      # everything before `bad`
        assert body["accepted"] == {origin: kept} and body["seq"] == kept + 1
        assert [s for s, _ in held(hub.data, origin)] == list(range(1, kept + 1))
        # The good event the hub kept was never in the station's store: put it there, as
        # a station would have written it, so the next case continues the same chain.
        good = events[kept - run["from_seq"]]
        log.insert(station.store.conn, [good])
        station.store.mark_pushed(kept)
    still_serves(hub, station)


def test_unparseable_item_refuses_the_whole_unverifiable_run(hub: HubProcess, enroll: Enroll
                                                             ) -> None:
    station = enroll("乱码村")
    origin = station.store.node_id
    record(station, 3)
    run, _ = extend(station.store, [])
    run["events"][1] = "garbage"     # the chain cannot be recomputed, so the head cannot vouch
    before = snapshot(hub.data)
    body = problem_of(sender(hub, station).push([run]), 422, "bad_envelope")
    assert body["accepted"] == {origin: 0}
    assert snapshot(hub.data) == before
    still_serves(hub, station)


# origins, sequence and chains ---------------------------------------------------------------------
def test_forged_and_foreign_origins_are_refused(hub: HubProcess, enroll: Enroll) -> None:
    mallory, victim = enroll("冒名村"), enroll("受害村")
    record(victim, 2)
    synced(victim)
    raw = sender(hub, mallory)
    record(mallory, 2)
    own, _ = extend(mallory.store, [])
    key = mallory.store.signing_key()
    stranger = uuid7()
    before = snapshot(hub.data)
    victim_id = victim.store.node_id or ""
    # A sibling's origin, an origin in no tree, the hub's own origin.
    for origin in (victim_id, stranger, hub_id(hub)):
        forged = [event(origin, 1, mallory.store.clock.now())]
        seal(forged[0], GENESIS)
        body = problem_of(raw.push([run_of(origin, 1, GENESIS, forged, key)]), 403,
                          "foreign_origin")
        assert body["origin"] == origin and origin not in body["accepted"]
    # Continuing the victim's real chain is refused just the same.
    victim_head = held(hub.data, victim_id)[-1][1]
    victim_next = [event(victim_id, 3, mallory.store.clock.now())]
    seal(victim_next[0], victim_head)
    problem_of(raw.push([run_of(victim_id, 3, victim_head, victim_next, key)]), 403,
               "foreign_origin")
    assert snapshot(hub.data) == before
    # In one batch with a forged run, mallory's own valid run is still kept and acked.
    forged = [event(stranger, 1, mallory.store.clock.now())]
    seal(forged[0], GENESIS)
    body = problem_of(raw.push([own, run_of(stranger, 1, GENESIS, forged, key)]), 403,
                      "foreign_origin")
    assert body["accepted"] == {mallory.store.node_id: 2}
    assert count_events(hub.data, stranger) == 0
    assert count_events(hub.data, victim_id) == 2
    still_serves(hub, mallory)
    still_serves(hub, victim)


def hub_id(hub: HubProcess) -> str:
    return hub.get("/v1/info").json()["hub_id"]


def test_seq_gap_tells_where_to_restart(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("跳号村")
    origin = station.store.node_id or ""
    record(station, 2)
    synced(station)
    record(station, 3)       # 3, 4, 5
    run, events = extend(station.store, [])
    skipped = run_of(origin, 4, events[0]["hash"], events[1:], station.store.signing_key())
    before = snapshot(hub.data)
    body = problem_of(sender(hub, station).push([skipped]), 409, "seq_gap")
    assert body["expected"] == 3 and body["origin"] == origin
    assert body["accepted"] == {origin: 2}
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_broken_chains_are_refused_whole(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("断链村")
    origin = station.store.node_id or ""
    key = station.store.signing_key()
    record(station, 2)
    synced(station)
    record(station, 3)
    run, events = extend(station.store, [])
    before = snapshot(hub.data)
    raw = sender(hub, station)
    # 1. prev does not continue what the hub holds.
    body = problem_of(raw.push([{**run, "prev": "f" * 64}]), 409, "chain_broken")
    assert body["accepted"] == {origin: 2}
    # 2. A signed head whose hash is not the recomputed chain (a tampered event inside).
    problem_of(raw.push([run_of(origin, 3, run["prev"], events, key, head_hash="e" * 64)]),
               409, "chain_broken")
    tampered = json.loads(json.dumps(run))
    tampered["events"][0][-1]["matter"] = "改过的内容"
    problem_of(raw.push([tampered]), 409, "chain_broken")
    # 3. A head that claims a different length than the run carries.
    problem_of(raw.push([run_of(origin, 3, run["prev"], events, key, head_seq=9)]), 409,
               "chain_broken")
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_bad_head_signature_is_refused(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("假签名村")
    origin = station.store.node_id or ""
    record(station, 3)
    run, events = extend(station.store, [])
    before = snapshot(hub.data)
    raw = sender(hub, station)
    other = run_of(origin, 1, GENESIS, events, SigningKey.generate())
    for head in (other["head"], {**run["head"], "sig": "AAAA"}, {**run["head"], "sig": 7},
                 {k: v for k, v in run["head"].items() if k != "sig"},
                 {**run["head"], "signer": hub_id(hub)}):
        body = problem_of(raw.push([{**run, "head": head}]), 403, "bad_run_signature")
        assert body["accepted"] == {origin: 0}
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_conflicting_repush_is_refused(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("改历史村")
    origin = station.store.node_id or ""
    key = station.store.signing_key()
    pushed = record(station, 3)
    synced(station)
    before = snapshot(hub.data)
    raw = sender(hub, station)
    # Same seq, different content, correctly chained and signed: a rewritten history.
    rewritten = [dict(e) for e in pushed]
    rewritten[1]["payload"] = visit("另一个人")
    prev = GENESIS
    for item in rewritten:
        prev = seal(item, prev)["hash"]
    body = problem_of(raw.push([run_of(origin, 1, GENESIS, rewritten, key)]), 409, "conflict")
    assert body["seq"] == 2 and body["accepted"] == {origin: 3}
    # An id already stored, reused for a new seq after one good event: the good one is
    # kept and acknowledged, the reused id stops the run.
    for through, reused in ((4, pushed[0]["id"]), (5, pushed[1]["id"])):
        run, events = extend(station.store, [
            good_visit, lambda s, h, i=reused: event("", s, h, event_id=i)])
        body = problem_of(raw.push([run]), 409, "conflict")
        assert body["accepted"] == {origin: through} and body["seq"] == through + 1
        assert held(hub.data, origin)[-1] == (through, events[0]["hash"])
        log.insert(station.store.conn, [events[0]])   # the hub kept it: the station owns it
        station.store.mark_pushed(through)
    # The same new id twice inside one run.
    twin = uuid7()
    run, events = extend(station.store, [lambda s, h: event("", s, h, event_id=twin),
                                         lambda s, h: event("", s, h, event_id=twin)])
    body = problem_of(raw.push([run]), 409, "conflict")
    assert body["accepted"] == {origin: 6} and body["seq"] == 7
    log.insert(station.store.conn, [events[0]])
    station.store.mark_pushed(6)
    assert snapshot(hub.data)["events"] == before["events"] + 3
    still_serves(hub, station)


# who is asking --------------------------------------------------------------------------------
def test_unknown_token_and_bad_request_signatures(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("假凭证村")
    record(station, 2)
    run, _ = extend(station.store, [])
    body = wire.encode({"runs": [run]})
    real = sender(hub, station)
    before = snapshot(hub.data)
    forged = [
        (Sender(hub.url, real.node_id, "not-the-token", real.key, real.next_counter, real.cert),
         401, "bad_token"),
        (Sender(hub.url, uuid7(), real.token, real.key, real.next_counter, real.cert), 401, "bad_token"),
        (Sender(hub.url, real.node_id, real.token, SigningKey.generate(), real.next_counter, real.cert),
         401, "bad_signature"),
    ]
    for who, status, code in forged:
        problem_of(who.send("POST", "/v1/push", body), status, code)
        problem_of(who.send("GET", "/v1/heads"), status, code)
    problem_of(hub.post("/v1/push", content=body), 401, "no_token")
    headers = real.signed("POST", "/v1/push", body)
    for name, value in (("x-sanji-counter", "abc"), ("x-sanji-signature", "AAAA")):
        problem_of(hub.post("/v1/push", content=body,
                              headers={**headers, name: value}), 401, "bad_signature")
    # Signed for another path or other bytes: refused.
    problem_of(hub.post("/v1/pull", content=body, headers={
        **real.signed("POST", "/v1/push", body), "content-encoding": "gzip"}), 401,
        "bad_signature")
    assert snapshot(hub.data) == before
    still_serves(hub, station)


def test_revoked_token_is_refused(hub: HubProcess, enroll: Enroll) -> None:
    station, neighbour = enroll("注销村"), enroll("邻村")
    record(station, 1)
    synced(station)
    done = subprocess.run([sys.executable, "-m", "app.cli", "node", "revoke",
                           station.store.node_id or "", "--data", str(hub.data),
                           "--key-file", str(hub.key_file)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    record(station, 2)
    before = snapshot(hub.data)
    run, _ = extend(station.store, [])
    problem_of(sender(hub, station).push([run]), 401, "token_revoked")
    result = station.sync_once()
    assert not result.ok and result.error and HAN.search(result.error)
    assert "注销" in (sync_status(station.store).last_error or "")
    assert snapshot(hub.data) == before
    assert count_events(hub.data, station.store.node_id) == 1
    still_serves(hub, neighbour)


def test_replayed_request_is_refused(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("重放村")
    origin = station.store.node_id
    record(station, 2)
    run, _ = extend(station.store, [])
    body = wire.encode({"runs": [run]})
    headers = {**sender(hub, station).signed("POST", "/v1/push", body),
               "content-encoding": "gzip", "content-type": "application/json"}
    first = hub.post("/v1/push", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["accepted"] == {origin: 2}
    before = snapshot(hub.data)
    problem_of(hub.post("/v1/push", content=body, headers=headers), 409, "replayed")
    pull = wire.encode({"cursor": None})
    pull_headers = {**sender(hub, station).signed("POST", "/v1/pull", pull),
                    "content-encoding": "gzip"}
    assert hub.post("/v1/pull", content=pull, headers=pull_headers).status_code == 200
    problem_of(hub.post("/v1/pull", content=pull, headers=pull_headers), 409,
               "replayed")
    assert snapshot(hub.data) == before
    station.store.mark_pushed(2)
    still_serves(hub, station)


def test_bad_pull_cursor_is_refused_without_changing_the_epoch(hub: HubProcess,
                                                               enroll: Enroll) -> None:
    station = enroll("坏游标村")
    raw = sender(hub, station)
    epoch = hub_epoch(hub)
    for cursor in ("abc", 5, [], {"epoch": epoch}, {"epoch": epoch, "fseq": "1", "id": ""},
                   {"epoch": 1, "fseq": 0, "id": ""}, {"epoch": epoch, "fseq": -1, "id": ""},
                   {"epoch": epoch, "fseq": 1.5, "id": ""}):
        problem_of(raw.pull({"cursor": cursor}), 400, "bad_cursor")
    for request in ({"cursor": None, "limit": "all"}, {"cursor": None, "have": ["x"]},
                    {"cursor": None, "have": {"o": "1"}}):
        problem_of(raw.pull(request), 400, "bad_request")
    assert hub_epoch(hub) == epoch
    still_serves(hub, station)


def hub_epoch(hub: HubProcess) -> str:
    return hub.get("/v1/info").json()["epoch"]


def test_enroll_with_wrong_used_or_expired_code(hub: HubProcess, tmp_path: Path) -> None:
    node_id, code = hub.add_node("登记村", "village")
    pubkey = SigningKey.generate().public_b64

    def attempt(body: Any, raw: bytes | None = None) -> httpx.Response:
        return hub.post("/v1/enroll", content=raw if raw is not None
                          else json.dumps(body), timeout=30)

    wrong = "0000-0000-0000" if code != "0000-0000-0000" else "1111-1111-1111"
    problem_of(attempt({"code": wrong, "pubkey": pubkey}), 401, "bad_code")
    problem_of(attempt({"code": code, "pubkey": "短"}), 400, "bad_pubkey")
    problem_of(attempt({"code": code}), 400, "bad_request")
    problem_of(attempt(["code"]), 400, "bad_request")
    problem_of(attempt(None, raw=b"{code"), 400, "bad_json")
    with hub_db(hub.data) as conn:   # none of that used the code up
        assert conn.execute("SELECT token_hash, enrolled_at FROM nodes WHERE id=?",
                            (node_id,)).fetchone() == (None, None)
    assert attempt({"code": code, "pubkey": pubkey}).status_code == 200
    # Used: another device cannot take it (the same device may retry, test_enroll_retry).
    problem_of(attempt({"code": code, "pubkey": SigningKey.generate().public_b64}), 401,
               "bad_code")
    stale_id, stale = hub.add_node("过期村", "village")
    with hub_db(hub.data) as conn:
        conn.execute("UPDATE nodes SET code_expires=1 WHERE id=?", (stale_id,))
        conn.commit()
    problem_of(attempt({"code": stale, "pubkey": pubkey}), 401, "code_expired")
    with hub_db(hub.data) as conn:
        assert conn.execute("SELECT token_hash FROM nodes WHERE id=?",
                            (stale_id,)).fetchone() == (None,)


# attachments --------------------------------------------------------------------------------------
def patch(raw: Sender, sha: str, data: bytes, offset: int, total: int) -> httpx.Response:
    return raw.send("PATCH", f"/v1/blobs/{sha}", data, gzipped=False, headers={
        "upload-offset": str(offset), "upload-length": str(total),
        "content-type": "application/octet-stream"})


def blob_files(hub: HubProcess, sha: str) -> list[Path]:
    return sorted(p for p in (hub.data / "blobs").rglob(sha) if p.is_file())


def test_blob_refusals(hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("附件村")
    raw = sender(hub, station)
    photo = "签字照片".encode() * 5000
    photo_sha = hashlib.sha256(photo).hexdigest()
    # Not referenced by any event yet.
    problem_of(patch(raw, photo_sha, photo, 0, len(photo)), 409, "blob_unreferenced")
    problem_of(patch(raw, "NOT-A-SHA", photo, 0, len(photo)), 400, "bad_blob_id")
    assert blob_files(hub, photo_sha) == []
    huge_sha = hashlib.sha256(b"pretend this is 30 MB").hexdigest()
    station.store.append(NewEvent("visit.logged", uuid7(), visit(attachments=[
        {"sha256": photo_sha, "size": len(photo)},
        {"sha256": huge_sha, "size": MAX_BLOB + 1}]), "u-li"))
    synced(station)
    # Over the cap.
    body = problem_of(patch(raw, huge_sha, b"x" * 1024, 0, MAX_BLOB + 1), 413, "blob_too_large")
    assert "MB" in body["title"]
    # Wrong bytes for the sha: refused when complete, and the partial file is discarded.
    wrong = bytes(len(photo))
    problem_of(patch(raw, photo_sha, wrong, 0, len(photo)), 422, "blob_hash_mismatch")
    assert blob_files(hub, photo_sha) == []
    problem_of(patch(raw, photo_sha, photo[100:200], 100, len(photo)), 409, "offset_mismatch")
    problem_of(patch(raw, photo_sha, photo + b"!", 0, len(photo)), 400, "bad_request")
    with hub_db(hub.data) as conn:
        assert conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 0
    # The right bytes still go through, resumably, and download intact.
    assert patch(raw, photo_sha, photo[:1000], 0, len(photo)).status_code == 204
    done = patch(raw, photo_sha, photo[1000:], 1000, len(photo))
    assert done.status_code == 204 and done.headers["upload-complete"] == "1"
    got = raw.send("GET", f"/v1/blobs/{photo_sha}", gzipped=False)
    assert got.status_code == 200 and got.content == photo
    still_serves(hub, station)


# a fake town under the county ------------------------------------------------------------------------
def fake_town(hub: HubProcess, name: str) -> tuple[Sender, SigningKey]:
    node_id, code = hub.add_node(name, "town")
    key = SigningKey.generate()
    reply = hub.post("/v1/enroll", json={"code": code, "pubkey": key.public_b64})
    assert reply.status_code == 200, reply.text
    return Sender(hub.url, node_id, reply.json()["token"], key,
                  itertools.count(1).__next__, hub.cert), key


def cert(node_id: str, parent: str, parent_key: SigningKey, pubkey: str,
         name: str = "某村") -> dict[str, Any]:
    return issue(parent_key, node_id, parent, "village", name, pubkey).to_json()


def test_a_town_cannot_take_over_another_towns_village(hub: HubProcess) -> None:
    """A relayed origin belongs to the town that vouched for it: a second town cannot
    re-parent it with its own certificate and then write events in its name."""
    town_a, key_a = fake_town(hub, "甲镇")
    town_b, key_b = fake_town(hub, "乙镇")
    village, village_key = uuid7(), SigningKey.generate()
    first = [event(village, 1, 1 << 40)]
    seal(first[0], GENESIS)
    reply = town_a.push([run_of(village, 1, GENESIS, first, village_key)],
                        nodes=[cert(village, town_a.node_id, key_a, village_key.public_b64)])
    assert reply.status_code == 200 and reply.json()["accepted"] == {village: 1}, reply.text
    # Town B vouches for the same village id under itself, with a key of its own.
    impostor = SigningKey.generate()
    nxt = [event(village, 2, 1 << 41)]
    seal(nxt[0], first[0]["hash"])
    before = snapshot(hub.data)
    reply = town_b.push([run_of(village, 2, first[0]["hash"], nxt, impostor)],
                        nodes=[cert(village, town_b.node_id, key_b, impostor.public_b64)])
    body = problem_of(reply, 403, "foreign_node")
    assert [p["code"] for p in body["problems"]] == ["foreign_node", "foreign_origin"]
    assert village not in body["accepted"]
    assert snapshot(hub.data) == before
    with hub_db(hub.data) as conn:
        assert conn.execute("SELECT parent, pubkey FROM nodes WHERE id=?",
                            (village,)).fetchone() == (town_a.node_id, village_key.public_b64)
    # Nor can a town vouch for the county itself and then write in the county's name.
    county = hub_id(hub)
    own = [event(county, 1, 1 << 40)]
    seal(own[0], GENESIS)
    reply = town_b.push([run_of(county, 1, GENESIS, own, impostor)],
                        nodes=[cert(county, town_b.node_id, key_b, impostor.public_b64)])
    body = problem_of(reply, 403, "foreign_node")
    assert [p["code"] for p in body["problems"]] == ["foreign_node", "foreign_origin"]
    assert snapshot(hub.data) == before
    with hub_db(hub.data) as conn:
        assert conn.execute("SELECT COUNT(*) FROM nodes WHERE id=?", (county,)).fetchone() == (0,)
    # Town A still relays for its village.
    more = [event(village, 2, 1 << 42)]
    seal(more[0], first[0]["hash"])
    reply = town_a.push([run_of(village, 2, first[0]["hash"], more, village_key)])
    assert reply.status_code == 200 and reply.json()["accepted"] == {village: 2}, reply.text


# the station side ------------------------------------------------------------------------------
def test_station_quarantines_pulled_events_that_do_not_match_their_hash(
        hub: HubProcess, enroll: Enroll) -> None:
    station = enroll("隔离村")
    store = station.store
    neighbour = enroll("邻村")   # a certified origin, so only the hash is wrong
    other = neighbour.node_id
    certified = neighbour.store.directory.get(other)
    assert certified is not None
    good = [event(other, 1, store.clock.now()), event(other, 2, store.clock.now())]
    prev = GENESIS
    for item in good:
        prev = seal(item, prev)["hash"]
    tampered = dict(good[1], payload=visit("篡改过"))          # hash no longer matches
    stray = event(other, 1, store.clock.now())                  # (origin, seq) already held
    seal(stray, GENESIS)
    same_id = dict(good[0], payload=visit("同号不同内容"))
    seal(same_id, GENESIS)
    cursor = {"epoch": "e", "fseq": 3, "id": good[0]["id"]}
    assert store.apply_pulled([good[0], tampered], cursor, [certified.to_json()]) == 1
    assert store.apply_pulled([stray, same_id, dict(good[0])], {**cursor, "fseq": 6}) == 0
    status = sync_status(store)
    assert status.quarantined == 3
    assert [e["hash"] for e in log.run(store.conn, other, 0, 10)] == [good[0]["hash"]]
    codes = [r[0] for r in store.conn.execute("SELECT code FROM quarantine ORDER BY id")]
    assert codes == ["hash_mismatch", "conflict", "conflict"]
    assert store.pull_cursor() == {**cursor, "fseq": 6}
    # The genuine second event still applies when it comes.
    assert store.apply_pulled([good[1]], {**cursor, "fseq": 7}) == 1
    still_serves(hub, station)


def test_hub_sets_aside_pulled_events_that_clash_with_its_chains(tmp_path: Path) -> None:
    """What a town pulls from its county is checked like a station's pull: an event at a
    (origin, seq) already taken is set aside and logged, the rest of the batch applies."""
    town = open_hub(tmp_path / "town", "town", key=HUB_KEY)
    try:
        other = uuid7()   # a node certified by this town, whose events came back down
        certified = issue(town.key(), other, town.hub_id, "village", "某村",
                          SigningKey.generate().public_b64).to_json()
        good = [event(other, 1, town.clock.now()), event(other, 2, town.clock.now())]
        prev = GENESIS
        for item in good:
            prev = seal(item, prev)["hash"]
        stray = event(other, 1, town.clock.now())
        seal(stray, GENESIS)
        tampered = dict(good[1], payload=visit("篡改过"))
        cursor = {"epoch": "e", "fseq": 4, "id": good[1]["id"]}
        assert town.apply_pulled([good[0], stray, dict(good[0]), tampered, good[1]],
                                 cursor, [certified]) == 2
        assert [h for _, h in town.conn.execute(
            "SELECT seq, hash FROM events WHERE origin=? ORDER BY seq", (other,))] == [
            good[0]["hash"], good[1]["hash"]]
        assert [c for (c,) in town.conn.execute("SELECT code FROM problems ORDER BY id")] == [
            "conflict", "hash_mismatch"]
        assert town.up_cursor() == cursor
    finally:
        town.close()
