"""Hand-made requests for the bad-input tests (issue #2 §4): raw signed HTTP requests, runs
of events built outside the store (with real chain hashes and head signatures, so that the
one thing wrong with them is the thing under test), and a look into a hub's SQLite file.
"""
from __future__ import annotations

import re
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx

from sync.tls import pinned_context

from sync import log, wire
from sync.canonical import GENESIS
from sync.db import connect
from sync.events import seal, to_push
from sync.ids import uuid7
from sync.keys import SigningKey, head_message, request_message
from sync.store import Store
from sync.problems import CATALOGUE
from tests.support.keys import key_beside

HAN = re.compile(r"[\u4e00-\u9fff]")


def visit(name: str = "王秀英", **extra: object) -> dict[str, Any]:
    """A realistic 来访登记 payload that satisfies schemas/events/visit.logged.v1.json."""
    return {"name": name, "sex": "女", "age": 63, "phone": "13812345678",
            "address": "三组", "visited_at": "2026-11-28 09:30", "place": "便民服务站",
            "matter": "咨询城乡居民医保缴费", "officer": "李建国", "officer_post": "村委委员",
            **extra}


# requests -------------------------------------------------------------------------------
@dataclass
class Sender:
    """Sends raw bytes to a hub as a node: bearer token, node id, counter, Ed25519 signature
    over the exact body (the header format of sync.client.HubClient.call)."""

    url: str
    node_id: str
    token: str
    key: SigningKey
    next_counter: Callable[[], int]
    cert: str | None = None       # the hub certificate the node pinned at enrollment

    @classmethod
    def of(cls, store: Store, url: str) -> "Sender":
        ident = store.identity()
        assert store.node_id is not None
        return cls(url, store.node_id, ident["token"], store.signing_key(),
                   store.next_request_counter, ident.get("hub_cert"))

    def signed(self, method: str, path: str, body: bytes, counter: int | None = None
               ) -> dict[str, str]:
        counter = self.next_counter() if counter is None else counter
        return {"authorization": f"Bearer {self.token}", "x-sanji-node": self.node_id,
                "x-sanji-counter": str(counter),
                "x-sanji-signature": self.key.sign(
                    request_message(method, path, self.node_id, counter, body))}

    def send(self, method: str, path: str, body: bytes = b"", gzipped: bool = True,
             headers: dict[str, str] | None = None, timeout: float = 30.0) -> httpx.Response:
        all_headers = {"content-type": "application/json", **self.signed(method, path, body),
                       **(headers or {})}
        if gzipped:
            all_headers["content-encoding"] = "gzip"
        with httpx.Client(verify=pinned_context(self.cert) if self.cert else True) as client:
            return client.request(method, self.url + path, content=body, headers=all_headers,
                                  timeout=timeout)

    def push(self, runs: Sequence[dict[str, Any]], nodes: Sequence[Any] = ()) -> httpx.Response:
        body: dict[str, Any] = {"runs": list(runs)}
        if nodes:
            body["nodes"] = list(nodes)
        return self.send("POST", "/v1/push", wire.encode(body))

    def pull(self, request: dict[str, Any]) -> httpx.Response:
        return self.send("POST", "/v1/pull", wire.encode(request))


def problem_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json refusal with a stable code and a Chinese title; return it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json"), \
        response.headers
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status, body
    assert body["type"] == f"urn:sanji:problem:{code}", body
    assert isinstance(body["title"], str) and HAN.search(body["title"]), body
    # One status and one message per code (sync.problems), whatever the raise site said.
    assert (status, body["title"]) == (CATALOGUE[code].status, CATALOGUE[code].message), body
    return body


# events and runs --------------------------------------------------------------------------
def event(origin: str, seq: int, hlc: int, *, type: str = "visit.logged",
          payload: Any = None, v: int = 1, kind: str = "visit", record: str | None = None,
          author: str = "u-li", owner: str | None = None, event_id: str | None = None
          ) -> dict[str, Any]:
    return {"id": event_id or uuid7(), "origin": origin, "seq": seq, "hlc": hlc, "type": type,
            "v": v, "record": record or uuid7(), "kind": kind, "author": author,
            "owner": owner, "payload": visit() if payload is None else payload}


def chain(events: Sequence[dict[str, Any]], prev: str) -> str:
    """Seal events in order after `prev` (real chain hashes); returns the last hash."""
    for item in events:
        prev = seal(item, prev)["hash"]
    return prev


def run_of(origin: str, from_seq: int, prev: str, events: Sequence[dict[str, Any]],
           key: SigningKey, *, head_hash: str | None = None, head_seq: int | None = None
           ) -> dict[str, Any]:
    """A push run of already sealed events with a head signed by `key`. head_hash/head_seq
    override what the head claims (and is signed over), for broken-chain cases."""
    last = events[-1]
    seq = last["seq"] if head_seq is None else head_seq
    digest = last["hash"] if head_hash is None else head_hash
    return {"origin": origin, "from_seq": from_seq, "prev": prev,
            "events": [to_push(e) for e in events],
            "head": {"seq": seq, "hash": digest, "sig": key.sign(head_message(origin, seq, digest))}}


def extend(store: Store, crafted: Sequence[dict[str, Any] | Callable[[int, int], dict[str, Any]]]
           ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The station's unpushed events followed by crafted ones, as one correctly chained
    run with a valid head signature from the station's own key. Each crafted item is an
    event dict (its origin/seq are overwritten) or a factory f(seq, hlc) -> event."""
    origin = store.node_id
    assert origin is not None
    outbox = store.outbox_run(10_000)
    after = store.pushed_through()
    own = outbox["events"] if outbox else []
    prev = outbox["prev"] if outbox else (log.hash_at(store.conn, origin, after) or GENESIS)
    seq = after + len(own)
    made: list[dict[str, Any]] = []
    for item in crafted:
        seq += 1
        made_event = item(seq, store.clock.now()) if callable(item) else dict(item)
        made_event["origin"], made_event["seq"] = origin, seq
        made.append(made_event)
    last = own[-1]["hash"] if own else prev
    chain(made, last)
    events = [*own, *made]
    return run_of(origin, after + 1, prev, events, store.signing_key()), events


# the hub's file ----------------------------------------------------------------------------
@contextmanager
def hub_db(data: Path) -> Iterator[sqlite3.Connection]:
    """The file of a HubProcess's directory, opened with its key (beside the directory)."""
    with closing(connect(data / "hub.sqlite", key_beside(data))) as conn:
        yield conn


def count_events(data: Path, origin: str | None = None) -> int:
    with hub_db(data) as conn:
        if origin is None:
            return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM events WHERE origin=?",
                            (origin,)).fetchone()[0]


def held(data: Path, origin: str) -> list[tuple[int, str]]:
    """(seq, hash) of every event of `origin` the hub holds, in seq order."""
    with hub_db(data) as conn:
        return conn.execute("SELECT seq, hash FROM events WHERE origin=? ORDER BY seq",
                            (origin,)).fetchall()


def snapshot(data: Path) -> dict[str, Any]:
    """Everything a refused request must leave unchanged."""
    with hub_db(data) as conn:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("events", "feed", "records", "sigs", "blobs", "blob_refs")} | {
            "heads": dict(conn.execute("SELECT origin, MAX(seq) FROM events GROUP BY origin"))}


# gzip bombs -------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def gzip_bomb(inflated_mb: int = 1024) -> bytes:
    """One valid gzip member of `inflated_mb` MB of zeros (about 1 KB per MB inflated).

    Built in well under a second: after a full flush the deflater's state is reset, so
    every further 16 MB of zeros compresses to the same bytes, which are repeated; only
    the CRC-32 of the whole is computed for real.
    """
    block = bytes(1 << 24)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated_mb // 16):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (inflated_mb << 20) & 0xFFFFFFFF)
    return header + segment * (inflated_mb // 16) + deflater.flush(zlib.Z_FINISH) + trailer


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident) of a process, in kB (Linux /proc)."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out
