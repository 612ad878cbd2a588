"""A hub without encryption at rest, for the benchmarks' baseline only:

    python -m bench.plainhub --level town --data DIR --port N [--upstream URL] [--interval S]

The same server as `sanji hub` (sync.hub.server.serve, the receipt-status extension
included) on an unencrypted database, so bench.sync and bench.hub can print the cost of
encrypted stores next to plain figures measured in the same run. `sanji` itself has no
way to run a hub unencrypted.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.hubext import extension
from sync.hub.server import Listening, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plainhub")
    parser.add_argument("--level", choices=["town", "county"], required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", default=None)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--insecure", action="store_true", help="plain HTTP too")
    args = parser.parse_args(argv)
    if args.upstream:
        from bench.procs import set_upstream_url
        set_upstream_url(args.data, args.upstream, None)
    serve(args.data, args.level, args.port, upstream_interval=args.interval,
          extension=extension(), key=None, listening=Listening(insecure=args.insecure))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
