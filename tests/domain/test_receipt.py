"""Receipt numbers: unique across offline stations, typos caught, Chinese errors."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import ReceiptError
from app.domain.shared.receipt import (
    STATION_LETTERS, format_receipt, normalize_receipt, parse_receipt)

stations = st.builds(lambda a, b, n: f"{a}{b}{n:03d}", st.sampled_from(STATION_LETTERS),
                     st.sampled_from(STATION_LETTERS), st.integers(0, 999))
days = st.dates(date(2000, 1, 1), date(2099, 12, 31))
counters = st.integers(1, 9999)


def mod97_valid(compact: str) -> bool:
    """ISO 7064 MOD 97-10 validation of the whole number (the code computes the digits)."""
    return int("".join(str(int(c, 36)) for c in compact)) % 97 == 1


def test_layout_and_check_digits():
    number = format_receipt("XJ003", date(2025, 9, 26), 7)
    assert number == "XJ003-250926-0007-12"
    assert mod97_valid(number.replace("-", ""))


@settings(max_examples=300, deadline=None, database=None)
@given(station=stations, day=days, counter=counters)
def test_every_receipt_parses_back_to_what_made_it(station, day, counter):
    number = format_receipt(station, day, counter)
    receipt = parse_receipt(number)
    assert (receipt.station, receipt.day, receipt.counter) == (station, day, counter)
    assert receipt.number == number
    assert mod97_valid(normalize_receipt(number))


@settings(max_examples=200, deadline=None, database=None)
@given(issued=st.lists(st.tuples(stations, days, counters), min_size=2, max_size=60, unique=True))
def test_distinct_station_day_counter_never_share_a_number(issued):
    numbers = {format_receipt(*triple) for triple in issued}
    assert len(numbers) == len(issued)


@settings(max_examples=100, deadline=None, database=None)
@given(a=stations, b=stations, day=days, counter=counters)
def test_two_offline_stations_numbering_the_same_day_never_collide(a, b, day, counter):
    if a != b:
        assert format_receipt(a, day, counter) != format_receipt(b, day, counter)


def _alphabet_at(i: int) -> str:
    return STATION_LETTERS if i < 2 else "0123456789"


@settings(max_examples=60, deadline=None, database=None)
@given(station=stations, day=days, counter=counters)
def test_every_single_wrong_character_is_caught(station, day, counter):
    compact = normalize_receipt(format_receipt(station, day, counter))
    for i, c in enumerate(compact):
        for other in _alphabet_at(i):
            if other != c:
                with pytest.raises(ReceiptError):
                    parse_receipt(compact[:i] + other + compact[i + 1:])


@settings(max_examples=60, deadline=None, database=None)
@given(station=stations, day=days, counter=counters)
def test_every_swap_of_neighbours_is_caught(station, day, counter):
    compact = normalize_receipt(format_receipt(station, day, counter))
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            with pytest.raises(ReceiptError):
                parse_receipt(compact[:i] + compact[i + 1] + compact[i] + compact[i + 2:])


def test_typed_variants_are_read_the_same():
    assert parse_receipt(" xj003 250926 0007 12 ").counter == 7
    assert parse_receipt("XJOO3-25O926-OOO7-12").station == "XJ003"   # letter O for zero
    assert parse_receipt("ＸＪ００３－２５０９２６－０００７－１２").day == date(2025, 9, 26)


@pytest.mark.parametrize("text, code, message", [
    ("", "empty", "请输入回执编号"),
    ("XJ003-250926-0007", "length",
     "回执编号应为17位（不算横线），如 XJ003-250926-0007-12；现在是15位，请对照回执核对后重新输入"),
    ("X3003-250926-0007-12", "station",
     "回执编号开头应是2个字母加3位数字（受理站点代码），请对照回执核对后重新输入"),
    ("XJ003-250931-0007-12", "date", "回执编号中的日期（第6至11位）不是有效日期，请对照回执核对后重新输入"),
    ("XJ003-250926-0000-42", "counter", "回执编号中的流水号不能是0000，请对照回执核对后重新输入"),
    ("XJ003-250926-0070-12", "check", "回执编号校验位不对，可能有字符输错或前后颠倒，请对照回执重新输入"),
    ("XJ003-250926-00A7-12", "chars", "回执编号第6位以后应全是数字，请对照回执核对后重新输入"),
    ("XJ003/250926/0007/12", "chars", "回执编号只能有字母和数字，请对照回执核对后重新输入"),
])
def test_typos_get_a_chinese_message(text, code, message):
    with pytest.raises(ReceiptError) as info:
        parse_receipt(text)
    assert (info.value.code, info.value.message) == (code, message)


@pytest.mark.parametrize("station, counter", [("XI003", 1), ("XJ03", 1), ("XJ003", 0),
                                              ("XJ003", 10000)])
def test_formatting_refuses_what_could_not_be_parsed_back(station, counter):
    with pytest.raises(ValueError):
        format_receipt(station, date(2025, 9, 26), counter)
