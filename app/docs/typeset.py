"""The type and the page geometry every printed document shares (app.docs.base lays the
page out, app.docs.block_layout the blocks): the bundled CJK font, A4 margins, Chinese
office type sizes (小四 12 pt for what the citizen reads, 五号 10.5 pt labels, 二号 22 pt
titles), paragraph styles, and Chinese line-break rules."""
from __future__ import annotations

import threading
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as reportlab_paragraph

from app.assets import FONT_PATH
from app.docs.errors import DocumentError

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
render_lock = threading.Lock()

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


def para(text: str, style: str = "body", **overrides: Any) -> Paragraph:
    base = STYLES[style]
    if overrides:
        base = ParagraphStyle(f"{style}_x", parent=base, **overrides)
    return Paragraph(markup(text), base)
