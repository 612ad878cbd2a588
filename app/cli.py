"""The `sanji` command. Each subcommand is a thin wrapper over sync/ or the app.

    sanji hub init --level town|county --data DIR --name NAME --key-file KEY   a new hub
    sanji hub --level town|county --data DIR --port N [--host H] [--upstream URL]
              [--backup-dir DIR --backup-hours H --backup-keep N] [--check-minutes M]
    sanji node add|list|revoke|replace --data DIR ... [--json]
    sanji enroll --data DIR --hub URL --code CODE [--station] [--json]
    sanji sync --data DIR [--cadre NAME] [--json]
    sanji backup --data DIR --to FILE          an encrypted copy, while it runs
    sanji restore --from FILE --data DIR       into a new (empty) directory
    sanji up [--data DIR] [--no-app]   a county hub, a town hub and an enrolled station
    sanji demo [--data DIR]            seed a realistic township into that data dir (once)
    sanji app --data DIR               the station app (village, town or county, by enrollment)
    sanji cadre add|list --data DIR    cadres on a station's tablet (app/cli_cadre.py)

A command given the wrong kind of data directory (a station's for `node add`, a new
one for `sync`…) says so and leaves it untouched (app/datadir.py). With --json, the
result (or the error, as {"ok": false, "error": {code, message}}) is one JSON object on
stdout; the Chinese message still goes to stderr.

Keys (issue #11): a hub's database key comes from --key-file, SANJI_HUB_KEY_FILE or
SANJI_HUB_KEY (sync/hub/dbkey.py: never inside the data directory); a station opens
with a cadre's 密码, typed at the prompt or given in SANJI_PIN (for scripts), and
--cadre names the cadre when the station has more than one.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.accounts import AccountError
from app.datadir import DataDirError
from app.keyring import KeyringError
from sync.errors import SyncError

PIN_ENV = "SANJI_PIN"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except DataDirError as exc:
        return _fail(args, "wrong_data_dir", str(exc))
    except (AccountError, KeyringError) as exc:
        return _fail(args, "locked", str(exc))
    except SyncError as exc:
        return _fail(args, str(getattr(exc, "code", "sync_error")),
                     str(getattr(exc, "message", exc)))


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    if getattr(args, "json", False):
        _emit({"ok": False, "error": {"code": code, "message": message}})
    return 2


def _emit(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sanji", description="三级联动：村—镇—县 基层治理系统")
    sub = parser.add_subparsers(dest="command", required=True)

    hub = sub.add_parser("hub", help="新建（init）或运行镇、县的同步服务器")
    hub.add_argument("action", nargs="?", choices=["serve", "init"], default="serve",
                     help="init：新建服务器数据目录（不启动）；serve（默认）：运行服务器")
    hub.add_argument("--level", choices=["town", "county"], required=True)
    hub.add_argument("--data", type=Path, required=True)
    hub.add_argument("--port", type=int, default=None, help="运行时必填")
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--name", default=None, help="镇或县的名称（新建时必填）")
    hub.add_argument("--upstream", default=None, help="上级服务器地址（需先 sanji enroll 登记）")
    hub.add_argument("--interval", type=float, default=60.0, help="向上级同步的间隔秒数")
    hub.add_argument("--json", action="store_true", help="init 的结果以 JSON 输出")
    _key_file_option(hub)
    hub.add_argument("--backup-dir", type=Path, default=None,
                     help="定时备份放在这个目录（在数据目录之外）")
    hub.add_argument("--backup-hours", type=float, default=24.0, help="每隔几小时备份一次")
    hub.add_argument("--backup-keep", type=int, default=7, help="保留最近几份备份")
    hub.add_argument("--check-minutes", type=float, default=60.0,
                     help="每隔几分钟检查一次数据库是否损坏（0：只在启动时检查）")
    # `sanji up` starts its hubs with its own pid, so they stop if it is killed outright.
    hub.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    hub.set_defaults(run=_hub)

    node = sub.add_parser("node", help="管理下级节点（在服务器上运行）")
    node_sub = node.add_subparsers(dest="node_command", required=True)
    add = node_sub.add_parser("add", help="新建下级节点并打印一次性登记码")
    add.add_argument("--data", type=Path, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--kind", choices=["village", "town", "county"], required=True)
    add.add_argument("--role", action="append", default=[], help="角色，例如 discipline")
    add.add_argument("--json", action="store_true")
    _key_file_option(add)
    add.set_defaults(run=_node_add)
    lst = node_sub.add_parser("list", help="列出下级节点")
    lst.add_argument("--data", type=Path, required=True)
    lst.add_argument("--json", action="store_true")
    _key_file_option(lst)
    lst.set_defaults(run=_node_list)
    rev = node_sub.add_parser("revoke", help="注销一个节点的登记")
    rev.add_argument("id")
    rev.add_argument("--data", type=Path, required=True)
    rev.add_argument("--json", action="store_true")
    _key_file_option(rev)
    rev.set_defaults(run=_node_revoke)
    rep = node_sub.add_parser("replace", help="服务站的平板丢了或所有干部都忘了密码：给同一个站点"
                                              "换新设备（旧设备的登记立即作废）")
    rep.add_argument("id")
    rep.add_argument("--data", type=Path, required=True)
    rep.add_argument("--json", action="store_true")
    _key_file_option(rep)
    rep.set_defaults(run=_node_replace)

    enroll = sub.add_parser("enroll", help="用登记码把本机（或镇服务器）登记到上级")
    enroll.add_argument("--data", type=Path, required=True)
    enroll.add_argument("--hub", required=True)
    enroll.add_argument("--code", required=True)
    enroll.add_argument("--station", action="store_true",
                        help="新目录登记为服务站（直接登记到县服务器的县直部门窗口等需要写明）")
    enroll.add_argument("--json", action="store_true")
    _key_file_option(enroll)
    enroll.set_defaults(run=_enroll)

    sync = sub.add_parser("sync", help="立即同步一轮（先上传后下载）")
    sync.add_argument("--data", type=Path, required=True)
    sync.add_argument("--json", action="store_true")
    _cadre_option(sync)
    sync.set_defaults(run=_sync)

    backup = sub.add_parser("backup", help="把服务器或服务站的数据备份成一个加密文件（运行中也可以）")
    backup.add_argument("--data", type=Path, required=True)
    backup.add_argument("--to", type=Path, required=True, help="备份文件（不能已存在）")
    backup.add_argument("--json", action="store_true")
    _key_file_option(backup)
    _cadre_option(backup)
    backup.set_defaults(run=_backup)

    restore = sub.add_parser("restore", help="从备份文件恢复到一个新的（空的）数据目录")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="备份文件")
    restore.add_argument("--data", type=Path, required=True, help="恢复到的数据目录（须为空）")
    restore.add_argument("--json", action="store_true")
    _key_file_option(restore)
    restore.set_defaults(run=_restore)

    up = sub.add_parser("up", help="在本机启动县、镇服务器和一个村服务站（演示）")
    up.add_argument("--data", type=Path, default=Path("sanji-data"))
    up.add_argument("--no-app", action="store_true",
                    help="不打开界面，服务器一直运行到 Ctrl-C 或 SIGTERM")
    up.add_argument("--county-port", type=int, default=None, help="县服务器端口（默认 8731）")
    up.add_argument("--town-port", type=int, default=None, help="镇服务器端口（默认 8732）")
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

    from app.cli_cadre import add_commands as cadre_commands
    cadre_commands(sub)
    return parser


def _key_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key-file", type=Path, default=None,
                        help="服务器数据库密钥文件（放在数据目录之外；也可用环境变量 "
                             "SANJI_HUB_KEY_FILE 或 SANJI_HUB_KEY）")


def _cadre_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cadre", default=None,
                        help="服务站：用哪位干部的密码打开（本机只有一位干部时可省略）")


def _hub_key(args: argparse.Namespace, create: bool = False) -> bytes:
    import os

    from sync.hub.dbkey import resolve
    return resolve(args.data, args.key_file, os.environ, create=create)


def _pin() -> str:
    import getpass
    import os
    if os.environ.get(PIN_ENV):
        return os.environ[PIN_ENV]
    if not sys.stdin.isatty():
        raise AccountError(f"本机数据已加密，需要干部的密码：请在终端里运行并输入密码（脚本里可设环境变量 {PIN_ENV}）。")
    return getpass.getpass("干部的登录密码：")


def _open_station_for(args: argparse.Namespace) -> Any:
    """A station opened with a cadre's 密码 (none needed before its first cadre)."""
    import time

    from app.keyring import Keyring
    from app.station import open_station, unlock_station
    keyring = Keyring.of(args.data)
    if not keyring.exists() or keyring.setup_key() is not None:
        return open_station(args.data)
    return unlock_station(args.data, _pin(), int(time.time() * 1000), args.cadre)


def _hub(args: argparse.Namespace) -> int:
    from app.datadir import is_station
    if is_station(args.data):
        raise DataDirError(f"{args.data} 是服务站的数据目录，不能用作服务器：请换一个目录。")
    if args.action == "init":
        return _hub_init(args)
    if args.port is None:
        return _fail(args, "usage", "运行服务器需要 --port 端口号，例如 --port 8732。")
    from app.datadir import kind_of
    from sync.hub.server import open_hub, serve
    key = _hub_key(args, create=kind_of(args.data) == "new")
    if args.upstream:
        hub = open_hub(args.data, args.level, args.name, key=key)
        upstream = json.loads(hub.meta.get("upstream") or "{}")
        if not upstream:
            hub.close()
            return _fail(args, "not_enrolled", "这个镇服务器还没有登记到县里：请先运行 sanji "
                         f"enroll --data {args.data} --hub 县服务器地址 --code 登记码")
        if upstream["url"] != args.upstream:
            from sync.db import transaction
            with transaction(hub.conn):
                hub.meta.set("upstream", json.dumps({**upstream, "url": args.upstream},
                                                    ensure_ascii=False))
        hub.close()
    if args.parent_pid:
        from app.local_system import exit_with_parent
        exit_with_parent(args.parent_pid)
    from app.hubext import extension  # the public receipt-status page (issue #3 §3)
    from sync.hub.care import Care
    if args.backup_dir is not None:
        from sync.hub.dbkey import check_place
        check_place(args.backup_dir, args.data)
    care = Care(backup_dir=args.backup_dir, backup_every_s=args.backup_hours * 3600,
                keep=args.backup_keep, check_every_s=args.check_minutes * 60)
    serve(args.data, args.level, args.port, args.host, args.name, args.interval,
          extension=extension(), key=key, care=care)
    return 0


def _hub_init(args: argparse.Namespace) -> int:
    """A new hub directory with its identity (id, key, level, name), not yet serving, so
    a town hub can be enrolled with its county before it first runs."""
    from app.datadir import hub_level
    from sync.hub.server import open_hub
    level = hub_level(args.data)
    if level is not None and level != args.level:
        raise DataDirError(f"{args.data} 已经是{_LEVEL[level]}服务器的数据目录，"
                           f"不能改成{_LEVEL[args.level]}。")
    name = (args.name or "").strip()
    if level is None and not name:
        return _fail(args, "usage", "新建服务器需要名称，例如 --name 新集镇。")
    if len(name) > 40:
        return _fail(args, "usage", "名称最多 40 个字。")
    hub = open_hub(args.data, args.level, name or None, key=_hub_key(args, create=level is None))
    try:
        info = {"ok": True, "created": level is None, "hub_id": hub.hub_id,
                "level": args.level, "name": hub.meta.get("name"),
                "enrolled_upstream": bool(hub.meta.get("upstream"))}
    finally:
        hub.close()
    if args.json:
        _emit(info)
    elif info["created"]:
        print(f"已新建{_LEVEL[args.level]}服务器“{info['name']}”（{info['hub_id']}），"
              f"数据在 {args.data}")
        if args.level == "town":
            print("下一步：在县服务器上运行 sanji node add --kind town 取得登记码，再运行 "
                  f"sanji enroll --data {args.data} --hub 县服务器地址 --code 登记码")
    else:
        print(f"{args.data} 已经是{_LEVEL[args.level]}服务器“{info['name']}”"
              f"（{info['hub_id']}），没有改动。")
    return 0


_LEVEL = {"town": "镇", "county": "县"}


def _open_existing_hub(args: argparse.Namespace) -> Any:
    from app.datadir import require_hub
    from sync.hub.server import open_hub
    require_hub(args.data)        # before opening: opening creates hub.sqlite
    return open_hub(args.data, key=_hub_key(args))


def _node_add(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = _open_existing_hub(args)
    try:
        node_id, code = admin.add_node(hub, args.name, args.kind, tuple(args.role))
    finally:
        hub.close()
    if args.json:
        _emit({"ok": True, "node_id": node_id, "code": code, "name": args.name.strip(),
               "kind": args.kind, "roles": list(args.role),
               "code_valid_days": admin.CODE_VALID_MS // (24 * 3600 * 1000)})
        return 0
    print(f"节点编号 {node_id}")
    print(f"登记码 {code}（只能用一次，7天内有效）")
    return 0


def _node_list(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = _open_existing_hub(args)
    try:
        nodes = admin.list_nodes(hub)
    finally:
        hub.close()
    rows = [{"id": n["id"], "kind": n["kind"], "name": n["name"],
             "roles": [r for r in (n["roles"] or "").split(",") if r],
             "direct": bool(n["direct"]), "parent": n["parent"],
             "state": "revoked" if n["revoked"] else ("enrolled" if n["enrolled_at"]
                                                      else "waiting"),
             "enrolled_at": n["enrolled_at"]} for n in nodes]
    if args.json:
        _emit({"ok": True, "nodes": rows})
        return 0
    states = {"revoked": "已注销", "enrolled": "已登记", "waiting": "待登记"}
    for row in rows:
        where = "直属" if row["direct"] else "下级"
        print(f"{row['id']}  {row['kind']:8} {where} {states[row['state']]}  {row['name']}")
    return 0


def _node_revoke(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = _open_existing_hub(args)
    try:
        admin.revoke(hub, args.id)
    finally:
        hub.close()
    if args.json:
        _emit({"ok": True, "revoked": args.id})
    else:
        print(f"已注销 {args.id}")
    return 0


def _node_replace(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = _open_existing_hub(args)
    try:
        code = admin.replace_device(hub, args.id)
    finally:
        hub.close()
    if args.json:
        _emit({"ok": True, "node_id": args.id, "code": code,
               "code_valid_days": admin.CODE_VALID_MS // (24 * 3600 * 1000)})
        return 0
    print(f"节点 {args.id} 的旧设备登记已作废。")
    print(f"新设备的登记码 {code}（只能用一次，7天内有效）：新设备登记后第一次同步，"
          "会取回已经同步到服务器的全部记录；旧设备上没有同步的记录无法取回。")
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from app.datadir import kind_of
    from app.enrolling import enroll_data_dir
    key = _hub_key(args) if kind_of(args.data) == "hub" else None
    result = enroll_data_dir(args.data, args.hub, args.code, as_station=args.station,
                             hub_key=key)
    if args.json:
        _emit({"ok": True, **result})
    elif result["as"] == "hub":
        parent = result["parent"]
        print(f"已登记到上级 {parent['name']}（{parent['hub_id']}）。现在可以运行：sanji hub "
              f"--level {result['level']} --data {args.data} --port 端口 --upstream {args.hub}")
    else:
        print(f"已登记：本机编号 {result['node_id']}，{result['name']}，上级 {result['hub']['name']}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    import time

    from app.datadir import require_station
    require_station(args.data)        # before opening: opening creates station.sqlite
    station = _open_station_for(args)
    try:
        result = station.sync_once()
        station.note_unsynced(int(time.time() * 1000))
    finally:
        station.close()
    if args.json:
        _emit({"ok": result.ok, "pushed": result.pushed, "pulled": result.pulled,
               "blobs": result.blobs, "error": result.error})
    else:
        print(result.summary())
    return 0 if result.ok else 1


def _backup(args: argparse.Namespace) -> int:
    from app.backups import backup_data_dir
    from app.datadir import kind_of
    kind = kind_of(args.data)
    if kind == "new":
        raise DataDirError(f"{args.data} 不是服务器或服务站的数据目录，没有可备份的数据。")
    if kind == "hub":
        info = backup_data_dir(args.data, args.to, hub_key=_hub_key(args))
    else:
        station = _open_station_for(args)
        try:
            info = backup_data_dir(args.data, args.to, station=station)
        finally:
            station.close()
    if args.json:
        _emit({"ok": True, **info})
    else:
        print(f"已备份到 {args.to}（{info['size'] // 1024} KB，{info['blobs']} 个附件）。"
              "备份是加密的：服务器的要用同一个密钥文件恢复，服务站的要用本站干部的密码打开。")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.backups import read_manifest, restore_data_dir
    from sync.backup import check_target
    manifest = read_manifest(args.source)
    check_target(args.data)                   # before asking for a key
    key = None
    if manifest["kind"] == "hub":
        key = _hub_key(args)
    info = restore_data_dir(args.source, args.data, hub_key=key)
    if args.json:
        _emit({"ok": True, **info})
    elif info["kind"] == "hub":
        print(f"已把{_LEVEL.get(info['level'], '')}服务器“{info['name']}”恢复到 {args.data}"
              f"（备份于 {info['taken']}）。启动后，下级服务站和上级服务器会把备份之后的记录补回来。")
    else:
        print(f"已把服务站“{info['name']}”恢复到 {args.data}（备份于 {info['taken']}）。"
              "请用本站干部的密码登录，先同步一次，取回备份之后已经同步过的记录。")
    return 0


def _up(args: argparse.Namespace) -> int:
    from app.local_system import COUNTY_PORT, TOWN_PORT, run_up
    return run_up(args.data, with_app=not args.no_app,
                  ports=(args.county_port or COUNTY_PORT, args.town_port or TOWN_PORT))


def _app(args: argparse.Namespace) -> int:
    from app.datadir import refuse_hub
    refuse_hub(args.data)
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
