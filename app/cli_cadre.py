"""`sanji cadre add|list`: cadres on a station's tablet, set up by whoever installs it.

The settings role (app.accounts: 设置权限, e.g. the 便民服务中心主任) can only be given to
the first holder here — by the person with the tablet's data directory in hand — and after
that by a holder in the app (镇里设置 → 设置权限), never through the open 添加干部 form.

    sanji cadre add --data DIR --name 张敏 --post 便民服务中心主任 --pin 2580 [--role settings]
    sanji cadre list --data DIR
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    cadre = sub.add_parser("cadre", help="管理本机的干部名单（在服务站的数据目录上运行）")
    cadre_sub = cadre.add_subparsers(dest="cadre_command", required=True)
    add = cadre_sub.add_parser("add", help="添加干部（可给设置权限）")
    add.add_argument("--data", type=Path, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--post", required=True, help="职务，例如 便民服务中心主任")
    add.add_argument("--pin", required=True, help="4 到 6 位数字密码")
    add.add_argument("--role", action="append", default=[], choices=["settings"],
                     help="settings：可以修改镇里设置（办理时限、节假日、审批村里申请的事项）")
    add.set_defaults(run=_add)
    lst = cadre_sub.add_parser("list", help="列出本机的干部和权限")
    lst.add_argument("--data", type=Path, required=True)
    lst.set_defaults(run=_list)


def _station(data: Path):
    from app.station import open_station
    if not (data / "station.sqlite").exists():
        print(f"错误：{data} 不是服务站的数据目录（没有 station.sqlite），请先登记本机。",
              file=sys.stderr)
        return None
    station = open_station(data)
    if not station.enrolled:
        station.close()
        print("错误：本机还没有登记：请先运行 sanji enroll。", file=sys.stderr)
        return None
    return station


def _add(args: argparse.Namespace) -> int:
    from app.accounts import AccountError, add_cadre
    station = _station(args.data)
    if station is None:
        return 2
    try:
        cadre = add_cadre(station.store, args.name, args.post, args.pin, roles=tuple(args.role))
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        station.close()
    print(f"已添加干部 {cadre.name}（{cadre.post}）" + ("，有设置权限" if cadre.roles else ""))
    return 0


def _list(args: argparse.Namespace) -> int:
    from app.accounts import ROLE_NAMES, list_cadres
    station = _station(args.data)
    if station is None:
        return 2
    try:
        for cadre in list_cadres(station.store):
            roles = "、".join(ROLE_NAMES[r][:4] for r in sorted(cadre.roles))
            print(f"{cadre.name}  {cadre.post}" + (f"  [{roles}]" if roles else ""))
    finally:
        station.close()
    return 0
