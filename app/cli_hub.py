"""`sanji hub` and `sanji hub init`: a hub's database key, its directory, serving it
(uvicorn, the relay, backups) with its listening options (app.cli builds the parser)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli_output import HUB_LEVEL, emit, fail
from app.datadir import DataDirError


def hub_key(args: argparse.Namespace, create: bool = False) -> bytes:
    import os

    from sync.hub.dbkey import resolve
    return resolve(args.data, args.key_file, os.environ, create=create)


def run_hub(args: argparse.Namespace) -> int:
    from app.datadir import is_station
    if is_station(args.data):
        raise DataDirError(f"{args.data} 是服务站的数据目录，不能用作服务器：请换一个目录。")
    if args.action == "init":
        return hub_init(args)
    if args.port is None:
        return fail(args, "usage", "运行服务器需要 --port 端口号，例如 --port 8732。")
    from app.datadir import kind_of
    from sync.hub.server import open_hub, serve
    key = hub_key(args, create=kind_of(args.data) == "new")
    if args.upstream:
        hub = open_hub(args.data, args.level, args.name, key=key)
        upstream = json.loads(hub.meta.get("upstream") or "{}")
        if not upstream:
            hub.close()
            return fail(args, "not_enrolled", "这个镇服务器还没有登记到县里：请先运行 sanji "
                         f"enroll --data {args.data} --hub 县服务器地址 --code 登记码")
        if upstream["url"] != args.upstream:
            from sync.db import transaction
            with transaction(hub.conn):
                hub.meta.set("upstream", json.dumps({**upstream, "url": args.upstream},
                                                    ensure_ascii=False))
        hub.close()
    if args.parent_pid:
        from app.launch.hubs import exit_with_parent
        exit_with_parent(args.parent_pid)
    from app.hubext import extension  # the public receipt-status page (issue #3 §3)
    from sync.hub.care import Care
    if args.backup_dir is not None:
        from sync.hub.dbkey import check_place
        check_place(args.backup_dir, args.data)
    care = Care(backup_dir=args.backup_dir, backup_every_s=args.backup_hours * 3600,
                keep=args.backup_keep, check_every_s=args.check_minutes * 60)
    serve(args.data, args.level, args.port, args.host, args.name, args.interval,
          extension=extension(), key=key, care=care, listening=listening(args))
    return 0


def listening(args: argparse.Namespace) -> Any:
    from sync.hub.limits import Limits, check_proxy
    from sync.hub.server import Listening
    if args.insecure and (args.cert or args.cert_key):
        raise DataDirError("--insecure 和 --cert 不能一起用：要加密就去掉 --insecure。")
    if min(args.max_connections, args.keep_alive_requests) < 1 or min(
            args.header_timeout, args.body_timeout, args.keep_alive) <= 0:
        raise DataDirError("连接数、请求数和时限都要大于 0。")
    try:
        proxies = tuple(check_proxy(p) for p in args.proxy)
    except ValueError as exc:
        raise DataDirError(str(exc)) from exc
    return Listening(insecure=args.insecure, cert=args.cert, cert_key=args.cert_key,
                     limits=Limits(max_connections=args.max_connections, proxies=proxies,
                                   header_timeout=args.header_timeout,
                                   body_timeout=args.body_timeout, keep_alive=args.keep_alive,
                                   max_requests=args.keep_alive_requests))


def hub_init(args: argparse.Namespace) -> int:
    """A new hub directory with its identity (id, key, level, name), not yet serving, so
    a town hub can be enrolled with its county before it first runs."""
    from app.datadir import hub_level
    from sync.hub.server import open_hub
    level = hub_level(args.data)
    if level is not None and level != args.level:
        raise DataDirError(f"{args.data} 已经是{HUB_LEVEL[level]}服务器的数据目录，"
                           f"不能改成{HUB_LEVEL[args.level]}。")
    name = (args.name or "").strip()
    if level is None and not name:
        return fail(args, "usage", "新建服务器需要名称，例如 --name 新集镇。")
    if len(name) > 40:
        return fail(args, "usage", "名称最多 40 个字。")
    hub = open_hub(args.data, args.level, name or None, key=hub_key(args, create=level is None))
    try:
        info = {"ok": True, "created": level is None, "hub_id": hub.hub_id,
                "level": args.level, "name": hub.meta.get("name"),
                "enrolled_upstream": bool(hub.meta.get("upstream"))}
    finally:
        hub.close()
    if args.json:
        emit(info)
    elif info["created"]:
        print(f"已新建{HUB_LEVEL[args.level]}服务器“{info['name']}”（{info['hub_id']}），"
              f"数据在 {args.data}")
        if args.level == "town":
            print("下一步：在县服务器上运行 sanji node add --kind town 取得登记码，再运行 "
                  f"sanji enroll --data {args.data} --hub 县服务器地址 --code 登记码")
    else:
        print(f"{args.data} 已经是{HUB_LEVEL[args.level]}服务器“{info['name']}”"
              f"（{info['hub_id']}），没有改动。")
    return 0
