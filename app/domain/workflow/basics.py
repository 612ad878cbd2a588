"""What every workflow (service case, dispute, petition, risk assessment, and the ones
still to come) shares: the answer of a rule check, the three levels, a payload date, one
line of a record's timeline, and the shape of a workflow's state.

Pure: no I/O, no clock.  The engine that uses these is ``app.domain.workflow.engine``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

from app.domain.events import Rejected

LEVELS = ("village", "town", "county")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
# A level as refusals say it: "镇里不能…".
LEVEL_SHORT = {"village": "村里", "town": "镇里", "county": "县直部门"}


@dataclass(frozen=True)
class Verdict:
    """The answer of every rule check: ``ok``, or a stable ``code`` and a Chinese
    ``message`` that says why not and what to do instead."""

    ok: bool
    code: str = "ok"
    message: str = ""


OK = Verdict(True)


def no(code: str, message: str) -> Verdict:
    return Verdict(False, code, message)


def iso_date(value: Any) -> date | None:
    """A payload date ("2026-02-14") as ``date``; None if absent or malformed."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def business_date(payload: Any, since: date | None = None, since_what: str = "") -> Verdict:
    """A step's date (payload "on") is a date, and not before ``since`` (the day the
    record came in, called ``since_what`` in the message)."""
    on = iso_date(payload.get("on"))
    if on is None:
        return no("bad_date", "日期不对，请重新选择")
    if since is not None and on < since:
        return no("bad_date", f"日期不能早于{since_what} {since.isoformat()}")
    return OK


def text(data: Any, key: str) -> str:
    """``data[key]`` stripped, if ``data`` is a mapping and the value a string; else ""."""
    value = data.get(key) if isinstance(data, dict) or hasattr(data, "get") else None
    return value.strip() if isinstance(value, str) else ""


def texts(values: Any) -> list[str]:
    """The non-blank strings of a payload list (names, panel members), stripped."""
    return [v.strip() for v in values or [] if isinstance(v, str) and v.strip()]


@dataclass(frozen=True)
class Step:
    """One line of a record's timeline: who did what, when, at which level."""

    event_id: str
    event_type: str
    author: str
    origin: str
    hlc: int
    on: str | None  # business date the act was done (payload "on"), ISO
    level: str
    what: str  # Chinese, for the timeline
    due: date | None = None  # what this step promised, if anything


class RecordState(Protocol):
    """What the engine reads and writes in a workflow's state (a frozen dataclass).

    ``path`` is the hand-over chain (level, node) from the creating node to the holder;
    a workflow whose records never move leaves it empty."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def record(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def path(self) -> tuple[tuple[str, str | None], ...]: ...
    @property
    def steps(self) -> tuple[Step, ...]: ...
    @property
    def rejected(self) -> tuple[Rejected, ...]: ...
    @property
    def seen(self) -> frozenset[str]: ...
    @property
    def status_name(self) -> str: ...
