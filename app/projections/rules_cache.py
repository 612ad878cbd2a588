"""The rule config in force on this node, for folds that replay against it.

The petition and risk-assessment folds check configurable statutory numbers (extension
cap, group-visit representatives, the decision gate) against the rules this node knows
(app.domain.petition.rules, risk_grading).  Folds run inside the store's write
transaction for every touched record, so the merged config is rebuilt only when the
small ``config`` projection table or the certificates changed (basic.fold_config keeps
one row per key with the hlc of its last writer), never by scanning the event log per
record. Only settings in force here count: the county's and this node's own town's
(app.authority.config_in_force, issue #7 item 4).
"""
from __future__ import annotations

import sqlite3
from typing import Any

from app.authority import config_in_force, directory_for, own_id
from app.domain import Config, merge_config, overrides_from_events
from schemas.config import load_defaults
from sync import log
from sync.certs import Directory


class ConfigCache:
    def __init__(self, directory: Directory | None = None) -> None:
        self.directory = directory
        self._key: tuple[int, ...] | None = None
        self._config: Config | None = None
        self._events: list[dict[str, Any]] = []

    def get(self, conn: sqlite3.Connection) -> Config:
        self._refresh(conn)
        assert self._config is not None
        return self._config

    def events(self, conn: sqlite3.Connection) -> list[dict[str, Any]]:
        """The ``config.set`` events in force here, in order: a fold that judges a record
        by the rules in force when it was written (decisions.rules.RulesHistory)."""
        self._refresh(conn)
        return self._events

    def _refresh(self, conn: sqlite3.Connection) -> None:
        key = conn.execute("SELECT COUNT(*), COALESCE(MAX(hlc), 0), COALESCE(SUM(hlc), 0),"
                           " (SELECT COALESCE(MAX(cseq), 0) FROM certs) FROM config").fetchone()
        if self._config is None or key != self._key:
            rows = conn.execute(log.SELECT + " WHERE kind='config' AND type='config.set'"
                                " ORDER BY hlc, origin, seq")
            self._events = config_in_force([log.row_to_event(r) for r in rows],
                                           self.directory or directory_for(conn), own_id(conn))
            self._config = merge_config(load_defaults(), overrides_from_events(self._events))
            self._key = tuple(key)
