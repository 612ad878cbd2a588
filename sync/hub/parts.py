"""What HubStore's mixins (sync.hub.push, sync.hub.upstream) rely on from HubStore: its
connection, tree, directory, policy and clock, and a few of its methods."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from schemas import Registry
from sync.certs import Directory, Root
from sync.db import Meta
from sync.hlc import HybridClock
from sync.keys import SigningKey
from sync.nodes import Node, Tree
from sync.policy import Policy, RecordFacts


class HubParts:
    conn: sqlite3.Connection
    meta: Meta
    registry: Registry
    clock: HybridClock
    tree: Tree
    directory: Directory
    policy: Policy
    _rows_seen: dict[str, tuple[Any, ...] | None] | None

    if TYPE_CHECKING:   # provided by HubStore
        @property
        def hub_id(self) -> str: ...
        def key(self) -> SigningKey: ...
        def now_ms(self) -> int: ...
        def root(self) -> Root: ...
        def scopes(self, node: Node) -> tuple[frozenset[str], frozenset[str]]: ...
        def record_facts(self, records: Sequence[str]) -> dict[str, RecordFacts]: ...
        def touch_nodes(self) -> None: ...
        def _index(self, events: Sequence[dict[str, Any]]) -> None: ...
        def _certified(self, ids: Sequence[str]) -> None: ...
