"""The rules in force at this station: shipped defaults plus what the town sent down
(config.set and catalog.* events, kind "config", broadcast by the sync policy) — the
county's and this station's own town's only (issue #7 item 4)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from app.domain import (Catalog, Config, WorkCalendar, apply_catalog_edits,
                        calendar_from_town_list, merge_config, overrides_from_events)
from app.authority import config_in_force, directory_for, own_id
from schemas.catalog import load_matters, matters_schema
from schemas.config import load_defaults
from sync import log


@dataclass(frozen=True)
class Rules:
    catalog: Catalog
    config: Config
    calendar: WorkCalendar


def _config_events(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(log.SELECT + " WHERE kind='config' ORDER BY hlc, origin, seq")
    return config_in_force([log.row_to_event(r) for r in rows], directory_for(conn),
                           own_id(conn))


def load_rules(conn: sqlite3.Connection) -> Rules:
    events = _config_events(conn)
    catalog = apply_catalog_edits(load_matters(), [e for e in events
                                                   if e["type"].startswith("catalog.")],
                                  matters_schema())
    config = merge_config(load_defaults(), overrides_from_events(events))
    return Rules(catalog, config, calendar_from_town_list(config.town_holidays()))


class RulesCache:
    """Rules are read on every screen; rebuild them only when config events changed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._key: tuple[int, ...] | None = None
        self._rules: Rules | None = None

    def get(self) -> Rules:
        key = self.conn.execute("SELECT COUNT(*), COALESCE(MAX(rseq), 0), (SELECT"
                                " COALESCE(MAX(cseq), 0) FROM certs) FROM events "
                                "WHERE kind='config'").fetchone()
        if self._rules is None or key != self._key:
            self._rules, self._key = load_rules(self.conn), key
        return self._rules
