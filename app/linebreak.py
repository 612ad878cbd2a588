"""Chinese line-breaking rules (行首行尾禁则), for any text layout that breaks lines
character by character: a line may not begin with closing punctuation (。，、；：？！）」…)
nor end with opening punctuation (（「《“…) — GB/T 15834-2011 标点符号用法 (附录 A: 标点
符号的位置和书写形式) and the W3C's Requirements for Chinese Text Layout (clreq §3.1.7) —
and a number or a Latin word (56%, a receipt number, a phone number) is not cut in two
(clreq: 西文、数字不可断开).

A layout hands in the lines it made; ``first_fix`` says where a hard break moves the first
offending break back (the last character of the line goes down with the punctuation, as
typesetters do, 避头尾 by pushing out). The Kivy labels (app.ui.linebreak) apply it after
every layout; the PDFs (app.docs) have reportlab's own rule for line starts. Pure: no
Kivy, no reportlab.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

# May not start a line: full-width closing brackets and quotes, sentence and pause marks,
# and the ASCII ones that appear in Chinese text.
CLOSING = "，。、；：？！）］｝」』】〕〗》〉”’％‰…—～·,.;:?!)]}%"
# May not end a line: full-width opening brackets and quotes.
OPENING = "（［｛「『【〔〖《〈“‘([{"

_TAG = re.compile(r"\[/?(?:b|i|u|s|font|font_context|font_family|font_features|size|color|"
                  r"sub|sup|ref|anchor|text_language)(?:=[^\]]*)?\]")
_SPLIT = re.compile(r"(\[.*?\])")
_ESCAPES = (("&bl;", "["), ("&br;", "]"), ("&amp;", "&"))


def _line_starts(text: str, lines: Sequence[str]) -> list[int] | None:
    """Where each laid-out line starts in ``text`` (a layout drops the spaces it broke at);
    None if the lines do not come from ``text``."""
    starts, cursor = [], 0
    for line in lines:
        while cursor < len(text) and text[cursor] in " \n\u00a0" and not line.startswith(
                text[cursor]):
            cursor += 1
        found = text.find(line, cursor) if line else cursor
        if found < 0 or text[cursor:found].strip():
            return None
        starts.append(found)
        cursor = found + len(line)
    return starts


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "%.-/:")


def _bad(text: str, at: int) -> bool:
    """A break before ``text[at]`` breaks a rule: closing punctuation would start the line,
    opening punctuation end the one before, or a number or Latin word (56%, AA001-261122,
    13812345678) would be cut in two."""
    if at <= 0 or at >= len(text):
        return False
    return (text[at] in CLOSING or text[at - 1] in OPENING
            or (_latin(text[at - 1]) and _latin(text[at])))


def first_fix(text: str, lines: Sequence[tuple[str, bool]]) -> int | None:
    """The index in ``text`` before which a hard line break fixes the first line that
    breaks the rules, or None if every line is fine (or it cannot be fixed: a line of
    nothing but punctuation). ``lines``: (text of the line, whether it ends a paragraph)."""
    starts = _line_starts(text, [line for line, _ in lines])
    if starts is None:
        return None
    for index in range(1, len(lines)):
        if lines[index - 1][1]:
            continue            # the author's own line break
        at = starts[index]
        if not _bad(text, at):
            continue
        previous = starts[index - 1]
        while at > previous + 1 and _bad(text, at):
            at -= 1
        if _bad(text, at) and previous > 0 and text[previous - 1].isspace():
            return previous     # the whole line goes down, after the space it broke at
        return None if _bad(text, at) else at
    return None


def plain_text(markup: str) -> str:
    """What a Kivy markup string shows: tags removed, &bl; &br; &amp; read."""
    return "".join(_unescape(part) for part in _SPLIT.split(markup) if not _TAG.fullmatch(part))


def _unescape(part: str) -> str:
    for code, char in _ESCAPES:
        part = part.replace(code, char)
    return part


def insert_break(source: str, at: int, markup: bool) -> str:
    """``source`` with a line break before the character ``at`` of its shown text."""
    if not markup:
        return source[:at] + "\n" + source[at:]
    out: list[str] = []
    seen, done = 0, False
    for part in _SPLIT.split(source):
        if done or _TAG.fullmatch(part):
            out.append(part)
            continue
        position = 0
        while position < len(part):
            if seen == at:
                out += ["\n", part[position:]]
                done = True
                break
            code = next((c for c, _ in _ESCAPES if part.startswith(c, position)), None)
            step = len(code) if code else 1
            out.append(part[position:position + step])
            position += step
            seen += 1
    if not done:
        out.append("\n")
    return "".join(out)


def kinsoku_break(text: str, start: int, end: int) -> int:
    """A layout filled a line with ``text[start:end]`` and would break before ``end``:
    the break moved back so that the next line does not begin with closing punctuation and
    this one does not end with opening punctuation (the characters go down to the next
    line). ``end`` itself if it is fine, or if nothing but punctuation is left to move."""
    at = end
    while at > start + 1 and _bad(text, at):
        at -= 1
    return end if _bad(text, at) else at
