"""The tree of nodes a hub knows: its direct children (enrolled here, with tokens) and
their descendants (vouched for by a signed node certificate from their parent).

Scope is computed from this tree: a child's subtree is itself plus every node whose
parent chain passes through it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

KINDS = ("village", "town", "county")

NODES_DDL = """
CREATE TABLE nodes(
  id TEXT PRIMARY KEY,
  parent TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  pubkey TEXT,
  roles TEXT NOT NULL DEFAULT '',
  direct INTEGER NOT NULL DEFAULT 0,
  token_hash TEXT,
  code_hash TEXT,
  code_expires INTEGER,
  enrolled_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0,
  last_counter INTEGER NOT NULL DEFAULT 0,
  cert_sig TEXT,
  sent_up INTEGER NOT NULL DEFAULT 0
);
"""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(secret: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(secret_hash(secret), stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A one-time enrollment code a cadre can read out and type: 12 digits in 3 groups."""
    digits = "".join(secrets.choice("0123456789") for _ in range(12))
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


@dataclass(frozen=True)
class Node:
    id: str
    parent: str
    kind: str
    name: str
    pubkey: str | None
    roles: frozenset[str]
    direct: bool
    revoked: bool


class Tree:
    """A cached view of the nodes table; call reload() after changing it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.reload()

    def reload(self) -> None:
        rows = self.conn.execute("SELECT id, parent, kind, name, pubkey, roles, direct, revoked"
                                 " FROM nodes").fetchall()
        self.nodes = {r[0]: Node(r[0], r[1], r[2], r[3], r[4],
                                 frozenset(x for x in r[5].split(",") if x), bool(r[6]),
                                 bool(r[7])) for r in rows}
        self._subtrees: dict[str, frozenset[str]] = {}

    def get(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

    def subtree(self, node_id: str) -> frozenset[str]:
        cached = self._subtrees.get(node_id)
        if cached is None:
            children: dict[str, list[str]] = {}
            for node in self.nodes.values():
                children.setdefault(node.parent, []).append(node.id)
            seen, stack = {node_id}, [node_id]
            while stack:
                for child in children.get(stack.pop(), []):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            cached = self._subtrees[node_id] = frozenset(seen)
        return cached

    def is_within(self, node_id: str, root: str) -> bool:
        return node_id in self.subtree(root)
