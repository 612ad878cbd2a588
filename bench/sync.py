"""End-to-end sync benchmark: village station → town hub → county hub (issue #2 §6).

Run twice in one go: as in use — HTTPS between the nodes (each hub's own certificate,
pinned by its clients) and the stores encrypted at rest (SQLCipher on the station and
both hubs), issue #11 — then over plain HTTP with plain SQLite files (bench/plainhub.py
--insecure), and the cost of encryption printed last. Bytes on the wire are TLS records
in the first run (handshakes included).

    python -m bench.sync [--events 20000] [--interval 1] [--link-kbps K] [--profile DIR]

Set-up (not timed): a county hub and a town hub run as real uvicorn processes on
127.0.0.1 (bench.procs.HubProcess); the town is enrolled with the county, a station
with the town; the station's store receives N realistic visit.logged events
(bench.data: ~465 B of canonical payload JSON, ~600 B in the push form) through
Store.append_many in chunks of 1,000. Each hop goes through a byte-counting TCP proxy
in its own process (bench.linkproxy), which is how bytes on the wire are measured:
every byte of every request and response (HTTP headers included) on both hops, the
town's relay pulls from the county included.

Timed: the station's real push loop (sync.session.Syncer.push_all, adaptive batches)
to the town; the town relays on demand (each stored push pokes its relay thread), so
the second hop overlaps the first. The clock stops when the county's SQLite file holds
all N events of the station's origin.

R compares E with inserting the same N events (pre-serialised rows) into a bare SQLite
table (no index, no constraint) in one transaction, same pragmas (WAL,
synchronous=FULL), measured in the same run (median of three).

With --link-kbps K the station–town proxy is limited to K kbit/s each way; the drain
time is then reported as a multiple of (bytes on that link / bandwidth), the time an
ideal protocol would need to move the same bytes.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sqlite3
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from bench.data import VisitFaker
from bench.procs import HubProcess, LinkProcess
from bench.profiles import summarise
from sync import log
from sync.client import HubClient
from sync.db import connect
from sync.enroll import enroll_hub, enroll_station
from sync.events import to_push
from sync.ids import uuid7
from sync.session import Syncer, credentials_for
from sync.store import NewEvent, Store

CHUNK = 1000


def fill(station: Store, n: int, seed: int) -> None:
    faker = VisitFaker(seed)
    authors = [f"u-{i:04d}" for i in range(12)]
    for start in range(0, n, CHUNK):
        station.append_many([
            NewEvent("visit.logged", uuid7(), faker.payload(), faker.rng.choice(authors))
            for _ in range(min(CHUNK, n - start))])


def raw_insert_rate(station: Store, root: Path) -> float:
    rows = station.conn.execute(
        "SELECT id, origin, seq, hlc, type, v, record, kind, author, owner, payload, prev,"
        " hash FROM events ORDER BY rseq").fetchall()
    rates = []
    for attempt in range(3):
        path = root / f"raw-{attempt}.sqlite"
        conn = connect(path)
        conn.execute("CREATE TABLE bare(id TEXT, origin TEXT, seq INTEGER, hlc INTEGER,"
                     " type TEXT, v INTEGER, record TEXT, kind TEXT, author TEXT, owner TEXT,"
                     " payload TEXT, prev TEXT, hash TEXT)")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO bare VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        rates.append(len(rows) / (time.perf_counter() - started))
        conn.close()
    return statistics.median(rates)


def held(conn: sqlite3.Connection, origin: str) -> int:
    row = conn.execute("SELECT MAX(seq) FROM events WHERE origin=?", (origin,)).fetchone()
    return int(row[0] or 0)


def measure(args: argparse.Namespace, encrypted: bool) -> dict[str, float]:
    """One whole run (hubs, station, push, relay) with encrypted stores or plain ones."""
    n = args.events
    spy = (lambda name: args.profile / f"{name}.txt") if args.profile and encrypted \
        else (lambda name: None)
    root = Path(tempfile.mkdtemp(prefix="sanji-bench-sync-"))
    print("--- " + ("as in use: HTTPS (pinned certificates) and SQLCipher stores" if encrypted
                    else "plain: HTTP (--insecure) and plain SQLite files"))
    figures: dict[str, float] = {}
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    county = HubProcess(root / "county", "county", interval=args.interval, spy=spy("county"),
                        plain=not encrypted, insecure=not encrypted)
    town = HubProcess(root / "town", "town", interval=args.interval, spy=spy("town"),
                      plain=not encrypted, insecure=not encrypted)
    scheme = "https" if encrypted else "http"
    links: list[LinkProcess] = []
    station: Store | None = None
    try:
        county.init("县")
        county.start()
        up_link = LinkProcess(county.port, scheme=scheme)
        links.append(up_link)
        town.init("新集镇")
        _, code = county.add_node("新集镇", "town")
        hub, client = town.open(), HubClient(county.url)
        enroll_hub(hub, client, code)
        client.close()
        hub.close()
        town.upstream = up_link.url
        town.start()
        down_link = LinkProcess(town.port, kbps=args.link_kbps, scheme=scheme)
        links.append(down_link)

        # The station's store as a tablet opens it (app.station.open_station: a random
        # key), or a plain file for the baseline.
        station = Store(root / "station.sqlite", key=secrets.token_bytes(32) if encrypted
                        else None)
        _, code = town.add_node("王湾村", "village")
        client = HubClient(town.url)
        enroll_station(station, client, code)
        client.close()
        origin = station.node_id or ""

        started = time.perf_counter()
        fill(station, n, args.seed)
        fill_s = time.perf_counter() - started
        sample = log.run(station.conn, origin, 0, 1000)
        payload_bytes = statistics.mean(len(e["payload_json"].encode()) for e in sample)
        push_bytes = statistics.mean(len(orjson.dumps(to_push(e))) for e in sample)
        figures["fill"] = n / fill_s
        print(f"set-up: {n} visit.logged events appended in {fill_s:.1f} s "
              f"({n / fill_s:,.0f}/s); JSON per event: payload {payload_bytes:.0f} B, "
              f"push form {push_bytes:.0f} B")
        raw_rate = raw_insert_rate(station, root)
        print(f"raw insert: {raw_rate:,.0f} events/s (bare table, one transaction)")

        county_db = county.db()
        deadline = time.monotonic() + 60   # the relay tells the county about the station
        while not county_db.execute("SELECT 1 FROM nodes WHERE id=?", (origin,)).fetchone():
            if time.monotonic() > deadline:
                raise RuntimeError("the town never told the county about the station")
            time.sleep(0.05)
        for link in links:
            link.reset()
        push_client = HubClient(down_link.url, credentials_for(station), timeout=120)
        syncer = Syncer(station, push_client)
        profiler = cProfile.Profile() if args.profile and encrypted else None
        cpu = {"station": time.process_time(), "town": town.cpu_seconds(),
               "county": county.cpu_seconds()}
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        pushed = syncer.push_all()
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile / "station.prof")
        pushed_s = time.perf_counter() - started
        at_push_end = held(county_db, origin)
        deadline = time.monotonic() + max(120.0, n / 50)
        while held(county_db, origin) < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"county holds {held(county_db, origin)} of {n} events; "
                                   f"town log:\n{town.log_text()[-3000:]}")
            time.sleep(0.005)
        total_s = time.perf_counter() - started
        cpu = {"station": time.process_time() - cpu["station"],
               "town": town.cpu_seconds() - cpu["town"],
               "county": county.cpu_seconds() - cpu["county"]}
        push_client.close()
        county_db.close()
        assert pushed == n, (pushed, n)

        time.sleep(0.3)   # the relay's trailing pull finishes; its bytes are counted too
        hop1, hop2 = down_link.stats(), up_link.stats()
        b1 = hop1["bytes_up"] + hop1["bytes_down"]
        b2 = hop2["bytes_up"] + hop2["bytes_down"]
        rate = n / total_s
        figures["rate"] = rate
        per_event = (b1 + b2) / n
        figures["bytes"] = b1 / n             # the village link (station–town)
        print(f"station pushed {n} in {pushed_s:.2f} s ({n / pushed_s:,.0f}/s, "
              f"{push_client.stats.requests} requests); county then held {at_push_end} "
              f"({100 * at_push_end / n:.0f}%: the relay overlaps the push)")
        print("cpu: " + ", ".join(f"{name} {seconds:.2f} s ({1e6 * seconds / n:.0f} µs/event)"
                                  for name, seconds in cpu.items())
              + f" in {total_s:.2f} s wall")
        print(f"wire: station–town {b1 / n:.1f} B/event (up {hop1['bytes_up']:,} B, down "
              f"{hop1['bytes_down']:,} B) + town–county {b2 / n:.1f} B/event (up "
              f"{hop2['bytes_up']:,} B, down {hop2['bytes_down']:,} B) = {per_event:.1f} "
              f"B/event over both hops")
        if args.link_kbps:
            bandwidth = args.link_kbps * 1000 / 8          # bytes per second each way
            ideal = b1 / bandwidth
            ideal_up = hop1["bytes_up"] / bandwidth
            print(f"sync: {rate:,.0f} events/s end-to-end, {per_event:.0f} bytes/event on the "
                  f"wire, ratio {rate / raw_rate:.3f} to raw insert")
            print(f"link: drained {n} events over {args.link_kbps:g} kbit/s in {total_s:.1f} s;"
                  f" wire time {ideal:.1f} s ({b1:,} B / {bandwidth:,.0f} B/s); upstream alone"
                  f" {ideal_up:.1f} s, {total_s / ideal_up:.2f}×")
            print(f"link: {total_s / ideal:.2f}× (bytes on the wire / bandwidth), "
                  f"{total_s:.0f} s for {n} events at {args.link_kbps:g} kbit/s")
        else:
            print(f"sync: {rate:,.0f} events/s end-to-end, {per_event:.0f} bytes/event on the "
                  f"wire, ratio {rate / raw_rate:.3f} to raw insert")
    finally:
        if station is not None:
            station.close()
        for link in links:
            link.stop()
        town.stop()
        county.stop()
        if args.keep or args.profile:
            print(f"(kept {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--interval", type=float, default=1.0,
                        help="town relay schedule in seconds; it is also poked after each "
                             "stored push, so this only paces its idle polling")
    parser.add_argument("--link-kbps", type=float, default=None,
                        help="limit the station–town link to this many kbit/s each way")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--profile", type=Path, default=None,
                        help="profile the station push (cProfile) and both hubs (py-spy, "
                             "pip install py-spy) and write the profiles here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    encrypted = measure(args, encrypted=True)
    plain = measure(args, encrypted=False)
    print(f"encryption on the wire and at rest (HTTPS + SQLCipher stores on the station and "
          f"both hubs): {encrypted['rate']:,.0f} events/s end-to-end against "
          f"{plain['rate']:,.0f} over HTTP with plain files in the same run "
          f"({encrypted['rate'] / plain['rate']:.2f}×); {encrypted['bytes']:.0f} against "
          f"{plain['bytes']:.0f} bytes/event on the village link "
          f"({encrypted['bytes'] / plain['bytes']:.2f}×); station append "
          f"{encrypted['fill']:,.0f}/s against {plain['fill']:,.0f}/s")
    if args.profile:
        print(f"--- station push (cProfile, {args.profile / 'station.prof'})")
        pstats.Stats(str(args.profile / "station.prof")).sort_stats("tottime").print_stats(20)
        for name in ("town", "county"):
            if (args.profile / f"{name}.txt").exists():
                print(summarise(args.profile / f"{name}.txt", 25, "sync/"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
