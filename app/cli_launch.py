"""`sanji up`, `sanji app`, `sanji demo`: the demo township's hubs, the station app and
the seeded demo data (app.launch, app.ui)."""
from __future__ import annotations

import argparse
import sys


def up(args: argparse.Namespace) -> int:
    from app.launch.hubs import COUNTY_PORT, TOWN_PORT
    from app.launch.up import run_up
    return run_up(args.data, with_app=not args.no_app,
                  ports=(args.county_port or COUNTY_PORT, args.town_port or TOWN_PORT))


def run_station_app(args: argparse.Namespace) -> int:
    from app.datadir import refuse_hub
    refuse_hub(args.data)
    from app.ui.main import run_app  # Kivy only now (app.ui keeps it off sanji's arguments)
    run_app(args.data, sync_minutes=args.sync_minutes)
    return 0


def demo(args: argparse.Namespace) -> int:
    from datetime import date

    from app.launch.demo import DemoError, describe, run_demo
    from app.launch.hubs import COUNTY_PORT, TOWN_PORT
    try:
        today = date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print("错误：--today 的日期格式应为 YYYY-MM-DD，例如 2026-11-27", file=sys.stderr)
        return 2
    try:
        summary = run_demo(args.data, args.county_port or COUNTY_PORT,
                           args.town_port or TOWN_PORT, today, say=print)
    except DemoError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(describe(summary))
    return 0
