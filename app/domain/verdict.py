"""The answer of every rule check: ``ok``, or a stable code and a Chinese message that
says why not and what to do instead."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """``ok`` or not; ``message`` (Chinese) says why not and what to do instead."""

    ok: bool
    code: str = "ok"
    message: str = ""


OK = Verdict(True)


def no(code: str, message: str) -> Verdict:
    return Verdict(False, code, message)
