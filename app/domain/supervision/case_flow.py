"""The 纪委's case (issue #13 §2) as a declaration: one table of steps, each with the
statuses it may follow, its button label, its state rule (``ready``), its payload rule
(``check``) and its effect (``apply``). Shaped like the #9 engine's ``Transition``/``Flow``
(/work/notes/engine-api.md) so that porting is mechanical: the engine's gate and fold
replace ``gate``/``check_step``/``fold`` below, the table stays.

    受理 (opened) → 处置 (谈话函询/初步核实 → 初核中; 予以了结/暂存待查 → 了结)
    → 立案 or 了结 (with the reason) → 调查 (延长 at most the statutory extension)
    → 调查结束 (查实 or not) → 处理 (批评教育, 诫勉谈话, 党纪处分, 政务处分, 移送司法机关 …)
    → 一案双查 reviews (主体责任, 监督责任) → 结案 (gated) → 反馈 a named reporter → 回访

Events are of the confidential kind ``discipline_case`` and their payloads are sealed
(app.sealing): this module sees the *opened* documents only, as ``Doc`` (the event's
envelope facts plus its plaintext). Pure: no I/O, no clock; dates come from the
documents. Clocks (due dates) are ``cases.case_clocks`` on ``CaseState.as_case()``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.domain.supervision.cases import DISPOSALS, HANDLINGS, check_case
from app.domain.supervision.double_check import LIABLE, close_gate
from app.domain.supervision.rules import SupervisionRules

KIND = "discipline_case"
SOURCES = ("检举控告", "上级交办", "监督检查发现", "巡察移交", "其他")
STATUS_NAMES = {"new": "未受理", "registered": "已受理，待处置", "preliminary": "初核中",
                "closed": "已了结", "investigating": "审查调查中", "investigated": "调查结束，待处理",
                "decided": "已处理，待结案", "concluded": "已结案", "replied": "已反馈举报人",
                "revisited": "已回访"}


@dataclass(frozen=True)
class Doc:
    """One opened case event: envelope facts and the sealed document's contents."""

    id: str
    type: str
    origin: str
    hlc: int
    author_level: str            # from the author's certificate
    author_town: str             # the hub that certified the author
    body: Mapping[str, Any]


@dataclass(frozen=True)
class CaseState:
    record: str
    status: str = "new"
    town: str = ""                               # the hub of the town whose case it is
    received: str = ""
    source: str = ""
    report: str = ""                             # the sealed report's record, if any
    receipt_no: str = ""
    named_reporter: bool = False
    from_above: bool = False
    subject: Mapping[str, str] = field(default_factory=dict)   # 被反映人 name, unit, post
    summary: str = ""
    disposal: str = ""
    disposed_on: str = ""
    preliminary_done: str = ""
    filed_on: str = ""
    closed_on: str = ""
    closed_reason: str = ""
    extension_days: int = 0
    investigated_on: str = ""
    substantiated: bool = False
    facts: str = ""
    decided_on: str = ""
    handling: tuple[str, ...] = ()
    persons: tuple[Mapping[str, str], ...] = ()
    reviews: tuple[Mapping[str, Any], ...] = ()
    concluded_on: str = ""
    replied_on: str = ""
    revisited_on: str = ""
    shared_with: tuple[str, ...] = ()            # 办案协作区: neighbouring towns' hubs
    steps: tuple[tuple[str, str, str], ...] = ()  # (date, what, author level)
    rejected: tuple[tuple[str, str], ...] = ()    # (event id, reason)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    def as_case(self) -> dict[str, Any]:
        """The fields ``cases.case_clocks``/``check_case`` read."""
        return {"received": self.received, "from_above": self.from_above,
                "named_reporter": self.named_reporter, "disposal": self.disposal or None,
                "disposed_on": self.disposed_on, "preliminary_done": self.preliminary_done,
                "filed_on": self.filed_on, "closed_on": self.closed_on,
                "closed_reason": self.closed_reason, "extension_days": self.extension_days,
                "investigated_on": self.investigated_on, "decided_on": self.decided_on,
                "handling": list(self.handling), "registered_on": self.received,
                "replied_on": self.replied_on, "revisited_on": self.revisited_on}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


Check = Callable[[CaseState, Mapping[str, Any], SupervisionRules], "Refusal | None"]
Apply = Callable[[CaseState, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Transition:
    kind: str
    sources: frozenset[str]
    label: str
    apply: Apply
    check: Check | None = None
    ready: Check | None = None                   # state-only rule: part of the gate


# payload helpers -----------------------------------------------------------------------
def _text(p: Mapping[str, Any], key: str) -> str:
    value = p.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(p: Mapping[str, Any], key: str = "on") -> date | None:
    try:
        return date.fromisoformat(str(p.get(key)))
    except ValueError:
        return None


def _need(*pairs: tuple[bool, str]) -> Refusal | None:
    for ok, message in pairs:
        if not ok:
            return Refusal("bad_payload", message)
    return None


def _on(p: Mapping[str, Any]) -> Refusal | None:
    return _need((_date(p) is not None, "请选择日期（年-月-日）"))


# the steps ----------------------------------------------------------------------------
def _check_open(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    given = p.get("subject")
    subject: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    return _need((_date(p, "received") is not None, "请选择收到线索的日期"),
                 (p.get("source") in SOURCES, "请选择线索来源：" + "、".join(SOURCES)),
                 (bool(_text(subject, "name") or _text(subject, "unit")), "请填写被反映的人员或单位"),
                 (bool(_text(p, "summary")), "请填写反映的主要问题"))


def _apply_open(s: CaseState, p: Mapping[str, Any]) -> dict[str, Any]:
    subject = {k: _text(p["subject"], k) for k in ("name", "unit", "post") if _text(p["subject"], k)}
    return {"status": "registered", "received": str(p["received"]), "source": p["source"],
                "report": _text(p, "report"), "receipt_no": _text(p, "receipt_no"),
                "named_reporter": bool(p.get("named_reporter")),
                "from_above": bool(p.get("from_above")), "subject": subject,
                "summary": _text(p, "summary")}


def _check_dispose(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    closes = p.get("disposal") in ("予以了结", "暂存待查")
    return _on(p) or _need((p.get("disposal") in DISPOSALS, "请选择处置方式：" + "、".join(DISPOSALS)),
                           (not closes or bool(_text(p, "reason")), "予以了结或暂存待查须写明理由"))


def _apply_dispose(s: CaseState, p: Mapping[str, Any]) -> dict[str, Any]:
    if p["disposal"] in ("予以了结", "暂存待查"):
        return {"status": "closed", "disposal": p["disposal"], "disposed_on": p["on"],
                    "closed_on": p["on"], "closed_reason": _text(p, "reason")}
    return {"status": "preliminary", "disposal": p["disposal"], "disposed_on": p["on"]}


def _check_reason(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    return _on(p) or _need((bool(_text(p, "reason")), "了结须写明理由（如反映不实、不属于纪检监察管辖…）"))


def _check_basis(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    return _on(p) or _need((bool(_text(p, "basis")), "立案须写明依据（初核认定的违纪违法事实）"))


def _check_extend(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    days = p.get("days")
    room = r.case_investigation_extension_days - s.extension_days
    return _on(p) or _need(
        (isinstance(days, int) and not isinstance(days, bool) and 0 < days <= room,
         (f"延长天数须在1到{room}天之间（审查调查延长累计不超过"
         f"{r.case_investigation_extension_days}天）")),
        (bool(_text(p, "reason")), "延长须写明理由和批准人"))


def _check_investigated(s: CaseState, p: Mapping[str, Any], r: SupervisionRules
                        ) -> Refusal | None:
    return _on(p) or _need((isinstance(p.get("substantiated"), bool), "请选择：问题是否查实"),
                           (bool(_text(p, "facts")), "请填写调查认定的事实"))


def _check_decided(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    handling = p.get("handling")
    persons = p.get("persons")
    return _on(p) or _need(
        (isinstance(handling, list) and bool(handling) and all(h in HANDLINGS for h in handling),
         "请选择处理方式：" + "、".join(HANDLINGS)),
        (isinstance(persons, list) and bool(persons) and all(
            isinstance(x, Mapping) and _text(x, "name") for x in persons),
         "请填写受处理人的姓名（可多人）"))


def _check_review(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    if p.get("kind") not in r.double_check_reviews:
        return Refusal("bad_payload", "请选择审查的是哪一种责任：" + "、".join(r.double_check_reviews))
    problem = close_gate(True, [p], r)
    own = [m for m in problem.missing if m.startswith(str(p["kind"]))]
    return _on(p) or (Refusal("bad_payload", own[0]) if own else None)


def _ready_conclude(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    gate = close_gate(s.substantiated, s.reviews, r)
    return None if gate.allowed else Refusal("double_check", gate.message)


def _ready_reply(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    return _need((s.named_reporter, "匿名举报不需要反馈（没有可联系的举报人）"),
                 (not s.replied_on, "已经反馈过举报人"))


def _ready_revisit(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    return _need((bool(s.decided_on), "只有作出处理的案件才需要回访"),
                 (not s.revisited_on, "已经回访过"))


def _check_share(s: CaseState, p: Mapping[str, Any], r: SupervisionRules) -> Refusal | None:
    towns = p.get("towns")
    return _on(p) or _need((isinstance(towns, list) and bool(towns) and all(
        isinstance(t, str) and t and t != s.town for t in towns), "请选择协作的相邻乡镇纪委"))


OPEN_STEPS = frozenset({"registered", "preliminary", "investigating", "investigated", "decided"})
DONE = frozenset({"closed", "concluded", "replied", "revisited"})
STEPS: tuple[Transition, ...] = (
    Transition("discipline.case_opened", frozenset({"new"}), "", _apply_open, _check_open),
    Transition("discipline.case_disposed", frozenset({"registered"}), "处置",
               _apply_dispose, _check_dispose),
    Transition("discipline.case_filed", frozenset({"preliminary"}), "立案",
               lambda s, p: {"status": "investigating", "filed_on": p["on"],
                                 "preliminary_done": p["on"]}, _check_basis),
    Transition("discipline.case_dismissed", frozenset({"registered", "preliminary"}), "了结",
               lambda s, p: {"status": "closed", "closed_on": p["on"],
                                 "closed_reason": _text(p, "reason"),
                                 "preliminary_done": p["on"] if s.status == "preliminary" else ""},
               _check_reason),
    Transition("discipline.case_extended", frozenset({"investigating"}), "延长审查调查",
               lambda s, p: {"extension_days": s.extension_days + int(p["days"])}, _check_extend),
    Transition("discipline.case_investigated", frozenset({"investigating"}), "调查结束",
               lambda s, p: {"status": "investigated", "investigated_on": p["on"],
                                 "substantiated": bool(p["substantiated"]),
                                 "facts": _text(p, "facts")}, _check_investigated),
    Transition("discipline.case_decided", frozenset({"investigated"}), "处理",
               lambda s, p: {"status": "decided", "decided_on": p["on"],
                                 "handling": tuple(p["handling"]),
                                 "persons": tuple(dict(x) for x in p["persons"])}, _check_decided,
               ready=lambda s, p, r: _need((s.substantiated, "问题未查实，不作处理，可直接结案"))),
    Transition("discipline.review_recorded", frozenset({"investigated", "decided"}),
               "一案双查", lambda s, p: {"reviews": s.reviews + (dict(p),)}, _check_review,
               ready=lambda s, p, r: _need((s.substantiated, "问题未查实，不需要一案双查"))),
    Transition("discipline.case_concluded", frozenset({"investigated", "decided"}), "结案",
               lambda s, p: {"status": "concluded", "concluded_on": p["on"]},
               lambda s, p, r: _on(p), ready=_ready_conclude),
    Transition("discipline.case_replied", frozenset({"closed", "concluded"}), "反馈举报人",
               lambda s, p: {"status": "replied", "replied_on": p["on"]},
               lambda s, p, r: _on(p) or _need((bool(_text(p, "content")), "请填写反馈的内容和方式")),
               ready=_ready_reply),
    Transition("discipline.case_revisited", frozenset({"concluded", "replied"}), "回访",
               lambda s, p: {"status": "revisited", "revisited_on": p["on"]},
               lambda s, p, r: _on(p) or _need((bool(_text(p, "result")), "请填写回访情况")),
               ready=_ready_revisit),
    Transition("discipline.case_shared", OPEN_STEPS | DONE, "办案协作",
               lambda s, p: {"shared_with": tuple(dict.fromkeys(s.shared_with + tuple(p["towns"])))},
               _check_share),
)
BY_KIND = {t.kind: t for t in STEPS}
KINDS = tuple(BY_KIND)


# the gate and the fold (the #9 engine replaces these) ------------------------------------
def may_write(state: CaseState, author_level: str, author_town: str) -> Refusal | None:
    """The holder rule: the case's own town's 纪委 or the county's; a neighbouring town in
    the 协作区 reads it but records nothing (its steps are not applied)."""
    if author_level == "county" or not state.town or author_town == state.town:
        return None
    return Refusal("not_holder", "这件案件属于别的乡镇纪委：协作区的乡镇只能查看，不能登记办理步骤")


def gate(state: CaseState, kind: str, rules: SupervisionRules, author_level: str,
         author_town: str) -> Refusal | None:
    step = BY_KIND.get(kind)
    if step is None:
        return Refusal("unknown_step", "不认识的案件办理操作，请升级程序")
    if state.status not in step.sources:
        return Refusal("wrong_status", f"案件现在“{state.status_name}”，不能{step.label or '受理'}")
    refusal = may_write(state, author_level, author_town)
    if refusal is None and step.ready is not None:
        refusal = step.ready(state, {}, rules)
    return refusal


def check_step(state: CaseState, kind: str, body: Mapping[str, Any], rules: SupervisionRules,
               author_level: str, author_town: str) -> Refusal | None:
    """May this step be recorded now with this content? None if so."""
    refusal = gate(state, kind, rules, author_level, author_town)
    step = BY_KIND[kind] if refusal is None else None
    if step is not None and step.check is not None:
        refusal = step.check(state, body, rules)
    if refusal is None and step is not None:
        after = replace(state, **step.apply(state, body))
        problems = check_case(after.as_case())
        if problems:
            refusal = Refusal("bad_dates", "；".join(problems))
    return refusal


def buttons(state: CaseState, rules: SupervisionRules, author_level: str,
            author_town: str) -> list[tuple[str, str]]:
    return [(t.kind, t.label) for t in STEPS if t.label
            and gate(state, t.kind, rules, author_level, author_town) is None]


def fold(record: str, docs: Sequence[Doc], rules: SupervisionRules) -> CaseState:
    """Replay the opened events of one case in clock order; a refused one is kept aside
    with its reason and changes nothing."""
    state = CaseState(record=record)
    for doc in sorted(docs, key=lambda d: (d.hlc, d.origin, d.id)):
        if doc.type == "discipline.case_opened" and state.status == "new":
            state = replace(state, town=doc.author_town if doc.author_level != "county" else
                            str(doc.body.get("town") or ""))
        refusal = check_step(state, doc.type, doc.body, rules, doc.author_level, doc.author_town)
        if refusal is not None:
            state = replace(state, rejected=state.rejected + ((doc.id, refusal.message),))
            continue
        step = BY_KIND[doc.type]
        on = str(doc.body.get("on") or doc.body.get("received") or "")
        what = step.label or "受理"
        state = replace(state, **step.apply(state, doc.body),
                        steps=state.steps + ((on, what, doc.author_level),))
    return state


def integrity_entries(state: CaseState) -> list[dict[str, Any]]:
    """廉政档案 entries from a decided case: one per person handled, and the 问责 of the
    一案双查 reviews found liable (RULES.md §4: results go into 廉政档案)."""
    out = [{"name": _text(p, "name"), "unit": _text(p, "unit"), "post": _text(p, "post"),
            "on": state.decided_on, "handling": "、".join(state.handling), "case": state.record,
            "why": state.facts} for p in state.persons]
    for review in state.reviews:
        if review.get("finding") == LIABLE:
            out.append({"name": _text(review, "subject"), "unit": "", "post": "",
                        "on": str(review.get("on") or ""),
                        "handling": "、".join(review.get("handling") or []),
                        "case": state.record, "why": f"{review.get('kind')}：{_text(review, 'facts')}"})
    return out
