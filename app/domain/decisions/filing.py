"""决策前论证备案: nothing goes to a meeting until the town accepted the filing and the
stability-risk gate allows it.

Seed (新集镇意见, 决策前论证备案制度; RULES.md §3): before a major village decision the
matter is filed with the 镇党委 — legality and feasibility reviewed, interested parties
consulted, several options where the matter is complex, a 社会稳定风险评估 — and "凡经论证
不合法、不可行或容易引发严重社会矛盾的，不能提交进行决策".

``filing_gate`` answers, for the state of the filing and of the linked risk assessment,
whether the matter may be put to a meeting now; when not, it says exactly why and what to
do (issue #12 §2).  The risk part reuses the risk workflow's own gate
(``risk.grading.proceed_gate``: 高 and 中 may not proceed, 低 needs control measures,
illegal or infeasible findings block) so the two can never disagree.  A matter that needs
an assessment (应评尽评) cannot pass without one.

``filing_missing`` lists what a filing still lacks before it can be sent to the town.

Filing status values (as the town's review leaves them): ``None`` (not filed), ``已报备``
(sent, not yet reviewed), ``补正`` (sent back: ``asked`` says what to add), ``不同意``
(``reasons``), ``同意``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from app.domain.risk.flow import STATUS_NAMES
from app.domain.risk.grading import RiskRules, proceed_gate

SEED = "新集镇意见“建立决策前论证备案制度”（RULES.md §3）"
RISK_SOURCE = "RULES.md §2 社会稳定风险评估（应评尽评；发改投资〔2012〕2492号）"
SUBMITTED, AMEND, REFUSED, ACCEPTED = "已报备", "补正", "不同意", "同意"
STATUSES = (None, SUBMITTED, AMEND, REFUSED, ACCEPTED)
_DONE = ("reported", "implement")   # the assessment has its report (or was decided 实施)


@dataclass(frozen=True)
class Gate:
    allowed: bool
    reason: str = ""
    what_to_do: str = ""
    source: str = ""

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        return f"{self.reason}。{self.what_to_do}" if self.what_to_do else self.reason


def filing_missing(filing: Mapping[str, Any], needs_assessment: bool) -> list[str]:
    """What the village still has to put in before filing (Chinese labels, in order)."""
    missing = []
    for key, label in (("legality", "合法性论证"), ("feasibility", "可行性论证"),
                       ("consultation", "与利益关联方协商的情况")):
        if not str(filing.get(key) or "").strip():
            missing.append(label)
    options = [o for o in filing.get("options") or [] if str(o).strip()]
    if not options:
        missing.append("决策方案")
    elif filing.get("complex") and len(options) < 2:
        missing.append("多个备选方案（较复杂的问题须拿出多种方案进行选择）")
    if needs_assessment and not filing.get("assessment"):
        missing.append("社会稳定风险评估")
    return missing


def filing_gate(status: str | None, *, asked: str = "", reasons: str = "",
                needs_assessment: bool = True, assessment: Mapping[str, Any] | None = None,
                rules: RiskRules) -> Gate:
    """May the matter go to a meeting?  ``assessment``: the linked risk assessment's
    ``status``, ``grade``, ``measures``, ``analysis`` (as ``risk.flow.Assessment``)."""
    if status not in STATUSES:
        return Gate(False, f"备案状态“{status}”不认识", "请升级程序后再看", SEED)
    if status is None:
        return Gate(False, "这件事还没有向镇党委报备（决策前论证备案）",
                    "请把合法性、可行性论证，与利益关联方协商的情况，决策方案（复杂的须有多个方案）"
                    "和社会稳定风险评估报镇党委备案，镇里同意后才能提交会议", SEED)
    if status == SUBMITTED:
        return Gate(False, "已报镇党委备案，镇里还没有审核", "请等镇里同意后再提交会议", SEED)
    if status == AMEND:
        return Gate(False, f"镇里要求补正：{asked or '（未写明）'}",
                    "请按镇里的意见补充材料后重新报备", SEED)
    if status == REFUSED:
        return Gate(False, f"镇里不同意：{reasons or '（未写明理由）'}",
                    "经论证不合法、不可行或容易引发严重社会矛盾的，不能提交决策；请修改方案，"
                    "重新论证后再报备", SEED)
    return _risk_gate(needs_assessment, assessment, rules)


def _risk_gate(needs: bool, assessment: Mapping[str, Any] | None, rules: RiskRules) -> Gate:
    if not needs:
        return Gate(True)
    if not assessment:
        return Gate(False, "这件事须做社会稳定风险评估（应评尽评），还没有评估",
                    "请先完成社会稳定风险评估并形成评估报告", RISK_SOURCE)
    state = str(assessment.get("status") or "new")
    if state in ("deferred", "rejected"):
        return Gate(False, f"社会稳定风险评估已{STATUS_NAMES[state]}",
                    "暂缓实施的，落实化解措施后重新征求意见、重新评估；决定不实施的不能提交决策",
                    RISK_SOURCE)
    if state not in _DONE:
        return Gate(False, f"社会稳定风险评估还没有完成（现在：{STATUS_NAMES.get(state, state)}）",
                    "请完成评估、确定风险等级并形成评估报告", RISK_SOURCE)
    measures: Iterable[str] = assessment.get("measures") or ()
    gate = proceed_gate(assessment.get("grade"), measures, assessment.get("analysis"), rules)
    if not gate.allowed:
        return Gate(False, gate.message, "", RISK_SOURCE)   # the risk gate says what to do
    return Gate(True)
