"""What the public may learn about a case from its receipt: the status and the dates,
nothing else.

RULES.md §1 (服务承诺制: the promised date is public; 可查询、可跟踪) and §5 (personal data:
collect and show only what the purpose needs). The page shows no name, phone, ID number,
village, matter or description: even the matter's name can be sensitive (a 低保 or 特困
application reveals social-assistance status, RULES.md §5), and the receipt plus four
phone digits is weak proof of who is asking. Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain import CaseState

# The window staff's status names (app.domain.service.state.STATUS_NAMES) speak of who
# must act next ("待镇里处理"); a citizen wants to know whether it is still being handled
# and where. Everything after 办结 reads 已办结 to the public.
_ACTIVE_NAMES = {
    "accepted": "已受理",
    "in_progress": "办理中",
    "escalated": "办理中（已报镇便民服务中心办理）",
    "forwarded": "办理中（已转县直部门办理）",
    "replied": "办理中（县直部门已答复，正在办结）",
    "returned": "办理中（需要补正，请留意受理站点的通知）",
}
FINISHED = frozenset({"closed", "fed_back", "rated", "revisited"})
PROVISIONAL_NOTE = "暂定：该年度节假日安排尚未公布，日期可能调整"


@dataclass(frozen=True)
class PublicStatus:
    receipt_no: str
    status_name: str
    due: date | None
    due_provisional: bool
    closed_on: date | None
    kind: str = "便民服务事项"
    extra: tuple[tuple[str, str], ...] = ()   # (label, text): a petition's windows, rating

    def overdue(self, today: date) -> bool:
        """Past the promised date and not finished (服务承诺制: the citizen may ask why).
        A provisional date counts too: it only ever errs towards the citizen's side
        (statutory holidays are in it, 调休 bridge days not yet)."""
        return self.closed_on is None and self.due is not None and today > self.due

    def to_json(self, today: date | None = None, contact: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {
            "found": True, "receipt_no": self.receipt_no, "status": self.status_name,
            "kind": self.kind,
            "due": self.due.isoformat() if self.due else None,
            "due_provisional": self.due_provisional,
            "due_note": PROVISIONAL_NOTE if self.due_provisional else None,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "extra": [{"label": label, "text": text} for label, text in self.extra]}
        if today is not None:
            out["overdue"] = self.overdue(today)
        if contact:
            out["contact"] = contact
        return out


def public_status_name(state: CaseState) -> str:
    if state.status == "withdrawn":
        return "已撤件（申请已撤回或登记有误，详情请向受理站点了解）"
    if state.status in FINISHED:
        return "已办结（不予办理，理由请向受理站点了解）" if state.outcome == "refused" else "已办结"
    if state.status == "in_progress" and state.round > 1:
        return "办理中（重新办理）"
    return _ACTIVE_NAMES.get(state.status, "办理中")


def public_status(state: CaseState) -> PublicStatus | None:
    """The public view of a folded case; None for a case not (yet) accepted."""
    if state.status == "new" or not state.receipt_no:
        return None
    return PublicStatus(state.receipt_no, public_status_name(state), state.due,
                        state.due_provisional,
                        state.closed_on if state.status in FINISHED else None)


def phone_last4(state: CaseState) -> str | None:
    """The last four digits of the applicant's phone as the case holds it now (a
    correction by svc.updated counts); None if there is no usable number."""
    phone = state.fields.get("applicant.phone")
    if phone is None:
        phone = (state.fields.get("applicant") or {}).get("phone")
    number = str(phone or "").split("转")[0]   # a landline's extension is not the number
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None
