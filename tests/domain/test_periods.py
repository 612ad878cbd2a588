"""The reporting periods of 镇里概况."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import DomainError
from app.domain.shared.report_periods import period_for


@pytest.mark.parametrize("kind, today, start, end, label", [
    ("本月", date(2026, 11, 27), date(2026, 11, 1), date(2026, 11, 27), "2026年11月"),
    ("上月", date(2026, 11, 27), date(2026, 10, 1), date(2026, 10, 31), "2026年10月"),
    ("上月", date(2026, 1, 5), date(2025, 12, 1), date(2025, 12, 31), "2025年12月"),
    ("上月", date(2024, 3, 2), date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
    ("本季度", date(2026, 11, 27), date(2026, 10, 1), date(2026, 11, 27), "2026年第四季度"),
    ("本季度", date(2026, 2, 3), date(2026, 1, 1), date(2026, 2, 3), "2026年第一季度"),
    ("今年", date(2026, 11, 27), date(2026, 1, 1), date(2026, 11, 27), "2026年"),
])
def test_periods(kind, today, start, end, label):
    period = period_for(kind, today)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.contains(start) and period.contains(end.isoformat())
    assert not period.contains(None) and not period.contains("2000-01-01")


def test_an_unknown_period_says_which_ones_there_are():
    with pytest.raises(DomainError) as caught:
        period_for("去年", date(2026, 11, 27))
    assert caught.value.message == "统计期间只能选：本月、上月、本季度、今年"
