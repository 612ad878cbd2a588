"""Document blocks (app.docs.blocks) as reportlab flowables: field tables, grids,
headings, text, numbered lists, signatures, seals, slips and photos. Used by
app.docs.base.render for the body of every page."""
from __future__ import annotations

import io
from typing import Any, Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak, Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table, TableStyle)

from app.docs.blocks import (
    Blank, Block, Field, Fields, Grid, Heading, NumberedList, Photo, Seal, Signatures,
    Slip, Space, Text, Together)
from app.docs.flowables import AtFoot, CutLine, DateBlank, RuledLines, StrongText
from app.docs.typeset import (
    ALIGN, BODY, EMPHASIS_FILL, FONT_NAME, FRAME_WIDTH, HEADING, LABEL, LABEL_FILL, LINE,
    SMALL, STYLES, markup, para)

def _cell_value(value: str | Sequence[str]) -> Paragraph:
    if isinstance(value, str):
        return para(value, "cell")
    items = list(value)
    if len(items) <= 1:  # one item is not a list: no "1."
        return para(items[0] if items else "无", "cell")
    lines = [f"{n}. {item}" for n, item in enumerate(items, 1)]
    return para("\n".join(lines), "cell")


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
            row += [para(f.label, "label"), _cell_value(f.value)]
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
    bar = Table([[para(f.label, "label")]], colWidths=[FRAME_WIDTH])
    bar.setStyle(TableStyle(list(_GRID) + [("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL)]))
    text = f.value if isinstance(f.value, str) else "\n".join(
        f"{n}. {item}" for n, item in enumerate(f.value, 1))
    body = [para(part, "cell", leftIndent=5, rightIndent=5, spaceBefore=3, spaceAfter=3)
            for part in text.splitlines() if part.strip()]
    rule = HRFlowable(width="100%", thickness=0.6, color=LINE, spaceBefore=2, spaceAfter=0)
    # Room for the bar and a few lines, or start on the next page (the text then breaks freely).
    return [CondPageBreak(4 * BODY * 1.5), bar, *body, rule]


def _grid(block: Grid) -> Flowable:
    ncols = len(block.header)
    weights = list(block.widths) or [1.0] * ncols
    total = sum(weights)
    widths = [FRAME_WIDTH * w / total for w in weights]
    rows: list[list[Any]] = [[para(h, "cell_head") for h in block.header]]
    rows += [[para(str(cell), "grid") for cell in row] for row in block.rows]
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
    return para(block.text, base, **extra)


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
        rows.append(sum(([para(t + "：", "body"), ""] for t in pair), []))
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
        para(f"{block.issuer}（盖章）", "body", **right),
        para(block.date_text, "body", **right) if block.date_text
        else DateBlank(FONT_NAME, BODY, right_indent=2 * BODY),
        Spacer(1, 3 * mm)])


def _blank(block: Blank) -> Flowable:
    return RuledLines(block.label, block.lines, FONT_NAME, BODY, 9 * mm)


def _slip(block: Slip) -> Flowable:
    content: list[Flowable] = [CutLine(block.cut_text, FONT_NAME, SMALL)]
    for inner in block.blocks:
        content += flowables_of(inner)
    return AtFoot(content)


def _photo(block: Photo) -> Flowable:
    """The photo scaled into the line width and ``max_mm``, its caption under it; a file
    that is not a picture prints as a line saying so (the record keeps the file)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image
    try:
        width, height = ImageReader(io.BytesIO(block.data)).getSize()
    except Exception:  # noqa: BLE001 — reportlab raises several kinds for a bad image
        return para(f"（{block.caption}：附件不是图片，请查看电子档案）")
    scale = min(FRAME_WIDTH / width, block.max_mm * mm / height)
    image = Image(io.BytesIO(block.data), width * scale, height * scale)
    return KeepTogether([image, para(block.caption, "small")])


def flowables_of(block: Block) -> list[Flowable]:
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
        return [KeepTogether(_unwrapped(story_of(block.blocks)))]
    if isinstance(block, Photo):
        return [_photo(block)]
    raise TypeError(f"not a document block: {block!r}")


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


def story_of(blocks: Sequence[Block]) -> list[Flowable]:
    story: list[Flowable] = []
    blocks = list(blocks)
    for n, block in enumerate(blocks):
        flowables = flowables_of(block)
        if isinstance(block, Signatures) and n + 1 < len(blocks) \
                and isinstance(blocks[n + 1], Seal):
            flowables[-1].keepWithNext = 1  # who signs and the seal stay on one page
        story += flowables
    return story
