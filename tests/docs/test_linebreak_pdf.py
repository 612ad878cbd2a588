"""The PDFs follow the Chinese line-breaking rules too: no line starts with closing
punctuation or ends with opening punctuation, in plain and in styled paragraphs, at any
width; explicit line breaks and Latin words are kept (issue #8 §3)."""
from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from app.docs.typeset import STYLES, register_font
from app.linebreak import CLOSING, OPENING

TEXT = ("请群众补齐以下材料后再来办理，我们会在承诺时限内办结。谢谢配合（如有疑问请致电）。"
        "此事项已上报镇，正等待镇里处理；如群众不满意，请先登记“不满意”后重新办理。")


def lines_of(paragraph: Paragraph) -> list[str]:
    out = []
    for line in paragraph.blPara.lines:
        if isinstance(line, (tuple, list)):
            out.append("".join(line[1]))
        else:
            out.append("".join(getattr(word, "text", str(word)) for word in line.words))
    return out


@pytest.mark.parametrize("markup", [TEXT, "<b>重要：</b>" + TEXT], ids=["plain", "styled"])
def test_no_line_breaks_the_rules_at_any_width(markup):
    register_font()
    wrapped = 0
    for width in range(60, 420):
        paragraph = Paragraph(markup, STYLES["body"])
        paragraph.wrap(width, 10000)
        lines = lines_of(paragraph)
        assert "".join(lines) == TEXT if markup == TEXT else "".join(lines).endswith(TEXT)
        for first, second in zip(lines, lines[1:]):
            assert second[:1] not in CLOSING or not second, (width, lines)
            assert first[-1:] not in OPENING or not first, (width, lines)
            wrapped += 1
    assert wrapped > 1000


def test_latin_words_stay_whole_and_explicit_breaks_are_kept():
    register_font()
    paragraph = Paragraph("回执编号 XJ001-261127-0001-42 请妥善保管。<br/>第二段。", STYLES["body"])
    paragraph.wrap(150, 10000)
    lines = lines_of(paragraph)
    assert any(line.endswith("XJ001-261127-0001-42") or "XJ001-261127-0001-42" in line
               for line in lines), lines
    assert lines[-1] == "第二段。"
