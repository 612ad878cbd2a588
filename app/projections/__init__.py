"""Projections: the app's query tables, rebuilt per record from its events.

The store calls `Projections` inside the transaction that wrote or pulled the events
(issue #2 §2 projection hook). Each touched record is re-folded from all its events in
the total order (hlc, origin, seq), so an update that arrives before its record's
creation, or two offline edits arriving in any order, always give the same row
(DESIGN.md "Conflicts": state = deterministic replay).

Public surface: Projections (the hook), install(conn) (tables, migrated).
"""
from app.projections.registry import Projections, install

__all__ = ["Projections", "install"]
