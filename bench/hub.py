"""Hub load benchmark: 200 village nodes pushing concurrently to one town hub
(issue #2 §6).

    python -m bench.hub [--nodes 200] [--batch 20] [--pushes 10]

Set-up (not timed): one town hub runs as a real uvicorn process on 127.0.0.1; 200
village nodes are added to it and enrolled over HTTP, each with its own Ed25519 key.
Each node's pushes are built in advance exactly as a station builds them
(sync.events.seal chains, a signed head per run, gzip body, request signed with an
increasing counter), so the load generator only sends bytes.

Batch size: 20 events a push. A village station registers a few dozen visits on a busy
day and syncs whenever it has a link, so a push carries what was logged since the last
one — typically 10–50 events, not the 200–500 of a backlog drain (bench.sync covers
that). Each node sends 10 such pushes one after another (waiting for each reply, like
the station's push loop), all 200 nodes at once: 40,000 events in 2,000 requests, a
closed loop with 200 requests in flight, so a batch's latency includes its wait in the
hub's queue.

The whole run is made twice: against a hub as it runs in use — HTTPS with its own
certificate (pinned by the load generator, handshakes before the clock starts) and its
database encrypted at rest (SQLCipher, issue #11) — and against the same hub over plain
HTTP on a plain SQLite file (bench/plainhub.py --insecure), so the cost of encryption on
the wire and at rest is printed beside the plain figures.

The same requests (same bodies and headers, same concurrency) are then sent to a bare
echo endpoint on the same server stack (bench.echo: Starlette on uvicorn, reading the
body and answering a small JSON object), in its own process; R = hub events/s ÷ echo
events/s.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.data import VisitFaker
from bench.profiles import summarise
from bench.procs import HubProcess, free_port, spawn_server, stop_process
from sync import wire
from sync.canonical import GENESIS
from sync.events import seal, to_push
from sync.hlc import HybridClock
from sync.hub import admin
from sync.hub.server import open_hub
from sync.ids import uuid7
from sync.keys import SigningKey, head_message, request_message
from sync.tls import pinned_context

PATH = "/v1/push"


@dataclass
class Push:
    body: bytes
    headers: dict[str, str]
    through: int


@dataclass
class Village:
    node_id: str
    pushes: list[Push]


def build_village(node_id: str, token: str, key: SigningKey, faker: VisitFaker,
                  pushes: int, batch: int) -> Village:
    clock = HybridClock(last=0)
    seq, prev, out = 0, GENESIS, []
    authors = [f"u-{node_id[-4:]}-{i}" for i in range(3)]
    for counter in range(1, pushes + 1):
        from_seq, run_prev, events = seq + 1, prev, []
        for _ in range(batch):
            seq += 1
            event = {"id": uuid7(), "origin": node_id, "seq": seq, "hlc": clock.now(),
                     "type": "visit.logged", "v": 1, "record": uuid7(), "kind": "visit",
                     "author": faker.rng.choice(authors), "owner": None,
                     "payload": faker.payload()}
            prev = seal(event, prev)["hash"]
            events.append(event)
        run = {"origin": node_id, "from_seq": from_seq, "prev": run_prev,
               "events": [to_push(e) for e in events],
               "head": {"seq": seq, "hash": prev,
                        "sig": key.sign(head_message(node_id, seq, prev))}}
        body = wire.encode({"runs": [run]})
        headers = {"content-type": "application/json", "content-encoding": "gzip",
                   "authorization": f"Bearer {token}", "x-sanji-node": node_id,
                   "x-sanji-counter": str(counter),
                   "x-sanji-signature": key.sign(request_message("POST", PATH, node_id,
                                                                 counter, body))}
        out.append(Push(body, headers, seq))
    return Village(node_id, out)


def enroll_villages(hub: HubProcess, n: int, pushes: int, batch: int, seed: int
                    ) -> list[Village]:
    store = open_hub(hub.data, "town", key=hub.key)
    try:
        codes = [admin.add_node(store, f"第{i + 1}村", "village") for i in range(n)]
    finally:
        store.close()
    hub.start()
    faker = VisitFaker(seed)
    villages = []
    with hub.http(admin_view=False) as client:
        for node_id, code in codes:
            key = SigningKey.generate()
            reply = client.post("/v1/enroll", json={"code": code, "pubkey": key.public_b64})
            reply.raise_for_status()
            assert reply.json()["node_id"] == node_id
            villages.append(build_village(node_id, reply.json()["token"], key, faker,
                                          pushes, batch))
    return villages


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   request: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a kept-alive connection; returns (status, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def http_request(host: str, push: Push) -> bytes:
    headers = {"host": host, "content-length": str(len(push.body)), **push.headers}
    return (f"POST {PATH} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n").encode("latin-1") + push.body


async def drive(port: int, villages: list[Village], check: bool,
                tls: ssl.SSLContext | None = None) -> tuple[float, list[float]]:
    """All villages push at once, each its pushes in order on its own kept-alive
    connection (a minimal HTTP/1.1 client over asyncio streams, so the load generator
    costs little; over TLS with `tls`, handshakes done before the clock starts);
    returns (seconds, latency of each push)."""
    latencies: list[float] = []
    host = f"127.0.0.1:{port}"
    conns = [await asyncio.open_connection("127.0.0.1", port, ssl=tls) for _ in villages]
    requests = [[http_request(host, p) for p in v.pushes] for v in villages]

    async def village(v: Village, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                      raw: list[bytes]) -> None:
        for push, request in zip(v.pushes, raw):
            sent = time.perf_counter()
            status, body = await exchange(*conn, request)
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                raise RuntimeError(f"push refused: {status} {body[:300]!r}")
            if check and orjson.loads(body)["accepted"].get(v.node_id) != push.through:
                raise RuntimeError(f"hub acknowledged {body!r}, not {push.through}")

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(village(v, c, r) for v, c, r in zip(villages, conns, requests)))
    seconds = time.perf_counter() - started
    print(f"  (load generator CPU {time.process_time() - cpu:.2f} s of {seconds:.2f} s)")
    for _, writer in conns:
        writer.close()
    return seconds, latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure_hub(args: argparse.Namespace, root: Path, plain: bool, spy: Path | None
                ) -> dict:
    """Enroll the villages at a new hub — as in use (HTTPS, SQLCipher store), or plain
    (HTTP, plain SQLite file: bench/plainhub.py) — and drive their pushes; returns the
    figures and the villages (for the echo run)."""
    hub = HubProcess(root / "town", "town", spy=spy, plain=plain, insecure=plain)
    try:
        hub.init("新集镇")
        started = time.perf_counter()
        villages = enroll_villages(hub, args.nodes, args.pushes, args.batch, args.seed)
        events = args.nodes * args.pushes * args.batch
        body = sum(len(p.body) for v in villages for p in v.pushes) / events
        print(f"set-up: {args.nodes} villages enrolled, {events} events in "
              f"{args.nodes * args.pushes} signed pushes of {args.batch} built in "
              f"{time.perf_counter() - started:.1f} s ({body:.0f} B/event gzip body)")
        cpu = hub.cpu_seconds()
        tls = pinned_context(hub.cert) if hub.cert else None
        seconds, latencies = asyncio.run(drive(hub.port, villages, check=True, tls=tls))
        cpu = hub.cpu_seconds() - cpu
        store = hub.open()
        stored = store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        store.close()
        if stored != events:
            raise RuntimeError(f"hub stored {stored} of {events} events")
        print(f"pushes: {len(latencies)} in {seconds:.2f} s, latency median "
              f"{1000 * sorted(latencies)[len(latencies) // 2]:.0f} ms, max "
              f"{1000 * max(latencies):.0f} ms; all {stored} events stored; hub CPU "
              f"{cpu:.2f} s ({1e6 * cpu / events:.0f} µs/event)")
    finally:
        hub.stop()
    return {"rate": events / seconds, "p95": p95(latencies), "cpu_us": 1e6 * cpu / events,
            "villages": villages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20, help="events per push")
    parser.add_argument("--pushes", type=int, default=10, help="pushes per node")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--profile", type=Path, default=None,
                        help="run the hub under py-spy (pip install py-spy) and write and "
                             "summarise its profile here")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="sanji-bench-hub-"))
    spy = None
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        spy = args.profile / "hub.txt"
    echo_port = free_port()
    echo = None
    try:
        results = {}
        for label, plain in (("encrypted", False), ("plain", True)):
            print(f"--- {label}: " + ("HTTP, plain SQLite file" if plain else
                                      "HTTPS (TLS 1.3, pinned certificate), SQLCipher store"))
            results[label] = measure_hub(args, root / label, plain,
                                         spy if not plain else None)
        villages = results["encrypted"]["villages"]
        events = args.nodes * args.pushes * args.batch
        echo = spawn_server([sys.executable, "-m", "bench.echo", "--port", str(echo_port)],
                            f"http://127.0.0.1:{echo_port}", root / "echo.log")
        echo_s, echo_lat = asyncio.run(drive(echo_port, villages, check=False))
        echo_rate = events / echo_s
        print(f"echo: {len(echo_lat)} requests in {echo_s:.2f} s ({echo_rate:,.0f} events/s "
              f"equivalent), p95 {1000 * p95(echo_lat):.0f} ms")
        for label in ("encrypted", "plain"):
            rate, lat = results[label]["rate"], results[label]["p95"]
            print(f"hub ({'HTTPS + SQLCipher' if label == 'encrypted' else 'HTTP + plain file'}): {rate:,.0f} events/s, p95 {1000 * lat:.0f} ms per "
                  f"batch, ratio {rate / echo_rate:.2f} to a bare echo endpoint")
        enc, plain_rate = results["encrypted"]["rate"], results["plain"]["rate"]
        print(f"encryption on the wire and at rest: {enc:,.0f} against {plain_rate:,.0f} events/s in the same "
              f"run ({enc / plain_rate:.2f}×); hub CPU {results['encrypted']['cpu_us']:.0f} "
              f"against {results['plain']['cpu_us']:.0f} µs/event")
    finally:
        stop_process(echo)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"(kept {root})")
    if spy is not None and spy.exists():
        print(summarise(spy, 30))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
