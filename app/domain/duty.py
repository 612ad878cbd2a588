"""带班坐班: which shift covers a time of day (RULES.md §1 带班坐班制)."""
from __future__ import annotations

from datetime import time

# Office hours as commonly posted at 便民服务站; the night shift covers 全天候 intake of
# disputes (RULES.md §2). Configurable later if a town posts other hours.
SHIFT_HOURS = {"上午": (time(8, 0), time(12, 0)), "下午": (time(12, 0), time(18, 0)),
               "全天": (time(8, 0), time(18, 0)), "夜间": (time(18, 0), time(23, 59, 59))}


def shift_covers(shift: str, at: time) -> bool:
    start, end = SHIFT_HOURS.get(shift, (time(0), time(0)))
    if shift == "夜间":
        return at >= start or at < time(8, 0)
    return start <= at < end
