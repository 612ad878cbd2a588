"""逐级反映、分级解决: what the system proposes when a petition arrives at a level.

RULES.md §2 (seed; 信访工作条例 Art 18, 22, 35–36; 国家信访局 2014 逐级走访办法 as found):
* the 信访 organs here are the town and the county; a village station only receives (Art 2);
* 逐级走访 (Art 18): a *visit* goes to the organ with power to handle the matter (本级) or
  the one above it (上一级); only skipping both is 越级.  The lowest organ is the town, so
  a visit to the town or the county is never 越级 inside this system, and letters, calls
  and online petitions may go to any level.  Instead of a refusal the county is told when
  no town handled the matter, and may hand it down (交办, ``assignment_hint``);
* a matter already accepted or in handling is not accepted again (``in_handling``);
* a person who contests an answer asks the organ above the one that answered for 复查,
  then the one above that for 复核, each within 30 days of the written answer; the upper
  level reviews that answer, and the new petition links to it (``appeal_of``).  Above
  the county is the city, outside this system: the request is recorded on the county's
  record and sent there (``AppealCheck.outside``), never refused as closed;
* skipping a step (``skip_review``), asking the wrong level (``wrong_level``), asking late
  without a good reason (``late`` — judged at the window's latest possible end, so a
  provisional date never refuses anyone) and asking again after a 复核 or a lawful
  termination (``closed``) are proposed 不予受理;
* a 建议意见 is answered, not reviewed (Art 31, 35): no 复查 against it;
* other grounds (人大/法院/检察院 matters, 涉法涉诉) are offered to the officer with their
  reasons (``PetitionRules.refusal_grounds``), never decided automatically.

A proposal is only a proposal: it is stored in the registration, and the officer either
confirms it (``petition.refused`` with that ground), transfers or hands the matter down,
or accepts with a written reason (``override_reason``), which is kept on the record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.dispute.links import Link
from app.domain.petition.clocks import request_window_end
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import (
    LEVEL_NAMES, LEVEL_RANK, LEVELS, NEXT_STAGE, OPEN, SUGGESTION, UPPER_OUTSIDE, PetitionState)
from app.domain.shared.workdays import DueDate, WorkCalendar


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

    ``links`` come from ``dispute.links.find_links`` over earlier disputes and petitions.
    Only a pending same matter is proposed 不予受理 here: no in-system visit is 越级 (see
    the module docstring), so ``skip_level`` stays a ground the officer may choose (a
    visit that skipped levels outside the system), never an automatic proposal.
    """
    same = [link for link in links if link.same_person and link.same_matter]
    pending = [link for link in same if link.kind == "petition" and link.status in OPEN]
    if pending:
        where = LEVEL_NAMES.get(pending[0].level, "原受理机关")
        return _proposal(rules, "in_handling", f"请等待{where}的办理结果",
                         f"同一信访人的同一事项已在{where}登记办理（{pending[0].record}）。")
    return None


def assignment_hint(actor_level: str, links: Iterable[Link]) -> str:
    """For the county: the matter was never handled by a town, so it may be handed down
    (交办, 属地管理、分级负责) — not refused: Art 18 lets a visitor go to the 上一级 organ."""
    if actor_level != "county":
        return ""
    if any(link.handled and link.level in ("village", "town") for link in links
           if link.same_person and link.same_matter):
        return ""
    return ("没有查到镇里处理过这一事项的记录。向县里反映不属于越级（信访工作条例第十八条：可以向本级或"
            "上一级机关提出）；按属地管理、分级负责，可以交办镇里办理并告知信访人，或由县里直接受理。")


@dataclass(frozen=True)
class AnswerRef:
    """The answer a 复查/复核 request contests, as the intake screen knows it."""

    record: str
    stage: str  # stage of the contested answer: 处理 or 复查 (复核 cannot be contested)
    level: str
    status: str
    delivered_on: date | None
    category: str = "申诉求决"
    review_stage: str = ""  # a 复查/复核 conclusion already recorded on it, if any
    outside: bool = False  # the last request went above the county


def answer_ref(state: PetitionState) -> AnswerRef:
    review = str((state.review or {}).get("stage", "")) if state.status == "reviewed" else ""
    return AnswerRef(state.record, state.stage, str(state.level), state.status,
                     state.delivered_on, state.category or "申诉求决", review,
                     state.appeal_outside)


@dataclass(frozen=True)
class AppealCheck:
    """What a request against ``prior`` becomes at this level.

    ``stage``: 复查 or 复核 (None if nothing can be requested); ``window_end``: last day to
    ask; ``proposal``: a proposed 不予受理, or None if it should be accepted;
    ``appeal_of``: the payload field linking the new petition to the contested answer;
    ``outside``: the request lies with the city, above the county — record it on the
    county's record (``petition.referred_up``) and send it there, never refuse it.
    """

    stage: str | None
    window_end: DueDate | None
    proposal: Proposal | None
    appeal_of: Mapping[str, Any] | None
    message: str = ""
    outside: bool = False


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
    if prior.category == SUGGESTION:
        return AppealCheck(None, None, None, None,
                           "建议意见类事项的答复不适用复查、复核（信访工作条例第三十一、三十五条）；"
                           "信访人有新的诉求的，请作为新的信访事项登记")
    if prior.stage == "复核" or prior.review_stage == "复核" or prior.status == "terminated":
        return AppealCheck(None, None, _proposal(
            rules, "closed", None, "这一事项已经复核或依法终结，信访人仍以同一事实和理由提出。"), link)
    if prior.status == "reviewed":
        return AppealCheck(None, None, None, None,
                           "这一答复已经由上一级复查；请选择上一级的复查意见作为请求对象")
    if prior.status == "appealed":
        where = "上一级（本系统之外）" if prior.outside else "上一级"
        return AppealCheck(None, None, _proposal(
            rules, "in_handling", f"请等待{where}的复查、复核结论", "信访人已经请求过复查或复核。"),
            link)
    stage = NEXT_STAGE[prior.stage]
    end = window = None
    if prior.delivered_on is not None:
        end = request_window_end(prior.delivered_on, prior.stage, calendar, rules)
        window = end.due if end is not None else None
    expected = upper_level(prior.level)
    link["stage"] = prior.stage
    if expected is None:
        late = end is not None and not end.in_time(received_on)
        return AppealCheck(stage, window, None, link,
                           f"{LEVEL_NAMES[prior.level]}答复的{stage}由{UPPER_OUTSIDE}办理，不在本系统内："
                           f"请在原答复上登记这一请求和转往何处，并告知信访人"
                           + ("（按期限计算已超过请求期限，由上级决定是否受理）" if late else ""),
                           outside=True)
    if LEVEL_RANK[actor_level] > LEVEL_RANK[expected]:
        return AppealCheck(stage, window, _proposal(
            rules, "skip_review", f"请向{LEVEL_NAMES[expected]}请求{stage}",
            f"对{LEVEL_NAMES[prior.level]}的{prior.stage}意见应先由{LEVEL_NAMES[expected]}{stage}。"),
            link)
    if actor_level != expected:
        return AppealCheck(stage, window, _proposal(
            rules, "wrong_level", f"请向{LEVEL_NAMES[expected]}请求{stage}",
            f"{stage}由原办理机关的上一级办理。"), link)
    if end is not None and prior.delivered_on is not None and not end.in_time(received_on):
        return AppealCheck(stage, window, _proposal(
            rules, "late", None,
            f"书面答复于{prior.delivered_on.isoformat()}送达，请求{stage}的期限到"
            f"{end.latest.isoformat()}为止，{received_on.isoformat()}才提出。"
            "如信访人有正当理由（如不可抗力），可以受理并写明理由。"), link)
    if end is not None and received_on > end.due.date:
        # After the provisional end, by the latest one: in time (in the citizen's favour).
        return AppealCheck(stage, window, None, link, end.favour_note())
    if end is not None and end.provisional:
        return AppealCheck(stage, window, None, link,
                           f"请求{stage}的期限截止日为{end.latest.isoformat()}（{end.due.note}）")
    return AppealCheck(stage, window, None, link)
