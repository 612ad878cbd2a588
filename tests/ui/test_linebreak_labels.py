"""Kivy labels and buttons follow the Chinese line-breaking rules at every width: no line
starts with closing punctuation, none ends with an opening one (issue #8 §3), and a
label's ``text`` stays what the screen set."""
from __future__ import annotations

import pytest

from app.linebreak import CLOSING, OPENING

TEXTS = [
    "请群众补齐以下材料后再来办理，我们会在承诺时限内办结。谢谢配合（如有疑问请致电）。",
    "此事项已上报镇，正等待镇里处理，不能按即办办结；如群众不满意，请先登记“不满意”后重新办理。",
    "[color=c21717]还缺 3 份材料：临时救助申请书、户口簿、遭遇困难的相关证明[/color]\n"
    "（保存后列在一次性告知单上，一次告诉群众）",
]


def _lines(label) -> list[tuple[str, bool]]:
    return [("".join(w.text for w in line.words), bool(line.is_last_line))
            for line in label._label._cached_lines]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("kind", ["Label", "Button"])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(kivy_app, text, kind):
    from kivy.core.window import Window  # noqa: F401  (a GL context for the text provider)
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    checked = 0
    for width in range(150, 700, 7):
        label = (Label if kind == "Label" else Button)(
            text=text, markup=True, font_size=20, text_size=(width, None))
        label.texture_update()
        lines = _lines(label)
        for (line, _), (_, ended) in zip(lines[1:], lines):
            if not ended and line:
                assert line[0] not in CLOSING, (width, lines)
                checked += 1
        for line, ended in lines[:-1]:
            if not ended and line:
                assert line[-1] not in OPENING, (width, lines)
        assert label.text == text
    assert checked > 100       # the widths really made the text wrap


def test_a_label_laid_out_again_at_another_width_keeps_only_the_needed_breaks(kivy_app):
    from kivy.core.window import Window  # noqa: F401
    from kivy.uix.label import Label
    label = Label(text=TEXTS[0], font_size=20, text_size=(200, None))
    label.texture_update()
    narrow = len(_lines(label))
    label.text_size = (2000, None)
    label.texture_update()
    assert len(_lines(label)) == 1 < narrow
