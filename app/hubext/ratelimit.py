"""Token buckets in memory, one per key (a client address, a receipt number).

A bucket holds up to `capacity` tokens and refills at `capacity / period` tokens a
second; a request takes one. Memory stays bounded: past `max_keys` buckets the full
(idle) ones are dropped first, then the least recently used. The clock is passed in.
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    def __init__(self, capacity: int, period: float, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(capacity)
        self.rate = capacity / period
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            self._prune(room_for=1)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self._buckets.move_to_end(key)
        return bucket

    def take(self, key: str) -> float:
        """Take a token: 0.0 if allowed, else the seconds to wait before the next one."""
        bucket = self._bucket(key)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def would_wait(self, key: str) -> float:
        """Seconds until `key` has a token again, without taking one (0.0: it has one)."""
        if key not in self._buckets:
            return 0.0
        bucket = self._bucket(key)
        return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate

    def _prune(self, room_for: int) -> None:
        limit = self.max_keys - room_for
        if len(self._buckets) <= limit:
            return
        now = self.clock()
        for key in [k for k, b in self._buckets.items()
                    if b.tokens + (now - b.at) * self.rate >= self.capacity]:
            del self._buckets[key]   # full again: forgetting it changes nothing
        while len(self._buckets) > limit:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


def seconds_text(wait: float) -> int:
    """Whole seconds to tell the user (never 0)."""
    return max(1, math.ceil(wait))
