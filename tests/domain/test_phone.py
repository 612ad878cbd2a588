"""Mainland mobile numbers, landlines with area code, public service hotlines."""
from __future__ import annotations

import pytest

from app.domain.shared.phone import check_phone, mask_phone


@pytest.mark.parametrize("text, kind, number", [
    ("13812345678", "mobile", "13812345678"),
    ("+86 138 1234 5678", "mobile", "13812345678"),
    ("0086-19912345678", "mobile", "19912345678"),
    ("0376-2981234", "landline", "0376-2981234"),
    ("(0376)29812345", "landline", "0376-29812345"),
    ("（0376）2981234", "landline", "0376-2981234"),
    ("037629812345", "landline", "0376-29812345"),
    ("010-62345678", "landline", "010-62345678"),
    ("02162345678", "landline", "021-62345678"),
    ("0376-2981234转801", "landline", "0376-2981234-801"),
    ("12345", "hotline", "12345"),
    ("12333", "hotline", "12333"),
])
def test_valid_numbers_are_tidied(text, kind, number):
    result = check_phone(text)
    assert (result.ok, result.kind, result.number) == (True, kind, number)


@pytest.mark.parametrize("text, message", [
    ("", "请输入联系电话"),
    ("1381234567", "手机号应为11位数字、以13至19开头，请核对后重新输入"),
    ("11812345678", "手机号应为11位数字、以13至19开头，请核对后重新输入"),
    ("2981234", "固定电话要带区号，例如 0376-6212345，请补全区号后重新输入"),
    ("0123-2981234", "固定电话的区号不对（以0开头，3至4位，如 010、0376），请核对后重新输入"),
    ("0376-0981234", "固定电话号码（区号后面的部分）不能以0或1开头，请核对后重新输入（例如 0376-6212345）"),
    ("0376-1234567", "固定电话号码（区号后面的部分）不能以0或1开头，请核对后重新输入（例如 0376-6212345）"),
    ("0376-298123", "固定电话号码（区号后面的部分）应为7至8位，请核对后重新输入"),
    ("010-6234567", "区号010的固定电话号码（区号后面的部分）应为8位，请核对后重新输入"),
    ("0376-xxxxxxx", "电话号码只能包含数字，请核对后重新输入"),
    ("123", "手机号应为11位数字、以13至19开头，请核对后重新输入"),
    ("98765", "电话号码位数不对：手机号11位，固定电话为区号加7至8位号码，请核对后重新输入"),
])
def test_wrong_numbers_say_what_to_fix(text, message):
    result = check_phone(text)
    assert (result.ok, result.message) == (False, message)


def test_the_example_the_messages_give_is_itself_a_valid_number():
    # Issue #10 item 12: the old example 0376-1234567 was refused by this very check.
    from app.domain.shared.phone import EXAMPLE
    assert check_phone(EXAMPLE).ok and check_phone(EXAMPLE).kind == "landline"


def test_masking_hides_the_middle():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0376-29812345") == "0376-****2345"
    assert mask_phone("12345") == "12345"
    assert mask_phone("abc") == "***"
