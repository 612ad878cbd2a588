"""What a printable document is made of: plain data, no reportlab.

A ``Document`` is a title block (issuing body, title, number, optional QR code), a sequence
of blocks that flow down A4 pages, and footer lines (enquiry and complaint phones) printed
on every page with the page number.  ``app.docs.base.render`` turns it into PDF bytes.

Blocks, each for one recurring part of a grassroots form (受理回执, 一次性告知单, 转办函, and
later 调解协议书, 信访受理告知书, 听证记录, 风险评估报告):

    Heading        section heading ("所需材料")
    Text           a paragraph; ``indent`` for letter body text (首行缩进两字)
    Fields         label → value table, one or two pairs a row (登记表 style)
    Grid           a table with a header row (材料清单: 序号 | 名称 | 份数 | …)
    NumberedList   1. 2. 3. items (办理程序, 调解协议条款)
    Blank          a label with ruled lines to write on by hand (办理情况)
    Signatures     signature lines, each with a date (申请人签名 … 年 月 日)
    Seal           issuing body + "（盖章）" + date, right-aligned, room for the stamp
    Space          vertical gap in millimetres
    Slip           a tear-off slip at the foot of the page, below a dashed cut line
    Together       blocks kept on one page (a statement, the signatures that attest it
                   and the seal never part)

Text is plain text: markup characters are escaped and line breaks kept.  ``emphasis``
marks what the reader must act on (e.g. a missing material): shaded, with a black border
or marker so it still shows on a black-and-white village printer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence, Union


@dataclass(frozen=True)
class Heading:
    text: str
    align: Literal["left", "center"] = "left"


@dataclass(frozen=True)
class Text:
    text: str
    indent: bool = False  # first line indented by two characters (公文正文)
    align: Literal["left", "center", "right"] = "left"
    small: bool = False
    emphasis: bool = False


@dataclass(frozen=True)
class Field:
    """One label → value pair.  A sequence value prints as numbered lines in the cell."""

    label: str
    value: str | Sequence[str]
    wide: bool = False  # takes a whole row even in a two-pair layout
    emphasis: bool = False


@dataclass(frozen=True)
class Fields:
    fields: Sequence[Field]
    pairs_per_row: Literal[1, 2] = 1


@dataclass(frozen=True)
class Grid:
    """A table: ``header`` row, then ``rows``; ``widths`` are relative column widths."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()
    emphasis_rows: frozenset[int] = frozenset()  # indexes into ``rows``


@dataclass(frozen=True)
class NumberedList:
    items: Sequence[str]
    emphasis: frozenset[int] = frozenset()  # indexes into ``items``


@dataclass(frozen=True)
class Blank:
    """``label`` followed by ``lines`` ruled lines to fill in by hand."""

    label: str
    lines: int = 2


@dataclass(frozen=True)
class Signatures:
    """Signature lines, two a row: "申请人（签名）：＿＿＿  ＿年＿月＿日"."""

    labels: Sequence[str]
    dated: bool = True


@dataclass(frozen=True)
class Seal:
    """Issuing body with "（盖章）" and the date (blank "年 月 日" if ``date_text`` is empty)."""

    issuer: str
    date_text: str = ""


@dataclass(frozen=True)
class Space:
    mm: float


@dataclass(frozen=True)
class Slip:
    """Blocks printed at the foot of the page below a dashed cut line (回执联)."""

    blocks: Sequence["Block"]
    cut_text: str = "沿此线剪开"


@dataclass(frozen=True)
class Together:
    """Blocks that must share a page; they move to the next page whole if need be."""

    blocks: Sequence["Block"]


@dataclass(frozen=True)
class QR:
    """A QR code in the title block.  Put no personal data in ``payload``: it is printed."""

    payload: str
    caption: str = ""


@dataclass(frozen=True)
class Photo:
    """A photo kept with a record (a signed attendance sheet, a notice on the board),
    scaled to the line width and at most ``max_mm`` high, with its caption below."""

    data: bytes
    caption: str
    max_mm: float = 110


Block = Union[Heading, Text, Fields, Grid, NumberedList, Blank, Signatures, Seal, Space, Slip,
              Together, Photo]


@dataclass(frozen=True)
class Document:
    """One printable document.  ``number`` prints under the title as ``number_label：number``
    (or alone if ``number_label`` is empty, as for 公文 numbers like 新集转〔2025〕12号)."""

    issuer: str
    title: str
    blocks: Sequence[Block]
    number: str = ""
    number_label: str = "编号"
    qr: QR | None = None
    footer: Sequence[str] = ()  # e.g. enquiry and complaint phones, printed on every page
    subject: str = ""  # PDF metadata; never personal data

    @property
    def number_line(self) -> str:
        if not self.number:
            return ""
        return f"{self.number_label}：{self.number}" if self.number_label else self.number
