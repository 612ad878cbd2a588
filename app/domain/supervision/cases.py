"""The 纪委's case steps and their clocks.

Steps (issue #13 §2): 受理 → 处置 → 初核 → 立案 or 了结 (with the reason) → 调查 → 处理
(批评教育, 诫勉谈话, 党纪处分, 政务处分, 移送司法机关 …) → 反馈 (to a named reporter) → 回访.

Clocks, each a config value with its source (``supervision.case_*``):

| clock            | from                 | length                  | source |
|------------------|----------------------|-------------------------|--------|
| 报送上级         | received, when the matter belongs to the level above | 5 working days | 纪检监察机关处理检举控告工作规则（2020年）第十五条第一款 [law] |
| 受理或转办       | received from the level above | 5 working days | 同规则第十六条第二款 [law] |
| 告知受理情况     | received, named reporter | 15 working days | 同规则“实名检举控告的处理”一章 [practice: text checked, article number not] |
| 初核             | 处置为初步核实       | 60 days                 | [default]: no national number found; the town sets it |
| 审查调查         | 立案                 | 90 days, + an approved extension of at most 90 | [practice: widely quoted from the 监督执纪工作规则; article not checked here] |
| 反馈举报人       | 办结 (decided, or 了结) | 15 working days     | 同规则“实名检举控告的处理”一章 [practice, as above] |
| 回访             | 处理 decided         | 90 days                 | [default] |

Working-day clocks use the town's calendar (workdays.py); a date resting on a year with
no holiday list is provisional and says so.  ``today`` is passed in.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from app.domain.dispute.periods import ClockStatus, add_days, clock_status
from app.domain.shared.workdays import DueDate, WorkCalendar, add_working_days
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.rules import SupervisionRules

RULES_2020 = "纪检监察机关处理检举控告工作规则（2020年）"
DISPOSALS = ("谈话函询", "初步核实", "暂存待查", "予以了结")
HANDLINGS = ("批评教育", "诫勉谈话", "党纪处分", "政务处分", "组织处理", "移送司法机关")
STEPS = ("受理", "处置", "初核", "立案或了结", "调查", "处理", "反馈", "回访")
# step: the case field that records it done
_DONE_FIELD = {"受理": "registered_on", "处置": "disposed_on", "初核": "preliminary_done",
               "立案或了结": "filed_or_closed_on", "调查": "investigated_on", "处理": "decided_on",
               "反馈": "replied_on", "回访": "revisited_on"}


def _day(case: Mapping[str, Any], key: str) -> date | None:
    value = case.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SupervisionError(f"案件记录的日期“{value}”不对，请重新选择", code="case") from None


def filed_or_closed(case: Mapping[str, Any]) -> date | None:
    return _day(case, "filed_on") or _day(case, "closed_on")


def check_case(case: Mapping[str, Any]) -> list[str]:
    """What is inconsistent in a case record (Chinese; empty when fine)."""
    out = []
    if case.get("disposal") and case["disposal"] not in DISPOSALS:
        out.append(f"处置方式应为{'、'.join(DISPOSALS)}之一")
    if case.get("closed_on") and not str(case.get("closed_reason") or "").strip():
        out.append("了结须写明理由")
    if case.get("filed_on") and case.get("closed_on"):
        out.append("一件案件不能既立案又了结")
    bad = [h for h in case.get("handling") or [] if h not in HANDLINGS]
    if bad:
        out.append(f"处理方式“{'、'.join(bad)}”不认识")
    if case.get("decided_on") and not case.get("handling"):
        out.append("处理须写明处理方式")
    order = [("received", "收到"), ("disposed_on", "处置"), ("filed_on", "立案"),
             ("investigated_on", "调查结束"), ("decided_on", "处理")]
    seen = [(label, day) for key, label in order if (day := _day(case, key)) is not None]
    for (a, da), (b, db) in zip(seen, seen[1:]):
        if db < da:
            out.append(f"{b}日期不能早于{a}日期")
    return out


def concluded_on(case: Mapping[str, Any]) -> date | None:
    """办结: the 处理 decided, or the case closed (了结, or 予以了结 at 处置)."""
    return _day(case, "decided_on") or _day(case, "closed_on") or (
        _day(case, "disposed_on") if case.get("disposal") == "予以了结" else None)


def case_clocks(case: Mapping[str, Any], today: date, calendar: WorkCalendar,
                rules: SupervisionRules) -> list[ClockStatus]:
    """The clocks that apply to ``case`` now, each with its status and source."""
    problems = check_case(case)
    if problems:
        raise SupervisionError("；".join(problems), code="case")
    received = _day(case, "received")
    if received is None:
        raise SupervisionError("案件须有收到日期", code="case")
    soon = rules.case_due_soon_days
    out = []

    def add(name: str, due: DueDate | date, done: date | None, source: str) -> None:
        out.append(clock_status(name, due, today, soon, done_on=done, source=source))

    if case.get("belongs_above"):
        add("报送上一级纪委", add_working_days(received, rules.case_refer_up_working_days, calendar),
            _day(case, "referred_up_on"), f"{RULES_2020}第十五条第一款")
    if case.get("from_above"):
        add("受理或转办", add_working_days(received, rules.case_transfer_working_days, calendar),
            _day(case, "registered_on"), f"{RULES_2020}第十六条第二款")
    named = bool(case.get("named_reporter"))
    if named:
        add("告知实名举报人受理情况",
            add_working_days(received, rules.case_accept_notice_working_days, calendar),
            _day(case, "accept_notified_on"), f"{RULES_2020}第四章（实名检举控告的处理）")
    disposed = _day(case, "disposed_on")
    if case.get("disposal") == "初步核实" and disposed:
        add("初步核实", add_days(disposed, rules.case_preliminary_days),
            _day(case, "preliminary_done"), "[默认] 国家规定未见初核的统一期限，由镇里设置")
    filed = _day(case, "filed_on")
    if filed:
        extension = int(case.get("extension_days") or 0)
        if not 0 <= extension <= rules.case_investigation_extension_days:
            raise SupervisionError(f"审查调查延长不能超过{rules.case_investigation_extension_days}日",
                                   code="case")
        add("审查调查", add_days(filed, rules.case_investigation_days + extension),
            _day(case, "investigated_on"), "中国共产党纪律检查机关监督执纪工作规则（审查调查期限，据转引）")
    concluded = concluded_on(case)
    if named and concluded:
        add("向实名举报人反馈处理结果",
            add_working_days(concluded, rules.case_reply_working_days, calendar),
            _day(case, "replied_on"), f"{RULES_2020}第四章（实名检举控告的处理）")
    decided = _day(case, "decided_on")
    if decided:
        add("回访", add_days(decided, rules.case_revisit_days), _day(case, "revisited_on"),
            "[默认] 回访时间由镇里设置")
    return out


def current_step(case: Mapping[str, Any]) -> str | None:
    """The next step not yet recorded (None when the case is through)."""
    closed_early = case.get("disposal") in ("予以了结", "暂存待查") or case.get("closed_on")
    for step in STEPS:
        if step == "立案或了结":
            done = filed_or_closed(case)
        elif step == "受理" and not case.get("from_above"):
            done = _day(case, "registered_on") or _day(case, "received")  # taken in here = registered
        else:
            done = _day(case, _DONE_FIELD[step])
        if done is not None:
            continue
        if closed_early and step in ("初核", "立案或了结", "调查", "处理", "回访"):
            continue
        if step == "反馈" and not case.get("named_reporter"):
            continue
        if step == "初核" and case.get("disposal") != "初步核实":
            continue
        return step
    return None
