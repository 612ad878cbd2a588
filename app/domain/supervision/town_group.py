"""The town's 党风政风监督组 (issue #13 §3): who sits on it, checked before it is recorded.

The seed (RULES.md §4) names the 党风政风监督组 beside the 村务监督委员会 as part of the
supervision network led by the town 纪委 (its 监督责任).  No statute fixes its make-up, so
the checks are the roster's own sense: a 组长 named, every member once, and — as for
the 村务监督委员会 (村民委员会组织法（2018年修正）第三十二条, by analogy) — nobody who is
a 村民委员会成员 of a village the group supervises sits on it: a supervisor does not
supervise himself.  Findings say what to correct.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.domain.supervision.eligibility import Finding

LEADER = "组长"
POSTS = ("组长", "副组长", "成员")
SEED = "镇党委关于建立健全党风政风监督检查机制的规定（RULES.md §4）"
ORG_LAW = "村民委员会组织法（2018年修正）第三十二条（参照）"
MAX_MEMBERS = 15


def group_findings(members: Sequence[Mapping[str, Any]],
                   village_committee_names: Iterable[str] = ()) -> list[Finding]:
    """Why this roster of the 党风政风监督组 cannot be recorded (empty: it can)."""
    out: list[Finding] = []
    if not members:
        return [Finding("empty", "请至少登记一位监督组成员（组长）", SEED)]
    if len(members) > MAX_MEMBERS:
        out.append(Finding("too_many", f"监督组{len(members)}人，太多了：请不超过{MAX_MEMBERS}人", SEED))
    names = [str(m.get("name") or "").strip() for m in members]
    if any(not n or len(n) > 20 for n in names):
        out.append(Finding("name", "每位成员都要填写姓名（1 到 20 个字）", SEED))
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        out.append(Finding("twice", f"{'、'.join(twice)}登记了两次，请删去重复的一行", SEED))
    posts = [str(m.get("post") or "") for m in members]
    if any(p not in POSTS for p in posts):
        out.append(Finding("post", f"每位成员请选择职务：{'、'.join(POSTS)}", SEED))
    if posts.count(LEADER) != 1:
        out.append(Finding("leader", "监督组要有且只有一位组长", SEED))
    barred = sorted(set(names) & {n.strip() for n in village_committee_names})
    for name in barred:
        out.append(Finding("barred_post", f"{name}是村民委员会成员，不能在监督组里监督村务", ORG_LAW))
    return out
