"""社会稳定风险评估 as a reusable workflow: ``fold(events, levels, rules) -> Assessment``.

RULES.md §2 (应评尽评; 发改投资〔2012〕2492号; local steps): plan → hear opinions (公示,
问卷, 走访, 座谈, 听证) → analyse legality, reasonableness, feasibility, controllability →
grade 高/中/低 → report → collective decision 实施 / 暂缓实施 / 不实施.  The village-
decisions workflow links an assessment to its matter through ``subject`` ({kind, record}).

Steps go in that order; new opinions after the analysis send the assessment back to
"gathering" (the analysis must see them), a new analysis clears the grade; after
暂缓实施 the assessment may be reopened by gathering opinions again (after control
measures have been carried out), and re-graded on the new round's opinions (the
earlier rounds stay in ``earlier_rounds`` for the file).  The decision gate (``risk_grading``)
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

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.authority import WRITERS
from app.domain.events import Event, Rejected, first_sight, refuse, replay
from app.domain.risk_grading import (
    CRITERIA, DECISIONS, DIMENSIONS, FINDINGS, GRADE_RANK, GRADES, RiskRules, proceed_gate,
    suggest_grade, tally)
from app.domain.service_state import LEVEL_RANK, Step, iso_date
from app.domain.service_transitions import OK, Verdict, envelope_problem

EVENT_VERSION = 1
METHODS = ("公示", "问卷", "走访", "座谈", "听证")
STATUS_NAMES = {
    "new": "未立项", "planned": "已制定评估方案", "gathering": "正在征求意见",
    "analysed": "已完成分析论证", "graded": "已确定风险等级", "reported": "已形成评估报告",
    "implement": "决定实施", "deferred": "决定暂缓实施", "rejected": "决定不实施",
}
_DECISION_STATUS = {"实施": "implement", "暂缓实施": "deferred", "不实施": "rejected"}
_SOURCES = {
    "risk.planned": {"new"},
    "risk.opinions_gathered": {"planned", "gathering", "analysed", "graded", "deferred"},
    "risk.analysed": {"gathering", "analysed", "graded"},
    "risk.graded": {"analysed", "graded"},
    "risk.reported": {"graded"},
    "risk.decided": {"reported"},
}
EVENT_TYPES = tuple(_SOURCES)
_ACTIONS = {kind: WRITERS[kind].action for kind in _SOURCES}   # who writes: authority
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


def _no(code: str, message: str) -> Verdict:
    return Verdict(False, code, message)


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def _names(values: Any) -> list[str]:
    return [v.strip() for v in values or [] if isinstance(v, str) and v.strip()]


def check_transition(state: Assessment, event: Mapping[str, Any], actor_level: str | None,
                     rules: RiskRules = RiskRules()) -> Verdict:
    """May ``actor_level`` record ``event`` on the assessment in ``state``?  Never raises."""
    problem = envelope_problem(event, actor_level, _SOURCES, "风险评估")
    if problem is not None:
        return problem
    kind, payload = event["type"], event["payload"]
    if state.status not in _SOURCES[kind]:
        if state.status == "new":
            return _no("not_planned", "请先制定评估方案")
        if kind == "risk.planned":
            return _no("duplicate", "这项评估已经立项，不能重复制定方案")
        if state.status in ("implement", "rejected") or (
                state.status == "deferred" and kind != "risk.opinions_gathered"):
            then = ("暂缓实施的可重新征求意见后再评估" if state.status == "deferred"
                    else "不能再更改")
            return _no("decided", f"这项评估已{state.status_name}；{then}")
        return _no("wrong_order", _ORDER_HINT[kind])
    if state.level is not None and LEVEL_RANK[actor_level] < LEVEL_RANK[state.level]:
        return _no("wrong_level", f"这项评估由上级组织，下级不能{_ACTIONS[kind]}")
    if kind != "risk.planned" and iso_date(payload.get("on")) is None:
        return _no("bad_date", "日期不对，请重新选择")
    return _PAYLOAD_CHECKS[kind](state, payload, rules)


def _planned(state, p, rules) -> Verdict:
    if not _text(p, "matter"):
        return _no("missing_matter", "请填写评估事项（拟作出的重大决策或实施的项目）")
    if not _text(p, "responsible_unit"):
        return _no("missing_unit", "请填写评估责任主体")
    if not _names(p.get("assessors")):
        return _no("missing_assessors", "请填写评估小组成员")
    if not _text(p, "plan"):
        return _no("missing_plan", "请填写评估方案（评估内容、方法、步骤、时间安排）")
    if iso_date(p.get("on")) is None:
        return _no("bad_date", "日期不对，请重新选择")
    return OK


def _opinions(state, p, rules) -> Verdict:
    if p.get("method") not in METHODS:
        return _no("bad_method", "请选择征求意见方式：" + "、".join(METHODS))
    counts = [p.get(key, 0) for key in ("participants", "objecting", "strongly_objecting")]
    if not all(isinstance(c, int) and c >= 0 for c in counts):
        return _no("bad_counts", "参与人数、反对人数、强烈反对人数应为不小于0的整数")
    participants, objecting, strong = counts
    if objecting > participants or strong > objecting:
        return _no("bad_counts", "反对人数不能多于参与人数，强烈反对人数不能多于反对人数")
    if not _text(p, "summary"):
        return _no("missing_summary", "请填写群众意见的主要内容")
    return OK


def _analysed(state, p, rules) -> Verdict:
    missing = [label for key, label in DIMENSIONS.items()
               if not isinstance(p.get(key), Mapping) or p[key].get("finding") not in FINDINGS
               or not _text(p[key], "note")]
    if missing:
        return _no("incomplete_analysis",
                   f"请对{'、'.join(missing)}作出判断（符合/基本符合/不符合）并写明理由")
    return OK


def _graded(state, p, rules) -> Verdict:
    grade = p.get("grade")
    if grade not in GRADES:
        return _no("bad_grade", "请确定风险等级：高、中或低")
    if not _text(p, "reasons"):
        return _no("missing_reasons", f"请写明定为{grade}风险的依据（{CRITERIA[grade]}）")
    suggested = suggest_grade(tally(state.opinions), rules)
    if GRADE_RANK[grade] < GRADE_RANK[suggested.grade] and not _text(p, "below_suggestion_reason"):
        return _no("below_suggestion", f"按征求意见情况建议定为{suggested.grade}风险（{suggested.reason}）；"
                                       f"定为{grade}风险须写明理由")
    return OK


def _reported(state, p, rules) -> Verdict:
    if not _text(p, "report_no") or not _text(p, "conclusion"):
        return _no("missing_report", "请填写评估报告编号和评估结论")
    return OK


def _decided(state, p, rules) -> Verdict:
    decision = p.get("decision")
    if decision not in DECISIONS:
        return _no("bad_decision", "请选择决策结果：实施、暂缓实施或不实施")
    meeting = p.get("meeting")
    if not isinstance(meeting, Mapping) or not _text(meeting, "name") or not _names(
            meeting.get("attendees")) or iso_date(meeting.get("on")) is None:
        return _no("missing_meeting", "须经集体讨论决定：请填写会议名称、日期和参会人员")
    attendees = set(_names(meeting.get("attendees")))
    if len(attendees) < rules.decision_min_attendees:
        return _no("not_collective", f"集体讨论决定至少要有{rules.decision_min_attendees}人参加，"
                                     f"现在只登记了{len(attendees)}人（{'、'.join(sorted(attendees))}）；"
                                     "请把参会人员都写上，或召开会议集体讨论后再登记")
    if decision == "实施":
        gate = proceed_gate(state.grade, state.measures, state.analysis, rules)
        if not gate.allowed:
            return _no("gate", gate.message)
    if not _text(p, "reason"):
        return _no("missing_reason", "请写明决策理由")
    return OK


_PAYLOAD_CHECKS = {
    "risk.planned": _planned, "risk.opinions_gathered": _opinions, "risk.analysed": _analysed,
    "risk.graded": _graded, "risk.reported": _reported, "risk.decided": _decided,
}


def fold(events: Iterable[Event], levels: Mapping[str, str],
         rules: RiskRules = RiskRules()) -> Assessment:
    """Replay one assessment (sorted, deduplicated, each step checked at its place)."""
    return replay(events, lambda record: Assessment(record=record),
                  lambda state, event: apply_event(state, event, levels.get(str(event["origin"])), rules))


def apply_event(state: Assessment, event: Event, actor_level: str | None,
                rules: RiskRules = RiskRules()) -> Assessment:
    seen = first_sight(state, event)
    if seen is None:
        return state
    event_id = str(event["id"])
    verdict = check_transition(state, event, actor_level, rules)
    if not verdict.ok:
        return refuse(state, event, seen, verdict.code, verdict.message)
    p = event["payload"]
    changes, what = _apply(state, str(event["type"]), p, str(actor_level))
    step = Step(event_id, str(event["type"]), str(event.get("author", "")), str(event["origin"]),
                int(event["hlc"]), p.get("on"), str(actor_level), what)
    return replace(state, seen=seen, steps=state.steps + (step,), **changes)


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
