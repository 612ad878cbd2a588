"""A letter (函) laid out after GB/T 9704-2012《党政机关公文格式》, 信函格式 (§10.1).

    OfficialLetter(issuer, number, title, addressee, paragraphs, …)  plain data
    render_letter(letter) -> bytes                                      PDF, A4

What the standard asks and what is done here:
- A4; 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (§5.2.1, §5.2.2): the frames below.
- 发文机关标志 red, centred, its top 30 mm below the page top; a red double line (thick above,
  thin below) 4 mm under it and another (thin above, thick below) 20 mm above the page
  bottom, both 170 mm long, on the first page only (§10.1).
- 发文字号 flush with the right edge of the 版心, one line below the first double line
  (§10.1); 发文机关代字〔年份〕顺序号 (§7.2.4, e.g. 新集便民转〔2026〕12号).
- 标题 2号 (22 pt) 小标宋, centred, two lines below (§7.3.1); 主送机关 one line below, flush
  left, ending in a full-width colon (§7.3.2); 正文 3号 (16 pt) 仿宋, each paragraph indented
  two characters (§7.3.3), 22 lines to the page (§5.2.3: a 28.6 pt line pitch).
- 附件说明 one line below the text, indented two characters (§7.3.4).
- 发文机关署名 centred over the 成文日期, the date four characters in from the right and in
  Arabic numerals (§7.3.5.1); room above them for the seal.
- 附注 (here: the contact person and phone) in brackets, indented two characters, on the line
  after the date (§7.3.6).
- 附件 on a page of its own after the letter, "附件" (3号黑体) flush left on its first line,
  its title centred on the second (§7.3.7).
- Page numbers "— 2 —" (4号, 14 pt) 7 mm under the 版心, odd pages right, even pages left,
  one character in; none on the first page of a 信函 (§7.5, §10.1).

Type: the standard's 仿宋 and 小标宋 are commercial fonts; the bundled "Sanji Serif" (a
Song-style serif, OFL, assets/fonts/README.md) stands in for both, drawn heavier (fill and
stroke) for the 发文机关标志 and the title, and Sanji Sans, drawn heavier, for the 黑体 of
"附件".  The body is 3号 as the standard says; a table in the text is set in 4号 (14 pt).
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, KeepTogether, NextPageTemplate, PageBreak,
    PageTemplate, Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus.doctemplate import LayoutError

from app.assets import SERIF_FONT_PATH
from app.docs.typeset import FONT_NAME as SANS, markup, register_font, render_lock
from app.docs.blocks import Blank, Document, Field, Fields, Text
from app.docs.checks import unfilled
from app.docs.errors import DocumentError, UnfilledError
from app.docs.flowables import DateBlank, RuledLines, StrongText

SERIF = "Sanji Serif"
PAGE_WIDTH, PAGE_HEIGHT = A4
TOP, LEFT = 37 * mm, 28 * mm                 # 天头, 订口 (§5.2.1)
TEXT_WIDTH, TEXT_HEIGHT = 156 * mm, 225 * mm  # 版心 (§5.2.2)
BOTTOM = PAGE_HEIGHT - TOP - TEXT_HEIGHT     # 35 mm
SIZE_3, SIZE_2, SIZE_4 = 16, 22, 14          # 3号, 2号, 4号 in points
PITCH = TEXT_HEIGHT / 22                      # 22 lines a page (§5.2.3)
RED = colors.Color(0.86, 0.08, 0.1)          # 版头 red; prints dark grey in black and white
MASTHEAD_TOP = 30 * mm                        # 信函格式 (§10.1)
MASTHEAD_SIZE = 26                            # 一号; the standard leaves the size to the office
RULE_LENGTH = 170 * mm
FOOT_RULE = 20 * mm
_serif_lock = threading.Lock()


@dataclass(frozen=True)
class OfficialLetter:
    """A 函: ``issuer`` is the 发文机关标志 and the signature; ``number`` the 发文字号;
    ``paragraphs`` the text (each indented two characters); ``details`` an optional table in
    the text (label → value); ``attachment`` a (title, blocks) page after the letter."""

    issuer: str
    number: str
    title: str
    addressee: str
    paragraphs: Sequence[str]
    date_text: str
    note: str = ""                                     # 附注, e.g. the contact person
    details: Sequence[Field] = ()
    attachment_title: str = ""
    attachment: Sequence[Text | Blank] = ()          # Blank: ruled lines to fill in by hand
    attachment_seal: str = ""


def register_serif() -> str:
    register_font()
    with _serif_lock:
        if SERIF not in pdfmetrics.getRegisteredFontNames():
            if not SERIF_FONT_PATH.is_file():
                raise DocumentError(f"找不到中文字体文件 {SERIF_FONT_PATH}，请重新安装程序",
                                    code="font")
            pdfmetrics.registerFont(TTFont(SERIF, str(SERIF_FONT_PATH)))
    return SERIF


def _style(name: str, size: float = SIZE_3, **kw) -> ParagraphStyle:
    kw.setdefault("leading", PITCH)
    return ParagraphStyle(name, fontName=SERIF, fontSize=size, wordWrap="CJK", **kw)


BODY = _style("body", firstLineIndent=2 * SIZE_3)
PLAIN = _style("plain")
RIGHT = _style("right", alignment=TA_RIGHT)
CELL = _style("cell", SIZE_4, leading=SIZE_4 * 1.4)
LABEL = _style("label", SIZE_4, leading=SIZE_4 * 1.4, alignment=TA_CENTER)


def _para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(text), style)


class Signature(Flowable):
    """发文机关署名 centred over the 成文日期, the date four characters in from the right
    (§7.3.5.1); three lines above them left for the seal."""

    def __init__(self, issuer: str, date_text: str) -> None:
        super().__init__()
        self.issuer, self.date_text = issuer, date_text

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, PITCH * 4
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.setFont(SERIF, SIZE_3)
        date_w = stringWidth(self.date_text, SERIF, SIZE_3)
        date_x = self.width - 4 * SIZE_3 - date_w
        centre = date_x + date_w / 2
        name_w = stringWidth(self.issuer, SERIF, SIZE_3)
        name_x = min(centre - name_w / 2, self.width - name_w)
        canv.drawString(name_x, PITCH * 1 + PITCH * 0.3, self.issuer)
        canv.drawString(date_x, PITCH * 0.3, self.date_text)


def _details(fields: Sequence[Field]) -> Table:
    label_w = max(max(stringWidth(f.label, SERIF, SIZE_4) for f in fields) + 12, 28 * mm)
    rows = []
    for f in fields:
        value = f.value if isinstance(f.value, str) else "\n".join(f.value)
        rows.append([_para(f.label, LABEL), _para(value, CELL)])
    table = Table(rows, colWidths=[label_w, TEXT_WIDTH - label_w], spaceBefore=PITCH * 0.3,
                  spaceAfter=PITCH * 0.5)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]))
    return table


def _attachment_story(letter: OfficialLetter) -> list[Flowable]:
    story: list[Flowable] = [
        StrongText("附件", SANS, SIZE_3, align="left", leading=PITCH),
        StrongText(letter.attachment_title, SERIF, SIZE_2, leading=PITCH * 1.2,
                   space_after=PITCH * 0.5)]
    for item in letter.attachment:
        if isinstance(item, Blank):
            story.append(RuledLines(item.label, item.lines, SERIF, SIZE_3, PITCH))
        else:
            story.append(_para(item.text, BODY if item.indent else PLAIN))
    if letter.attachment_seal:
        story += [Spacer(1, PITCH), _para(f"{letter.attachment_seal}（盖章）", RIGHT),
                  DateBlank(SERIF, SIZE_3, right_indent=SIZE_3)]
    return story


def _as_document(letter: OfficialLetter) -> Document:
    """The letter as a plain Document, for the unfilled-value check (checks.unfilled)."""
    blocks: list = [Text(letter.addressee), *(Text(p) for p in letter.paragraphs),
                    Text(letter.date_text)]
    if letter.note:
        blocks.append(Text(letter.note))
    if letter.details:
        blocks.append(Fields(list(letter.details)))
    blocks += list(letter.attachment)
    return Document(issuer=letter.issuer, title=letter.title, number=letter.number,
                    blocks=blocks)


def _title_lines(title: str, issuer: str) -> str:
    """A title too long for one line breaks after the issuing body's name, so that each
    line is a whole phrase (§7.3.1: 回行时词意完整), never a lone "函" on the last line."""
    if stringWidth(title, SERIF, SIZE_2) <= TEXT_WIDTH or not title.startswith(issuer):
        return title
    return f"{issuer}\n{title[len(issuer):]}"


def _masthead_height() -> float:
    return MASTHEAD_SIZE * 1.2


def _first_page(canv: Canvas, letter: OfficialLetter) -> None:
    canv.saveState()
    top = PAGE_HEIGHT - MASTHEAD_TOP
    size = MASTHEAD_SIZE
    # Wide-spaced like a printed 版头, narrowed if the name is long.
    spacing = max(0.0, min(size * 0.25, (TEXT_WIDTH - stringWidth(letter.issuer, SERIF, size))
                           / max(1, len(letter.issuer) - 1)))
    width = stringWidth(letter.issuer, SERIF, size) + spacing * (len(letter.issuer) - 1)
    if width > RULE_LENGTH:
        size *= RULE_LENGTH / width
        spacing, width = 0, stringWidth(letter.issuer, SERIF, size)
    text = canv.beginText()
    text.setTextRenderMode(2)
    text.setFont(SERIF, size)
    text.setCharSpace(spacing)
    text.setTextOrigin((PAGE_WIDTH - width) / 2, top - size * 0.88)
    canv.setFillColor(RED)
    canv.setStrokeColor(RED)
    canv.setLineWidth(size * 0.035)
    text.textOut(letter.issuer)
    canv.drawText(text)
    x0 = (PAGE_WIDTH - RULE_LENGTH) / 2
    y = top - _masthead_height() - 4 * mm
    canv.setLineWidth(2.0)               # 上粗下细
    canv.line(x0, y, x0 + RULE_LENGTH, y)
    canv.setLineWidth(0.6)
    canv.line(x0, y - 1.2 * mm, x0 + RULE_LENGTH, y - 1.2 * mm)
    y = FOOT_RULE                        # 上细下粗
    canv.setLineWidth(0.6)
    canv.line(x0, y + 1.2 * mm, x0 + RULE_LENGTH, y + 1.2 * mm)
    canv.setLineWidth(2.0)
    canv.line(x0, y, x0 + RULE_LENGTH, y)
    canv.restoreState()


def _page_number(canv: Canvas, number: int) -> None:
    text = f"— {number} —"
    canv.saveState()
    canv.setFont(SERIF, SIZE_4)
    y = BOTTOM - 7 * mm - SIZE_4 * 0.8
    if number % 2:
        canv.drawRightString(LEFT + TEXT_WIDTH - SIZE_4, y, text)
    else:
        canv.drawString(LEFT + SIZE_4, y, text)
    canv.restoreState()


def render_letter(letter: OfficialLetter) -> bytes:
    """The letter as PDF bytes (A4); UnfilledError if a value is missing, DocumentError if
    it cannot be laid out."""
    problems = unfilled(_as_document(letter))
    if problems:
        raise UnfilledError(f"“{letter.title}”有内容没有填好（{'；'.join(problems[:3])}），不能打印",
                            code="unfilled")
    register_serif()
    # The first page's text starts under the double line, one line below it (§10.1).
    first_top = MASTHEAD_TOP + _masthead_height() + 4 * mm + 1.2 * mm + PITCH * 0.6
    first = Frame(LEFT, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - first_top - BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="first")
    later = Frame(LEFT, BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="later")
    story: list[Flowable] = [
        NextPageTemplate("later"),
        _para(letter.number, RIGHT),
        Spacer(1, PITCH),
        StrongText(_title_lines(letter.title, letter.issuer), SERIF, SIZE_2,
                   leading=PITCH * 1.15, space_after=PITCH * 0.6),
        _para(letter.addressee, PLAIN),
    ]
    paragraphs = [_para(p) for p in letter.paragraphs]
    # The table follows the first paragraph; the last paragraph, the 附件说明, the signature
    # and the 附注 share a page, so no page carries a signature alone (§7.3.5.4).
    story += paragraphs[:1]
    if letter.details:
        story.append(_details(letter.details))
    closing: list[Flowable] = paragraphs[1:]
    if letter.attachment_title:  # one line below the text, two characters in (§7.3.4)
        closing += [Spacer(1, PITCH), _para(f"附件：{letter.attachment_title}")]
    closing.append(Signature(letter.issuer, letter.date_text))
    if letter.note:
        closing.append(_para(f"（{letter.note}）"))
    story.append(KeepTogether(closing))
    if letter.attachment_title:
        story += [PageBreak(), *_attachment_story(letter)]

    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=A4, title=f"{letter.title} {letter.number}", author=letter.issuer,
        subject=letter.title, creator="Sanji", invariant=1, lang="zh-CN",
        initialFontName=SERIF, initialFontSize=SIZE_3,
        pageTemplates=[
            PageTemplate("first", frames=[first],
                         onPage=lambda canv, _doc: _first_page(canv, letter)),
            PageTemplate("later", frames=[later],
                         onPage=lambda canv, doc: _page_number(canv, doc.page))])
    try:
        with render_lock:
            template.build(story)
    except LayoutError as exc:
        raise DocumentError(f"“{letter.title}”内容过长，无法排入A4页面，请精简后再打印",
                            code="layout") from exc
    return out.getvalue()


__all__ = ["OfficialLetter", "register_serif", "render_letter"]
