"""The few reportlab flowables the layout needs beyond Paragraph and Table.

- ``StrongText``: a heavy line of text.  The bundled font has one weight (assets/fonts/README.md),
  so titles are drawn with text render mode 2 (fill and stroke), the usual way to embolden
  a single-weight CJK face in a PDF; the text stays extractable.
- ``RuledLines``: a label and ruled lines to write on by hand.
- ``CutLine``: the dashed line above a tear-off slip.
- ``AtFoot``: draws its content at the bottom of the frame (a tear-off slip sits at the foot
  of the page, whatever the length of the letter above it).
- ``QRCode``: a QR code from reportlab's own encoder, drawn as vector rectangles.  Vector
  modules stay sharp at any printer or scanner resolution and need no image library; the
  tests decode it from a 150 dpi rendering (it also decodes at 72 dpi).
"""
from __future__ import annotations

from typing import Sequence

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether


def wrap_chars(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking by character (Chinese has no spaces to break at)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and stringWidth(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


class StrongText(Flowable):
    """Centred (or left-aligned) heavy text, wrapped by character if it is too long."""

    def __init__(self, text: str, font: str, size: float, align: str = "center",
                 leading: float | None = None, space_before: float = 0,
                 space_after: float = 0) -> None:
        super().__init__()
        self.text, self.font, self.size, self.align = text, font, size, align
        self.leading = leading or size * 1.35
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self._lines: list[str] = []

    def wrap(self, availWidth, availHeight):
        self._lines = wrap_chars(self.text, self.font, self.size, availWidth)
        self.width = availWidth
        self.height = self.leading * len(self._lines)
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.black)
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(self.size * 0.03)
        for n, line in enumerate(self._lines):
            x = 0.0
            if self.align == "center":
                x = (self.width - stringWidth(line, self.font, self.size)) / 2
            text = canv.beginText()
            text.setTextRenderMode(2)
            text.setFont(self.font, self.size)
            # Baseline a little above the line's bottom so descenders stay inside.
            text.setTextOrigin(x, self.height - (n + 1) * self.leading + self.leading * 0.25)
            text.textOut(line)
            canv.drawText(text)
        canv.restoreState()


class RuledLines(Flowable):
    """``label`` on the first ruled line, then ``lines - 1`` more full-width lines."""

    def __init__(self, label: str, lines: int, font: str, size: float,
                 pitch: float) -> None:
        super().__init__()
        self.label, self.lines, self.font, self.size, self.pitch = label, lines, font, size, pitch
        self.spaceBefore = size * 0.4

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, self.pitch * max(self.lines, 1)
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.setFont(self.font, self.size)
        canv.setLineWidth(0.5)
        label_width = stringWidth(self.label, self.font, self.size)
        for n in range(max(self.lines, 1)):
            base = self.height - (n + 1) * self.pitch + 2
            start = 0.0
            if n == 0:
                canv.drawString(0, base + 2, self.label)
                start = label_width + 4
            canv.line(start, base, self.width, base)


class DateBlank(Flowable):
    """"    年    月    日", right-aligned, with room to write the date by hand.

    Drawn rather than typeset: Paragraph collapses the ideographic spaces a form uses.
    """

    def __init__(self, font: str, size: float, right_indent: float = 0) -> None:
        super().__init__()
        self.font, self.size, self.right_indent = font, size, right_indent

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, self.size * 1.45
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.setFont(self.font, self.size)
        x = self.width - self.right_indent
        base = self.size * 0.35
        for char, room in (("日", 2.5), ("月", 2.5), ("年", 0)):
            x -= self.size
            canv.drawString(x, base, char)
            x -= self.size * room


class CutLine(Flowable):
    """A dashed line across the frame with ``text`` in the middle (沿此线剪开)."""

    def __init__(self, text: str, font: str, size: float) -> None:
        super().__init__()
        self.text, self.font, self.size = text, font, size

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, self.size * 2.4
        return self.width, self.height

    def draw(self):
        canv = self.canv
        mid = self.height / 2
        text_width = stringWidth(self.text, self.font, self.size)
        gap_from = (self.width - text_width) / 2 - 6
        gap_to = (self.width + text_width) / 2 + 6
        canv.saveState()
        canv.setDash(4, 3)
        canv.setLineWidth(0.8)
        canv.setStrokeColor(colors.Color(0.3, 0.3, 0.3))
        canv.line(0, mid, gap_from, mid)
        canv.line(gap_to, mid, self.width, mid)
        canv.setFillColor(colors.Color(0.3, 0.3, 0.3))
        canv.setFont(self.font, self.size)
        canv.drawCentredString(self.width / 2, mid - self.size * 0.35, self.text)
        canv.restoreState()


class AtFoot(Flowable):
    """Its flowables, pushed down to the bottom of the frame; never split.

    If they do not fit in what is left of the page they start the next page, at its foot.
    """

    TOP_GAP = 10  # points kept clear above the content (the cut line)

    def __init__(self, flowables: Sequence[Flowable]) -> None:
        super().__init__()
        self._content: list[Flowable] = []
        for flowable in flowables:  # KeepTogether only guides page breaks: unwrap it
            if isinstance(flowable, KeepTogether):
                self._content += list(flowable._content)
            else:
                self._content.append(flowable)
        self._need = 0.0
        self._sizes: list[tuple[float, float]] = []

    def _measure(self, availWidth: float, availHeight: float) -> float:
        self._sizes = [f.wrapOn(self.canv, availWidth, availHeight) for f in self._content]
        gaps = self.TOP_GAP + sum(f.getSpaceBefore() for f in self._content[1:])
        gaps += sum(f.getSpaceAfter() for f in self._content[:-1])
        return sum(h for _, h in self._sizes) + gaps

    def wrap(self, availWidth, availHeight):
        self._need = self._measure(availWidth, availHeight)
        self.width = availWidth
        # Fill the rest of the frame (less a hair, so float rounding never overflows it).
        self.height = availHeight - 0.5 if self._need <= availHeight - 0.5 else self._need
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return []

    def draw(self):
        y = self._need
        for n, (flowable, (_, height)) in enumerate(zip(self._content, self._sizes)):
            if n:
                y -= flowable.getSpaceBefore()
            y -= height
            flowable.drawOn(self.canv, 0, y)
            y -= flowable.getSpaceAfter()


class QRCode(Flowable):
    """A ``size``×``size`` QR code of ``payload``: level M, with a 4-module quiet zone.

    reportlab's encoder gives the modules; they are drawn straight onto the canvas as filled
    rectangles (one per run of dark modules in a row), which keeps every edge sharp.
    """

    QUIET = 4

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.payload, self.size = payload, size
        encoder = QrCodeWidget(payload, barLevel="M").qr
        encoder.make()
        self._modules = [[bool(m) for m in row] for row in encoder.modules]

    def wrap(self, availWidth, availHeight):
        self.width = self.height = self.size
        return self.width, self.height

    def draw(self):
        canv = self.canv
        count = len(self._modules)
        box = self.size / (count + 2 * self.QUIET)
        canv.saveState()
        canv.setFillColor(colors.black)
        for r, row in enumerate(self._modules):
            y = self.size - (r + self.QUIET + 1) * box
            c = 0
            while c < count:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < count and row[c]:
                    c += 1
                canv.rect((start + self.QUIET) * box, y, (c - start) * box, box, stroke=0, fill=1)
        canv.restoreState()
