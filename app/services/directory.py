"""Who is who, for screens: cadre and station names by id (from the cadre.registered and
node.announced events every level receives), and the cadres of one station."""
from __future__ import annotations

import sqlite3
from typing import Any

from app.authority import directory_for


def cadre_names(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, name FROM cadres"))


def node_names(conn: sqlite3.Connection) -> dict[str, str]:
    return {node: name for node, name in conn.execute("SELECT id, name FROM nodes_dir") if name}


def station_cadres(conn: sqlite3.Connection, node_id: str) -> list[dict[str, Any]]:
    """Active cadres registered at station ``node_id``, by name (e.g. to assign a case)."""
    rows = conn.execute("SELECT id, name, post FROM cadres WHERE active=1 AND origin=? "
                        "ORDER BY name", (node_id,))
    return [{"id": i, "name": n, "post": p} for i, n, p in rows]


def town_name(station_names: list[str]) -> str:
    """"新集镇" from its stations' names ("新集镇便民服务中心", ...): the part up to the first
    镇/乡/街道 they share, else the first name."""
    first = sorted(station_names)[0] if station_names else ""
    for mark in ("街道", "镇", "乡"):
        at = first.find(mark)
        if at > 0:
            prefix = first[:at + len(mark)]
            if all(name.startswith(prefix) for name in station_names):
                return prefix
    return first


def towns(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """The towns a county may hand a record down to (交办): each town hub, with the
    town's name, by name — the certified town hubs (issue #7), or before certificates
    reached this station the hubs of the town-level stations announced under them."""
    directory = directory_for(conn)
    if directory.root is not None:
        hubs = [(node, cert.name) for (node,) in conn.execute(
            "SELECT id FROM certs WHERE kind='town'")
            if (cert := directory.verified(node)) is not None and cert.is_hub]
        return sorted(({"hub": hub, "name": name} for hub, name in hubs),
                      key=lambda town: town["name"])
    by_hub: dict[str, list[str]] = {}
    for hub, name in conn.execute("SELECT hub, name FROM nodes_dir WHERE level='town' "
                                  "AND hub IS NOT NULL AND name IS NOT NULL"):
        by_hub.setdefault(hub, []).append(name)
    return sorted(({"hub": hub, "name": town_name(names)} for hub, names in by_hub.items()),
                  key=lambda town: town["name"])


__all__ = ["cadre_names", "node_names", "station_cadres", "town_name", "towns"]
