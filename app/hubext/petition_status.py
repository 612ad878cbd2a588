"""What the public may learn about a petition from its receipt (可查询、可跟踪, the seed's
信访信息化: 办理过程和结果可查询、可跟踪、可评价): where it stands, the dates its clocks
run to, and — once answered — until when a 复查/复核 may be asked and where.  Nothing else:
no name, phone, village, content or answer (信访 content is sensitive, RULES.md §5; the
receipt plus four phone digits is weak proof of who asks).  Pure: no I/O.
"""
from __future__ import annotations

from datetime import date

from app.domain.petition.clocks import acceptance_due, handling_due, request_window_end
from app.domain.petition.levels import upper_level
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import LEVEL_NAMES, NEXT_STAGE, UPPER_OUTSIDE, PetitionState
from app.hubext.status import PublicStatus

KIND = "信访事项"
_NAMES = {
    "registered": "已登记，正在决定是否受理",
    "accepted": "已受理，正在办理",
    "refused": "不予受理（理由和去向已书面告知）",
    "transferred": "已转送有权处理的机关（去向已告知）",
    "answered": "已出具意见并书面答复",
    "appealed": "已请求上一级复查或复核",
    "reviewed": "上一级已复查或复核",
    "terminated": "已依法终结",
}


def public_petition_status(state: PetitionState, rules: PetitionRules,
                           today: date) -> PublicStatus | None:
    """The public view of a folded petition; None before it is registered or without a
    receipt number (registered before receipts existed)."""
    if state.status == "new" or not state.receipt_no:
        return None
    calendar = rules.calendar
    name = _NAMES.get(state.status, "办理中")
    if state.stage != "处理":
        name = f"{state.stage}：{name}"
    due = None
    extra: list[tuple[str, str]] = []
    if state.status == "registered" and state.clock_start is not None:
        due = acceptance_due(state.clock_start, calendar, rules)
        extra.append(("受理告知期限", f"{due.date.isoformat()}前书面告知是否受理"))
    elif state.status == "accepted":
        due = handling_due(state, today, calendar, rules)
        if due is not None:
            extra.append(("办理期限", f"{due.date.isoformat()}前办结并书面答复"))
    closed = state.answered_on or (state.decided_on if state.status in ("refused", "transferred")
                                   else None)
    if state.status == "answered" and state.delivered_on is not None:
        end = request_window_end(state.delivered_on, state.stage, calendar, rules)
        if end is not None and state.category != "建议意见":
            upper = upper_level(str(state.level)) if state.level else None
            where = LEVEL_NAMES[upper] if upper else UPPER_OUTSIDE
            extra.append((f"请求{NEXT_STAGE[state.stage]}",
                          f"不服的，可在{end.latest.isoformat()}前向{where}提出"))
    if state.rating:
        extra.append(("您的评价", str(state.rating.get("level", ""))))
    provisional = bool(due and due.provisional)
    return PublicStatus(state.receipt_no, name, due.date if due else None, provisional,
                        closed, KIND, tuple(extra))


def petition_phone_last4(state: PetitionState) -> str | None:
    """Last four digits of the first petitioner's phone (the one asked at intake)."""
    phone = str(state.petitioners[0].phone if state.petitioners else "")
    parts = phone.split("-")
    if len(parts) == 3:          # a landline stored as code-local-extension (app.domain.shared.phone)
        parts = parts[:2]
    digits = "".join(ch for ch in "".join(parts) if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None


__all__ = ["KIND", "petition_phone_last4", "public_petition_status"]
