"""社会稳定风险评估 as a reusable workflow, declared: ``RISK_ASSESSMENT`` (its steps, from which
statuses, with which rules and effects) and its replay ``fold(events, levels, rules) -> Assessment``.

RULES.md §2 (应评尽评; 发改投资〔2012〕2492号; local steps): plan → hear opinions (公示,
问卷, 走访, 座谈, 听证) → analyse legality, reasonableness, feasibility, controllability →
grade 高/中/低 → report → collective decision 实施 / 暂缓实施 / 不实施.  The village-
decisions workflow links an assessment to its matter through ``subject`` ({kind, record}).

Steps go in that order; new opinions after the analysis send the assessment back to
"gathering" (the analysis must see them), a new analysis clears the grade; after
暂缓实施 the assessment may be reopened by gathering opinions again (after control
measures have been carried out), and re-graded on the new round's opinions (the
earlier rounds stay in ``earlier_rounds`` for the file).  The decision gate (``risk.grading``)
is checked on replay against the rules in force on this node.

| event type              | from status                                   | who            |
|-------------------------|-----------------------------------------------|----------------|
| risk.planned            | (new record)                                  | any level      |
| risk.opinions_gathered  | planned, gathering, analysed, graded, deferred| holder or above|
| risk.analysed           | gathering, analysed, graded                   | holder or above|
| risk.graded             | analysed, graded                              | holder or above|
| risk.reported           | graded                                        | holder or above|
| risk.decided            | reported                                      | holder or above|
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from app.domain.events import Event, Rejected
from app.domain.risk.grading import (
    CRITERIA, DECISIONS, DIMENSIONS, FINDINGS, GRADE_RANK, GRADES, RiskRules, proceed_gate,
    suggest_grade, tally)
from app.domain.workflow import (
    OK, Act, Effect, Flow, Step, Transition, Verdict, business_date, iso_date, no, text,
    texts)
from app.domain.workflow.payload import need_date, need_list, need_text, requires

METHODS = ("公示", "问卷", "走访", "座谈", "听证")
STATUS_NAMES = {
    "new": "未立项", "planned": "已制定评估方案", "gathering": "正在征求意见",
    "analysed": "已完成分析论证", "graded": "已确定风险等级", "reported": "已形成评估报告",
    "implement": "决定实施", "deferred": "决定暂缓实施", "rejected": "决定不实施",
}
_DECISION_STATUS = {"实施": "implement", "暂缓实施": "deferred", "不实施": "rejected"}
_ORDER_HINT = {
    "risk.opinions_gathered": "请先制定评估方案",
    "risk.analysed": "请先征求群众意见（公示、问卷、走访、座谈或听证），再分析论证",
    "risk.graded": "请先对合法性、合理性、可行性、可控性进行分析论证，再确定风险等级",
    "risk.reported": "请先确定风险等级，再形成评估报告",
    "risk.decided": "请先形成评估报告，再提交集体讨论决定",
}


@dataclass(frozen=True)
class Assessment:
    record: str
    status: str = "new"
    level: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()  # not used: an assessment stays where planned
    matter: str = ""
    subject: Mapping[str, Any] | None = None  # the matter assessed: {kind, record}
    plan: Mapping[str, Any] | None = None
    opinions: tuple[Mapping[str, Any], ...] = ()
    analysis: Mapping[str, Any] | None = None
    grade: str | None = None
    grading: Mapping[str, Any] | None = None
    measures: tuple[str, ...] = ()
    report: Mapping[str, Any] | None = None
    decision: Mapping[str, Any] | None = None
    round: int = 1  # 1 + reassessments after 暂缓实施
    earlier_rounds: tuple[Mapping[str, Any], ...] = ()  # opinions, grade, decision of each
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


Rule = Transition[Assessment]


def _wrong_status(state: Assessment, step: Rule) -> Verdict:
    if state.status == "new":
        return no("not_planned", "请先制定评估方案")
    if step.kind == "risk.planned":
        return no("duplicate", "这项评估已经立项，不能重复制定方案")
    if state.status in ("implement", "rejected") or (
            state.status == "deferred" and step.kind != "risk.opinions_gathered"):
        then = "暂缓实施的可重新征求意见后再评估" if state.status == "deferred" else "不能再更改"
        return no("decided", f"这项评估已{state.status_name}；{then}")
    return no("wrong_order", _ORDER_HINT[step.kind])


def _not_holder(state: Assessment, step: Rule, act: Act) -> Verdict:
    return no("wrong_level", f"这项评估由上级组织，下级不能{step.action}")


def _dated(state: Assessment, step: Rule, p: Mapping[str, Any], act: Act) -> Verdict:
    return business_date(p)


_check_planned = requires(
    need_text("matter", "missing_matter", "请填写评估事项（拟作出的重大决策或实施的项目）"),
    need_text("responsible_unit", "missing_unit", "请填写评估责任主体"),
    need_list("assessors", "missing_assessors", "请填写评估小组成员"),
    need_text("plan", "missing_plan", "请填写评估方案（评估内容、方法、步骤、时间安排）"),
    need_date("on", "bad_date", "日期不对，请重新选择"))


def _check_opinions(state: Assessment, p: Mapping[str, Any], act: Act) -> Verdict:
    if p.get("method") not in METHODS:
        return no("bad_method", "请选择征求意见方式：" + "、".join(METHODS))
    counts = [p.get(key, 0) for key in ("participants", "objecting", "strongly_objecting")]
    if not all(isinstance(c, int) and c >= 0 for c in counts):
        return no("bad_counts", "参与人数、反对人数、强烈反对人数应为不小于0的整数")
    participants, objecting, strong = counts
    if objecting > participants or strong > objecting:
        return no("bad_counts", "反对人数不能多于参与人数，强烈反对人数不能多于反对人数")
    if not text(p, "summary"):
        return no("missing_summary", "请填写群众意见的主要内容")
    return OK


def _check_analysed(state: Assessment, p: Mapping[str, Any], act: Act) -> Verdict:
    missing = [label for key, label in DIMENSIONS.items()
               if not isinstance(p.get(key), Mapping) or p[key].get("finding") not in FINDINGS
               or not text(p[key], "note")]
    if missing:
        return no("incomplete_analysis",
                   f"请对{'、'.join(missing)}作出判断（符合/基本符合/不符合）并写明理由")
    return OK


def _check_graded(state: Assessment, p: Mapping[str, Any], act: Act) -> Verdict:
    grade = p.get("grade")
    if grade not in GRADES:
        return no("bad_grade", "请确定风险等级：高、中或低")
    if not text(p, "reasons"):
        return no("missing_reasons", f"请写明定为{grade}风险的依据（{CRITERIA[grade]}）")
    suggested = suggest_grade(tally(state.opinions), act.rules)
    if GRADE_RANK[grade] < GRADE_RANK[suggested.grade] and not text(p, "below_suggestion_reason"):
        return no("below_suggestion", f"按征求意见情况建议定为{suggested.grade}风险（{suggested.reason}）；"
                                       f"定为{grade}风险须写明理由")
    return OK


_check_reported = requires(
    need_text("report_no", "missing_report", "请填写评估报告编号和评估结论"),
    need_text("conclusion", "missing_report", "请填写评估报告编号和评估结论"))


def _check_decided(state: Assessment, p: Mapping[str, Any], act: Act) -> Verdict:
    decision = p.get("decision")
    if decision not in DECISIONS:
        return no("bad_decision", "请选择决策结果：实施、暂缓实施或不实施")
    meeting = p.get("meeting")
    if not isinstance(meeting, Mapping) or not text(meeting, "name") or not texts(
            meeting.get("attendees")) or iso_date(meeting.get("on")) is None:
        return no("missing_meeting", "须经集体讨论决定：请填写会议名称、日期和参会人员")
    attendees = set(texts(meeting.get("attendees")))
    rules: RiskRules = act.rules
    if len(attendees) < rules.decision_min_attendees:
        return no("not_collective", f"集体讨论决定至少要有{rules.decision_min_attendees}人参加，"
                                     f"现在只登记了{len(attendees)}人（{'、'.join(sorted(attendees))}）；"
                                     "请把参会人员都写上，或召开会议集体讨论后再登记")
    if decision == "实施":
        gate = proceed_gate(state.grade, state.measures, state.analysis, rules)
        if not gate.allowed:
            return no("gate", gate.message)
    if not text(p, "reason"):
        return no("missing_reason", "请写明决策理由")
    return OK


def _apply(state: Assessment, kind: str, p: Mapping[str, Any], level: str,
           ) -> tuple[dict[str, Any], str]:
    if kind == "risk.planned":
        return (dict(status="planned", level=level, matter=p["matter"], plan=dict(p),
                     subject=dict(p["subject"]) if p.get("subject") else None),
                f"制定评估方案：{p['matter']}")
    if kind == "risk.opinions_gathered":
        again = state.status == "deferred"
        changes: dict[str, Any] = dict(status="gathering", opinions=state.opinions + (dict(p),),
                                       analysis=None, grade=None, grading=None, report=None)
        if again:
            # A reassessment after 暂缓实施 hears people again after the measures were
            # carried out: the earlier round is kept for the file, not counted again.
            earlier = {"round": state.round, "opinions": state.opinions,
                       "grade": state.grade, "decision": state.decision}
            changes.update(round=state.round + 1, decision=None, opinions=(dict(p),),
                           earlier_rounds=state.earlier_rounds + (earlier,))
        prefix = "暂缓后重新评估，" if again else ""
        return changes, f"{prefix}{p['method']}征求意见（{p.get('participants', 0)}人）"
    if kind == "risk.analysed":
        return (dict(status="analysed", analysis=dict(p), grade=None, grading=None),
                "完成合法性、合理性、可行性、可控性分析")
    if kind == "risk.graded":
        return (dict(status="graded", grade=p["grade"], grading=dict(p),
                     measures=tuple(m for m in p.get("measures") or () if m.strip())),
                f"确定为{p['grade']}风险")
    if kind == "risk.reported":
        return dict(status="reported", report=dict(p)), f"形成评估报告（{p['report_no']}）"
    decision = p["decision"]
    return (dict(status=_DECISION_STATUS[decision], decision=dict(p)),
            f"{p['meeting']['name']}集体讨论决定：{decision}")


def _effect(state: Assessment, event: Event, p: Mapping[str, Any], act: Act) -> Effect:
    changes, what = _apply(state, str(event["type"]), p, act.level)
    return Effect(changes, what)


def _step(kind: str, sources: set[str], check: Any) -> Rule:
    return Transition(kind, frozenset(sources), _LABELS.get(kind, ""), _effect, check=check,
                      claims=False)


_LABELS = {"risk.opinions_gathered": "征求意见", "risk.analysed": "分析论证",
           "risk.graded": "确定风险等级", "risk.reported": "形成评估报告",
           "risk.decided": "集体决策"}

# The table of this workflow (the one in the docstring).  Who may make each step is
# app.domain.authority.WRITERS (holder or above).  集体决策 is offered whenever a report
# exists: 暂缓实施 and 不实施 are always open to the meeting; ``risk.grading.proceed_gate``
# says whether 实施 is.
RISK_ASSESSMENT: Flow[Assessment] = Flow(
    name="风险评估", new=lambda record: Assessment(record=record),
    wrong_status=_wrong_status, not_holder=_not_holder, common=_dated, rules=RiskRules(),
    steps=(
        _step("risk.planned", {"new"}, _check_planned),
        _step("risk.opinions_gathered",
              {"planned", "gathering", "analysed", "graded", "deferred"}, _check_opinions),
        _step("risk.analysed", {"gathering", "analysed", "graded"}, _check_analysed),
        _step("risk.graded", {"analysed", "graded"}, _check_graded),
        _step("risk.reported", {"graded"}, _check_reported),
        _step("risk.decided", {"reported"}, _check_decided),
    ))
EVENT_TYPES = RISK_ASSESSMENT.kinds
check_transition = RISK_ASSESSMENT.check
apply_event = RISK_ASSESSMENT.apply
fold = RISK_ASSESSMENT.fold


def report_sections(state: Assessment) -> list[tuple[str, str]]:
    """The report's sections in order (title, text), for the PDF and the screen."""
    plan = state.plan or {}
    counts = tally(state.opinions)
    opinions = "；".join(f"{o['method']}{o.get('participants', 0)}人：{o['summary']}"
                        for o in state.opinions)
    analysis = "；".join(f"{label}：{(state.analysis or {}).get(key, {}).get('finding', '')}，"
                        f"{(state.analysis or {}).get(key, {}).get('note', '')}"
                        for key, label in DIMENSIONS.items()) if state.analysis else ""
    grading = state.grading or {}
    return [
        ("评估事项", state.matter),
        ("评估主体", f"{plan.get('responsible_unit', '')}；评估小组：{'、'.join(plan.get('assessors', []))}"),
        ("评估方案", str(plan.get("plan", ""))),
        ("征求意见情况", f"共征求意见{counts.participants}人，反对{counts.objecting}人，"
                         f"强烈反对{counts.strongly_objecting}人。{opinions}"),
        ("分析论证", analysis),
        ("风险等级", f"{state.grade or ''}风险：{grading.get('reasons', '')}"),
        ("防范化解措施", "；".join(state.measures)),
        ("评估结论", str((state.report or {}).get("conclusion", ""))),
    ]


def decided_on(state: Assessment) -> date | None:
    return iso_date((state.decision or {}).get("on"))
