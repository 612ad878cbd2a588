"""The statutory holidays of any year, known without the State Council's 调休 notice.

全国年节及纪念日放假办法 Art 2 names the days every citizen has off; the yearly notice of
the 国务院办公厅 (部分节假日安排) only moves working days around them (调休, bridge days).
So a year nobody has entered yet still has these days off for certain:

| festival | days (Art 2)                                | edition in force            |
|----------|---------------------------------------------|-----------------------------|
| 元旦      | 1月1日                                       | all                         |
| 春节      | 除夕、正月初一、初二 (3)                        | from 2008 (2007年修订)        |
|          | 正月初一、初二、初三 (3)                        | from 2014 (2013年修订)        |
|          | 除夕、正月初一、初二、初三 (4)                   | from 2025 (2024年11月修订)    |
| 清明节    | 农历清明当日 (the solar term's day)             | all (since 2008)            |
| 劳动节    | 5月1日 (1); 5月1日、2日 (2) from 2025          | 2007年 / 2024年修订           |
| 端午节    | 农历端午当日 (五月初五)                         | all (since 2008)            |
| 中秋节    | 农历中秋当日 (八月十五)                         | all (since 2008)            |
| 国庆节    | 10月1日、2日、3日                              | all                         |

(The day lists are checked against every State Council
notice of 2010–2026 that ``chinesecalendar`` carries, tests/domain/test_statutory_holidays.)
Lunar dates and the 清明 solar term come from ``lunar-python`` (pure Python, so it
packages for the Android tablets); 除夕 is the day before 正月初一, whether the twelfth
month has 29 or 30 days.

Bridge days: a notice also gives weekdays next to a festival off (and a weekend day
on).  Which ones is not knowable in advance, but how far they reach is: measured over
the notices of 2010–2026, a weekday given off lay at most ``BRIDGE_REACH[festival]``
days before the festival's first statutory day or after its last one (the 2015 抗战胜利
纪念日 days were a one-off and are not counted).  ``possible_bridge`` says whether a
weekday of a year without its notice *might* still be given off: a period a citizen must
keep is judged against that latest possible end (in the citizen's favour, RULES.md §2).
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL = (
    "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
FESTIVALS = (NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL)

# Days a notice gave off before the first / after the last statutory day of a festival,
# at most, 2010–2026 (see the module docstring; the test recomputes them).
BRIDGE_REACH: dict[str, tuple[int, int]] = {
    NEW_YEAR: (1, 2), SPRING: (1, 4), QINGMING: (2, 2), LABOUR: (2, 4),
    DRAGON_BOAT: (2, 2), MID_AUTUMN: (1, 2), NATIONAL: (0, 5),
}
FIRST_YEAR = 2008  # the lunar festivals are holidays from the 2008 edition on
SOURCE = "全国年节及纪念日放假办法第二条（2024年修订，2025年1月1日起施行）"

_ONE_DAY = timedelta(days=1)


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar_day(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day))


def _qingming(year: int) -> date:
    # The jieqi table of lunar year ``year`` holds the 清明 of solar year ``year``.
    term = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of ``year`` (Art 2 of the edition in force), date → festival.

    Raises ValueError before 2008 (the lunar festivals were no holidays then; those years
    are in ``chinesecalendar`` anyway)."""
    if year < FIRST_YEAR:
        raise ValueError(f"statutory holidays are computed from {FIRST_YEAR} on, not {year}")
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    first = _lunar_day(year, 1, 1)  # 正月初一 of the lunar year beginning in ``year``
    eve = first - _ONE_DAY
    if year >= 2025:
        spring = [eve, first, first + _ONE_DAY, first + 2 * _ONE_DAY]
    elif year >= 2014:
        spring = [first, first + _ONE_DAY, first + 2 * _ONE_DAY]
    else:
        spring = [eve, first, first + _ONE_DAY]
    days.update({d: SPRING for d in spring})
    days[_qingming(year)] = QINGMING
    days[date(year, 5, 1)] = LABOUR
    if year >= 2025:
        days[date(year, 5, 2)] = LABOUR
    days[_lunar_day(year, 5, 5)] = DRAGON_BOAT
    days[_lunar_day(year, 8, 15)] = MID_AUTUMN
    days.update({date(year, 10, d): NATIONAL for d in (1, 2, 3)})
    return days


def festival_of(day: date) -> str | None:
    """The festival ``day`` is a statutory holiday of, or None (None before 2008).

    除夕 may fall in the previous solar year (never since 1900, but checked anyway)."""
    if day.year < FIRST_YEAR:
        return None
    for year in (day.year, day.year + 1):
        if year >= FIRST_YEAR:
            found = statutory_holidays(year).get(day)
            if found:
                return found
    return None


@lru_cache(maxsize=64)
def _blocks(year: int) -> tuple[tuple[str, date, date], ...]:
    by_festival: dict[str, list[date]] = {}
    for day, name in statutory_holidays(year).items():
        by_festival.setdefault(name, []).append(day)
    return tuple((name, min(ds), max(ds)) for name, ds in by_festival.items())


def possible_bridge(day: date) -> bool:
    """Whether a weekday might be given off by a notice not yet issued (see BRIDGE_REACH)."""
    if day.weekday() >= 5 or day.year < FIRST_YEAR:
        return False
    for year in (day.year - 1, day.year, day.year + 1):
        if year < FIRST_YEAR:
            continue
        for name, first, last in _blocks(year):
            before, after = BRIDGE_REACH[name]
            if first - timedelta(days=before) <= day <= last + timedelta(days=after):
                return True
    return False


__all__ = ["BRIDGE_REACH", "FESTIVALS", "SOURCE", "festival_of", "possible_bridge",
           "statutory_holidays"]
