"""What the domain relies on in an event envelope, and the replay order.

An event is a dict: {"id", "origin", "seq", "hlc", "type", "v", "record", "kind",
"author", "payload"} (DESIGN.md "Events, not rows").  Projections replay events in the
total order (hlc, origin, seq), which every node computes the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping, TypeVar

Event = Mapping[str, Any]


def order_key(event: Event) -> tuple[int, str, int]:
    """The total replay order of DESIGN.md: (hlc, origin, seq)."""
    return (int(event["hlc"]), str(event["origin"]), int(event["seq"]))


@dataclass(frozen=True)
class Rejected:
    """An event kept in the log but not applied, with the reason shown to users."""

    event_id: str
    event_type: str
    author: str
    origin: str
    hlc: int
    code: str
    reason: str


def rejected(event: Event, code: str, reason: str) -> Rejected:
    """The ``Rejected`` record for ``event``."""
    return Rejected(str(event["id"]), str(event["type"]), str(event.get("author", "")),
                    str(event["origin"]), int(event["hlc"]), code, reason)


S = TypeVar("S")


def replay(events: Iterable[Event], new_state: Callable[[str], S],
           apply_one: Callable[[S, Event], S]) -> S:
    """Fold one record's events in the total order; every workflow (service case,
    dispute, petition, risk assessment) replays this way (DESIGN.md "Conflicts").
    Raises ValueError when there are no events."""
    ordered = sorted(events, key=order_key)
    if not ordered:
        raise ValueError("no events to fold")
    state = new_state(str(ordered[0]["record"]))
    for event in ordered:
        state = apply_one(state, event)
    return state


def first_sight(state: Any, event: Event) -> frozenset[str] | None:
    """The state's `seen` set with this event added, or None if it was replayed already
    (an event that arrived by two routes counts once). Raises ValueError for an event of
    another record."""
    if str(event["record"]) != state.record:
        raise ValueError(f"event {event['id']} is for record {event['record']}, "
                         f"not {state.record}")
    event_id = str(event["id"])
    if event_id in state.seen:
        return None
    return state.seen | {event_id}


def refuse(state: S, event: Event, seen: frozenset[str], code: str, message: str) -> S:
    """Keep a step the rules did not allow at its place: shown as rejected, not applied."""
    return replace(state, seen=seen,  # type: ignore[type-var]
                   rejected=state.rejected + (rejected(event, code, message),))  # type: ignore[attr-defined]


def claim(state: S, event: Event, actor_level: str | None,
          exempt: frozenset[str] = frozenset()) -> S:
    """The first node of the holding level to act on a record sent up holds it.

    A record sent up is addressed to a level, not a node (``path`` entry (level, None));
    whoever at that level first moves it on holds it from then on, so that answers and
    returns come back to that node. Event types in ``exempt`` (corrections, taking an
    alert) do not claim."""
    path = state.path  # type: ignore[attr-defined]
    if not path or event["type"] in exempt:
        return state
    level, node = path[-1]
    if node is not None or level != actor_level:
        return state
    origin = str(event["origin"])
    return replace(state, path=path[:-1] + ((level, origin),),  # type: ignore[type-var]
                   owner_node=origin)
