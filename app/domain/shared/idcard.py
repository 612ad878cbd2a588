"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

RULES.md §5: ID numbers are sensitive personal information (个人信息保护法 Art 28; GB/T 35273
lists them as sensitive): validate them with the GB 11643 check digit, and show them masked.

Layout of the 18 characters (GB 11643-1999 §4):
    1–6   address code (行政区划代码, GB/T 2260): the first two digits are the province
    7–14  birth date YYYYMMDD
    15–17 order code; the 17th digit is odd for men, even for women
    18    check character, ISO 7064 MOD 11-2 over the first 17 digits, 0–9 or X (= 10)

Only the *shape* of the address code is checked (a known province prefix): county codes
change every year and an old card stays valid after its county is renamed.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

# GB 11643-1999 §8.2: weights W_i = 2^(18-i) mod 11 for positions i = 1..17.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
# ISO 7064 MOD 11-2: check value for (sum mod 11) = 0, 1, 2, ...
_CHECK_CHARS = "10X98765432"

# Province-level prefixes of GB/T 2260, plus 81/82/83 used by the residence permits of
# Hong Kong, Macao and Taiwan residents (港澳台居民居住证), which follow the same layout.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
     "65", "71", "81", "82", "83"})

# Low enough for the standard's own example (440524188001010014, born 1880); a year before
# it is a typo, not a person.
_EARLIEST_BIRTH_YEAR = 1800


@dataclass(frozen=True)
class IdCheck:
    """Outcome of checking a typed ID number.

    ``number`` is the normalised form (half-width, upper-case X) whenever the input had 18
    characters; ``message`` is empty when ``ok`` and otherwise tells the user what to do.
    """

    ok: bool
    number: str
    message: str = ""
    birth_date: date | None = None
    sex: str | None = None  # "男" / "女"
    province: str | None = None  # two-digit province prefix


def normalize_id_number(text: str) -> str:
    """Fold full-width characters, drop spaces, upper-case the X."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(folded.split()).upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _fail(number: str, message: str) -> IdCheck:
    return IdCheck(ok=False, number=number, message=message)


def check_id_number(text: str, *, today: date | None = None) -> IdCheck:
    """Check a typed 18-digit ID number; pass ``today`` to also refuse future birth dates."""
    number = normalize_id_number(text)
    if not number:
        return _fail(number, "请输入18位身份证号")
    if len(number) == 15 and number.isdigit():
        return _fail(number, "这是15位的旧身份证号，已停止使用；请按群众现在的18位身份证号录入")
    if len(number) != 18:
        return _fail(number, f"身份证号应为18位，现在是{len(number)}位，请核对后重新输入")
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or not (last.isdigit() or last == "X"):
        return _fail(number, "身份证号前17位只能是数字，第18位是数字或字母X，请核对后重新输入")
    if body[:2] not in PROVINCE_CODES:
        return _fail(number, "身份证号前两位（省份代码）不对，请核对后重新输入")
    birth = _birth_date(body[6:14])
    if birth is None:
        return _fail(number, "身份证号第7至14位的出生日期不是有效日期，请核对后重新输入")
    if today is not None and birth > today:
        return _fail(number, "身份证号中的出生日期晚于今天，请核对后重新输入")
    # The expected check character is deliberately not shown: the typo is as likely to be
    # in the first 17 digits, and "fixing" the last one would hide it.
    if check_digit(body) != last:
        return _fail(number, "身份证号第18位校验码不对，可能有数字输错或颠倒，请对照证件核对")
    return IdCheck(ok=True, number=number, birth_date=birth, sex=_sex(body),
                   province=body[:2])


def _birth_date(yyyymmdd: str) -> date | None:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if year < _EARLIEST_BIRTH_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _sex(first17: str) -> str:
    return "男" if int(first17[16]) % 2 else "女"


def birth_date_of(number: str) -> date | None:
    """Birth date of a valid ID number, else None."""
    return check_id_number(number).birth_date


def sex_of(number: str) -> str | None:
    """"男" or "女" from the 17th digit of a valid ID number, else None."""
    return check_id_number(number).sex


def mask_id_number(text: str) -> str:
    """Mask for display (GB/T 35273 de-identification): 4101**********1234.

    Works on anything typed, valid or not, so that a wrong number is never shown in full
    either; very short input is masked completely.
    """
    number = normalize_id_number(text)
    if len(number) < 12:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
