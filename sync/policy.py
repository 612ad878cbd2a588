"""The policy hook: who may receive an event (scope) and who may write it (authority).

The domain plugs in its own policy (the app's is app.authority.AppPolicy); sync itself
stays domain-agnostic and only supplies the facts a policy decides on.

Scope (`may_pull`), the default following issue #2 §3: a child's subtree gets the
events of records it created or currently owns, plus broadcast kinds (the town's
catalog, holiday list and rules), and never a confidential kind (complaints about
cadres: 信访工作条例 Art 46(五), RULES.md §4) — except a node enrolled with the
`discipline` role, the inspector's own device. A *local* broadcast kind reaches only
the subtree of the hub that certified its writer: a town's rules stay in that town
(issue #7 item 4).

A station at the hub's own level (a town center tablet under the town hub) supervises
the hub's villages, so the hub widens its scope to the whole hub subtree plus records
handed to the hub itself (HubStore.pull).

Authority (`may_write`, issue #7): asked for every event wherever it is applied — by
the first hub (the author's own, which holds everything the author has seen, so it
also checks the record's state: `Where.first_hop`), again by every other hub and every
station. The author's level and roles come from its certificate (sync.certs), never
from the event. `creates` tells the hubs' record index which event types make a new
record, so a later event with an earlier clock cannot make its origin a record's
creator. The default policy allows every certified origin to write anything.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.certs import Cert, Directory
from sync.errors import Problem
from sync.nodes import Node

DISCIPLINE_ROLE = "discipline"


@dataclass(frozen=True)
class Audience:
    creator: str
    owner: str | None
    issuer: str | None = None   # the hub that certified the event's origin (local kinds)


@dataclass(frozen=True)
class RecordFacts:
    """What a file holds of one record before the event being checked."""

    known: bool = False                   # some event of the record is held
    creator: str | None = None            # origin of its first creating event (else first event)
    created: bool = False                 # a creating event is held
    holders: frozenset[str] = frozenset()  # its creator and every node it was handed to


NO_RECORD = RecordFacts()


class Overlay:
    """Record facts while a batch is checked: what is stored (read through `load` for
    all the batch's records at once, and only if a policy asks; any other record a
    policy asks about, such as a cadre an event names, one by one) plus the batch's
    own earlier events (a run may create a record and then act on it), applied only to
    a record a policy asks about."""

    def __init__(self, load: Callable[[Sequence[str]], dict[str, RecordFacts]],
                 records: Sequence[str]) -> None:
        self.load = load
        self.records = records
        self.held: dict[str, RecordFacts] | None = None
        self.asked: set[str] = set()
        self.pending: dict[str, list[tuple[dict[str, Any], bool]]] = {}

    def facts(self, record: str) -> RecordFacts:
        if self.held is None:
            self.held = self.load(self.records)
            self.asked = set(self.records)
        if record not in self.asked:       # a record the batch does not touch (a policy
            self.asked.add(record)         # may ask about one an event names)
            self.held.update(self.load([record]))
        now = self.held.get(record, NO_RECORD)
        for event, made in self.pending.pop(record, ()):
            now = _after(now, event, made)
        self.held[record] = now
        return now

    def add(self, event: dict[str, Any], made: bool) -> None:
        self.pending.setdefault(event["record"], []).append((event, made))


def _after(now: RecordFacts, event: dict[str, Any], made: bool) -> RecordFacts:
    """The facts of a record once `event` is held too."""
    creator, created = now.creator, now.created
    if (made and not created) or creator is None:
        creator, created = event["origin"], made or created
    owner = event.get("owner")
    holders = now.holders | {creator} | ({owner} if owner else set())
    return RecordFacts(True, creator, created, frozenset(holders))


class Where:
    """Where events are being applied, and what is known there: the directory of
    certificates; what is held of a record before the event being checked (`record`,
    read only if a policy asks); at the author's own hub (`first_hop`), whose records
    the author may see (`scope`); in the author's own file, as it writes (`writing`:
    every record the author made is there)."""

    __slots__ = ("directory", "facts", "first_hop", "scope", "writing")

    def __init__(self, directory: Directory,
                 facts: Callable[[str], RecordFacts] | None = None,
                 first_hop: bool = False, scope: frozenset[str] = frozenset(),
                 writing: bool = False) -> None:
        self.directory = directory
        self.facts = facts
        self.first_hop = first_hop
        self.scope = scope
        self.writing = writing

    def record(self, record: str) -> RecordFacts:
        return self.facts(record) if self.facts is not None else NO_RECORD


class Policy(Protocol):
    def may_pull(self, child: Node, subtree: frozenset[str], origin: str, kind: str,
                 audience: Audience, scope: frozenset[str] | None = None,
                 lineage: frozenset[str] = frozenset()) -> bool:
        """`subtree`: the child and its descendants (they already hold their own events);
        `scope`: whose records the child may see, the subtree unless the hub widens it;
        `lineage`: the child and its certified ancestors."""

    def creates(self, event_type: str) -> bool:
        """Does an event of this type make a new record?"""

    def may_write(self, event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
        """None if `author` (the event's certified origin) may write `event` here; else
        a 403 Problem with a stable code and a Chinese message."""


ScopePolicy = Policy   # the name it had before authority joined it


@dataclass(frozen=True)
class DefaultPolicy:
    confidential: frozenset[str] = field(default_factory=frozenset)
    broadcast: frozenset[str] = field(default_factory=frozenset)
    local: frozenset[str] = field(default_factory=frozenset)

    def may_pull(self, child: Node, subtree: frozenset[str], origin: str, kind: str,
                 audience: Audience, scope: frozenset[str] | None = None,
                 lineage: frozenset[str] = frozenset()) -> bool:
        scope = subtree if scope is None else scope
        if origin in subtree:
            return False  # it came up through this child: it has it already
        if kind in self.confidential:
            return DISCIPLINE_ROLE in child.roles
        if kind in self.broadcast:
            return kind not in self.local or audience.issuer in lineage
        return audience.creator in scope or (audience.owner is not None
                                             and audience.owner in scope)

    def creates(self, event_type: str) -> bool:
        return True

    def may_write(self, event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
        return None


def default_policy(registry: Any) -> DefaultPolicy:
    return DefaultPolicy(registry.confidential_kinds(), registry.broadcast_kinds(),
                         registry.local_kinds())
