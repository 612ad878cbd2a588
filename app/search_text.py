"""Chinese full-text search without a word segmenter: index overlapping character
bigrams (plus single characters), query with the same split.

SQLite's FTS5 unicode61 tokenizer would treat a run of Chinese characters as one word,
and the trigram tokenizer cannot match two-character names (王芳); bigrams match both,
and need no dictionary on a tablet.
"""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z]+")


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in _CJK.findall(text or ""):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    out.extend(w.lower() for w in _WORD.findall(text or ""))
    return out


def index_text(*parts: str | None) -> str:
    return " ".join(tokens(" ".join(p for p in parts if p)))


def match_query(query: str) -> str | None:
    """An FTS5 MATCH expression for what a cadre typed; None if nothing searchable."""
    terms: list[str] = []
    for run in _CJK.findall(query or ""):
        terms.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    terms.extend(w.lower() + "*" for w in _WORD.findall(query or ""))
    if not terms:
        return None
    return " AND ".join(t if t.endswith("*") else f'"{t}"' for t in dict.fromkeys(terms))
