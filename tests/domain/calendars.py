"""Town holiday lists for years ``chinesecalendar`` does not cover, as a town would type
them from the State Council's notice.

The statutory days (全国年节及纪念日放假办法 Art 2, 2024 edition) are real: 2027 元旦 1月1日,
春节 除夕 2月5日 and 初一至初三 2月6日–8日, 清明 4月5日, 劳动节 5月1日–2日, 端午 6月9日, 中秋
9月15日, 国庆 10月1日–3日.  The bridge days and make-up working days around them are
invented for the tests (the real notice for 2027 is not out when these are written).
"""
from __future__ import annotations

from datetime import date, timedelta


def _span(first: str, last: str) -> list[str]:
    day, end, out = date.fromisoformat(first), date.fromisoformat(last), []
    while day <= end:
        out.append(day.isoformat())
        day += timedelta(days=1)
    return out


HOLIDAYS_2027 = (_span("2027-01-01", "2027-01-03") + _span("2027-02-05", "2027-02-11")
                 + _span("2027-04-03", "2027-04-05") + _span("2027-05-01", "2027-05-05")
                 + ["2027-06-09", "2027-09-15"] + _span("2027-10-01", "2027-10-07"))
WORKDAYS_2027 = ["2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]
COMPLETE_2027 = {"2027": {"holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027}}
# What a town that only typed in 春节 would have: not the whole notice.
PARTIAL_2027 = {"2027": {"holidays": _span("2027-02-05", "2027-02-11"),
                         "workdays": ["2027-02-20"]}}
