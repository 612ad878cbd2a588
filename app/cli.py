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

This module holds the parser; the commands live beside it: app/cli_hub.py (hub, hub
init), app/cli_nodes.py (node …), app/cli_station.py (enroll, sync, backup, restore),
app/cli_launch.py (up, app, demo), app/cli_output.py (--json and the Chinese errors).

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
import sys
from pathlib import Path

from app import cli_hub, cli_launch, cli_nodes, cli_station
from app.accounts import AccountError
from app.cli_output import fail
from app.datadir import DataDirError
from app.keyring import KeyringError
from sync.errors import SyncError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except DataDirError as exc:
        return fail(args, "wrong_data_dir", str(exc))
    except (AccountError, KeyringError) as exc:
        return fail(args, "locked", str(exc))
    except SyncError as exc:
        return fail(args, str(getattr(exc, "code", "sync_error")),
                     str(getattr(exc, "message", exc)))


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
    hub.add_argument("--insecure", action="store_true",
                     help="用不加密的 HTTP（只用于本机开发调试；登录凭证和个人信息会明文传输）")
    hub.add_argument("--cert", type=Path, default=None,
                     help="县里提供的证书文件（PEM；默认用服务器自己生成的证书）")
    hub.add_argument("--cert-key", type=Path, default=None, help="--cert 证书的私钥文件（PEM）")
    hub.add_argument("--proxy", action="append", default=[],
                     help="反向代理的 IP 地址：只有它发来的 X-Forwarded-For 才会采信（可写多次）")
    hub.add_argument("--max-connections", type=int, default=256, help="同时连接数上限")
    hub.add_argument("--header-timeout", type=float, default=10.0,
                     help="请求头必须在几秒内收完（防止慢速攻击）")
    hub.add_argument("--body-timeout", type=float, default=30.0,
                     help="请求内容的基本时限（秒；另按每 2KB 加 1 秒）")
    hub.add_argument("--keep-alive", type=int, default=5, help="空闲连接保留几秒")
    hub.add_argument("--keep-alive-requests", type=int, default=1000,
                     help="一个连接最多处理几个请求，之后关闭")
    # `sanji up` starts its hubs with its own pid, so they stop if it is killed outright.
    hub.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    hub.set_defaults(run=cli_hub.run_hub)

    node = sub.add_parser("node", help="管理下级节点（在服务器上运行）")
    node_sub = node.add_subparsers(dest="node_command", required=True)
    add = node_sub.add_parser("add", help="新建下级节点并打印一次性登记码")
    add.add_argument("--data", type=Path, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--kind", choices=["village", "town", "county"], required=True)
    add.add_argument("--role", action="append", default=[], help="角色，例如 discipline")
    add.add_argument("--json", action="store_true")
    _key_file_option(add)
    _card_options(add)
    add.set_defaults(run=cli_nodes.node_add)
    lst = node_sub.add_parser("list", help="列出下级节点")
    lst.add_argument("--data", type=Path, required=True)
    lst.add_argument("--json", action="store_true")
    _key_file_option(lst)
    lst.set_defaults(run=cli_nodes.node_list)
    rev = node_sub.add_parser("revoke", help="注销一个节点的登记")
    rev.add_argument("id")
    rev.add_argument("--data", type=Path, required=True)
    rev.add_argument("--json", action="store_true")
    _key_file_option(rev)
    rev.set_defaults(run=cli_nodes.node_revoke)
    rep = node_sub.add_parser("replace", help="服务站的平板丢了或所有干部都忘了密码：给同一个站点"
                                              "换新设备（旧设备的登记立即作废）")
    rep.add_argument("id")
    rep.add_argument("--data", type=Path, required=True)
    rep.add_argument("--json", action="store_true")
    _key_file_option(rep)
    _card_options(rep)
    rep.set_defaults(run=cli_nodes.node_replace)

    enroll = sub.add_parser("enroll", help="用登记码把本机（或镇服务器）登记到上级")
    enroll.add_argument("--data", type=Path, required=True)
    enroll.add_argument("--hub", required=True)
    enroll.add_argument("--code", required=True)
    enroll.add_argument("--station", action="store_true",
                        help="新目录登记为服务站（直接登记到县服务器的县直部门窗口等需要写明）")
    enroll.add_argument("--json", action="store_true")
    _key_file_option(enroll)
    enroll.set_defaults(run=cli_station.enroll)

    sync = sub.add_parser("sync", help="立即同步一轮（先上传后下载）")
    sync.add_argument("--data", type=Path, required=True)
    sync.add_argument("--json", action="store_true")
    _cadre_option(sync)
    sync.set_defaults(run=cli_station.sync_station)

    backup = sub.add_parser("backup", help="把服务器或服务站的数据备份成一个加密文件（运行中也可以）")
    backup.add_argument("--data", type=Path, required=True)
    backup.add_argument("--to", type=Path, required=True, help="备份文件（不能已存在）")
    backup.add_argument("--json", action="store_true")
    _key_file_option(backup)
    _cadre_option(backup)
    backup.set_defaults(run=cli_station.backup)

    restore = sub.add_parser("restore", help="从备份文件恢复到一个新的（空的）数据目录")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="备份文件")
    restore.add_argument("--data", type=Path, required=True, help="恢复到的数据目录（须为空）")
    restore.add_argument("--json", action="store_true")
    _key_file_option(restore)
    restore.set_defaults(run=cli_station.restore)

    up = sub.add_parser("up", help="在本机启动县、镇服务器和一个村服务站（演示）")
    up.add_argument("--data", type=Path, default=Path("sanji-data"))
    up.add_argument("--no-app", action="store_true",
                    help="不打开界面，服务器一直运行到 Ctrl-C 或 SIGTERM")
    up.add_argument("--county-port", type=int, default=None, help="县服务器端口（默认 8731）")
    up.add_argument("--town-port", type=int, default=None, help="镇服务器端口（默认 8732）")
    up.set_defaults(run=cli_launch.up)

    ui = sub.add_parser("app", help="打开便民服务界面（村服务站、镇便民服务中心或县直部门窗口）")
    ui.add_argument("--data", type=Path, required=True, help="本机的数据目录")
    ui.add_argument("--sync-minutes", type=float, default=10.0,
                    help="有网络时每隔几分钟自动同步一次（0：只在点“同步”时同步）")
    ui.set_defaults(run=cli_launch.run_station_app)

    demo = sub.add_parser("demo", help="在 sanji up 的数据目录里生成演示乡镇（再次运行不会重复添加）")
    demo.add_argument("--data", type=Path, default=Path("sanji-data"))
    demo.add_argument("--county-port", type=int, default=None, help="县服务器端口（默认 8731）")
    demo.add_argument("--town-port", type=int, default=None, help="镇服务器端口（默认 8732）")
    demo.add_argument("--today", default=None, help="以哪一天为“今天”生成（YYYY-MM-DD，默认今天）")
    demo.set_defaults(run=cli_launch.demo)

    from app.cli_cadre import add_commands as cadre_commands
    cadre_commands(sub)
    return parser


def _key_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key-file", type=Path, default=None,
                        help="服务器数据库密钥文件（放在数据目录之外；也可用环境变量 "
                             "SANJI_HUB_KEY_FILE 或 SANJI_HUB_KEY）")


def _card_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default="",
                        help="服务站连接本服务器用的地址，写进二维码（例如 https://192.168.1.10:8732）")
    parser.add_argument("--qr", type=Path, default=None,
                        help="登记二维码图片（PNG）存到哪里（默认：当前目录的 登记码-节点编号前8位.png）")


def _cadre_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cadre", default=None,
                        help="服务站：用哪位干部的密码打开（本机只有一位干部时可省略）")


if __name__ == "__main__":
    sys.exit(main())
