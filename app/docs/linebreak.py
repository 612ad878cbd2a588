"""Chinese line breaking in the PDFs: reportlab's two character-by-character splitters
(one-piece paragraphs: ``textsplit.dumbSplit``; styled ones: ``paragraph.cjkFragSplit``)
replaced by ones that keep closing punctuation off a line's start and opening punctuation
off its end (app.linebreak, GB/T 15834 附录 A). reportlab hangs one closing mark in the
margin, and so do we; but "）。" and an opening "（" still broke the rules (issue #8 §3):
there the characters move down to the next line.

The splitting is otherwise reportlab's: as many characters as fit, a Latin word or number
kept whole where it can be, explicit line breaks kept. Installed once by register_font.
"""
from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.platypus import paragraph
from reportlab.rl_config import _FUZZ

from app.linebreak import CLOSING, OPENING, kinsoku_break


def _latin_break(text: str, start: int, end: int) -> int:
    """Inside a run of Latin letters or digits (a receipt number, a phone), break after
    the last space or CJK character of the line instead, keeping the run whole."""
    if end >= len(text) or ord(text[end]) >= 0x3000 or ord(text[end - 1]) >= 0x3000:
        return end
    for j in range(end - 1, start, -1):
        if text[j].isspace() or ord(text[j]) >= 0x3000:
            return j + 1
    return end


def _break(text: str, start: int, end: int) -> int:
    """Where the line ends: one closing mark may hang in the right margin, as reportlab
    and Chinese typesetting (悬挂标点) allow; otherwise characters move down."""
    end = _latin_break(text, start, end)
    if text[end] in CLOSING and text[end - 1] not in OPENING and \
            (end + 1 >= len(text) or text[end + 1] not in CLOSING):
        return end + 1
    return kinsoku_break(text, start, end)


def dumb_split(word, widths, maxWidths):
    """textsplit.dumbSplit with the line-breaking rules: [[extraSpace, text], …]."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    lines, start, n = [], 0, len(word)
    while start < n:
        max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
        used, end = 0.0, start
        while end < n and (used + widths[end] <= max_width + _FUZZ or end == start):
            used += widths[end]
            end += 1
        if end < n:
            end = _break(word, start, end)
        lines.append([max_width - sum(widths[start:end]), word[start:end].strip()
                      if end < n else word[start:end]])
        start = end
    return lines


def _width(unit, max_width: float) -> float:
    width = unit.width
    if hasattr(width, "normalizedValue"):
        width._normalizer = max_width
        width = width.normalizedValue(max_width)
    return width


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """paragraph.cjkFragSplit with the line-breaking rules (styled text, <br/> kept)."""
    units = []
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        units.extend([paragraph.cjkU(t, frag, encoding) for t in text] if text
                     else [paragraph.cjkU(text, frag, encoding)])
    chars = "".join(str(u) or "\n" for u in units)
    lines, start, n = [], 0, len(units)
    while start < n:
        max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
        used, end, hard = 0.0, start, False
        while end < n:
            width = _width(units[end], max_width)
            if hasattr(units[end].frag, "lineBreak"):
                used, end, hard = used + width, end + 1, True
                break
            if used + width > max_width + _FUZZ and end > start:
                break
            used += width
            end += 1
        if not hard and end < n:
            end = _break(chars, start, end)
            used = sum(_width(u, max_width) for u in units[start:end])
        lines.append(paragraph.makeCJKParaLine(units[start:end], max_width, used,
                                               max_width - used, hard, calcBounds))
        start = end
    return paragraph.ParaLines(kind=1, lines=lines)


def install() -> None:
    """Use these splitters in every Paragraph from now on (idempotent)."""
    textsplit.dumbSplit = dumb_split
    paragraph.cjkFragSplit = cjk_frag_split
