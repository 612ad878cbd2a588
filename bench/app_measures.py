"""The measurements of bench.app: cold starts of the app in a child process, intake saves,
ledger searches, bare commits and the key derivation, with their percentiles."""
from __future__ import annotations

import cProfile
import json
import math
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.app_seed import GROUPS, OUT, PIN, ROOT, SHOWN, STATION_NAME, VILLAGES, CaseFaker


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary_ms(values: list[float]) -> str:
    return (f"p50 {pct(values, 50) * 1000:.1f} ms, p95 {pct(values, 95) * 1000:.1f} ms, "
            f"max {max(values) * 1000:.1f} ms")


def kdf_seconds(runs: int = 5) -> list[float]:
    from app.keyring import KDF
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        KDF.derive(PIN, os.urandom(16))
        times.append(time.perf_counter() - t)
    return times


def cold_starts(data: Path, runs: int, profile: bool = False) -> list[dict[str, float]]:
    home = OUT / "kivy-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home), "KIVY_NO_FILELOG": "1",
           "KIVY_NO_CONSOLELOG": "1", "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER",
                                                                        "offscreen"),
           "PYTHONPATH": str(ROOT)}
    results = []
    for i in range(runs + 1):            # the first is a warm-up, not counted
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            report = Path(fh.name)
        prof = OUT / "start.prof"
        cmd = [sys.executable, *(["-m", "cProfile", "-o", str(prof)] if profile and i else []),
               "-m", "bench.app_child", str(data), str(report), PIN]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=120)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        try:
            got = json.loads(report.read_text() or "{}")
        finally:
            report.unlink(missing_ok=True)
        if proc.returncode != 0 or "first_frame" not in got:
            raise RuntimeError("app child failed:\n" + proc.stderr.decode(errors="replace")[-3000:])
        if i:
            results.append({k: v - t0 for k, v in got.items()} | {"exit": wall, "cpu": cpu})
        if profile and i:
            print(f"(start profiled under cProfile, slower; stats in {prof})", file=sys.stderr)
            pstats.Stats(str(prof), stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            break
    return results


def describe_starts(label: str, runs: list[dict[str, float]]) -> tuple[float, str]:
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    unlocked = ", ".join(f"{r['unlocked']:.2f}" for r in runs)
    return med["unlocked"], (
        f"{label}: home drawn after the 密码 {med['unlocked']:.2f} s median of {len(runs)} "
        f"[{unlocked}] — python up {med['main']:.2f}, kivy+window {med['window']:.2f}, app "
        f"imported {med['imported']:.2f}, build() done {med['built']:.2f}, sign-in screen "
        f"drawn {med['first_frame']:.2f}; unlock: Argon2id {med['key'] - med['unlock_start']:.2f}"
        f", encrypted store open {med['store_open'] - med['key']:.2f}, home screen built and "
        f"drawn {med['unlocked'] - med['store_open']:.2f}; the whole process (to exit) used "
        f"{med['cpu']:.2f} s CPU")


def bare_commits(data: Path, key: bytes | None, count: int = 100) -> list[float]:
    """One-row write transactions on the same file and connection settings (WAL,
    synchronous=FULL): what the disk's fsync alone costs a save (it makes two)."""
    from sync.db import connect, transaction
    conn = connect(data / "station.sqlite", key)
    try:
        times = []
        for i in range(count):
            t = time.perf_counter()
            with transaction(conn):
                conn.execute("INSERT INTO meta(key, value) VALUES('bench:commit', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (i,))
            times.append(time.perf_counter() - t)
        return times
    finally:
        conn.close()


def intake_saves(station: Any, officer: Any, count: int, profile: bool) -> list[float]:
    from app.services.desk import Desk, IntakeForm
    try:
        desk = Desk(station)
        rules = desk.rules
        faker = CaseFaker(rules, seed=99)
        forms = []
        for _ in range(count):
            matter = faker.rnd.choices(faker.matters, faker.matter_weights)[0]
            names = [m["name"] for m in matter["materials"]]
            forms.append(IntakeForm(
                name=faker.name(), phone=f"139{faker.rnd.randint(0, 99_999_999):08d}",
                matter_code=matter["code"], summary=faker.summary(matter["code"]),
                sex="女", id_number=faker.id_number(faker.rnd.randint(1950, 2000)),
                group=faker.rnd.choice(GROUPS),
                materials_present=[n for n in names if faker.rnd.random() < 0.8]))
        desk.intake(officer, forms[0])   # warm the rules cache and statement cache
        times = []
        prof = cProfile.Profile() if profile else None
        for form in forms:
            if prof:
                prof.enable()
            t = time.perf_counter()
            desk.intake(officer, form)
            times.append(time.perf_counter() - t)
            if prof:
                prof.disable()
        if prof:
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return times
    finally:
        station.close()


@dataclass
class Query:
    kind: str
    text: str


def search_queries(conn: Any, count: int) -> list[Query]:
    """Realistic things a cadre types into the 台账 search box."""
    rnd = random.Random(5)
    people = [r[0] for r in conn.execute(
        "SELECT applicant FROM cases ORDER BY random() LIMIT 400") if r[0]]
    receipts = [r[0] for r in conn.execute(
        "SELECT receipt_no FROM cases ORDER BY random() LIMIT 100")]
    words = ("低保", "养老", "医保", "救助", "特困", "党员", "组织关系", "失业", "创业贷款", "社保卡",
             "异地就医", "慢特病", "报销", "生育登记", "奖励扶助", "缴费证明", "新生儿", "临时救助",
             "住院", "糖尿病", "低保复核", "养老金")
    out: list[Query] = []
    for i in range(count):
        r = i % 10
        if r in (0, 1, 2):          # a person's full name, as on their ID card
            out.append(Query("full name", rnd.choice(people)))
        elif r == 3:                # a two-character name (王芳) or surname + first given char
            name = rnd.choice(people)
            out.append(Query("2-char name", name[:2]))
        elif r in (4, 5, 6):
            out.append(Query("matter word", rnd.choice(words)))
        elif r == 7:                # a receipt number, whole or the part people read out
            rec = rnd.choice(receipts)
            out.append(Query("receipt", rnd.choice((rec, rec[6:17], rec[13:17], rec[6:12]))))
        else:
            # the station's own name is on every one of its cases: the broadest search
            out.append(Query("village", rnd.choice((STATION_NAME, *VILLAGES, "李庄", "张楼"))))
    return out


def searches(station: Any, count: int, profile: bool
             ) -> tuple[list[float], dict[str, list[float]], list[tuple[float, str, int]]]:
    from app.services.ledger import LedgerFilter, ledger
    try:
        conn = station.store.conn
        today = date.today()
        queries = search_queries(conn, count)
        for q in queries[:10]:
            ledger(conn, LedgerFilter(text=q.text, limit=SHOWN), today)
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        slow: list[tuple[float, str, int]] = []
        prof = cProfile.Profile() if profile else None
        for q in queries:
            if prof:
                prof.enable()
            t = time.perf_counter()
            rows = ledger(conn, LedgerFilter(text=q.text, limit=SHOWN), today)
            dt = time.perf_counter() - t
            if prof:
                prof.disable()
            times.append(dt)
            by_kind.setdefault(q.kind, []).append(dt)
            slow.append((dt, q.text, len(rows)))
        if prof:
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
        return times, by_kind, sorted(slow, reverse=True)[:5]
    finally:
        station.close()
