"""The state of one service-desk case (便民服务事项), as replay builds it.

RULES.md §1: 统一受理、集中办理、分级负责、限时办结; 首接责任制 (the first officer stays named
on the case at every level until it is closed); 全程代理制 (each hand-over is a step with
who/when/what).  The state is an immutable value: ``service.flow.SERVICE_CASE`` declares how
its steps read and change it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from app.domain.events import Rejected
from app.domain.shared.field_edits import ReviewItem
from app.domain.workflow import Step

# Who holds the case, as the window staff say it.
LEVEL_NAMES = {"village": "村便民服务站", "town": "镇便民服务中心", "county": "县直部门"}

STATUS_NAMES = {
    "new": "未受理",
    "accepted": "已受理",
    "in_progress": "办理中",
    "escalated": "已上报镇，待镇里处理",
    "forwarded": "已转办县直部门，待回复",
    "replied": "县直部门已回复，待镇里办结",
    "returned": "已退回，待补正或重新办理",
    "closed": "已办结，待反馈群众",
    "fed_back": "已反馈群众，待评价",
    "rated": "已评价",
    "revisited": "已回访",
    "withdrawn": "已撤件",
}
# Statuses in which the matter is still being handled (the promised time limit runs).
ACTIVE = frozenset({"accepted", "in_progress", "escalated", "forwarded", "replied", "returned"})
# Statuses after 办结: the answer exists; only feedback, rating, revisit, reopening remain.
FINISHED = frozenset({"closed", "fed_back", "rated", "revisited"})
# 撤件: the application was withdrawn (or entered by mistake); nothing more is done on it.
WITHDRAWN = "withdrawn"
# How a withdrawal is recorded (svc.withdrawn "reason_kind").
WITHDRAW_KINDS = ("申请人撤回", "登记有误", "重复登记")

MODES = ("即办", "代办", "上报镇")

# Plain fields a correction (svc.updated) may change; last writer wins (field_edits).
PLAIN_FIELDS = {
    "applicant.name": "申请人姓名",
    "applicant.sex": "性别",
    "applicant.id_number": "身份证号",
    "applicant.phone": "联系电话",
    "applicant.group": "村民组",
    "applicant.address": "住址",
    "summary": "事项摘要",
    "remark": "备注",
    "materials_present": "已收材料",
    "materials_missing": "缺少材料",
    "notice_no": "一次性告知单编号",
}


@dataclass(frozen=True)
class CaseState:
    """Projection of one svc_case record.  Treat the mappings as read-only."""

    record: str
    status: str = "new"
    level: str | None = None  # level holding the case now
    owner_node: str | None = None  # node holding it (None: any node of that level)
    path: tuple[tuple[str, str | None], ...] = ()  # (level, node) from acceptance up to holder
    first_officer: Mapping[str, Any] = field(default_factory=dict)  # 首接责任人
    receipt_no: str | None = None
    matter_code: str | None = None
    matter_name: str | None = None
    mode: str | None = None
    accepted_on: date | None = None
    time_limit: int | None = None  # working days promised at acceptance
    due: date | None = None  # promised date of 办结
    due_provisional: bool = False
    due_rule: tuple[date, int] | None = None  # (counted from, working days) if recomputable
    extension_ceiling: date | None = None  # latest date an extension may reach (catalog 延长时限)
    extended_limit: int | None = None  # the catalog's 延长时限 in working days, if any
    step_due: date | None = None  # promise of the current hand-over step
    step_leader: Mapping[str, Any] | None = None  # leader in charge of that step
    assignee: Mapping[str, Any] | None = None
    letter: Mapping[str, Any] | None = None  # 群众反映事项转办函 of the last forwarding
    reply: Mapping[str, Any] | None = None
    outcome: str | None = None  # "resolved" / "refused"
    result: str | None = None
    closed_on: date | None = None
    rating: Mapping[str, Any] | None = None
    round: int = 1  # 1 + number of reopenings
    escalation: Mapping[str, Any] | None = None  # the village's words when it reported up
    urges: tuple[Mapping[str, Any], ...] = ()  # 催办 after escalating or forwarding
    withdrawal: Mapping[str, Any] | None = None  # 撤件: kind, reason, on
    materials_complete_on: date | None = None  # 补齐材料: the day nothing was missing any more
    fields: Mapping[str, Any] = field(default_factory=dict)
    field_writers: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    review_items: tuple[ReviewItem, ...] = ()
    seen: frozenset[str] = frozenset()  # event ids already replayed

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def accepting_level(self) -> str | None:
        return self.path[0][0] if self.path else None

    @property
    def accepting_node(self) -> str | None:
        return self.path[0][1] if self.path else None

    @property
    def missing_materials(self) -> list[str]:
        """Materials still missing from the one-time notice (一次性告知单)."""
        return [str(m) for m in (self.fields.get("materials_missing") or [])]

    @property
    def sender_level(self) -> str | None:
        """The level that sent the case to its holder (上报 or 转办), if it was sent up."""
        return self.path[-2][0] if len(self.path) >= 2 else None

    @property
    def dissatisfied(self) -> bool:
        return bool(self.rating and self.rating.get("dissatisfied"))
