"""GB 11643-1999 ID numbers: published samples, an independent check-digit oracle, typos."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.shared.idcard import (
    birth_date_of, check_id_number, mask_id_number, normalize_id_number, sex_of)

# The two examples printed in GB 11643-1999 itself.
PUBLISHED = ["11010519491231002X", "440524188001010014"]


def iso7064_mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 in its recursive form (not the weighted sum the code uses)."""
    p = 0
    for c in digits:
        p = ((p + int(c)) * 2) % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def test_oracle_agrees_with_the_published_samples():
    assert [iso7064_mod11_2(n[:17]) for n in PUBLISHED] == ["X", "4"]


@pytest.mark.parametrize("number", PUBLISHED)
def test_published_samples_are_valid(number):
    assert check_id_number(number).ok


def test_published_sample_details():
    result = check_id_number("11010519491231002X")
    assert (result.birth_date, result.sex, result.province) == (date(1949, 12, 31), "女", "11")
    assert sex_of("440524188001010014") == "男"
    assert birth_date_of("440524188001010014") == date(1880, 1, 1)


@pytest.mark.parametrize("body", [
    "41152319900101001",   # 新县 (411523), born 1990-01-01
    "41150219781130123",
    "41152319660615004",
])
def test_body_with_oracle_check_digit_is_accepted_and_every_other_is_refused(body):
    expected = iso7064_mod11_2(body)
    assert check_id_number(body + expected).ok
    for other in "0123456789X":
        if other != expected:
            result = check_id_number(body + other)
            assert not result.ok
            assert result.message == "身份证号第18位校验码不对，可能有数字输错或颠倒，请对照证件核对"


@pytest.mark.parametrize("number", PUBLISHED)
def test_every_single_digit_typo_is_caught(number):
    for i in range(17):
        for d in "0123456789":
            if d != number[i]:
                typo = number[:i] + d + number[i + 1:]
                assert not check_id_number(typo).ok, typo


@pytest.mark.parametrize("number", PUBLISHED)
def test_every_swap_of_neighbouring_digits_is_caught(number):
    for i in range(16):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
            assert not check_id_number(swapped).ok, swapped


def test_lowercase_x_fullwidth_digits_and_spaces_are_accepted():
    assert check_id_number(" １１０１０５ 19491231002x ").number == "11010519491231002X"
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("text, message", [
    ("", "请输入18位身份证号"),
    ("110105491231002", "这是15位的旧身份证号，已停止使用；请按群众现在的18位身份证号录入"),
    ("1101051949123100", "身份证号应为18位，现在是16位，请核对后重新输入"),
    ("1101051949123100AX", "身份证号前17位只能是数字，第18位是数字或字母X，请核对后重新输入"),
    ("99010519491231002X", "身份证号前两位（省份代码）不对，请核对后重新输入"),
    ("110105194913310028", "身份证号第7至14位的出生日期不是有效日期，请核对后重新输入"),
])
def test_wrong_numbers_get_a_chinese_message_saying_what_to_do(text, message):
    result = check_id_number(text)
    assert (result.ok, result.message) == (False, message)


def test_29_february_of_a_common_year_is_refused_even_with_right_check_digit():
    body = "41152320050229002"
    result = check_id_number(body + iso7064_mod11_2(body))
    assert result.message == "身份证号第7至14位的出生日期不是有效日期，请核对后重新输入"


def test_birth_date_after_today_is_refused_when_today_is_given():
    number = "41152320300101001" + iso7064_mod11_2("41152320300101001")
    assert check_id_number(number).ok
    result = check_id_number(number, today=date(2026, 1, 1))
    assert result.message == "身份证号中的出生日期晚于今天，请核对后重新输入"


def test_masking_shows_only_first_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("4101051990") == "**********"
    assert mask_id_number("") == ""


def test_invalid_number_has_no_extracted_details():
    assert sex_of("11010519491231002Y") is None
    assert birth_date_of("110105194913310028") is None
