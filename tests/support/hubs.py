"""Real hub processes on 127.0.0.1 for tests (issue #2 §5).

The helpers live in bench/procs.py so the benchmarks can use them too (bench/ must not
import tests/); this module keeps the tests' import path.
"""
from __future__ import annotations

from bench.procs import ROOT, HubProcess, free_port

__all__ = ["ROOT", "HubProcess", "free_port"]
