"""`sanji cadre add|list`: cadres on a station's tablet, set up by whoever installs it.

The settings role (app.accounts: 设置权限, e.g. the 便民服务中心主任) is given here by the
person with the tablet's data directory in hand (the first cadre of a town or county
tablet holds it anyway), and after that by a holder in the app (镇里设置 → 设置权限), never
through the open 添加干部 form.

    sanji cadre add --data DIR --name 张敏 --post 便民服务中心主任 --pin 258046 [--role settings]
                    [--cadre 已有的干部] [--json]
    sanji cadre list --data DIR [--cadre 已有的干部] [--json]

The station's data is encrypted: a station that has cadres already is opened with one of
their 密码 (typed at the prompt, or SANJI_PIN for scripts; --cadre says whose), and only a
cadre who holds the settings role can give it to a new one. A directory that is not an
enrolled station is refused and left as it was (app.datadir).
"""
from __future__ import annotations

import argparse
import json
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
    add.add_argument("--cadre", default=None,
                     help="用哪位已有干部的密码打开本机（本机只有一位干部时可省略）")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=_add)
    lst = cadre_sub.add_parser("list", help="列出本机的干部和权限")
    lst.add_argument("--data", type=Path, required=True)
    lst.add_argument("--cadre", default=None,
                     help="用哪位干部的密码打开本机（本机只有一位干部时可省略）")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(run=_list)


def _station(args: argparse.Namespace):
    """(the enrolled station of ``args.data``, opened with a cadre's 密码 — none before the
    first cadre —, the id of that cadre or None); app.datadir.DataDirError (the command
    says what to do, nothing created) for a directory that is no station."""
    from app.cli import _open_station_for
    from app.datadir import DataDirError, require_station
    from app.keyring import Keyring
    require_station(args.data)
    keyring = Keyring.of(args.data)
    holders = keyring.holders() if keyring.exists() and keyring.setup_key() is None else []
    station = _open_station_for(args)
    if not station.enrolled:
        station.close()
        raise DataDirError(f"{args.data} 还没有登记：请先用 sanji enroll 登记本机。")
    opener = next((h.id for h in holders if args.cadre in (h.name, h.id)), None) \
        if args.cadre else (holders[0].id if len(holders) == 1 else None)
    return station, opener


def _card(cadre) -> dict:
    return {"name": cadre.name, "post": cadre.post, "roles": sorted(cadre.roles)}


def _add(args: argparse.Namespace) -> int:
    from app.accounts import SETTINGS_ROLE, AccountError, add_cadre, cadre_roles
    station, opener = _station(args)
    try:
        if args.role and opener is not None and \
                SETTINGS_ROLE not in cadre_roles(station.store, opener):
            raise AccountError("只有有设置权限的干部才能给别人开通设置权限：请用这样一位干部的密码"
                               "打开本机（--cadre 姓名）。")
        cadre = add_cadre(station.store, args.name, args.post, args.pin, roles=tuple(args.role))
    except AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"ok": False, "error": {"code": "bad_cadre", "message": str(exc)}},
                             ensure_ascii=False))
        return 2
    finally:
        station.close()
    if args.json:
        print(json.dumps({"ok": True, "cadre": _card(cadre)}, ensure_ascii=False))
    else:
        print(f"已添加干部 {cadre.name}（{cadre.post}）" + ("，有设置权限" if cadre.roles else ""))
    return 0


def _list(args: argparse.Namespace) -> int:
    from app.accounts import ROLE_NAMES, list_cadres
    station, _opener = _station(args)
    try:
        cadres = list_cadres(station.store)
    finally:
        station.close()
    if args.json:
        print(json.dumps({"ok": True, "cadres": [_card(c) for c in cadres]}, ensure_ascii=False))
        return 0
    for cadre in cadres:
        roles = "、".join(ROLE_NAMES[r][:4] for r in sorted(cadre.roles))
        print(f"{cadre.name}  {cadre.post}" + (f"  [{roles}]" if roles else ""))
    return 0
