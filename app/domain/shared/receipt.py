"""Receipt numbers (受理回执编号) that stay unique with every station offline.

RULES.md §1 (代办登记: no., date; 一次性告知单 no.): the number printed on the citizen's slip
and quoted on the phone.  Layout, 17 characters, shown with hyphens:

    XJ003 - 250926 - 0007 - 42
    station  date     counter check

- station: the station's short code, allocated once at enrollment and unique in the
  county: 2 letters then 3 digits.  Uniqueness of the whole number follows from it
  (each station numbers its own receipts), so no coordination is needed offline.
  Letters I and O are never used, so a typed O/I is read as the digit 0/1.
- date: the acceptance date, YYMMDD; counter: the station's running number for that
  day, 0001–9999, allocated by the station in the same transaction as the event.
- check: two digits, ISO 7064 MOD 97-10 (as in IBAN) over the first 15 characters with
  letters read as 10–35.  It catches every single wrong character and every swap of two
  neighbours (letters stay before digits, so a swap across the station code changes its
  shape and is caught there).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from app.domain.errors import ReceiptError

STATION_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # A–Z without I and O
_STATION = re.compile(f"[{STATION_LETTERS}]{{2}}[0-9]{{3}}")
_LENGTH = 17
MAX_COUNTER = 9999
EXAMPLE = "XJ003-250926-0007-12"


@dataclass(frozen=True)
class Receipt:
    station: str
    day: date
    counter: int

    @property
    def number(self) -> str:
        return format_receipt(self.station, self.day, self.counter)


def is_station_code(code: str) -> bool:
    """Whether ``code`` has the shape of a station code (e.g. XJ003)."""
    return bool(_STATION.fullmatch(code or ""))


def _digits(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def check_digits(body: str) -> str:
    """ISO 7064 MOD 97-10 check digits for the 15-character body."""
    return f"{98 - (_digits(body) * 100) % 97:02d}"


def format_receipt(station: str, day: date, counter: int) -> str:
    """The receipt number for ``counter`` of ``day`` at ``station``, with hyphens."""
    if not is_station_code(station):
        raise ValueError(f"not a station code: {station!r}")
    if not 1 <= counter <= MAX_COUNTER:
        raise ValueError(f"receipt counter out of range: {counter}")
    body = f"{station}{day:%y%m%d}{counter:04d}"
    check = check_digits(body)
    return f"{body[:5]}-{body[5:11]}-{body[11:]}-{check}"


def normalize_receipt(text: str) -> str:
    """Half-width, upper case, no spaces or hyphens, O/I read as 0/1."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    folded = re.sub(r"[\s\-_—–·.]", "", folded)
    return folded.replace("O", "0").replace("I", "1")


def parse_receipt(text: str) -> Receipt:
    """Parse a typed receipt number; ReceiptError (Chinese) tells the user what is wrong."""
    compact = normalize_receipt(text)
    if not compact:
        raise ReceiptError("请输入回执编号", code="empty")
    if not compact.isascii() or not compact.isalnum():
        raise ReceiptError("回执编号只能有字母和数字，请对照回执核对后重新输入", code="chars")
    if len(compact) != _LENGTH:
        raise ReceiptError(f"回执编号应为17位（不算横线），如 {EXAMPLE}；现在是{len(compact)}位，"
                           "请对照回执核对后重新输入", code="length")
    station, day_text, counter_text, check = (
        compact[:5], compact[5:11], compact[11:15], compact[15:])
    if not is_station_code(station):
        raise ReceiptError("回执编号开头应是2个字母加3位数字（受理站点代码），请对照回执核对后重新输入",
                           code="station")
    if not (day_text + counter_text + check).isdigit():
        raise ReceiptError("回执编号第6位以后应全是数字，请对照回执核对后重新输入", code="chars")
    try:
        day = date(2000 + int(day_text[:2]), int(day_text[2:4]), int(day_text[4:]))
    except ValueError as exc:
        raise ReceiptError("回执编号中的日期（第6至11位）不是有效日期，请对照回执核对后重新输入",
                           code="date") from exc
    counter = int(counter_text)
    if counter == 0:
        raise ReceiptError("回执编号中的流水号不能是0000，请对照回执核对后重新输入", code="counter")
    if check_digits(compact[:15]) != check:
        raise ReceiptError("回执编号校验位不对，可能有字符输错或前后颠倒，请对照回执重新输入",
                           code="check")
    return Receipt(station, day, counter)
