"""`sanji enroll`: a data directory joins the level above with a one-time code, as a
station or, for a town hub's directory, as a hub.

A code works once, so the command must know which was meant *before* it is spent;
guessing wrong used to turn a town hub's new directory into a village station and
burn the code. What the directory already is decides (app/datadir.py):
- a hub directory enrolls as a hub (a town with its county; nothing else);
- a station directory enrolls as a station;
- a new directory: at a town hub only stations enroll, so it becomes a station; at a
  county hub it may be a town hub (the common case: `sanji hub init` first) or a county
  department's station (say so with --station), so the command refuses to guess.
The parent's level comes from its /v1/info, which costs no code. A refused or failed
enrollment leaves the directory as it was.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from app.datadir import DataDirError, kind_of, undone_on_failure
from sync.errors import Problem

LEVEL = {"town": "镇", "county": "县"}


def parent_level(hub_url: str) -> str:
    from app.station import hub_client
    wrong = Problem(502, "not_a_hub_server", f"{hub_url} 不是三级联动的镇或县服务器：请核对地址。")
    client = hub_client(hub_url)
    try:
        body = client.call("GET", "/v1/info").body
    except Problem as exc:
        raise wrong from exc
    finally:
        client.close()
    level = body.get("level") if isinstance(body, dict) else None
    if level not in LEVEL:
        raise wrong
    return str(level)


def enroll_data_dir(data: Path, hub_url: str, code: str, as_station: bool = False,
                    hub_key: bytes | None = None) -> dict[str, Any]:
    """Enroll `data`; returns what the operator may see (never the token). A hub's
    directory needs its database key (`hub_key`)."""
    kind = kind_of(data)
    if kind == "hub":
        if as_station:
            raise DataDirError(f"{data} 是服务器的数据目录，不能登记为服务站：请换一个目录。")
        if hub_key is None:
            raise DataDirError(f"{data} 是服务器的数据目录：请用 --key-file 给出它的数据库密钥。")
        return _enroll_hub(data, hub_url, code, hub_key)
    if kind == "new" and not as_station and parent_level(hub_url) == "county":
        raise DataDirError(
            f"{data} 还不是服务器数据目录，登记码没有用掉。\n"
            f"  要登记镇服务器：先运行 sanji hub init --level town --data {data} --name 镇名，"
            "再运行这条 sanji enroll。\n"
            "  要把这台电脑登记为县直部门窗口等服务站：在这条命令后加上 --station。")
    return _enroll_station(data, hub_url, code)


def _enroll_hub(data: Path, hub_url: str, code: str, key: bytes) -> dict[str, Any]:
    from sync.client import HubClient
    from sync.enroll import enroll_hub
    from sync.hub.server import open_hub
    hub = open_hub(data, key=key)
    try:
        level = hub.meta.get("level")
        if level != "town":
            raise DataDirError(f"{data} 是县服务器：县是最上一级，不登记到别的服务器。")
        if hub.meta.get("upstream"):
            raise Problem(409, "already_enrolled", "这个服务器已经登记到上级了。")
        if parent_level(hub_url) != "county":
            raise DataDirError(f"{hub_url} 是镇服务器：镇服务器要登记到县服务器，请核对地址。")
        with HubClient(hub_url) as client:
            upstream = enroll_hub(hub, client, code)
        return {"as": "hub", "hub_id": hub.hub_id, "level": level,
                "name": hub.meta.get("name"), "parent": upstream["parent"]}
    finally:
        hub.close()


def _enroll_station(data: Path, hub_url: str, code: str) -> dict[str, Any]:
    from app.station import open_station
    with undone_on_failure(data):
        station = open_station(data)
        try:
            ident = station.enroll(hub_url, code)
        finally:
            station.close()
    return {"as": "station", "node_id": ident["node_id"], "name": ident["name"],
            "kind": ident["kind"], "short_code": ident.get("short_code"),
            "roles": ident.get("roles", []), "hub": ident["hub"]}


__all__ = ["enroll_data_dir", "parent_level"]
