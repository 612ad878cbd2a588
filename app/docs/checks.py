"""What no paper may carry: unfilled values, placeholders and stuttering phrases.

An office that receives a letter with "（待镇里配置）" or an empty cell where the phone should
be sends it back; so does one with "并将办理结果请在期限内将办理结果书面回复".  Two checks:

    unfilled(doc)        before rendering (base.render refuses such a document): empty
                         values, and placeholder words anywhere in its text
    placeholders(text)   the placeholder words in a text (e.g. one read back from a PDF)
    repeated_phrases(text)  phrases said twice within one sentence

Pure functions over plain data; no reportlab.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from app.docs.blocks import (
    Blank, Block, Document, Field, Fields, Grid, Heading, NumberedList, Photo, Seal,
    Signatures, Slip, Space, Text, Together)

# Words that stand in for a value nobody filled in.  "（电话还没有设置）" is what the catalog
# says of a sample phone (app.domain.service.catalog.Catalog.phone_text).
PLACEHOLDER_PATTERNS = (
    r"待镇里配置", r"待配置", r"还没有设置", r"未设置", r"待填写", r"待补充",
    r"x{3,}", r"X{3,}", r"\bNone\b", r"\bnull\b", r"\bundefined\b", r"TODO", r"[{}]",
    r"（\s*）", r"\(\s*\)",
)
_PLACEHOLDER = re.compile("|".join(PLACEHOLDER_PATTERNS))

# A phrase this long said twice in one sentence is a stutter ("将办理结果 … 将办理结果",
# "12333 … 12333"), unless it is one of the names the law repeats on purpose.
MIN_REPEAT = 5
NAMES_THAT_REPEAT = (
    "人民调解委员会", "人民调解员", "人民调解法", "人民法院", "信访工作条例", "信访事项",
    "便民服务中心", "便民服务站", "社会稳定风险", "矛盾纠纷",
)
GRID_CELL = "表格"
_SENTENCE_END = re.compile(r"[。；！？\n]")
_WORD = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def placeholders(text: str) -> list[str]:
    """Placeholder words in ``text``, each with a little context."""
    found = []
    for match in _PLACEHOLDER.finditer(text):
        start, end = max(0, match.start() - 8), min(len(text), match.end() + 8)
        found.append(text[start:end].replace("\n", " "))
    return found


def repeated_phrases(text: str, min_len: int = MIN_REPEAT) -> list[str]:
    """Phrases of at least ``min_len`` letters, digits or CJK characters that occur twice
    (not overlapping) in one sentence; names in NAMES_THAT_REPEAT do not count."""
    found: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        words = "".join(_WORD.findall(sentence))
        for name in NAMES_THAT_REPEAT:
            words = words.replace(name, "|")
        for start in range(len(words) - min_len + 1):
            phrase = words[start:start + min_len]
            if "|" in phrase:
                continue
            if words.find(phrase, start + min_len) >= 0 and not any(phrase in f for f in found):
                found.append(_longest(words, start, min_len))
    return found


def _longest(words: str, start: int, length: int) -> str:
    """The longest repeated phrase starting at ``start`` (at least ``length`` long)."""
    while start + length < len(words) and \
            words.find(words[start:start + length + 1], start + length + 1) >= 0:
        length += 1
    return words[start:start + length]


def _texts(block: Block) -> Iterator[tuple[str, str]]:
    """(where, text) of every piece of text a block prints."""
    if isinstance(block, Heading):
        yield "标题", block.text
    elif isinstance(block, Text):
        yield "正文", block.text
    elif isinstance(block, Fields):
        for f in block.fields:
            yield from _field_texts(f)
    elif isinstance(block, Grid):
        yield from (("表头", h) for h in block.header)
        for row in block.rows:  # a table may leave a cell empty (a 合计 row): marked so
            yield from ((GRID_CELL, str(c)) for c in row)
    elif isinstance(block, NumberedList):
        yield from (("条目", item) for item in block.items)
    elif isinstance(block, Blank):
        yield "填写栏", block.label
    elif isinstance(block, Signatures):
        yield from (("签名栏", label) for label in block.labels)
    elif isinstance(block, Seal):
        yield "落款", block.issuer
    elif isinstance(block, (Slip, Together)):
        for inner in block.blocks:
            yield from _texts(inner)
    elif isinstance(block, Photo):
        yield "照片说明", block.caption
    elif not isinstance(block, Space):
        raise TypeError(f"not a document block: {block!r}")


def _field_texts(f: Field) -> Iterator[tuple[str, str]]:
    if isinstance(f.value, str):
        yield f.label, f.value
    else:
        values = list(f.value)
        yield f.label, "\n".join(values)


def unfilled(doc: Document) -> list[str]:
    """What in ``doc`` is empty or a placeholder, in Chinese ("“联系电话”没有填写")."""
    problems: list[str] = []
    for where, text in [("发文机关", doc.issuer), ("标题", doc.title),
                        *(("页脚", line) for line in doc.footer)]:
        if not text.strip():
            problems.append(f"“{where}”没有填写")
    for block in doc.blocks:
        for where, text in _texts(block):
            if not text.strip() and where != GRID_CELL:
                problems.append(f"“{where}”没有填写")
    everything = "\n".join([doc.issuer, doc.title, doc.number, *doc.footer] + [
        text for block in doc.blocks for _, text in _texts(block)])
    problems += [f"有未填写的内容“{found}”" for found in placeholders(everything)]
    return problems


__all__ = ["NAMES_THAT_REPEAT", "placeholders", "repeated_phrases", "unfilled"]
