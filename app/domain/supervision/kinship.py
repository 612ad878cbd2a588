"""近亲属 (close relatives), for the bar on 村务监督委员会 membership.

村民委员会组织法（2018年修正）第三十二条 bars "村民委员会成员及其近亲属" from the 村务监督机构
but does not say who a 近亲属 is.  The general definition is 民法典第一千零四十五条第二款:
配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女 — the shipped default of
``supervision.close_relatives``.  Other laws draw the circle differently (刑事诉讼法第一百零八条
is narrower; some provinces' rules add 近姻亲), so the list is configurable, and a town may
only widen it (its legal bound keeps the eight).  Adoptive and step relations with
upbringing count as parent and child (民法典第一千一百一十一条、第一千零七十二条): the roster
records them as 父母 / 子女.

A relation is recorded as an edge ``{"a": id, "relation": r, "b": id}`` — "b is a's r".
Every relation here has its inverse (父母 ↔ 子女, 配偶的父母 ↔ 子女的配偶 …), so an edge
entered from either side is read from the committee member's side: the candidate is
barred when they are the member's relation *r* and *r* is in the configured list (the
statute bars the member's 近亲属).  The eight of 民法典 are closed under inverse; a town
that adds in-laws adds each direction it means (配偶的父母 and/or 子女的配偶).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from app.domain.supervision.errors import SupervisionError

INVERSE: dict[str, str] = {
    "配偶": "配偶",
    "父母": "子女", "子女": "父母",
    "兄弟姐妹": "兄弟姐妹",
    "祖父母": "孙子女", "孙子女": "祖父母",
    "外祖父母": "外孙子女", "外孙子女": "外祖父母",
    "配偶的父母": "子女的配偶", "子女的配偶": "配偶的父母",
    "兄弟姐妹的配偶": "配偶的兄弟姐妹", "配偶的兄弟姐妹": "兄弟姐妹的配偶",
    "伯叔姑舅姨": "侄子女、外甥子女", "侄子女、外甥子女": "伯叔姑舅姨",
    "堂表兄弟姐妹": "堂表兄弟姐妹",
}
RELATIONS = tuple(INVERSE)
CIVIL_CODE = "民法典第一千零四十五条第二款"


def check_relations(edges: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    out = tuple(edges)
    for edge in out:
        if edge.get("relation") not in INVERSE:
            raise SupervisionError(f"亲属关系“{edge.get('relation')}”不认识，请从列出的关系中选择",
                                   code="relation")
        if not edge.get("a") or not edge.get("b") or edge.get("a") == edge.get("b"):
            raise SupervisionError("亲属关系须写明是哪两个人", code="relation")
    return out


def relation_between(x: str, y: str, edges: Iterable[Mapping[str, Any]],
                     close: Sequence[str]) -> str | None:
    """How ``y`` is ``x``'s close relative ("y is x's r", r in ``close``), or None."""
    wanted = set(close)
    for edge in check_relations(edges):
        if edge["a"] == x and edge["b"] == y:
            relation = edge["relation"]
        elif edge["a"] == y and edge["b"] == x:
            relation = INVERSE[edge["relation"]]
        else:
            continue
        if relation in wanted:
            return str(relation)
    return None
