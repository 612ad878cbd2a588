"""The rule config in force on this node, for folds that replay against it.

The petition and risk-assessment folds check configurable statutory numbers (extension
cap, group-visit representatives, the decision gate) against the rules this node knows
(app.domain.petition_rules, risk_grading).  Folds run inside the store's write
transaction for every touched record, so the merged config is rebuilt only when the
small ``config`` projection table changed (basic.fold_config keeps one row per key with
the hlc of its last writer), never by scanning the event log per record.
"""
from __future__ import annotations

import sqlite3

from app.domain import Config, merge_config, overrides_from_events
from schemas.config import load_defaults
from sync import log


class ConfigCache:
    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None
        self._config: Config | None = None

    def get(self, conn: sqlite3.Connection) -> Config:
        key = conn.execute("SELECT COUNT(*), COALESCE(MAX(hlc), 0), COALESCE(SUM(hlc), 0)"
                           " FROM config").fetchone()
        if self._config is None or key != self._key:
            rows = conn.execute(log.SELECT + " WHERE kind='config' AND type='config.set'"
                                " ORDER BY hlc, origin, seq")
            events = [log.row_to_event(r) for r in rows]
            self._config = merge_config(load_defaults(), overrides_from_events(events))
            self._key = tuple(key)
        return self._config
