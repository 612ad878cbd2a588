"""Chinese line-breaking rules (行首行尾禁则) on laid-out lines, and placing the fix in
Kivy markup."""
from __future__ import annotations

import pytest

from app.linebreak import first_fix, insert_break, plain_text


def lines(*texts: str, ends: tuple[int, ...] = ()) -> list[tuple[str, bool]]:
    return [(t, i in ends or i == len(texts) - 1) for i, t in enumerate(texts)]


def test_a_line_starting_with_a_full_stop_takes_the_last_character_down():
    text = "请补齐材料后再来办理，我们会办结。谢谢"
    assert first_fix(text, lines("请补齐材料后再来办理，我们会办结", "。谢谢")) == text.index("结。")


def test_a_closing_bracket_and_full_stop_together_push_back_further():
    text = "请群众致电（如有疑问）。"
    got = first_fix(text, lines("请群众致电（如有疑问", "）。"))
    assert text[got:] == "问）。"


def test_an_opening_bracket_may_not_end_a_line():
    text = "谢谢配合（如有疑问请致电）"
    got = first_fix(text, lines("谢谢配合（", "如有疑问请致电）"))
    assert text[got:] == "（如有疑问请致电）"


def test_good_lines_and_paragraph_breaks_are_left_alone():
    text = "第一行写完了\n。作者自己换的行"
    assert first_fix(text, lines("第一行写完了", "。作者自己换的行", ends=(0,))) is None
    assert first_fix("一二三四五六", lines("一二三", "四五六")) is None


def test_a_line_of_only_punctuation_cannot_be_fixed():
    assert first_fix("。。。。", lines("。。", "。。")) is None


def test_lines_that_do_not_come_from_the_text_are_not_touched():
    assert first_fix("甲乙丙", lines("甲", "丁")) is None


def test_spaces_the_layout_dropped_are_skipped():
    text = "ABC DEF。GHI"
    # "F" cannot go down alone (a word is not cut): the whole word goes, after the space.
    assert first_fix(text, lines("ABC", "DEF", "。GHI")) == text.index("DEF")
    text = "ABC 天DEF。GHI"
    assert first_fix(text, lines("ABC", "天DEF", "。GHI")) == text.index("DEF")


@pytest.mark.parametrize("source, at, expected", [
    ("[color=ff0000]红色[/color]文字。", 3, "[color=ff0000]红色[/color]文\n字。"),
    ("[b]王&bl;一&br;[/b]先生。", 3, "[b]王&bl;一\n&br;[/b]先生。"),
    ("[size=17sp]小[/size]", 1, "[size=17sp]小[/size]\n"),
])
def test_a_break_lands_before_the_right_shown_character(source, at, expected):
    assert insert_break(source, at, markup=True) == expected
    assert plain_text(expected).replace("\n", "") == plain_text(source)


def test_plain_text_reads_escapes_and_drops_only_real_tags():
    assert plain_text("[b]粗[/b]&amp;[color=000000]色[/color]") == "粗&色"
    assert plain_text("[不是标签]") == "[不是标签]"


def test_a_number_is_not_cut_in_two():
    text = "办结 18 件（按时 56%），在办 24 件"
    got = first_fix(text, lines("办结 18 件（按时 5", "6%），在办 24 件"))
    assert text[got:].startswith("56%")


def test_a_cut_run_goes_down_whole_and_one_longer_than_a_line_is_left():
    text = "回执AA001261122000169号"
    assert first_fix(text, lines("回执AA00126", "1122000169号")) == text.index("AA")
    assert first_fix("AA001261122000169号", lines("AA00126", "1122000169号")) is None
