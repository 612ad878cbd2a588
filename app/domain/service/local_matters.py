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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.events import Event, Rejected
from app.domain.service.catalog import Catalog, matter_problem
from app.domain.workflow import OK, Act, Effect, Flow, Step, Transition, Verdict, no, text

LOCAL_PREFIX = "CL"      # codes of villages' own matters: CL-001, CL-002 …
STATUS_NAMES = {"pending": "待镇里审批", "approved": "已批准", "refused": "未批准"}
# The category a village picks for its own matter (the catalog's categories).
LOCAL_CATEGORIES = ("村级证明", "社会福利", "社会救助", "农业农村", "劳动就业", "退役军人服务",
                    "卫生健康", "社会保险", "城乡居民医保", "党员组织关系接转")


@dataclass(frozen=True)
class Proposal:                      # satisfies workflow.RecordState
    record: str
    status: str = "new"
    level: str | None = None            # the proposing village's level once proposed
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()
    origin: str = ""                    # the proposing village station
    author: str = ""
    proposed_on: str | None = None
    matter: Mapping[str, Any] | None = None
    reason: str = ""
    decision: Mapping[str, Any] | None = None
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


P = Mapping[str, Any]


def _wrong_status(state: Proposal, step: Transition[Proposal]) -> Verdict:
    if step.kind == "catalog.matter_proposed":
        return no("duplicate", "这个申请已经提交过了")
    if state.status == "new":
        return no("not_proposed", "还没有收到村里的申请")
    return no("wrong_status", f"这个申请已经{state.status_name}，不能再审批")


def _wrong_level(state: Proposal, step: Transition[Proposal], act: Act) -> Verdict:
    if step.kind == "catalog.matter_proposed":
        return no("wrong_level", "本村事项只能由村里申请；镇里可以直接在镇里设置里新增事项")
    return no("wrong_level", "村里申请的事项由镇里审批，村里不能审批")


def _check_reason(state: Proposal, p: P, act: Act) -> Verdict:
    return OK if text(p, "reason") else no("missing_reason", "请写明为什么需要这个事项")


def _check_decided(state: Proposal, p: P, act: Act) -> Verdict:
    if not text(p, "reason"):
        return no("missing_reason", "审批要写明理由（不批准的要说明为什么）")
    if p.get("decision") == "approved" and not p.get("code"):
        return no("missing_code", "批准时要给事项编码")
    return OK


def _proposed(state: Proposal, event: Event, p: P, act: Act) -> Effect:
    origin = str(event["origin"])
    return Effect(dict(status="pending", level=act.level, owner_node=origin,
                       path=((act.level, origin),), origin=origin,
                       author=str(event.get("author", "")), proposed_on=p.get("on"),
                       matter=dict(p["matter"]), reason=p["reason"]),
                  f"申请本村事项：{(p.get('matter') or {}).get('name', '')}", None)


def _decided(state: Proposal, event: Event, p: P, act: Act) -> Effect:
    decision = {"decision": p["decision"], "reason": p["reason"], "on": p["on"],
                "code": p.get("code"), "origin": str(event["origin"]),
                "author": str(event.get("author", ""))}
    word = "批准" if p["decision"] == "approved" else "不批准"
    return Effect(dict(status=p["decision"], decision=decision), f"{word}：{p['reason']}", None)


# The table (levels and holder rules: app.domain.authority.WRITERS).
LOCAL_MATTER: Flow[Proposal] = Flow(
    name="本村事项", record_word="本村事项申请", new=lambda record: Proposal(record),
    wrong_status=_wrong_status, wrong_level=_wrong_level,
    steps=(
        Transition("catalog.matter_proposed", frozenset({"new"}), "", _proposed,
                   check=_check_reason),
        Transition("catalog.proposal_decided", frozenset({"pending"}), "", _decided,
                   check=_check_decided, claims=False),
    ))

fold = LOCAL_MATTER.fold
apply_event = LOCAL_MATTER.apply


def check(state: Proposal, event: Mapping[str, Any], level: str | None) -> str | None:
    """Why ``event`` may not be applied here (Chinese), or None."""
    verdict = LOCAL_MATTER.check(state, event, level)
    return None if verdict.ok else verdict.message


def catalog_matter(proposal: Proposal, catalog: Catalog, code: str, village: str,
                   forward_to: str, schema: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The catalog matter an approval adds: the village's draft, handled at the village,
    offered only there, with the town's phones; and why it cannot stand, or None."""
    draft = dict(proposal.matter or {})
    matter = dict(draft, code=code, level="village", only_for=[proposal.origin],
                  proposed_by=village, enquiry_phone="town_service_center",
                  complaint_phone="town_discipline", forward_to=forward_to)
    return matter, matter_problem(dict(matter, version=1, retired=False), catalog.doc, schema)
