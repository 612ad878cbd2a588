"""Plain-field edits: last writer wins, concurrent edits raise a review item.

DESIGN.md "Conflicts": for plain fields the last writer in the total order (hlc, origin, seq)
wins, but concurrent edits of the same field (neither author saw the other's value) raise
a review item that keeps the losing value.

The rule used to detect "neither saw the other" (our choice, stated here once):
    every edit carries, per field, the value its author saw before editing ("was";
    a field missing from "was" means the author saw it empty).  At the edit's place in
    the order, if the field now holds something other than what the author saw, and
    other than what the author is writing, the author overwrote a value they never saw:
    the edit still wins (it is later in the order) and a review item keeps the value it
    replaced, with both events named.

Why values and not a "base" event id: a base id says which event the author saw last in
*their* order, but an author's view is not a prefix of the global order (a late-arriving
event may sort before the base), so a base id misses such overwrites; comparing the value
seen with the value replaced catches every overwrite that loses information, needs no
causal graph, and two people typing the same correction is not a conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class ReviewItem:
    """Two writers changed ``field`` without seeing each other; ``lost`` was overwritten."""

    field: str
    kept: Any
    lost: Any
    kept_event: str
    lost_event: str | None
    message: str


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def apply_field_edits(values: Mapping[str, Any], writers: Mapping[str, str],
                      fields: Mapping[str, Any], was: Mapping[str, Any], event_id: str,
                      labels: Mapping[str, str] | None = None,
                      ) -> tuple[dict[str, Any], dict[str, str], list[ReviewItem]]:
    """Apply one edit event; return (new values, new writer ids, review items raised).

    ``writers`` maps each field to the id of the event that last wrote it, so that a
    review item can name the event whose value was lost.  Inputs are not mutated.
    """
    new_values, new_writers, reviews = dict(values), dict(writers), []
    for name, value in fields.items():
        current = values.get(name)
        seen = was.get(name)
        if current != seen and current != value:
            label = (labels or {}).get(name, name)
            reviews.append(ReviewItem(
                field=name, kept=value, lost=current, kept_event=event_id,
                lost_event=writers.get(name),
                message=(f"「{label}」被两处同时修改：现为“{_show(value)}”，"
                         f"另一处填写的“{_show(current)}”已保留待核对，请核实后更正")))
        new_values[name] = value
        new_writers[name] = event_id
    return new_values, new_writers, reviews
