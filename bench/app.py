"""Station app benchmark (issue #3 §5): ``python -m bench.app``.

Prints three figures, each measured on the real code path:

1. cold start to first drawn frame: a fresh ``python -m bench.app_child`` process runs
   ``app.ui.main.run_app`` offscreen (SDL_VIDEODRIVER=offscreen, KIVY_NO_ARGS=1) on the
   seeded 100,000-case station folder. The station is enrolled (identity written with
   Store.set_identity: kind village, short code XJ001, as enrollment leaves it) and nobody
   is signed in, so the app opens at the sign-in screen, as it does every morning. The
   figure is from just before the process is spawned to the return of the first
   ``Window.flip()`` that shows the app's root widget (CLOCK_MONOTONIC is system-wide on
   Linux, so the two processes' clocks compare). Then the first cadre's 密码 is entered:
   the keyring's Argon2id unwraps the database key, the encrypted store opens and the
   home screen is drawn (issue #11); "start" is up to that frame, the unlock included. Background sync is off (it would start
   3 s later anyway). One unmeasured start first (a persistent KIVY_HOME under bench-out/
   gets its config written, as on a tablet after its first day), then the median of
   --starts runs (7), with the child's CPU seconds, which other load on the machine
   disturbs less than wall time. Also shown: an empty station, for comparison.
2. intake save latency: ``Desk.intake`` (validation, receipt counter, one svc.accepted
   event through the store with the case projection and its full-text row, in the same
   transaction) on a copy of the 100,000-case store, 200 saves, each timed as a whole.
   The store runs WAL with synchronous=FULL, so each save includes its commits' fsyncs
   (two: the receipt counter, then the event) on whatever disk bench-out/ lives on.
3. ledger search: ``ledger(conn, LedgerFilter(text=q, limit=201))`` exactly as the 台账
   screen calls it (it asks for 200 + 1 rows), 200 realistic queries over 100,000 cases:
   applicants' full names and two-character names, matter words, receipt numbers and
   fragments, village names. 10 unmeasured queries warm the page cache first.

The 100,000 cases are seeded through the real write path: svc.accepted payloads built by
app.domain.accepted_payload, appended with Store.append_many in batches (envelope and
schema check, hash chain, projections in the same transaction), over four years of
working days, from 24 catalog matters weighted as a village sees them (社保, 医保, 低保
first), with names, ID numbers (valid check digit), phones, groups and colloquial
summaries. Every seeded case is at 受理 (one event each); later steps are not seeded.
The seeded folder is cached under bench-out/app/ (gitignored); --fresh rebuilds it.
--profile save|search|start prints a cProfile of that phase.

The station is encrypted as every station is (SQLCipher; its key wrapped by the cadres'
密码, app/keyring.py). Save and search are also measured on a plain (unencrypted)
export of the same store in the same run, and the key derivation alone, so the cost of
encryption at rest is printed beside the plain figures.

Last line: ``app: start <s> s, save p95 <ms> ms, search p95 <ms> ms at 100000 cases``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.app_measures import (
    bare_commits, cold_starts, describe_starts, intake_saves, kdf_seconds, pct, searches,
    summary_ms)
from bench.app_seed import (
    OUT, SHOWN, copy_station, ensure_seeded, make_station, open_plain, open_seeded, plain_copy)


def main(argv: list[str] | None = None) -> int:
    from app.accounts import list_cadres
    parser = argparse.ArgumentParser(prog="python -m bench.app", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached seeded store")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--starts", type=int, default=7, help="measured cold starts (median)")
    parser.add_argument("--profile", choices=("save", "search", "start"), action="append",
                        default=[],
                        help="print a cProfile of that phase to stderr")
    args = parser.parse_args(argv)
    n = args.cases

    data, seed_line = ensure_seeded(n, args.fresh)
    print(seed_line, flush=True)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          "(other processes share it: the start figure is the most sensitive)", flush=True)

    kdf = kdf_seconds()
    print(f"unlock: Argon2id (64 MiB, 3 passes, 4 lanes: app/keyring.py) derives a 密码's key in "
          f"{statistics.median(kdf):.3f} s median of {len(kdf)}", flush=True)
    times, by_kind, slow = searches(open_seeded(data), args.searches, "search" in args.profile)
    search_p95 = pct(times, 95) * 1000
    print(f"search: {len(times)} ledger searches over {n:,} cases (台账, {SHOWN} rows max): "
          f"{summary_ms(times)}", flush=True)
    for kind, values in by_kind.items():
        print(f"  {kind:<12} n={len(values):<3} {summary_ms(values)}")
    print("  slowest: " + "; ".join(f"{q!r} {dt * 1000:.0f} ms ({rows} rows)"
                                   for dt, q, rows in slow))

    scratch = copy_station(data, OUT / "save-scratch")
    plain = plain_copy(data, OUT / "plain-scratch")
    try:
        station = open_seeded(scratch)
        key = station.key
        officer = list_cadres(scratch)[0]
        saves = intake_saves(station, officer, args.saves, "save" in args.profile)
        commits = bare_commits(scratch, key)
        plain_times, _, _ = searches(open_plain(plain), args.searches, False)
        plain_saves = intake_saves(open_plain(plain), officer, args.saves, False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(plain, ignore_errors=True)
    save_p95 = pct(saves, 95) * 1000
    print(f"save: {len(saves)} Desk.intake saves on a copy of the {n:,}-case store "
          f"(synchronous=FULL, 2 commits each): {summary_ms(saves)}", flush=True)
    print(f"  for scale, a bare one-row commit on the same disk: {summary_ms(commits)}")
    print(f"encryption at rest: search p95 {search_p95:.1f} ms against {pct(plain_times, 95) * 1000:.1f}"
          f" ms on a plain export of the same store; save p95 {save_p95:.1f} ms against "
          f"{pct(plain_saves, 95) * 1000:.1f} ms", flush=True)

    start, start_line = describe_starts(f"start ({n:,}-case station)",
                                        cold_starts(data, args.starts,
                                                    "start" in args.profile))
    print(start_line, flush=True)
    empty = make_station(Path(tempfile.mkdtemp(prefix="sanji-bench-empty-")) / "station")
    try:
        _, empty_line = describe_starts("start (empty enrolled station)",
                                        cold_starts(empty, max(1, args.starts // 2)))
    finally:
        shutil.rmtree(empty.parent, ignore_errors=True)
    print(empty_line, flush=True)

    targets = [("start", start, 2.5, "s"), ("save p95", save_p95, 30, "ms"),
               ("search p95", search_p95, 50, "ms")]
    print("targets: " + ", ".join(f"{name} {value:.2f} {unit} {'≤' if value <= limit else '>'} "
                                  f"{limit} {'ok' if value <= limit else 'MISSED'}"
                                  for name, value, limit, unit in targets))
    print(f"app: start {start:.2f} s, save p95 {save_p95:.1f} ms, search p95 {search_p95:.1f} ms "
          f"at {n} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
