"""`sanji enroll`, `sanji sync`, `sanji backup`, `sanji restore`: a data directory
enrolled, synced, backed up and restored (hub or station, app.datadir says which)."""
from __future__ import annotations

import argparse

from app.cli_hub import hub_key
from app.cli_output import HUB_LEVEL, emit
from app.datadir import DataDirError


def enroll(args: argparse.Namespace) -> int:
    from app.datadir import kind_of
    from app.enrolling import enroll_data_dir
    key = hub_key(args) if kind_of(args.data) == "hub" else None
    result = enroll_data_dir(args.data, args.hub, args.code, as_station=args.station,
                             hub_key=key)
    if args.json:
        emit({"ok": True, **result})
    elif result["as"] == "hub":
        parent = result["parent"]
        print(f"已登记到上级 {parent['name']}（{parent['hub_id']}）。现在可以运行：sanji hub "
              f"--level {result['level']} --data {args.data} --port 端口 --upstream {args.hub}")
    else:
        print(f"已登记：本机编号 {result['node_id']}，{result['name']}，上级 {result['hub']['name']}")
    return 0


def sync_station(args: argparse.Namespace) -> int:
    import time

    from app.datadir import require_station
    from app.cli_unlock import open_station_for
    require_station(args.data)        # before opening: opening creates station.sqlite
    station = open_station_for(args)
    try:
        result = station.sync_once()
        station.note_unsynced(int(time.time() * 1000))
    finally:
        station.close()
    if args.json:
        emit({"ok": result.ok, "pushed": result.pushed, "pulled": result.pulled,
               "blobs": result.blobs, "error": result.error})
    else:
        print(result.summary())
    return 0 if result.ok else 1


def backup(args: argparse.Namespace) -> int:
    from app.backups import backup_data_dir
    from app.datadir import kind_of
    kind = kind_of(args.data)
    if kind == "new":
        raise DataDirError(f"{args.data} 不是服务器或服务站的数据目录，没有可备份的数据。")
    if kind == "hub":
        info = backup_data_dir(args.data, args.to, hub_key=hub_key(args))
    else:
        from app.cli_unlock import open_station_for
        station = open_station_for(args)
        try:
            info = backup_data_dir(args.data, args.to, station=station)
        finally:
            station.close()
    if args.json:
        emit({"ok": True, **info})
    else:
        print(f"已备份到 {args.to}（{info['size'] // 1024} KB，{info['blobs']} 个附件）。"
              "备份是加密的：服务器的要用同一个密钥文件恢复，服务站的要用本站干部的密码打开。")
    return 0


def restore(args: argparse.Namespace) -> int:
    from app.backups import read_manifest, restore_data_dir
    from sync.backup import check_target
    manifest = read_manifest(args.source)
    check_target(args.data)                   # before asking for a key
    key = None
    if manifest["kind"] == "hub":
        key = hub_key(args)
    info = restore_data_dir(args.source, args.data, hub_key=key)
    if args.json:
        emit({"ok": True, **info})
    elif info["kind"] == "hub":
        print(f"已把{HUB_LEVEL.get(info['level'], '')}服务器“{info['name']}”恢复到 {args.data}"
              f"（备份于 {info['taken']}）。启动后，下级服务站和上级服务器会把备份之后的记录补回来。")
    else:
        print(f"已把服务站“{info['name']}”恢复到 {args.data}（备份于 {info['taken']}）。"
              "请用本站干部的密码登录，先同步一次，取回备份之后已经同步过的记录。")
    return 0
