"""The 社会稳定风险评估报告 (RULES.md §2; 发改投资〔2012〕2492号; local steps), from the
folded assessment.

    risk_report(state, *, issuer="", rules=RiskRules(), footer=()) -> bytes

What the report shows, in the workflow's order:
    the matter, the responsible unit, the assessors (title block: report number);
    一 the plan;
    二 the opinions gathered, one row per round of 公示/问卷/走访/座谈/听证 with its counts
       (participants, for, against, strongly against) and a total with the shares, and a
       note of earlier rounds when the matter was reassessed after 暂缓实施;
    三 the four analyses (legality, reasonableness, feasibility, controllability), each
       with its finding and reasons, a 不符合 marked;
    四 the grade with the reasons, the grade the tallies suggest (``suggest_grade``) and,
       if graded lower, why; the three grades' criteria with this one marked;
    五 the control measures;
    六 the conclusion;
    the assessors' signatures and the seal, dated the day of the report;
    七 the collective decision (meeting, date, attendees, 实施/暂缓实施/不实施, reasons) or
       "待集体讨论决定", and the gate: which decisions this grade allows (``gate_text``, from
       ``proceed_gate`` and the configured ``RiskRules``).

The text of the plan, the assessors and the conclusion is the one the screen shows
(``risk.flow.report_sections``).  Printable once the report is recorded
(``risk.reported``); a reassessment gathering new opinions clears the report until the
next one.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from app.docs.base import render
from app.docs.blocks import (
    Block, Document, Field, Fields, Grid, Heading, Seal, Signatures, Text)
from app.docs.errors import NotReadyError
from app.docs.service import cn_date
from app.domain.risk.flow import Assessment, report_sections
from app.domain.risk.grading import (
    CRITERIA, DIMENSIONS, GRADES, RiskRules, proceed_gate, suggest_grade, tally)
from app.domain.workflow import iso_date

OPINION_HEADER = ("日期", "方式", "参与人数", "支持", "反对", "强烈反对", "主要意见")
# mm of the 170 mm line: every header and "12月31日" on one line, the opinions the rest
OPINION_WIDTHS = (20, 12, 19, 13, 13, 19, 74)
ANALYSIS_HEADER = ("分析内容", "结论", "理由")
ANALYSIS_WIDTHS = (24, 20, 126)
CRITERIA_HEADER = ("风险等级", "判定标准", "能否实施")
CRITERIA_WIDTHS = (20, 100, 50)


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) else "—"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _day(value: Any, year: int | None) -> str:
    """"8月11日" in the report's year (the column stays narrow), the full date otherwise."""
    day = iso_date(value)
    if day is None:
        return "—"
    return f"{day.month}月{day.day}日" if day.year == year else cn_date(day)


def _opinion_blocks(state: Assessment) -> list[Block]:
    reported = iso_date((state.report or {}).get("on"))
    year = reported.year if reported else None
    rows = []
    for o in state.opinions:
        rows.append([_day(o.get("on"), year), _text(o, "method"),
                     _count(o.get("participants")), _count(o.get("supporting")),
                     _count(o.get("objecting", 0)), _count(o.get("strongly_objecting", 0)),
                     _text(o, "summary")])
    counts = tally(state.opinions)
    supporting = [o.get("supporting") for o in state.opinions]
    total_for = str(sum(supporting)) if all(isinstance(s, int) for s in supporting) else "—"
    rows.append(["合计", "", str(counts.participants), total_for, str(counts.objecting),
                 str(counts.strongly_objecting), ""])
    blocks: list[Block] = [Grid(OPINION_HEADER, rows, OPINION_WIDTHS,
                                frozenset({len(rows) - 1}))]
    blocks.append(Text(
        f"共征求意见{counts.participants}人，其中反对{counts.objecting}人，占"
        f"{_share(counts.objecting, counts.participants)}；强烈反对{counts.strongly_objecting}人，"
        f"占{_share(counts.strongly_objecting, counts.participants)}。", indent=True))
    for earlier in state.earlier_rounds:
        decision = _text(earlier.get("decision") or {}, "decision")
        earlier_counts = tally(earlier.get("opinions") or ())
        blocks.append(Text(
            f"第{earlier.get('round')}轮评估征求意见{earlier_counts.participants}人，反对"
            f"{earlier_counts.objecting}人，定为{earlier.get('grade') or '—'}风险"
            f"{f'，决定{decision}' if decision else ''}；落实化解措施后重新征求意见，"
            f"本报告以第{state.round}轮评估为准。", small=True))
    return blocks


def _analysis_grid(state: Assessment) -> Grid:
    analysis = state.analysis or {}
    rows, marked = [], set()
    for n, (key, label) in enumerate(DIMENSIONS.items()):
        item = analysis.get(key) or {}
        finding = _text(item, "finding")
        if finding == "不符合":
            marked.add(n)
        rows.append([label, finding, _text(item, "note")])
    return Grid(ANALYSIS_HEADER, rows, ANALYSIS_WIDTHS, frozenset(marked))


def _allowed(grade: str, rules: RiskRules) -> str:
    if grade in rules.proceed_allowed_grades:
        return "有防范化解措施的，可以实施" if grade == "低" and rules.low_requires_measures \
            else "可以实施"
    return "暂缓实施或不实施"


def _grading_blocks(state: Assessment, rules: RiskRules) -> list[Block]:
    grading = state.grading or {}
    grade = state.grade or ""
    suggestion = suggest_grade(tally(state.opinions), rules)
    fields = [Field("风险等级", f"{grade}风险", emphasis=True),
              Field("定级日期", cn_date(iso_date(grading.get("on")))),
              Field("定级依据", _text(grading, "reasons"), wide=True),
              Field("统计建议等级", f"{suggestion.grade}风险：{suggestion.reason}", wide=True)]
    if _text(grading, "below_suggestion_reason"):
        fields.append(Field("低于建议的理由", _text(grading, "below_suggestion_reason"),
                            wide=True))
    rows = [[f"{g}风险" + ("\n（本事项）" if g == grade else ""), CRITERIA[g], _allowed(g, rules)]
            for g in reversed(GRADES)]
    marked = frozenset(n for n, g in enumerate(reversed(GRADES)) if g == grade)
    return [Fields(fields, pairs_per_row=2), Grid(CRITERIA_HEADER, rows, CRITERIA_WIDTHS, marked)]


def _printable(message: str) -> str:
    """A domain message as printed: without its pointers into the project's own files."""
    return re.sub(r"（RULES\.md[^）]*）|；?[^；（]*RULES\.md[^；）]*", "", message)


def gate_text(state: Assessment, rules: RiskRules = RiskRules()) -> str:
    """The decision gate as configured, and what it allows for this assessment."""
    allowed = "、".join(f"{g}风险" for g in GRADES if g in rules.proceed_allowed_grades) or "无"
    measures = "（须有防范化解措施）" if (
        "低" in rules.proceed_allowed_grades and rules.low_requires_measures) else ""
    basis = "（发改投资〔2012〕2492号）" if rules == RiskRules() else "（本镇规定）"
    text = f"可以决定实施的风险等级：{allowed}{measures}，其他等级只能暂缓实施或不实施{basis}。"
    gate = proceed_gate(state.grade, state.measures, state.analysis, rules)
    if gate.allowed:
        return text + f"本事项为{state.grade}风险" + ("，已有防范化解措施" if measures else "") + \
            "，可以决定实施。"
    blocked = [label for key, label in DIMENSIONS.items() if key in rules.blocking_dimensions
               and ((state.analysis or {}).get(key) or {}).get("finding") == "不符合"]
    if state.grade and state.grade not in rules.proceed_allowed_grades and not blocked:
        return text + f"本事项为{state.grade}风险，只能决定暂缓实施或不实施；落实化解措施后可以重新评估。"
    return text + _printable(gate.message) + "。"


def _decision_blocks(state: Assessment, rules: RiskRules) -> list[Block]:
    rule = gate_text(state, rules)
    decision = state.decision
    if not decision:
        return [Fields([Field("决策结果", "待集体讨论决定", emphasis=True),
                        Field("决策规则", rule)])]
    meeting = decision.get("meeting") or {}
    attendees = [a for a in meeting.get("attendees") or [] if isinstance(a, str) and a.strip()]
    return [Fields([
        Field("决策会议", _text(meeting, "name"), wide=True),
        Field("会议日期", cn_date(iso_date(meeting.get("on")))),
        Field("决策结果", _text(decision, "decision"), emphasis=True),
        Field("参会人员", "、".join(attendees), wide=True),
        Field("决策理由", _text(decision, "reason"), wide=True),
        Field("决策规则", rule, wide=True),
    ], pairs_per_row=2)]


def risk_report(state: Assessment, *, issuer: str = "", rules: RiskRules = RiskRules(),
                footer: Sequence[str] = ()) -> bytes:
    """The 社会稳定风险评估报告 of ``state`` (PDF bytes, A4).

    ``issuer``: the body printed at the top and sealing the report (default the plan's
    responsible unit); ``rules``: the grading rules in force (thresholds, the gate).
    """
    if not state.report or not state.grade:
        raise NotReadyError("这项评估还没有形成评估报告，不能打印", code="not_reported")
    plan = state.plan or {}
    sections = dict(report_sections(state))
    issuer = issuer or _text(plan, "responsible_unit") or "评估责任主体"
    report_on = iso_date(state.report.get("on"))
    assessors = [a for a in plan.get("assessors") or [] if isinstance(a, str) and a.strip()]
    head = [Field("评估事项", state.matter, wide=True),
            Field("评估责任主体", _text(plan, "responsible_unit")),
            Field("方案制定日期", cn_date(iso_date(plan.get("on")))),
            Field("评估小组", "、".join(assessors), wide=True),
            Field("报告日期", cn_date(report_on)),
            Field("评估轮次", f"第{state.round}轮" + ("（暂缓实施后重新评估）" if state.round > 1 else ""))]
    blocks: list[Block] = [
        Fields(head, pairs_per_row=2),
        Heading("一、评估方案"),
        Text(sections["评估方案"], indent=True),
        Heading("二、征求意见情况"),
        *_opinion_blocks(state),
        Heading("三、分析论证"),
        _analysis_grid(state),
        Heading("四、风险等级"),
        *_grading_blocks(state, rules),
        Heading("五、防范化解措施"),
    ]
    if state.measures:
        blocks.append(Grid(("序号", "防范化解措施"),
                           [[str(n), m] for n, m in enumerate(state.measures, 1)], (12, 158)))
    else:
        blocks.append(Text("未制定防范化解措施。", indent=True))
    blocks += [
        Heading("六、评估结论"),
        Text(sections["评估结论"], indent=True),
        # The report is signed and sealed on its own date; the collective decision comes
        # after it and is recorded below (so the signatures follow the text they sign).
        Signatures([f"评估人 {name}" for name in assessors], dated=False),
        Seal(issuer, cn_date(report_on)),
        Heading("七、集体决策"),
        *_decision_blocks(state, rules),
    ]
    return render(Document(issuer=issuer, title="社会稳定风险评估报告",
                           number=_text(state.report, "report_no"), number_label="",
                           blocks=blocks, footer=tuple(footer), subject="社会稳定风险评估报告"))


__all__ = ["gate_text", "risk_report"]
