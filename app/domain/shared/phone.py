"""Telephone numbers typed at the window: mainland mobiles, landlines, service hotlines.

RULES.md §1 (register fields: contact phone; 一次性告知: enquiry and complaint phone numbers)
and §5 (collect only what is needed, show masked).

- Mobile: 11 digits, ``1[3-9]\\d{9}``; a leading +86 / 0086 / 86 is dropped.
- Landline: area code (长途区号) + local number, e.g. 0376-6212345.  Area codes are 010 and
  02X (three digits, eight-digit local numbers) or 0XXX (four digits, seven or eight-digit
  local numbers); local numbers never start with 0 or 1 (电信网编号计划: 0 is the trunk
  prefix, 1 opens special-service and mobile numbers), so "0376-1234567" — the example this
  module used to give — is no telephone number, and the message says exactly that rather
  than asking for 7–8 digits it already has (issue #10 item 12).  A landline without its
  area code is refused: the station, the town and the county may be in different areas.
- Hotline: five-digit public service numbers 12XXX (12345 政务服务, 12333 人社, 12393 医保).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MOBILE = re.compile(r"1[3-9]\d{9}")
_HOTLINE = re.compile(r"12\d{3}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_EXTENSION = re.compile(r"(?:转|ext\.?|-)(\d{1,6})$", re.IGNORECASE)
EXAMPLE = "0376-6212345"  # a landline of 信阳 (0376) as the numbering plan allows


@dataclass(frozen=True)
class PhoneCheck:
    """``kind`` is "mobile", "landline" or "hotline"; ``number`` is the tidy display form."""

    ok: bool
    kind: str | None = None
    number: str = ""
    message: str = ""


def _fail(message: str) -> PhoneCheck:
    return PhoneCheck(ok=False, message=message)


def check_phone(text: str) -> PhoneCheck:
    """Check a typed phone number of any accepted kind; say what to fix if it is wrong."""
    raw = "".join(unicodedata.normalize("NFKC", text or "").split())
    if not raw:
        return _fail("请输入联系电话")
    extension = ""
    if raw.startswith("0"):
        match = _EXTENSION.search(raw)
        if match and len(raw) - len(match.group(0)) >= 10:
            extension, raw = match.group(1), raw[: match.start()]
    digits = re.sub(r"[-()（）]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isascii() or not digits.isdigit():
        return _fail("电话号码只能包含数字，请核对后重新输入")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    if digits.startswith("1"):
        if _MOBILE.fullmatch(digits):
            return PhoneCheck(ok=True, kind="mobile", number=digits)
        if _HOTLINE.fullmatch(digits):
            return PhoneCheck(ok=True, kind="hotline", number=digits)
        return _fail("手机号应为11位数字、以13至19开头，请核对后重新输入")
    if digits.startswith("0"):
        return _check_landline(raw, digits, extension)
    if _LOCAL.fullmatch(digits):
        return _fail(f"固定电话要带区号，例如 {EXAMPLE}，请补全区号后重新输入")
    return _fail("电话号码位数不对：手机号11位，固定电话为区号加7至8位号码，请核对后重新输入")


def _split_area_code(raw: str, digits: str) -> tuple[str, str]:
    """Split at the separator the user typed, else by the numbering plan."""
    typed = re.match(r"^[(（]?(0\d{2,3})[)）-](.+)$", raw)
    if typed:
        return typed.group(1), re.sub(r"\D", "", typed.group(2))
    if digits.startswith(("010", "02")):
        return digits[:3], digits[3:]
    return digits[:4], digits[4:]


def _check_landline(raw: str, digits: str, extension: str) -> PhoneCheck:
    code, local = _split_area_code(raw, digits)
    three_digit = code == "010" or (len(code) == 3 and code.startswith("02"))
    if not (three_digit or (len(code) == 4 and not code.startswith(("00", "01", "02")))):
        return _fail("固定电话的区号不对（以0开头，3至4位，如 010、0376），请核对后重新输入")
    if not local.isdigit() or not 7 <= len(local) <= 8:
        return _fail("固定电话号码（区号后面的部分）应为7至8位，请核对后重新输入")
    if three_digit and len(local) != 8:
        return _fail(f"区号{code}的固定电话号码（区号后面的部分）应为8位，请核对后重新输入")
    if not _LOCAL.fullmatch(local):   # right length, but starts with 0 or 1
        return _fail("固定电话号码（区号后面的部分）不能以0或1开头，请核对后重新输入"
                     f"（例如 {EXAMPLE}）")
    number = f"{code}-{local}" + (f"-{extension}" if extension else "")
    return PhoneCheck(ok=True, kind="landline", number=number)


def mask_phone(text: str) -> str:
    """Mask a citizen's number for display: 138****5678, 0376-***4567."""
    result = check_phone(text)
    if not result.ok:
        tidy = "".join((text or "").split())
        return "*" * len(tidy)
    if result.kind == "mobile":
        return result.number[:3] + "****" + result.number[-4:]
    if result.kind == "landline":
        code, local = result.number.split("-")[:2]
        return f"{code}-{'*' * (len(local) - 4)}{local[-4:]}"
    return result.number
