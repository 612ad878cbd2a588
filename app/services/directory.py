"""Who is who, for screens: cadre and station names by id (from the cadre.registered and
node.announced events every level receives), and the cadres of one station."""
from __future__ import annotations

import sqlite3
from typing import Any


def cadre_names(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, name FROM cadres"))


def node_names(conn: sqlite3.Connection) -> dict[str, str]:
    return {node: name for node, name in conn.execute("SELECT id, name FROM nodes_dir") if name}


def station_cadres(conn: sqlite3.Connection, node_id: str) -> list[dict[str, Any]]:
    """Active cadres registered at station ``node_id``, by name (e.g. to assign a case)."""
    rows = conn.execute("SELECT id, name, post FROM cadres WHERE active=1 AND origin=? "
                        "ORDER BY name", (node_id,))
    return [{"id": i, "name": n, "post": p} for i, n, p in rows]


__all__ = ["cadre_names", "node_names", "station_cadres"]
