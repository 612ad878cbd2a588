"""本村事项: a village proposes a matter of its own for the catalog; the town approves it
(it is then offered at that village only) or refuses it with a reason (issue #8 §3;
rules in app.domain.service.local_matters).

    LocalMatterForm                         what the village fills in
    propose(station, officer, form)         -> record (village only)
    proposals(station)                      -> [Proposal], newest first
    decide(station, officer, record, approve, reason, forward_to="")
                                            town, settings role; approval also adds the
                                            matter to the catalog in the same transaction
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.service import local_matters as rules
from app.domain.service.local_matters import LOCAL_CATEGORIES, LOCAL_PREFIX, Proposal
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.services.townrules import require_settings
from app.station import Station
from schemas.catalog import matters_schema
from sync import log
from sync.errors import StoreError
from sync.ids import uuid7
from sync.store import NewEvent

MATERIAL_FORMS = ("原件", "复印件", "原件和复印件", "原件（核验后退还）")


@dataclass
class LocalMatterForm:
    name: str
    category: str
    time_limit: str                 # working days as typed; "0": 当场办结
    time_limit_source: str          # 依据 of the time limit
    legal_basis: str                # one per line
    conditions: str                 # one per line
    procedure: str                  # one per line
    materials: str                  # one per line: 名称 or 名称，复印件 (form after a comma)
    reason: str                     # why the village needs it
    fees: str = "免费"
    note: str = ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _materials(text: str) -> list[dict[str, Any]]:
    out = []
    for line in _lines(text):
        name, _, form = line.replace(",", "，").partition("，")
        form = form.strip() if form.strip() in MATERIAL_FORMS else "原件（核验后退还）"
        out.append({"name": name.strip()[:200], "copies": 1, "form": form, "issuer": "申请人"})
    return out


def draft_problems(form: LocalMatterForm) -> list[str]:
    problems = []
    if not 2 <= len(form.name.strip()) <= 60:
        problems.append("请填写事项名称（2 到 60 个字）。")
    if form.category not in LOCAL_CATEGORIES:
        problems.append("请选择事项类别。")
    days = form.time_limit.strip()
    if not days.isdigit() or int(days) > 120:
        problems.append("承诺时限请填 0 到 120 个工作日（0 表示当场办结）。")
    for text, what in ((form.time_limit_source, "时限的依据（例如 村民代表会议决定）"),
                       (form.reason, "为什么需要这个事项")):
        if not text.strip():
            problems.append(f"请写明{what}。")
    for text, what in ((form.legal_basis, "办理依据"), (form.conditions, "办理条件"),
                       (form.procedure, "办理程序")):
        if not _lines(text):
            problems.append(f"请填写{what}，每行一条。")
    if any(len(line) > 200 for line in _lines(form.materials)):
        problems.append("每份材料的名称请不要超过 200 个字。")
    return problems


def propose(station: Station, officer: Cadre, form: LocalMatterForm, on: date) -> str:
    """The village's request; the town sees it in its inbox at the next sync."""
    if station.level != "village":
        raise ServiceError("本村事项由村里申请；镇里请直接在镇里设置里修改事项目录。")
    problems = draft_problems(form)
    if problems:
        raise ServiceError("还有内容需要补充：" + "".join(problems), problems)
    matter: dict[str, Any] = {
        "name": form.name.strip(), "category": form.category,
        "time_limit_working_days": int(form.time_limit.strip()),
        "time_limit_source": f"[local] {form.time_limit_source.strip()}"[:500],
        "materials": _materials(form.materials), "legal_basis": _lines(form.legal_basis),
        "conditions": _lines(form.conditions), "procedure": _lines(form.procedure),
        "fees": form.fees.strip() or "免费"}
    if form.note.strip():
        matter["note"] = form.note.strip()[:500]
    record = uuid7()
    payload = {"matter": matter, "reason": form.reason.strip()[:1000], "on": on.isoformat()}
    _append(station, [NewEvent("catalog.matter_proposed", record, payload, officer.id,
                               owner=station.hub_id())])
    return record


def proposals(station: Station) -> list[Proposal]:
    """Every proposal this station holds (a village: its own; the town: its villages')."""
    levels = station.projections.cases.levels(station.store.conn)
    records = [r for (r,) in station.store.conn.execute(
        "SELECT record FROM events WHERE kind='catalog_proposal' GROUP BY record"
        " ORDER BY MAX(hlc) DESC")]
    return [rules.fold(log.of_record(station.store.conn, r), levels) for r in records]


def proposal(station: Station, record: str) -> Proposal:
    events = log.of_record(station.store.conn, record)
    if not events:
        raise ServiceError("找不到这个申请：可能还没有同步到本机，请先同步。")
    return rules.fold(events, station.projections.cases.levels(station.store.conn))


def village_name(station: Station, node: str) -> str:
    row = station.store.conn.execute("SELECT name FROM nodes_dir WHERE id=?", (node,)).fetchone()
    return row[0] if row and row[0] else "村里"


def decide(station: Station, officer: Cadre, record: str, approve: bool, reason: str,
           on: date, forward_to: str = "") -> list[dict[str, Any]]:
    """批准 (the matter enters the catalog, offered at that village only) or 不批准."""
    require_settings(station, officer)
    state = proposal(station, record)
    catalog = load_rules(station.store.conn).catalog
    payload: dict[str, Any] = {"on": on.isoformat(),
                               "decision": "approved" if approve else "refused",
                               "reason": reason.strip()}
    items = []
    if approve:
        code = catalog.next_code(LOCAL_PREFIX)
        payload["code"] = code
        department = forward_to or _default_department(catalog, state)
        matter, problem = rules.catalog_matter(state, catalog, code,
                                               village_name(station, state.origin),
                                               department, matters_schema())
        if problem:
            raise ServiceError(f"这个申请的内容还不能进入事项目录：{problem}；请不批准并写明要村里改什么。")
        items.append(NewEvent("catalog.matter_added", uuid7(), {"matter": matter}, officer.id))
    problem = rules.check(state, {"type": "catalog.proposal_decided", "payload": payload},
                          station.level)
    if problem:
        raise ServiceError(problem)
    return _append(station, [NewEvent("catalog.proposal_decided", record, payload, officer.id),
                             *items])


def _default_department(catalog, state: Proposal) -> str:
    """The county department of a catalog matter of the same category (for the
    matter's 转办 field), else the 民政局."""
    category = (state.matter or {}).get("category")
    same = next((m["forward_to"] for m in catalog.active_matters()
                 if m["category"] == category), None)
    return same or "county_civil"


def _append(station: Station, items: list[NewEvent]) -> list[dict[str, Any]]:
    try:
        return station.store.append_many(items)
    except StoreError as exc:
        raise ServiceError(f"填写的内容不符合要求：{exc.message}") from exc


__all__ = ["LOCAL_CATEGORIES", "LocalMatterForm", "decide", "draft_problems", "proposal",
           "proposals", "propose"]
