"""Settings and counters of a simulated link (bench.linkproxy), and the text commands
that change or read them (the --control protocol)."""

from __future__ import annotations

import collections
import random
import threading
from typing import Any, Dict, List, Optional, Tuple

from bench.link_pipes import LinkStats


class LinkState:
    """What a link is set to (rate, latency, seed) and what it counted (bytes each way,
    connections, faults); thread-safe (every setter takes the lock and applies from the
    next chunk). The base of LinkProxy, which moves the bytes."""

    def __init__(self, *, kbps: Optional[float] = None, latency: float = 0.0,
                 jitter: float = 0.0, seed: Optional[int] = None) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._rate: Optional[float] = None  # bytes per second
        self._kbps: Optional[float] = None
        self._latency = 0.0
        self._jitter = 0.0
        self.set_bandwidth(kbps)
        self.set_latency(latency, jitter)
        self._bytes = {"up": 0, "down": 0}
        self._connections = 0
        self._active = 0
        self._fault_counts: collections.Counter = collections.Counter()

    # ------------------------------------------------------------------ runtime settings

    def set_bandwidth(self, kbps: Optional[float]) -> None:
        """Link rate in kbit/s per direction (shared across connections); None/0 = unlimited."""
        if kbps is not None and kbps < 0:
            raise ValueError("kbps must be >= 0")
        with self._lock:
            self._kbps = float(kbps) if kbps else None
            self._rate = self._kbps * 1000.0 / 8.0 if self._kbps else None

    @property
    def bandwidth(self) -> Optional[float]:
        """Current limit in kbit/s, or None when unlimited."""
        return self._kbps

    def set_latency(self, latency: float = 0.0, jitter: float = 0.0) -> None:
        """One-way delay per chunk: ``latency`` + uniform(0, ``jitter``) seconds."""
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter must be >= 0")
        with self._lock:
            self._latency = float(latency)
            self._jitter = float(jitter)

    def _latency_jitter(self) -> Tuple[float, float]:
        with self._lock:
            return self._latency, self._jitter

    def set_seed(self, seed: Optional[int]) -> None:
        """Reseed the generator that per-connection random choices derive from."""
        with self._lock:
            self._rng = random.Random(seed)

    # ------------------------------------------------------------------ counters

    def _count(self, direction: str, n: int) -> None:
        with self._lock:
            self._bytes[direction] += n

    def stats(self) -> LinkStats:
        with self._lock:
            return LinkStats(
                bytes_up=self._bytes["up"],
                bytes_down=self._bytes["down"],
                connections=self._connections,
                active=self._active,
                faults=dict(self._fault_counts),
            )

    @property
    def bytes_up(self) -> int:
        with self._lock:
            return self._bytes["up"]

    @property
    def bytes_down(self) -> int:
        with self._lock:
            return self._bytes["down"]

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def reset_counters(self) -> LinkStats:
        """Zero the byte/connection/fault counters; returns the values before the reset."""
        with self._lock:
            before = self.stats()
            self._bytes = {"up": 0, "down": 0}
            self._connections = 0
            self._fault_counts.clear()
            return before

    # ------------------------------------------------------------------ control commands

    def control(self, command: str) -> Dict[str, Any]:
        """Apply one text command (the CLI's --control protocol); returns a JSON-able reply."""
        words = command.split()
        if not words:
            return {"ok": False, "error": "empty command"}
        try:
            return self._control(words[0].lower(), words[1:])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return {"ok": False, "error": str(exc) or type(exc).__name__}

    def _control(self, cmd: str, args: List[str]) -> Dict[str, Any]:
        if cmd == "stats":
            return {"ok": True, **self.stats().as_dict()}
        if cmd == "reset":
            return {"ok": True, "before": self.reset_counters().as_dict()}
        if cmd == "kbps":
            value = args[0].lower()
            self.set_bandwidth(None if value in ("off", "none", "0") else float(value))
            return {"ok": True, "kbps": self.bandwidth}
        if cmd == "latency":
            lat = float(args[0]) / 1000.0
            jit = float(args[1]) / 1000.0 if len(args) > 1 else 0.0
            self.set_latency(lat, jit)
            return {"ok": True, "latency_ms": lat * 1000.0, "jitter_ms": jit * 1000.0}
        raise ValueError(f"unknown command {cmd!r}")
