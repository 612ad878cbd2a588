"""Public receipt numbers (回执编号), one counter per station and day for every kind of
record the public may look up (service cases, petitions: 可查询、可跟踪, RULES.md §1, §2)."""
from __future__ import annotations

from datetime import date

from app.domain import format_receipt
from app.services.errors import ServiceError
from app.station import Station
from sync.db import DatabaseError, transaction


def next_receipt(station: Station, day: date) -> str:
    """Per-station, per-day counter, persisted before use: a number is never reused (a
    failed save leaves a gap, which is harmless)."""
    code = station.short_code
    if not code:
        raise ServiceError("本机没有站点编码，无法编回执号：请重新登记本机。")
    key = f"receipt:{day:%Y%m%d}"
    with transaction(station.store.conn):
        counter = max(int(station.store.meta.get(key, "0") or 0),
                      _highest_held(station, code, day)) + 1
        station.store.meta.set(key, counter)
    if counter > 9999:
        raise ServiceError("今天的回执编号已用完（9999 个），请明天再受理或联系镇里。")
    return format_receipt(code, day, counter)


def _highest_held(station: Station, code: str, day: date) -> int:
    """The day's highest number already in this station's ledgers. A tablet restored
    from a backup, or the replacement of a lost one, gets its records back from the hub
    but not the old counter (issue #11): numbering goes on above what it holds."""
    prefix = f"{code}-{day:%y%m%d}-%"
    highest = 0
    for table in ("cases", "petitions", "sealed_accusations"):
        try:
            row = station.store.conn.execute(
                f"SELECT MAX(CAST(substr(receipt_no, 14, 4) AS INTEGER)) FROM {table}"
                " WHERE receipt_no LIKE ?", (prefix,)).fetchone()
        except DatabaseError:            # a projection this station has not installed
            continue
        highest = max(highest, int(row[0] or 0))
    return highest


__all__ = ["next_receipt"]
