"""Adaptive batch size: grow while batches go through quickly, halve when one fails.

Targets from issue #2 §3: about 100–500 events a batch, at most 256 KB compressed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sync.wire import TARGET_COMPRESSED


@dataclass
class BatchSizer:
    size: int = 200
    low: int = 20
    high: int = 500
    slow_seconds: float = 5.0

    def succeeded(self, seconds: float, compressed_bytes: int) -> None:
        if compressed_bytes > TARGET_COMPRESSED:
            self.size = max(self.low, int(self.size * TARGET_COMPRESSED / compressed_bytes))
        elif seconds < self.slow_seconds:
            self.size = min(self.high, int(self.size * 1.5) + 1)

    def failed(self) -> None:
        self.size = max(self.low, self.size // 2)
