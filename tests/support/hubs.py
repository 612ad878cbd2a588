"""Real hub processes on 127.0.0.1 for tests (issue #2 §5).

The helpers live in bench/procs.py so the benchmarks can use them too (bench/ must not
import tests/); this module keeps the tests' import path.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.procs import ROOT, HubProcess, free_port

__all__ = ["ROOT", "HubProcess", "free_port", "running_hub", "wait_for_relay"]


@contextmanager
def running_hub(data: Path, level: str, name: str) -> Iterator[HubProcess]:
    """A new hub process (its directory made with `name`), stopped afterwards."""
    hub = HubProcess(data, level)
    hub.init(name)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def wait_for_relay(town: "str | HubProcess", timeout: float = 60.0) -> None:
    """Wait until the town hub has finished a whole relay round (push up, then pull
    down) that *started* after this call: then everything its children pushed before
    is at the county and everything the county held before is at the town. Polling its
    status instead of sleeping keeps tests right on a loaded machine."""
    hub = town if isinstance(town, HubProcess) else HubProcess.RUNNING[town]

    def last_success() -> int:
        return int(hub.status().get("last_up_success") or 0)

    deadline = time.monotonic() + timeout
    mark = last_success()
    for _ in range(2):   # the first completion may belong to a round already running
        while last_success() <= mark:
            if time.monotonic() > deadline:
                raise AssertionError(f"the town hub did not finish a relay round in {timeout} s")
            time.sleep(0.05)
        mark = last_success()
