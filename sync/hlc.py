"""Hybrid logical clock (Kulkarni et al. 2014), persisted by its owner.

A stamp is one integer: wall milliseconds << 16 | logical counter, so stamps sort as
integers and fit SQLite's INTEGER. The physical part is the device clock plus an offset
learned from the hub's time on each reply, so a tablet whose date is a year off still
stamps near true time once it has spoken to its hub once.

Nothing from outside moves this clock far ahead (DESIGN.md "Clock"; issue #7 item 5):
- a remote stamp more than `max_ahead_ms` ahead of our physical time is accepted but not
  adopted, so one tablet with a wrong date (or a forged stamp) cannot drag everyone
  forward;
- a hub's time is learned only if it is not more than `max_ahead_ms` ahead of the
  latest time this device knows of (its own clock, its corrected clock, its own last
  stamp). A device whose clock fell behind (a flat battery) is still corrected as soon
  as it syncs after writing; one that has been behind for longer is told to fix its
  date (`HubTimeRefused`) rather than jumped years ahead on the word of one reply. The
  first contact (enrollment, which is the hub's pinning) is the exception;
- whatever was learned, the physical time is kept inside the range a stamp can encode,
  so no value from the network can make `now()` produce a stamp that is refused (a
  tablet that could no longer write).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

LOGICAL_BITS = 16
_LOGICAL_MAX = (1 << LOGICAL_BITS) - 1
DEFAULT_MAX_AHEAD_MS = 10 * 60 * 1000   # DESIGN.md: far-future means > 10 min ahead of the hub
MAX_HLC = 2**63 - 1                     # SQLite INTEGER; sync.events refuses anything above
MAX_WALL_MS = MAX_HLC >> LOGICAL_BITS   # the last millisecond a stamp can carry (year 6429)
# The physical clock stays a day below the ceiling: logical overflow borrows milliseconds,
# and request counters (µs, sync.keys.next_counter) must keep to 18 digits.
PHYSICAL_CEILING_MS = MAX_WALL_MS - 86_400_000
MIN_HUB_MS = 1_577_836_800_000          # 2020-01-01: no real hub answers with an earlier time


def pack(wall_ms: int, logical: int) -> int:
    return (wall_ms << LOGICAL_BITS) | logical


def unpack(stamp: int) -> tuple[int, int]:
    return stamp >> LOGICAL_BITS, stamp & _LOGICAL_MAX


def wall_ms_of(stamp: int) -> int:
    return stamp >> LOGICAL_BITS


def system_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class HubTimeRefused:
    """Why a hub's time was not learned: impossible, or how far ahead of what we know."""

    hub_ms: object
    ours_ms: int

    @property
    def plausible(self) -> bool:
        return type(self.hub_ms) is int and MIN_HUB_MS <= self.hub_ms <= PHYSICAL_CEILING_MS

    def message(self) -> str:
        if not self.plausible or not isinstance(self.hub_ms, int):
            return "服务器发来的时间不可能是真的，本机没有采用；请告诉镇里检查服务器的日期和时间。"
        minutes = (self.hub_ms - self.ours_ms) // 60_000
        how_far = f"{minutes // 1440} 天" if minutes >= 1440 else f"{minutes} 分钟"
        return (f"服务器的时间比本机快了 {how_far}，本机没有采用：请先核对平板的日期和时间"
                "（设置 → 日期和时间），改对后再同步；如果平板的时间是对的，请告诉镇里检查服务器的时间。")


@dataclass
class HybridClock:
    """Monotonic hybrid clock. `last` is the highest stamp issued or adopted."""

    last: int = 0
    offset_ms: int = 0
    wall: Callable[[], int] = system_ms
    max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS

    def physical_ms(self) -> int:
        return min(max(self.wall() + self.offset_ms, 0), PHYSICAL_CEILING_MS)

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

    def known_ms(self) -> int:
        """The latest time this device has evidence of: its own clock, its corrected
        clock and its own last stamp (which holds up a device whose date fell back)."""
        return max(self.wall(), self.physical_ms(), wall_ms_of(self.last))

    def learn_offset(self, hub_ms: object, sent_ms: int, received_ms: int,
                     first_contact: bool = False) -> HubTimeRefused | None:
        """Set the offset from a hub's time, assuming the reply left it mid round trip.
        sent/received are the HTTP client's readings of the system clock; they are moved
        onto this clock's own wall (the device clock as given, which may be another).
        Returns why the time was not learned, or None if it was."""
        refusal = HubTimeRefused(hub_ms, self.known_ms())
        if not refusal.plausible or not isinstance(hub_ms, int):
            return refusal
        if not first_contact and hub_ms > refusal.ours_ms + self.max_ahead_ms:
            return refusal
        midpoint = (sent_ms + received_ms) // 2 + (self.wall() - system_ms())
        self.offset_ms = hub_ms - midpoint
        return None
