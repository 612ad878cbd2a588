"""The state of one dispute (矛盾纠纷) and its mediation, as replay builds it.

RULES.md §2: intake at any hour (全天候); 首问负责制 (the officer who first receives the
matter stays named on it); mediation in the village 调解室, the town 矛盾调处化解中心 and the
county 调处中心, linked in one workflow (人民调解, 行政调解, 司法调解); 调解登记, 调解笔录 and
the agreement are kept in the file.  ``dispute.flow.DISPUTE`` declares how its
steps read and change the state.  Treat the mappings as read-only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

from app.domain.dispute.referrals import ROUTES
from app.domain.events import Rejected
from app.domain.workflow import LEVEL_RANK, LEVELS, Step, iso_date

DISPUTE_TYPES = ("婚姻家庭", "邻里关系", "住宅房屋", "土地", "劳资", "损害赔偿", "其他")
RISK_LEVELS = ("低", "中", "高")  # 激化风险
# 当事人: a side when nobody applied (a dispute found by 排查, both sides alike).
PARTY_ROLES = ("申请人", "被申请人", "当事人", "第三人", "代理人")
# The sides of the dispute: whose consent an extension needs (人民调解工作若干规定 2002
# Art 33, "双方当事人同意"), who must be named in and sign the agreement.
CONSENTING_ROLES = frozenset({"申请人", "被申请人", "当事人"})
METHODS = ("人民调解", "行政调解", "司法调解")
SOURCES = ("群众申请", "排查发现", "上级交办", "信访转来", "民意台账", "其他")
# Where a failed mediation goes (人民调解法 Art 26; by type: dispute_referrals); 上报 moves
# it one level up (分级调处).
ESCALATION_BY_LEVEL = {"village": "上报镇调处中心", "town": "上报县调处中心"}
REFERRALS = ROUTES + tuple(ESCALATION_BY_LEVEL.values())
AGREEMENT_FORMS = ("书面", "口头")  # 人民调解法 Art 28: 口头协议 when the parties need no paper
REFERRAL_METHOD = {"行政调解": "行政调解", "司法调解": "司法调解"}
CONFIRMATION_STATUSES = ("已申请", "已确认", "不予确认", "不申请")
PERFORMANCE = ("全部履行", "部分履行", "未履行")

LEVEL_NAMES = {"village": "村调解室", "town": "镇矛盾调处化解中心", "county": "县矛盾纠纷调处中心"}
LEVEL_SHORT = {"village": "村里", "town": "镇里", "county": "县里"}

STATUS_NAMES = {
    "new": "未登记",
    "registered": "已登记，待调解",
    "mediating": "调解中",
    "escalated": "已上报，待上级调处",
    "assigned": "县里交办，待镇里调处",
    "agreed": "调解成功，待履行",
    "performed": "协议已履行，结案",
    "referred": "调解不成，已引导其他途径",
}
# Statuses in which mediation is under way and its one-month limit runs.
ACTIVE = frozenset({"registered", "mediating", "escalated", "assigned"})
FINISHED = frozenset({"agreed", "performed", "referred"})


@dataclass(frozen=True)
class Party:
    name: str
    role: str
    id_number: str = ""
    phone: str = ""
    village: str = ""
    address: str = ""


def party_from(data: Mapping[str, Any]) -> Party:
    return Party(str(data.get("name", "")), str(data.get("role", "")),
                 str(data.get("id_number", "") or ""), str(data.get("phone", "") or ""),
                 str(data.get("village", "") or ""), str(data.get("address", "") or ""))


def received_date(value: Any) -> date | None:
    """The date part of ``received_at`` ("2026-02-14T23:40"), which may be any hour."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return iso_date(value)


@dataclass(frozen=True)
class Session:
    """One mediation session (调解) with its 调解笔录."""

    event_id: str
    on: date
    level: str
    mediators: tuple[str, ...]
    attendees: tuple[str, ...]
    record_text: str
    attachments: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class DisputeState:
    record: str
    status: str = "new"
    level: str | None = None  # level holding the dispute now
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()
    intake_level: str | None = None
    first_officer: Mapping[str, Any] = field(default_factory=dict)  # 首问负责人
    dispute_type: str | None = None
    parties: tuple[Party, ...] = ()
    summary: str = ""
    village: str = ""
    risk: str | None = None  # 激化风险 低/中/高
    received_at: str | None = None
    received_on: date | None = None
    first_time: bool = True  # 初信初访
    links: tuple[Mapping[str, Any], ...] = ()
    source: str | None = None
    ledger_no: str | None = None  # 排查台账编号
    method: str = "人民调解"
    taken: Mapping[str, Any] | None = None  # who took the high-risk alert (包案领导)
    proposal: Mapping[str, Any] | None = None  # 分级调处: not handled below (dispute_levels)
    override_reason: str | None = None  # why the upper level took it all the same
    review_of: Mapping[str, Any] | None = None  # the lower result it reviews, if contested
    assigned: Mapping[str, Any] | None = None  # 交办 by the county: {on, to, level, ...}
    sessions: tuple[Session, ...] = ()
    mediation_start: date | None = None  # when the holding level's one month began
    extended_to: date | None = None  # set only by an extension with both sides' consent
    extensions: tuple[Mapping[str, Any], ...] = ()
    agreement: Mapping[str, Any] | None = None  # 调解协议书
    effective_on: date | None = None
    confirmation: Mapping[str, Any] | None = None  # 司法确认, last recorded
    revisits: tuple[Mapping[str, Any], ...] = ()
    referral: Mapping[str, Any] | None = None
    escalations: tuple[Mapping[str, Any], ...] = ()
    closed_on: date | None = None
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        if self.status == "escalated" and self.level:
            return f"已上报{LEVEL_NAMES[self.level]}，待调处"
        if self.status == "referred" and self.referral:
            return f"调解不成，已引导{self.referral.get('to', '')}"
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def party_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parties)

    @property
    def consenting_parties(self) -> tuple[str, ...]:
        """Names whose consent an extension needs (both sides, not third parties)."""
        return tuple(p.name for p in self.parties if p.role in CONSENTING_ROLES)


__all__ = [
    "ACTIVE", "AGREEMENT_FORMS", "CONFIRMATION_STATUSES", "CONSENTING_ROLES", "DISPUTE_TYPES", "DisputeState",
    "ESCALATION_BY_LEVEL", "FINISHED", "LEVELS", "LEVEL_NAMES", "LEVEL_RANK", "LEVEL_SHORT",
    "METHODS", "PARTY_ROLES", "PERFORMANCE", "Party", "REFERRALS", "REFERRAL_METHOD",
    "RISK_LEVELS", "SOURCES", "STATUS_NAMES", "Session", "Step", "party_from", "received_date",
]
