"""The `sanji` command. Each subcommand is a thin wrapper over sync/ or the app.

    sanji hub --level town|county --data DIR --port N [--host H] [--upstream URL]
    sanji node add|list|revoke --data DIR ...
    sanji enroll --data DIR --hub URL --code CODE
    sanji sync --data DIR
    sanji up [--data DIR]          a county hub, a town hub and an enrolled station
    sanji demo [--data DIR]        seed a realistic township into that data dir (once)
    sanji app --data DIR           the station app (village, town or county, by enrollment)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sync.errors import SyncError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SyncError as exc:
        print(f"错误：{getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sanji", description="三级联动：村—镇—县 基层治理系统")
    sub = parser.add_subparsers(dest="command", required=True)

    hub = sub.add_parser("hub", help="运行镇或县的同步服务器")
    hub.add_argument("--level", choices=["town", "county"], required=True)
    hub.add_argument("--data", type=Path, required=True)
    hub.add_argument("--port", type=int, required=True)
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--name", default=None)
    hub.add_argument("--upstream", default=None, help="上级服务器地址（需先 sanji enroll 登记）")
    hub.add_argument("--interval", type=float, default=60.0, help="向上级同步的间隔秒数")
    hub.set_defaults(run=_hub)

    node = sub.add_parser("node", help="管理下级节点（在服务器上运行）")
    node_sub = node.add_subparsers(dest="node_command", required=True)
    add = node_sub.add_parser("add", help="新建下级节点并打印一次性登记码")
    add.add_argument("--data", type=Path, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--kind", choices=["village", "town", "county"], required=True)
    add.add_argument("--role", action="append", default=[], help="角色，例如 discipline")
    add.set_defaults(run=_node_add)
    lst = node_sub.add_parser("list", help="列出下级节点")
    lst.add_argument("--data", type=Path, required=True)
    lst.set_defaults(run=_node_list)
    rev = node_sub.add_parser("revoke", help="注销一个节点的登记")
    rev.add_argument("id")
    rev.add_argument("--data", type=Path, required=True)
    rev.set_defaults(run=_node_revoke)

    enroll = sub.add_parser("enroll", help="用登记码把本机（或镇服务器）登记到上级")
    enroll.add_argument("--data", type=Path, required=True)
    enroll.add_argument("--hub", required=True)
    enroll.add_argument("--code", required=True)
    enroll.set_defaults(run=_enroll)

    sync = sub.add_parser("sync", help="立即同步一轮（先上传后下载）")
    sync.add_argument("--data", type=Path, required=True)
    sync.set_defaults(run=_sync)

    up = sub.add_parser("up", help="在本机启动县、镇服务器和一个村服务站（演示）")
    up.add_argument("--data", type=Path, default=Path("sanji-data"))
    up.add_argument("--no-app", action="store_true", help="只启动服务器和同步，不打开界面")
    up.set_defaults(run=_up)

    ui = sub.add_parser("app", help="打开便民服务界面（村服务站、镇便民服务中心或县直部门窗口）")
    ui.add_argument("--data", type=Path, required=True, help="本机的数据目录")
    ui.add_argument("--sync-minutes", type=float, default=10.0,
                    help="有网络时每隔几分钟自动同步一次（0：只在点“同步”时同步）")
    ui.set_defaults(run=_app)

    demo = sub.add_parser("demo", help="在 sanji up 的数据目录里生成演示乡镇（再次运行不会重复添加）")
    demo.add_argument("--data", type=Path, default=Path("sanji-data"))
    demo.add_argument("--county-port", type=int, default=None, help="县服务器端口（默认 8731）")
    demo.add_argument("--town-port", type=int, default=None, help="镇服务器端口（默认 8732）")
    demo.add_argument("--today", default=None, help="以哪一天为“今天”生成（YYYY-MM-DD，默认今天）")
    demo.set_defaults(run=_demo)
    return parser


def _is_hub_dir(data: Path) -> bool:
    return (data / "hub.sqlite").exists()


def _hub(args: argparse.Namespace) -> int:
    from sync.hub.server import open_hub, serve
    if args.upstream:
        hub = open_hub(args.data, args.level, args.name)
        upstream = json.loads(hub.meta.get("upstream") or "{}")
        if not upstream:
            print("错误：这个镇服务器还没有登记到县里：请先运行 sanji enroll --data 目录 "
                  "--hub 县服务器地址 --code 登记码", file=sys.stderr)
            return 2
        if upstream["url"] != args.upstream:
            from sync.db import transaction
            with transaction(hub.conn):
                hub.meta.set("upstream", json.dumps({**upstream, "url": args.upstream},
                                                    ensure_ascii=False))
        hub.close()
    from app.hubext import extension  # the public receipt-status page (issue #3 §3)
    serve(args.data, args.level, args.port, args.host, args.name, args.interval,
          extension=extension())
    return 0


def _node_add(args: argparse.Namespace) -> int:
    from sync.hub import admin
    from sync.hub.server import open_hub
    hub = open_hub(args.data)
    if not hub.meta.get("hub_id"):
        print("错误：这个目录还不是服务器数据目录：请先用 sanji hub 启动一次。", file=sys.stderr)
        return 2
    node_id, code = admin.add_node(hub, args.name, args.kind, tuple(args.role))
    print(f"节点编号 {node_id}")
    print(f"登记码 {code}（只能用一次，7天内有效）")
    return 0


def _node_list(args: argparse.Namespace) -> int:
    from sync.hub import admin
    from sync.hub.server import open_hub
    for node in admin.list_nodes(open_hub(args.data)):
        state = "已注销" if node["revoked"] else ("已登记" if node["enrolled_at"] else "待登记")
        where = "直属" if node["direct"] else "下级"
        print(f"{node['id']}  {node['kind']:8} {where} {state}  {node['name']}")
    return 0


def _node_revoke(args: argparse.Namespace) -> int:
    from sync.hub import admin
    from sync.hub.server import open_hub
    admin.revoke(open_hub(args.data), args.id)
    print(f"已注销 {args.id}")
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from sync.client import HubClient
    from sync.enroll import enroll_hub
    if _is_hub_dir(args.data):
        from sync.hub.server import open_hub
        with HubClient(args.hub) as client:
            upstream = enroll_hub(open_hub(args.data), client, args.code)
        print(f"已登记到上级 {upstream['parent']['name']}（{upstream['parent']['hub_id']}）")
        return 0
    from app.station import open_station
    station = open_station(args.data)
    ident = station.enroll(args.hub, args.code)
    print(f"已登记：本机编号 {ident['node_id']}，{ident['name']}，上级 {ident['hub']['name']}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from app.station import open_station
    result = open_station(args.data).sync_once()
    print(result.summary())
    return 0 if result.ok else 1


def _up(args: argparse.Namespace) -> int:
    from app.local_system import run_up
    return run_up(args.data, with_app=not args.no_app)


def _app(args: argparse.Namespace) -> int:
    from app.ui.main import run_app  # Kivy only now (app.ui keeps it off sanji's arguments)
    run_app(args.data, sync_minutes=args.sync_minutes)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from datetime import date

    from app.demo import DemoError, describe, run_demo
    from app.local_system import COUNTY_PORT, TOWN_PORT
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


if __name__ == "__main__":
    sys.exit(main())
