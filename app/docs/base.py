"""One A4 layout for every printable document: ``render(Document) -> bytes`` (PDF).

Pure: the same document gives the same bytes (reportlab's invariant mode), no clock, no
files written.  The page: issuing body, title and number centred at the top (with the QR code
at the right if there is one) over a rule; the blocks; at the foot of every page the footer
lines (enquiry and complaint phones) and "第 n 页 共 m 页".  Continuation pages repeat the
title and number in a small running head, so a loose second sheet can still be matched.

Type sizes follow Chinese office practice for forms read by the public: 小四 (12 pt) for
what the citizen must read, 五号 (10.5 pt) for labels, 二号 (22 pt) for the title.

The font is the bundled "Sanji Sans" (app.assets.FONT_PATH; TrueType outlines, since
reportlab refuses CFF), registered once per process; reportlab embeds only the glyphs used.

Here: the title block, the page (footer, page numbers, running head) and ``render``; the
type and geometry are in app.docs.typeset, the blocks' layout in app.docs.block_layout.
"""
from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, HRFlowable, PageTemplate, Table, TableStyle)
from reportlab.platypus.doctemplate import LayoutError

from app.docs.block_layout import story_of
from app.docs.blocks import Document
from app.docs.checks import unfilled
from app.docs.errors import DocumentError, UnfilledError
from app.docs.flowables import QRCode, StrongText
from app.docs.typeset import (
    BODY, FONT_NAME, FRAME_WIDTH, GREY_TEXT, LINE, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X,
    PAGE_HEIGHT, PAGE_WIDTH, QR_SIZE, SMALL, TITLE, para, register_font, render_lock)


# ---- title block -------------------------------------------------------------------------

def _title_block(doc: Document) -> list[Flowable]:
    stack: list[Flowable] = [para(doc.issuer, "issuer"),
                             StrongText(doc.title, FONT_NAME, TITLE, space_after=3)]
    if doc.number_line:
        stack.append(para(doc.number_line, "number"))
    if doc.qr is None:
        head: Flowable = Table([[stack]], colWidths=[FRAME_WIDTH])
    else:
        side = QR_SIZE + 4 * mm
        qr_cell: list[Flowable] = [QRCode(doc.qr.payload, QR_SIZE)]
        if doc.qr.caption:
            qr_cell.append(para(doc.qr.caption, "caption"))
        head = Table([["", stack, qr_cell]], colWidths=[side, FRAME_WIDTH - 2 * side, side])
    head.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    rule = HRFlowable(width="100%", thickness=1.4, color=LINE, spaceBefore=3, spaceAfter=1)
    thin = HRFlowable(width="100%", thickness=0.5, color=LINE, spaceBefore=0, spaceAfter=8)
    return [head, rule, thin]

# ---- pages -------------------------------------------------------------------------------

def _page_canvas(doc: Document) -> type[Canvas]:
    """A canvas that draws footer, page numbers and running heads once the page count is known."""
    footer = para("\n".join(doc.footer), "foot") if doc.footer else None
    head = f"{doc.title}（续）" + (f"\u3000{doc.number_line}" if doc.number_line else "")

    class PageCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            self.setFont(FONT_NAME, SMALL)
            self.setFillColor(GREY_TEXT)
            if number > 1:
                self.drawString(MARGIN_X, PAGE_HEIGHT - MARGIN_TOP + 4 * mm, head)
            rule_y = MARGIN_BOTTOM - 5 * mm
            self.setStrokeColor(GREY_TEXT)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
            page_text = f"第 {number} 页  共 {total} 页"
            self.drawRightString(PAGE_WIDTH - MARGIN_X, rule_y - 4 * mm, page_text)
            if footer is not None:
                width = FRAME_WIDTH - stringWidth(page_text, FONT_NAME, SMALL) - 8 * mm
                _, height = footer.wrap(width, MARGIN_BOTTOM)
                footer.drawOn(self, MARGIN_X, rule_y - 1.5 * mm - height)
            self.restoreState()

    return PageCanvas

def check_filled(doc: Document) -> None:
    """Raise UnfilledError unless every value of ``doc`` is filled (checks.unfilled)."""
    problems = unfilled(doc)
    if problems:
        raise UnfilledError(f"“{doc.title}”有内容没有填好（{'；'.join(problems[:3])}），不能打印",
                            code="unfilled")


def render(doc: Document) -> bytes:
    """The document as PDF bytes (A4).  Raises DocumentError if it has an unfilled value
    (UnfilledError) or cannot be laid out."""
    check_filled(doc)
    register_font()
    story = _title_block(doc) + story_of(doc.blocks)
    out = io.BytesIO()
    # No frame padding: tables and rules span exactly FRAME_WIDTH.
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template = BaseDocTemplate(
        out, pagesize=A4, pageTemplates=[PageTemplate("a4", frames=[frame])],
        title=f"{doc.title} {doc.number}".strip(), author=doc.issuer, subject=doc.subject,
        creator="Sanji", invariant=1, lang="zh-CN", initialFontName=FONT_NAME,
        initialFontSize=BODY)
    try:
        with render_lock:
            template.build(story, canvasmaker=_page_canvas(doc))
    except LayoutError as exc:
        raise DocumentError(f"“{doc.title}”内容过长，无法排入A4页面，请精简后再打印",
                            code="layout") from exc
    return out.getvalue()
