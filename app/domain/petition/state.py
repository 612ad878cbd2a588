"""The state of one petition (信访事项), as replay builds it.

RULES.md §2 and issue #4 §2.  A petition is registered where it arrives (letter, visit,
call or online) and handled (受理/不予受理 with a written notice, 办理, 答复) by a 信访
organ.  A 村委会 is not one (信访工作条例 Art 2; Art 35–36 "原办理机关、单位的上一级"): what a
village station receives is registered there (首问负责, the village stays named as the
receiver) and handled by the town (``holder_level``).  The county may hand a petition it
received down to the town (交办, Art 22), which then handles it and reports back.

A request for 复查 is a *new* petition at the level above the one that answered, naming
the answer it contests (``appeal_of``); that level also writes ``petition.appealed`` and
``petition.reviewed`` on the contested record, so the level below sees that its answer is
under review and what became of it.  The level above the county (the city) is outside
this system: a 复查 of a county answer or a 复核 of the county's 复查 is recorded on the
county's record (``petition.referred_up``: when it was asked and where it was sent), and
the city's conclusion, once known, with ``petition.reviewed``.  Each record has one stage:
处理 (first handling), 复查 or 复核 (复核 records arise only if a level above the county
ever joins the system).

检举控告 never becomes a petition record: it is sealed and routed to discipline
(``petition.sealed``).  Treat the mappings as read-only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from app.domain.dispute.state import received_date
from app.domain.events import Rejected
from app.domain.workflow import LEVEL_RANK, LEVELS, Step, iso_date

AFTER_REGISTRATION = frozenset({"registered", "accepted", "answered", "appealed", "reviewed",
                                "terminated"})
CHANNELS = ("来信", "来访", "电话", "网上")
CATEGORIES = ("建议意见", "检举控告", "申诉求决")
SEALED_CATEGORY = "检举控告"
OPEN_CATEGORIES = ("建议意见", "申诉求决")  # may be registered as ordinary petitions
SUGGESTION = "建议意见"
# 信访工作条例 Art 31: a 建议意见 is studied, adopted or not, and replied to — no 60-day
# clock (Art 34 counts for the 信访处理意见书 of Art 33(5), i.e. 申诉求决) and no 复查/复核
# (Art 35–36 are against a 信访处理意见).
STAGES = ("处理", "复查", "复核")
NEXT_STAGE = {"处理": "复查", "复查": "复核"}  # after 复核: 不再受理 (Art 36 ¶3)
RESULTS = ("支持", "部分支持", "不支持", "解释说明")
SUGGESTION_RESULTS = ("采纳", "部分采纳", "不予采纳", "解释说明")  # Art 31
REVIEW_RESULTS = ("维持", "撤销", "变更")
TERMINATION_BASES = ("复核意见已送达", "逾期未请求复查", "逾期未请求复核", "其他依法终结情形")
CONSEQUENCES = ("问责", "依法处理")  # 依法终结听证: handling unit at fault, or the claim is unreasonable

LEVEL_NAMES = {"village": "村便民服务站（代为接收）", "town": "镇党委政府（信访工作站）",
               "county": "县信访部门"}
UPPER_OUTSIDE = "市级有关机关（原办理机关的上一级）"  # above the county: outside this system


def holder_level(receiving_level: str) -> str:
    """Who handles a petition received at ``receiving_level``: a village station only
    receives (a 村委会 is not a 信访 organ, Art 2), the town handles it."""
    return "town" if receiving_level == "village" else receiving_level

LEVEL_SHORT = {"village": "村里", "town": "镇里", "county": "县里"}

STATUS_NAMES = {
    "new": "未登记",
    "registered": "已登记，待决定是否受理",
    "accepted": "已受理，办理中",
    "refused": "不予受理，已告知",
    "transferred": "已转送，已告知去向",
    "answered": "已出具意见并答复",
    "appealed": "信访人已请求上级复查/复核",
    "reviewed": "上级已复查/复核",
    "terminated": "已依法终结",
}
OPEN = frozenset({"registered", "accepted"})


@dataclass(frozen=True)
class Petitioner:
    name: str
    id_number: str = ""
    phone: str = ""
    village: str = ""
    address: str = ""


def petitioner_from(data: Mapping[str, Any]) -> Petitioner:
    return Petitioner(str(data.get("name", "")), str(data.get("id_number", "") or ""),
                      str(data.get("phone", "") or ""), str(data.get("village", "") or ""),
                      str(data.get("address", "") or ""))


@dataclass(frozen=True)
class Hearing:
    """A 听证 during handling: ``to`` is None while it is still going on."""

    start: date
    end: date | None = None
    panel: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    conclusion: str = ""


@dataclass(frozen=True)
class PetitionState:
    record: str
    status: str = "new"
    level: str | None = None  # the 信访 organ's level holding it (town or county)
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()  # not used: a petition is held by a level
    received_level: str | None = None  # where it was received (a village station too)
    receipt_no: str | None = None  # public receipt (可查询、可跟踪)
    assigned: Mapping[str, Any] | None = None  # 交办 by the county: {on, to, level, ...}
    channel: str | None = None
    category: str | None = None
    stage: str = "处理"
    petitioners: tuple[Petitioner, ...] = ()
    group: Mapping[str, Any] | None = None  # 集体访: size and representatives
    summary: str = ""
    request: str = ""
    village: str = ""
    first_officer: Mapping[str, Any] = field(default_factory=dict)  # 首问负责人
    received_at: str | None = None
    received_on: date | None = None
    first_time: bool = True  # 初信初访
    links: tuple[Mapping[str, Any], ...] = ()
    appeal_of: Mapping[str, Any] | None = None  # the answer this 复查/复核 contests
    proposal: Mapping[str, Any] | None = None  # proposed 不予受理 shown at intake
    decision: Mapping[str, Any] | None = None  # accepted / refused / transferred payload
    decided_on: date | None = None
    accepted_on: date | None = None
    override: str | None = None  # reason the officer accepted against the proposal
    extensions: tuple[Mapping[str, Any], ...] = ()
    hearings: tuple[Hearing, ...] = ()
    answer: Mapping[str, Any] | None = None
    answered_on: date | None = None
    delivered_on: date | None = None
    appeals: tuple[Mapping[str, Any], ...] = ()  # 复查/复核 requested against this answer
    review: Mapping[str, Any] | None = None  # the upper level's conclusion on it
    terminated: Mapping[str, Any] | None = None
    termination_hearings: tuple[Mapping[str, Any], ...] = ()
    follow_up_person: Mapping[str, Any] | None = None  # 有人管：named after 依法终结
    follow_ups: tuple[Mapping[str, Any], ...] = ()
    leaders: tuple[Mapping[str, Any], ...] = ()  # 包案领导, the last one in charge now
    receptions: tuple[Mapping[str, Any], ...] = ()  # 领导接访 records
    rating: Mapping[str, Any] | None = None  # the petitioner's 评价 (可评价)
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        if self.status == "appealed" and self.appeals:
            last = self.appeals[-1]
            if last.get("outside"):
                return f"信访人已请求上级{last.get('stage', '复查')}（已告知/转往{last.get('to', '')}）"
            return f"信访人已请求上级{last.get('stage', '复查')}"
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def appeal_outside(self) -> bool:
        """The last 复查/复核 request went above the county (outside the system)."""
        return bool(self.appeals and self.appeals[-1].get("outside"))

    @property
    def leader(self) -> Mapping[str, Any] | None:
        """The 包案领导 now in charge (the last assigned)."""
        return self.leaders[-1] if self.leaders else None

    @property
    def clock_start(self) -> date | None:
        """The day the acceptance clock runs from: received, or handed down (交办)."""
        if self.assigned and self.assigned.get("on"):
            return date.fromisoformat(str(self.assigned["on"]))
        return self.received_on

    @property
    def open_hearing(self) -> Hearing | None:
        return next((h for h in self.hearings if h.end is None), None)

    @property
    def extension_days(self) -> int:
        return sum(int(e.get("days", 0)) for e in self.extensions)


__all__ = [
    "CATEGORIES", "CHANNELS", "SUGGESTION", "SUGGESTION_RESULTS", "CONSEQUENCES", "Hearing", "LEVELS", "LEVEL_NAMES",
    "LEVEL_RANK", "LEVEL_SHORT", "NEXT_STAGE", "OPEN", "OPEN_CATEGORIES", "PetitionState",
    "Petitioner", "RESULTS", "REVIEW_RESULTS", "SEALED_CATEGORY", "STAGES", "STATUS_NAMES",
    "Step", "TERMINATION_BASES", "UPPER_OUTSIDE", "holder_level", "iso_date", "petitioner_from",
    "received_date",
]
