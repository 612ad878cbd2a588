"""Public receipt numbers (回执编号), one counter per station and day for every kind of
record the public may look up (service cases, petitions: 可查询、可跟踪, RULES.md §1, §2)."""
from __future__ import annotations

from datetime import date

from app.domain import format_receipt
from app.services.errors import ServiceError
from app.station import Station
from sync.db import transaction


def next_receipt(station: Station, day: date) -> str:
    """Per-station, per-day counter, persisted before use: a number is never reused (a
    failed save leaves a gap, which is harmless)."""
    code = station.short_code
    if not code:
        raise ServiceError("本机没有站点编码，无法编回执号：请重新登记本机。")
    key = f"receipt:{day:%Y%m%d}"
    with transaction(station.store.conn):
        counter = int(station.store.meta.get(key, "0") or 0) + 1
        station.store.meta.set(key, counter)
    if counter > 9999:
        raise ServiceError("今天的回执编号已用完（9999 个），请明天再受理或联系镇里。")
    return format_receipt(code, day, counter)


__all__ = ["next_receipt"]
