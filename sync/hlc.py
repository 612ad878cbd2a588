"""Hybrid logical clock (Kulkarni et al. 2014), persisted by its owner.

A stamp is one integer: wall milliseconds << 16 | logical counter, so stamps sort as
integers and fit SQLite's INTEGER. The physical part is the device clock plus an offset
learned from the hub's time on each reply, so a tablet whose date is a year off still
stamps near true time once it has spoken to its hub once.

A remote stamp more than `max_ahead_ms` ahead of our physical time is accepted but not
adopted (DESIGN.md "Clock"): one tablet with a wrong date cannot drag everyone forward.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

LOGICAL_BITS = 16
_LOGICAL_MAX = (1 << LOGICAL_BITS) - 1
DEFAULT_MAX_AHEAD_MS = 10 * 60 * 1000   # DESIGN.md: far-future means > 10 min ahead of the hub


def pack(wall_ms: int, logical: int) -> int:
    return (wall_ms << LOGICAL_BITS) | logical


def unpack(stamp: int) -> tuple[int, int]:
    return stamp >> LOGICAL_BITS, stamp & _LOGICAL_MAX


def wall_ms_of(stamp: int) -> int:
    return stamp >> LOGICAL_BITS


def system_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class HybridClock:
    """Monotonic hybrid clock. `last` is the highest stamp issued or adopted."""

    last: int = 0
    offset_ms: int = 0
    wall: Callable[[], int] = system_ms
    max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS

    def physical_ms(self) -> int:
        return self.wall() + self.offset_ms

    def now(self) -> int:
        """A stamp greater than every stamp issued or adopted before."""
        pt = self.physical_ms()
        last_wall, last_logical = unpack(self.last)
        if pt > last_wall:
            self.last = pack(pt, 0)
        elif last_logical < _LOGICAL_MAX:
            self.last = pack(last_wall, last_logical + 1)
        else:  # 65,536 stamps in one millisecond: borrow the next millisecond
            self.last = pack(last_wall + 1, 0)
        return self.last

    def is_far_future(self, stamp: int) -> bool:
        return wall_ms_of(stamp) > self.physical_ms() + self.max_ahead_ms

    def observe(self, stamp: int) -> bool:
        """Merge a remote stamp; returns False (and does not adopt it) if it is far ahead."""
        if self.is_far_future(stamp):
            return False
        if stamp > self.last:
            self.last = stamp
        return True

    def learn_offset(self, hub_ms: int, sent_ms: int, received_ms: int) -> None:
        """Set the offset from a hub's time, assuming the reply left it mid round trip.
        sent/received are the HTTP client's readings of the system clock; they are moved
        onto this clock's own wall (the device clock as given, which may be another)."""
        midpoint = (sent_ms + received_ms) // 2 + (self.wall() - system_ms())
        self.offset_ms = hub_ms - midpoint
