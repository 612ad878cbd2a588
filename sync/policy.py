"""Scope policy: which events a hub hands down to a child on pull.

The domain may plug in its own; the default follows issue #2 §3: a child's subtree
gets the events of records it created or currently owns, plus broadcast kinds (the
town's catalog, holiday list and rules), and never a confidential kind (complaints
about cadres: 信访工作条例 Art 46(五), RULES.md §4) — except a node enrolled with the
`discipline` role, the inspector's own device.

A station at the hub's own level (a town center tablet under the town hub) supervises
the hub's villages, so the hub widens its scope to the whole hub subtree plus records
handed to the hub itself (HubStore.pull).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sync.nodes import Node

DISCIPLINE_ROLE = "discipline"


@dataclass(frozen=True)
class Audience:
    creator: str
    owner: str | None


class ScopePolicy(Protocol):
    def may_pull(self, child: Node, subtree: frozenset[str], origin: str, kind: str,
                 audience: Audience, scope: frozenset[str] | None = None) -> bool:
        """`subtree`: the child and its descendants (they already hold their own events);
        `scope`: whose records the child may see, the subtree unless the hub widens it."""


@dataclass(frozen=True)
class DefaultPolicy:
    confidential: frozenset[str] = field(default_factory=frozenset)
    broadcast: frozenset[str] = field(default_factory=frozenset)

    def may_pull(self, child: Node, subtree: frozenset[str], origin: str, kind: str,
                 audience: Audience, scope: frozenset[str] | None = None) -> bool:
        scope = subtree if scope is None else scope
        if origin in subtree:
            return False  # it came up through this child: it has it already
        if kind in self.confidential:
            return DISCIPLINE_ROLE in child.roles
        if kind in self.broadcast:
            return True
        return audience.creator in scope or (audience.owner is not None
                                             and audience.owner in scope)
