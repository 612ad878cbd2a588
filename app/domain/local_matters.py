"""A village's own matter in the catalog (issue #8 §3): the village writes it up
(``catalog.matter_proposed``), the town approves or refuses it with a reason
(``catalog.proposal_decided``); an approved matter enters the catalog as a
``catalog.matter_added`` offered only at that village (``only_for``).

RULES.md §1 一次性告知制: the matter carries the whole notice (conditions, materials, basis,
procedure, time limit with its source, fees) like every other; 统一受理、分级负责: the
town keeps the catalog, so a village proposes and the town decides.

| event type                | from      | who                                             |
|---------------------------|-----------|-------------------------------------------------|
| catalog.matter_proposed   | (new)     | a village station                               |
| catalog.proposal_decided  | pending   | a town or county station (on it, a cadre with   |
|                           |           | the settings role: app.services.local_matters)  |
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.domain.catalog import Catalog, matter_problem
from app.domain.events import Event, Rejected, first_sight, refuse, replay

LOCAL_PREFIX = "CL"      # codes of villages' own matters: CL-001, CL-002 …
STATUS_NAMES = {"pending": "待镇里审批", "approved": "已批准", "refused": "未批准"}
# The category a village picks for its own matter (the catalog's categories).
LOCAL_CATEGORIES = ("村级证明", "社会福利", "社会救助", "农业农村", "劳动就业", "退役军人服务",
                    "卫生健康", "社会保险", "城乡居民医保", "党员组织关系接转")


@dataclass(frozen=True)
class Proposal:
    record: str
    status: str = "new"
    origin: str = ""                    # the proposing village station
    author: str = ""
    proposed_on: str | None = None
    matter: Mapping[str, Any] | None = None
    reason: str = ""
    decision: Mapping[str, Any] | None = None
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


def fold(events: Iterable[Event], levels: Mapping[str, str]) -> Proposal:
    """Replay one proposal; a step from the wrong level or out of order is kept as rejected."""
    return replay(events, lambda record: Proposal(record),
                  lambda state, event: apply_event(state, event,
                                                   levels.get(str(event["origin"]))))


def check(state: Proposal, event: Mapping[str, Any], level: str | None) -> str | None:
    """Why ``event`` may not be applied here (Chinese), or None."""
    kind, payload = event.get("type"), event.get("payload") or {}
    if kind == "catalog.matter_proposed":
        if state.status != "new":
            return "这个申请已经提交过了"
        if level != "village":
            return "本村事项只能由村里申请；镇里可以直接在镇里设置里新增事项"
        if not str(payload.get("reason", "")).strip():
            return "请写明为什么需要这个事项"
        return None
    if kind == "catalog.proposal_decided":
        if level not in ("town", "county"):
            return "村里申请的事项由镇里审批，村里不能审批"
        if state.status == "new":
            return "还没有收到村里的申请"
        if state.status != "pending":
            return f"这个申请已经{state.status_name}，不能再审批"
        if not str(payload.get("reason", "")).strip():
            return "审批要写明理由（不批准的要说明为什么）"
        if payload.get("decision") == "approved" and not payload.get("code"):
            return "批准时要给事项编码"
        return None
    return f"不认识的操作“{kind}”，请升级程序后再看"


def apply_event(state: Proposal, event: Event, level: str | None) -> Proposal:
    seen = first_sight(state, event)
    if seen is None:
        return state
    problem = check(state, event, level)
    if problem:
        return refuse(state, event, seen, "not_allowed", problem)
    payload = event["payload"]
    if event["type"] == "catalog.matter_proposed":
        return replace(state, seen=seen, status="pending", origin=str(event["origin"]),
                       author=str(event.get("author", "")), proposed_on=payload.get("on"),
                       matter=dict(payload["matter"]), reason=payload["reason"])
    decision = {"decision": payload["decision"], "reason": payload["reason"],
                "on": payload["on"], "code": payload.get("code"),
                "origin": str(event["origin"]), "author": str(event.get("author", ""))}
    return replace(state, seen=seen, status=payload["decision"], decision=decision)


def catalog_matter(proposal: Proposal, catalog: Catalog, code: str, village: str,
                   forward_to: str, schema: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The catalog matter an approval adds: the village's draft, handled at the village,
    offered only there, with the town's phones; and why it cannot stand, or None."""
    draft = dict(proposal.matter or {})
    matter = dict(draft, code=code, level="village", only_for=[proposal.origin],
                  proposed_by=village, enquiry_phone="town_service_center",
                  complaint_phone="town_discipline", forward_to=forward_to)
    return matter, matter_problem(dict(matter, version=1, retired=False), catalog.doc, schema)
