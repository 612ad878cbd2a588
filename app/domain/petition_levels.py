"""逐级反映、分级解决: what the system proposes when a petition arrives at a level.

RULES.md §2 (seed; 国家信访局 2014 逐级走访办法 as found; 信访工作条例 Art 35–36):
* an upper level does not accept a matter no lower level has handled: it proposes
  不予受理 and tells the person where to go (``skip_level``);
* a matter already accepted or in handling is not accepted again (``in_handling``);
* a person who contests a lower level's answer asks the *next* level up for 复查, then
  the next for 复核, each within 30 days of the written answer; the upper level reviews
  that answer, and the new petition links to it (``appeal_of``).  Skipping a step
  (``skip_review``), asking the wrong level (``wrong_level``), asking late without a good
  reason (``late``) and asking again after 复核 (``closed``) are proposed 不予受理;
* other grounds (人大/法院/检察院 matters, 涉法涉诉) are offered to the officer with their
  reasons (``PetitionRules.refusal_grounds``), never decided automatically.

A proposal is only a proposal: it is stored in the registration, and the officer either
confirms it (``petition.refused`` with that ground), transfers the matter down, or
accepts with a written reason (``override_reason``), which is kept on the record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.dispute_links import Link
from app.domain.petition_clocks import petition_period_end
from app.domain.petition_rules import PetitionRules
from app.domain.petition_state import (
    LEVEL_NAMES, LEVEL_RANK, LEVELS, NEXT_STAGE, OPEN, PetitionState)
from app.domain.workdays import DueDate, WorkCalendar


@dataclass(frozen=True)
class Proposal:
    """A proposed 不予受理: ground code and label, where the person should go, and the
    message for the officer."""

    ground: str
    label: str
    where_to_go: str
    message: str

    def payload(self) -> dict[str, str]:
        return {"ground": self.ground, "label": self.label, "where_to_go": self.where_to_go,
                "message": self.message}


def _proposal(rules: PetitionRules, code: str, where: str | None, detail: str) -> Proposal:
    ground = rules.ground(code) or {"label": code, "where_to_go": ""}
    where_to_go = where or str(ground.get("where_to_go", ""))
    label = str(ground.get("label", code))
    message = (f"建议不予受理：{label}。{detail}请告知信访人：{where_to_go}。"
               "如确需受理，请写明理由（将记录在案）。")
    return Proposal(code, label, where_to_go, message)


def refusal_grounds(rules: PetitionRules = PetitionRules()) -> list[Mapping[str, Any]]:
    """The 不予受理 grounds offered to the officer, each with its label and where to go."""
    return [dict(g) for g in rules.refusal_grounds]


def lower_level(level: str) -> str | None:
    rank = LEVEL_RANK[level]
    return LEVELS[rank - 1] if rank > 0 else None


def upper_level(level: str) -> str | None:
    rank = LEVEL_RANK[level]
    return LEVELS[rank + 1] if rank + 1 < len(LEVELS) else None


def new_petition_proposal(actor_level: str, channel: str, links: Iterable[Link],
                          rules: PetitionRules = PetitionRules()) -> Proposal | None:
    """Proposal for a first petition (not a 复查/复核 request) arriving at ``actor_level``.

    ``links`` come from ``dispute_links.find_links`` over earlier disputes and petitions.
    """
    same = [link for link in links if link.same_person and link.same_matter]
    pending = [link for link in same if link.kind == "petition" and link.status in OPEN]
    if pending:
        where = LEVEL_NAMES.get(pending[0].level, "原受理机关")
        return _proposal(rules, "in_handling", f"请等待{where}的办理结果",
                         f"同一信访人的同一事项已在{where}登记办理（{pending[0].record}）。")
    rank, lowest = LEVEL_RANK[actor_level], LEVEL_RANK[rules.lowest_level]
    if rank <= lowest:
        return None
    if any(link.handled and link.level in LEVEL_RANK and LEVEL_RANK[link.level] < rank
           for link in same):
        return None
    lower = LEVELS[rank - 1]
    if channel == "来访":
        where = f"请到{LEVEL_NAMES[lower]}反映（逐级走访）"
    else:
        where = f"请向{LEVEL_NAMES[lower]}反映，或由本级转送{LEVEL_NAMES[lower]}办理并告知去向"
    return _proposal(rules, "skip_level", where,
                     f"没有查到{LEVEL_NAMES[lower]}处理过这一事项的记录。")


@dataclass(frozen=True)
class AnswerRef:
    """The answer a 复查/复核 request contests, as the intake screen knows it."""

    record: str
    stage: str  # stage of the contested answer: 处理 or 复查 (复核 cannot be contested)
    level: str
    status: str
    delivered_on: date | None


def answer_ref(state: PetitionState) -> AnswerRef:
    return AnswerRef(state.record, state.stage, str(state.level), state.status,
                     state.delivered_on)


@dataclass(frozen=True)
class AppealCheck:
    """What a request against ``prior`` becomes at this level.

    ``stage``: 复查 or 复核 (None if nothing can be requested); ``window_end``: last day to
    ask; ``proposal``: a proposed 不予受理, or None if it should be accepted;
    ``appeal_of``: the payload field linking the new petition to the contested answer.
    """

    stage: str | None
    window_end: DueDate | None
    proposal: Proposal | None
    appeal_of: Mapping[str, Any] | None
    message: str = ""


def check_appeal(prior: AnswerRef, actor_level: str, received_on: date,
                 calendar: WorkCalendar, rules: PetitionRules = PetitionRules()) -> AppealCheck:
    """逐级复查、复核: may ``actor_level`` take a request against ``prior`` on ``received_on``?"""
    link = {"record": prior.record, "stage": prior.stage, "level": prior.level}
    if prior.delivered_on is not None:
        link["delivered_on"] = prior.delivered_on.isoformat()
    if prior.status in OPEN:
        where = LEVEL_NAMES.get(prior.level, "原办理机关")
        return AppealCheck(None, None, _proposal(
            rules, "in_handling", f"请等待{where}的办理结果", f"{where}还没有答复这一事项。"), link)
    if prior.status == "reviewed":
        return AppealCheck(None, None, None, None,
                           "这一答复已经由上一级复查或复核；请选择上一级的复查、复核意见作为请求对象")
    if prior.stage == "复核" or prior.status == "terminated":
        return AppealCheck(None, None, _proposal(
            rules, "closed", None, "这一事项已经复核或依法终结，信访人仍以同一事实和理由提出。"), link)
    if prior.status == "appealed":
        return AppealCheck(None, None, _proposal(
            rules, "in_handling", "请等待上一级的复查、复核结论", "信访人已经请求过复查或复核。"), link)
    stage = NEXT_STAGE[prior.stage]
    window = None
    if prior.delivered_on is not None:
        days = rules.request_days(prior.stage) or 0
        window = petition_period_end(prior.delivered_on, days, calendar, rules)
    expected = upper_level(prior.level)
    link["stage"] = prior.stage
    if expected is None:
        return AppealCheck(stage, window, _proposal(
            rules, "wrong_level", "请向市级有关机关请求" + stage,
            f"{LEVEL_NAMES[prior.level]}答复的{stage}不在本系统的层级内。"), link)
    if LEVEL_RANK[actor_level] > LEVEL_RANK[expected]:
        return AppealCheck(stage, window, _proposal(
            rules, "skip_review", f"请向{LEVEL_NAMES[expected]}请求{stage}",
            f"对{LEVEL_NAMES[prior.level]}的{prior.stage}意见应先由{LEVEL_NAMES[expected]}{stage}。"),
            link)
    if actor_level != expected:
        return AppealCheck(stage, window, _proposal(
            rules, "wrong_level", f"请向{LEVEL_NAMES[expected]}请求{stage}",
            f"{stage}由原办理机关的上一级办理。"), link)
    if window is not None and received_on > window.date:
        return AppealCheck(stage, window, _proposal(
            rules, "late", None,
            f"书面答复于{prior.delivered_on.isoformat()}送达，请求{stage}的期限到"
            f"{window.date.isoformat()}为止，{received_on.isoformat()}才提出。"
            "如信访人有正当理由（如不可抗力），可以受理并写明理由。"), link)
    return AppealCheck(stage, window, None, link)
