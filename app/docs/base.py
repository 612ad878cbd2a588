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
"""
from __future__ import annotations

import io
import threading
from typing import Any, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, HRFlowable, KeepTogether, PageTemplate,
    Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus import paragraph as reportlab_paragraph
from reportlab.platypus.doctemplate import LayoutError

from app.assets import FONT_PATH
from app.docs.blocks import (
    Blank, Block, Document, Field, Fields, Grid, Heading, NumberedList, Photo, Seal, Signatures,
    Slip, Space, Text, Together)
from app.docs.checks import unfilled
from app.docs.errors import DocumentError, UnfilledError
from app.docs.flowables import AtFoot, CutLine, DateBlank, QRCode, RuledLines, StrongText

FONT_NAME = "Sanji Sans"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 24 * mm  # room for the footer
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE = 27 * mm

BODY, LABEL, SMALL, TITLE, ISSUER, HEADING = 12, 10.5, 9, 22, 14, 13
LINE = colors.black
LABEL_FILL = colors.Color(0.93, 0.93, 0.93)
EMPHASIS_FILL = colors.Color(0.82, 0.82, 0.82)
GREY_TEXT = colors.Color(0.3, 0.3, 0.3)

_font_lock = threading.Lock()
# reportlab keeps per-document state in the shared font object (glyph subsets) and in module
# globals, so documents are built one at a time (the hub may render from several threads).
_render_lock = threading.Lock()

# Chinese punctuation that may not begin a line (GB/T 15834 标点符号用法; W3C clreq).
# reportlab's CJK wrapper hangs such a character at the end of the previous line, but its
# list (ALL_CANNOT_START) has the Japanese set and lacks the full-width ，；：？！ and the
# closing quotes, so a line could begin with "；".  The list is a module global read at wrap
# time, in textsplit (one-piece paragraphs) and in paragraph (its own copy, styled text);
# widening it changes only where CJK text breaks.
NO_LINE_START = "，；：？！、。”’》〉」』】〕）％"


def _forbid_line_start_punctuation() -> None:
    for module in (reportlab_textsplit, reportlab_paragraph):
        missing = "".join(c for c in NO_LINE_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


def register_font() -> str:
    """Register the bundled CJK font with reportlab once; return its name."""
    with _font_lock:
        _forbid_line_start_punctuation()
        from app.docs.linebreak import install
        install()
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            if not FONT_PATH.is_file():
                raise DocumentError(f"找不到中文字体文件 {FONT_PATH}，请重新安装程序", code="font")
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def _style(name: str, size: float, leading: float | None = None, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT_NAME, fontSize=size,
                          leading=leading or round(size * 1.45, 1), wordWrap="CJK", **kw)


STYLES = {
    "body": _style("body", BODY, spaceAfter=3),
    "indent": _style("indent", BODY, firstLineIndent=2 * BODY, spaceAfter=3),
    "small": _style("small", SMALL, textColor=GREY_TEXT),
    "label": _style("label", LABEL),
    "cell": _style("cell", BODY - 0.5),
    "cell_head": _style("cell_head", LABEL, alignment=TA_CENTER),
    "grid": _style("grid", LABEL),
    "issuer": _style("issuer", ISSUER, alignment=TA_CENTER, spaceAfter=2),
    "number": _style("number", BODY, alignment=TA_CENTER),
    "caption": _style("caption", 7.5, leading=9, alignment=TA_CENTER, textColor=GREY_TEXT),
    "item": _style("item", BODY, leftIndent=BODY * 1.8, bulletIndent=2, spaceAfter=2),
    "foot": _style("foot", SMALL, leading=12, textColor=GREY_TEXT),
}
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def markup(text: str) -> str:
    """Plain text as Paragraph markup: escape <, >, & and keep line breaks."""
    return escape(text).replace("\n", "<br/>")


def _para(text: str, style: str = "body", **overrides: Any) -> Paragraph:
    base = STYLES[style]
    if overrides:
        base = ParagraphStyle(f"{style}_x", parent=base, **overrides)
    return Paragraph(markup(text), base)


# ---- title block -------------------------------------------------------------------------

def _title_block(doc: Document) -> list[Flowable]:
    stack: list[Flowable] = [_para(doc.issuer, "issuer"),
                             StrongText(doc.title, FONT_NAME, TITLE, space_after=3)]
    if doc.number_line:
        stack.append(_para(doc.number_line, "number"))
    if doc.qr is None:
        head: Flowable = Table([[stack]], colWidths=[FRAME_WIDTH])
    else:
        side = QR_SIZE + 4 * mm
        qr_cell: list[Flowable] = [QRCode(doc.qr.payload, QR_SIZE)]
        if doc.qr.caption:
            qr_cell.append(_para(doc.qr.caption, "caption"))
        head = Table([["", stack, qr_cell]], colWidths=[side, FRAME_WIDTH - 2 * side, side])
    head.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    rule = HRFlowable(width="100%", thickness=1.4, color=LINE, spaceBefore=3, spaceAfter=1)
    thin = HRFlowable(width="100%", thickness=0.5, color=LINE, spaceBefore=0, spaceAfter=8)
    return [head, rule, thin]


# ---- blocks ------------------------------------------------------------------------------

def _cell_value(value: str | Sequence[str]) -> Paragraph:
    if isinstance(value, str):
        return _para(value, "cell")
    items = list(value)
    if len(items) <= 1:  # one item is not a list: no "1."
        return _para(items[0] if items else "无", "cell")
    lines = [f"{n}. {item}" for n, item in enumerate(items, 1)]
    return _para("\n".join(lines), "cell")


def _label_width(fields: Sequence[Field]) -> float:
    widest = max((stringWidth(f.label, FONT_NAME, LABEL) for f in fields), default=0)
    return min(max(widest + 12, 22 * mm), 34 * mm)


_GRID = [("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("GRID", (0, 0), (-1, -1), 0.6, LINE),
         ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
         ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
         ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]


# A value taller than this (points) leaves the table and flows as text under its label:
# a table breaks only between rows, and reportlab's in-row splitting garbles spanned cells.
TALL_ROW = 260


def _layout(block: Fields) -> list[list[Field]]:
    """Fields grouped into table rows: ``pairs_per_row`` pairs, a wide field alone."""
    rows: list[list[Field]] = []
    pending: list[Field] = []
    for f in block.fields:
        if f.wide or block.pairs_per_row == 1:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([f])
            continue
        pending.append(f)
        if len(pending) == block.pairs_per_row:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows


def _fields(block: Fields) -> list[Flowable]:
    pairs = block.pairs_per_row
    label_w = _label_width(block.fields)
    value_w = (FRAME_WIDTH - pairs * label_w) / pairs
    out: list[Flowable] = []
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = list(_GRID)

    def flush() -> None:
        if rows:
            table = Table(list(rows), colWidths=[label_w, value_w] * pairs)
            table.setStyle(TableStyle(list(style)))
            out.append(table)
        rows.clear()
        style[:] = list(_GRID)

    for group in _layout(block):
        r = len(rows)
        row: list[Any] = []
        for n, f in enumerate(group):
            row += [_para(f.label, "label"), _cell_value(f.value)]
            style.append(("BACKGROUND", (2 * n, r), (2 * n, r), LABEL_FILL))
        short = len(row) < 2 * pairs  # the last value spans the rest of the row
        if short:
            span_w = FRAME_WIDTH - (len(row) - 1) * label_w - (len(row) // 2 - 1) * value_w
            if len(group) == 1 and row[1].wrap(span_w - 10, 10_000)[1] > TALL_ROW:
                flush()
                out += _tall_field(group[0])
                continue
            style.append(("SPAN", (len(row) - 1, r), (-1, r)))
            row += [""] * (2 * pairs - len(row))
        for n, f in enumerate(group):
            if f.emphasis:
                end = -1 if short and n == len(group) - 1 else 2 * n + 1
                style += [("BACKGROUND", (2 * n + 1, r), (end, r), EMPHASIS_FILL),
                          ("BOX", (2 * n + 1, r), (end, r), 1.6, LINE)]
        rows.append(row)
    flush()
    if out:
        out[0].spaceBefore, out[-1].spaceAfter = 2, 8
    return out


def _tall_field(f: Field) -> list[Flowable]:
    """A very long value: its label as a full-width bar, then the text, free to break pages."""
    bar = Table([[_para(f.label, "label")]], colWidths=[FRAME_WIDTH])
    bar.setStyle(TableStyle(list(_GRID) + [("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL)]))
    text = f.value if isinstance(f.value, str) else "\n".join(
        f"{n}. {item}" for n, item in enumerate(f.value, 1))
    body = [_para(part, "cell", leftIndent=5, rightIndent=5, spaceBefore=3, spaceAfter=3)
            for part in text.splitlines() if part.strip()]
    rule = HRFlowable(width="100%", thickness=0.6, color=LINE, spaceBefore=2, spaceAfter=0)
    # Room for the bar and a few lines, or start on the next page (the text then breaks freely).
    return [CondPageBreak(4 * BODY * 1.5), bar, *body, rule]


def _grid(block: Grid) -> Flowable:
    ncols = len(block.header)
    weights = list(block.widths) or [1.0] * ncols
    total = sum(weights)
    widths = [FRAME_WIDTH * w / total for w in weights]
    rows: list[list[Any]] = [[_para(h, "cell_head") for h in block.header]]
    rows += [[_para(str(cell), "grid") for cell in row] for row in block.rows]
    style: list[tuple[Any, ...]] = list(_GRID) + [("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL)]
    for r in sorted(block.emphasis_rows):
        style += [("BACKGROUND", (0, r + 1), (-1, r + 1), EMPHASIS_FILL),
                  ("BOX", (0, r + 1), (-1, r + 1), 1.6, LINE)]
    table = Table(rows, colWidths=widths, repeatRows=1, spaceBefore=2, spaceAfter=8)
    table.setStyle(TableStyle(style))
    return table


def _heading(block: Heading) -> Flowable:
    heading = StrongText(block.text, FONT_NAME, HEADING, align=block.align, space_before=6,
                         space_after=4)
    heading.keepWithNext = 1  # never a heading alone at the foot of a page
    return heading


def _text(block: Text) -> Flowable:
    base = "small" if block.small else ("indent" if block.indent else "body")
    extra: dict[str, Any] = {}
    if block.align != "left":
        extra["alignment"] = ALIGN[block.align]
    if block.emphasis:
        # The border is drawn borderPadding outside the text: indent so it stays in the frame.
        extra.update(backColor=EMPHASIS_FILL, borderColor=LINE, borderWidth=1.2,
                     borderPadding=5, leftIndent=6, rightIndent=6, spaceBefore=8, spaceAfter=10)
    return _para(block.text, base, **extra)


def _numbered(block: NumberedList) -> list[Flowable]:
    out: list[Flowable] = []
    for n, item in enumerate(block.items):
        extra: dict[str, Any] = {"bulletFontName": FONT_NAME, "bulletFontSize": BODY}
        if n in block.emphasis:
            extra.update(backColor=EMPHASIS_FILL, borderPadding=2, rightIndent=2)
        out.append(Paragraph(markup(item), ParagraphStyle(f"item{n}", parent=STYLES["item"],
                                                          **extra), bulletText=f"{n + 1}."))
    out.append(Spacer(1, 4))
    # A short list (a procedure, an agreement's terms) is read as one piece: keep it on a page.
    return [KeepTogether(out)] if len(block.items) <= 12 else out


def _signatures(block: Signatures) -> Flowable:
    label_w = min(max(max((stringWidth(t + "：", FONT_NAME, BODY) for t in block.labels),
                          default=0) + 4, 20 * mm), 45 * mm)
    half = FRAME_WIDTH / 2
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    labels = list(block.labels)
    for start in range(0, len(labels), 2):
        pair = labels[start:start + 2]
        r = len(rows)
        rows.append(sum(([_para(t + "：", "body"), ""] for t in pair), []))
        for n in range(len(pair)):
            style.append(("LINEBELOW", (2 * n + 1, r), (2 * n + 1, r), 0.6, LINE))
        style += [("TOPPADDING", (0, r), (-1, r), 16), ("BOTTOMPADDING", (0, r), (-1, r), 2)]
        if block.dated:
            rows.append(sum(([DateBlank(FONT_NAME, BODY), ""] for _ in pair), []))
            for n in range(len(pair)):
                style.append(("SPAN", (2 * n, r + 1), (2 * n + 1, r + 1)))
            style.append(("TOPPADDING", (0, r + 1), (-1, r + 1), 6))
    for row in rows:
        row += [""] * (4 - len(row))
    gap = 8 * mm
    widths = [label_w, half - label_w - gap, label_w + gap, half - label_w]
    # The right-hand pair starts after a gap: pad its label cell on the left instead.
    style.append(("LEFTPADDING", (2, 0), (2, -1), gap))
    table = Table(rows, colWidths=widths, spaceBefore=6, spaceAfter=8)
    table.setStyle(TableStyle(style))
    return KeepTogether([table])


def _seal(block: Seal) -> Flowable:
    right = {"alignment": TA_RIGHT, "rightIndent": 2 * BODY}
    return KeepTogether([
        Spacer(1, 7 * mm),
        _para(f"{block.issuer}（盖章）", "body", **right),
        _para(block.date_text, "body", **right) if block.date_text
        else DateBlank(FONT_NAME, BODY, right_indent=2 * BODY),
        Spacer(1, 3 * mm)])


def _blank(block: Blank) -> Flowable:
    return RuledLines(block.label, block.lines, FONT_NAME, BODY, 9 * mm)


def _slip(block: Slip) -> Flowable:
    content: list[Flowable] = [CutLine(block.cut_text, FONT_NAME, SMALL)]
    for inner in block.blocks:
        content += _flowables(inner)
    return AtFoot(content)


def _photo(block: Photo) -> Flowable:
    """The photo scaled into the line width and ``max_mm``, its caption under it; a file
    that is not a picture prints as a line saying so (the record keeps the file)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image
    try:
        width, height = ImageReader(io.BytesIO(block.data)).getSize()
    except Exception:  # noqa: BLE001 — reportlab raises several kinds for a bad image
        return _para(f"（{block.caption}：附件不是图片，请查看电子档案）")
    scale = min(FRAME_WIDTH / width, block.max_mm * mm / height)
    image = Image(io.BytesIO(block.data), width * scale, height * scale)
    return KeepTogether([image, _para(block.caption, "small")])


def _flowables(block: Block) -> list[Flowable]:
    if isinstance(block, Heading):
        return [_heading(block)]
    if isinstance(block, Text):
        return [_text(block)]
    if isinstance(block, Fields):
        return _fields(block)
    if isinstance(block, Grid):
        return [_grid(block)]
    if isinstance(block, NumberedList):
        return _numbered(block)
    if isinstance(block, Blank):
        return [_blank(block)]
    if isinstance(block, Signatures):
        return [_signatures(block)]
    if isinstance(block, Seal):
        return [_seal(block)]
    if isinstance(block, Space):
        return [Spacer(1, block.mm * mm)]
    if isinstance(block, Slip):
        return [_slip(block)]
    if isinstance(block, Together):
        return [KeepTogether(_unwrapped(_story(block.blocks)))]
    if isinstance(block, Photo):
        return [_photo(block)]
    raise TypeError(f"not a document block: {block!r}")


# ---- pages -------------------------------------------------------------------------------

def _page_canvas(doc: Document) -> type[Canvas]:
    """A canvas that draws footer, page numbers and running heads once the page count is known."""
    footer = _para("\n".join(doc.footer), "foot") if doc.footer else None
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


def _unwrapped(flowables: list[Flowable]) -> list[Flowable]:
    """KeepTogether's own content: a KeepTogether reports a huge height to force a split,
    so one nested in another would always push the outer one to a new page."""
    out: list[Flowable] = []
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):
            out += _unwrapped(list(flowable._content))
        else:
            out.append(flowable)
    return out


def _story(blocks: Sequence[Block]) -> list[Flowable]:
    story: list[Flowable] = []
    blocks = list(blocks)
    for n, block in enumerate(blocks):
        flowables = _flowables(block)
        if isinstance(block, Signatures) and n + 1 < len(blocks) \
                and isinstance(blocks[n + 1], Seal):
            flowables[-1].keepWithNext = 1  # who signs and the seal stay on one page
        story += flowables
    return story


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
    story = _title_block(doc) + _story(doc.blocks)
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
        with _render_lock:
            template.build(story, canvasmaker=_page_canvas(doc))
    except LayoutError as exc:
        raise DocumentError(f"“{doc.title}”内容过长，无法排入A4页面，请精简后再打印",
                            code="layout") from exc
    return out.getvalue()
