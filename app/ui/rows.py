"""Height of a two-line list row whose second line may wrap (RecycleView rows have their
size from the data, so it is estimated here from the text, not measured after drawing)."""
from __future__ import annotations

import math
import re

from kivy.core.window import Window
from kivy.metrics import Metrics, dp

from app.ui import style

_MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def text_width_dp(text: str, size_sp: float) -> float:
    """Rough drawn width: a CJK character is one em wide, other characters about half."""
    plain = _MARKUP.sub("", text)
    em = size_sp * Metrics.fontscale
    return sum(em if ord(ch) > 0x2E7F else em * 0.55 for ch in plain)


def row_size(detail: str, side_dp: float = 2 * style.PAD + 2 * 16 + 12) -> tuple[None, float]:
    """(None, height in px) for a row: a title line and ``detail`` wrapped to the width of
    the window less ``side_dp`` (page padding, row padding, scroll bar)."""
    width = max(120.0, Window.width / Metrics.density - side_dp)
    lines = math.ceil(text_width_dp(detail, style.SMALL) / width)
    if lines > 1:   # a coloured part moves to the next line whole: room for the gaps
        lines += 1
    lines = max(1, lines)
    line = style.SMALL * Metrics.fontscale * 1.35
    return None, dp(16 + style.BODY * 1.45 + lines * line + 6)


__all__ = ["row_size", "text_width_dp"]
