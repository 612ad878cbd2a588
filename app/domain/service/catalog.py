"""The matter catalog (事项目录): checking it, and applying the town's edits to it.

RULES.md §1 一次性告知制: at intake the citizen is told, once and completely, the matter's
name, legal basis, conditions, materials (name, copies, original/copy, issuing body),
procedure, promised time limit, fees, enquiry and complaint phone numbers.  The catalog
holds all of that; the town keeps it current by edit events (kind "config", synced down):

    catalog.matter_added      {"matter": {...}}                       new matter, version 1
    catalog.matter_changed    {"code", "fields": {...}, "was": {...}} plain-field edit
    catalog.matter_retired    {"code", "reason"}                      no longer offered
    catalog.phone_set         {"key", "phone": {...}}                 add/replace a phone
    catalog.department_set    {"key", "department": {...}}            add/replace a dept.

Each applied edit raises the matter's ``version`` and the ``catalog_version``; an edit that
would make the catalog invalid is kept as rejected with a Chinese reason.  Field edits
follow ``shared.field_edits`` (last writer wins, a concurrent overwrite raises a review item);
phones and departments are replaced whole, last writer wins.  A retired matter stays in
the catalog (old cases still name it) but is no longer offered at intake.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from app.domain.errors import CatalogError
from app.domain.events import Event, Rejected, order_key, rejected
from app.domain.schema_check import schema_problem
from app.domain.shared.field_edits import ReviewItem, apply_field_edits
from app.domain.shared.phone import check_phone

# Keys an edit may not change through "fields": identity and lifecycle have own events.
_FIXED = {"code", "version", "retired", "retired_reason"}
MATTER_FIELD_LABELS = {
    "name": "事项名称", "category": "类别", "level": "办理层级",
    "time_limit_working_days": "承诺时限（工作日）", "extended_time_limit_working_days": "延长时限",
    "time_limit_source": "时限依据", "materials": "申请材料", "legal_basis": "办理依据",
    "conditions": "办理条件", "procedure": "办理程序", "fees": "收费标准",
    "enquiry_phone": "咨询电话", "complaint_phone": "投诉电话", "forward_to": "转办部门",
    "note": "备注",
}
CATALOG_EVENTS = ("catalog.matter_added", "catalog.matter_changed", "catalog.matter_retired",
                  "catalog.phone_set", "catalog.department_set")
# Category names no longer in use, as they read now (issue #8 §3): 计划生育 work is done by
# the 卫生健康 offices since the 2018 reform; the 新型农村合作医疗 was merged into 城乡居民
# 基本医疗保险 (国发〔2016〕3号). Old edit events keep their words; the catalog shows the new.
CATEGORY_RENAMED = {"计划生育": "卫生健康", "合作医疗": "城乡居民医保"}


def current_category(name: str) -> str:
    return CATEGORY_RENAMED.get(name, name)


def _definition(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {"definitions": schema["definitions"], "$ref": f"#/definitions/{name}"}


def _title(matter: Mapping[str, Any]) -> str:
    return f"事项“{matter.get('name', '')}”（{matter.get('code', '')}）"


def matter_problem(matter: Mapping[str, Any], doc: Mapping[str, Any],
                   schema: Mapping[str, Any]) -> str | None:
    """Why ``matter`` cannot stand in catalog ``doc`` (Chinese), or None."""
    problem = schema_problem(_definition(schema, "matter"), matter)
    if problem:
        return f"{_title(matter)}的内容不符合目录格式（{problem}）"
    for key in ("enquiry_phone", "complaint_phone"):
        if matter[key] not in doc["phones"]:
            return f"{_title(matter)}用到的电话“{matter[key]}”不在电话表中，请先添加该电话"
    department = doc["departments"].get(matter["forward_to"])
    if department is None or department["level"] != "county":
        return f"{_title(matter)}的转办部门“{matter['forward_to']}”不是目录中的县直部门"
    extended = matter.get("extended_time_limit_working_days")
    if extended is not None and extended <= matter["time_limit_working_days"]:
        return f"{_title(matter)}的延长时限必须长于承诺时限"
    return None


def _phone_problem(key: str, phone: Mapping[str, Any]) -> str | None:
    """A number marked configured must be a real one (placeholders are marked unconfigured)."""
    if not phone.get("configured"):
        return None
    result = check_phone(phone.get("number", ""))
    if result.ok:
        return None
    return f"电话“{phone.get('label', key)}”的号码“{phone.get('number')}”不对：{result.message}"


def check_catalog(doc: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Raise CatalogError (Chinese) unless ``doc`` is a usable catalog."""
    problem = schema_problem(dict(schema), doc)
    if problem:
        raise CatalogError(f"事项目录格式不对（{problem}）", code="schema")
    for key, phone in doc["phones"].items():
        problem = _phone_problem(key, phone)
        if problem:
            raise CatalogError(problem, code="phone")
    for department in doc["departments"].values():
        if department["phone"] not in doc["phones"]:
            raise CatalogError(f"部门“{department['name']}”的电话“{department['phone']}”不在电话表中",
                               code="reference")
    codes: set[str] = set()
    for matter in doc["matters"]:
        if matter["code"] in codes:
            raise CatalogError(f"事项编码“{matter['code']}”重复，每个事项的编码必须不同",
                               code="duplicate")
        codes.add(matter["code"])
        problem = matter_problem(matter, doc, schema)
        if problem:
            raise CatalogError(problem, code="matter")


@dataclass(frozen=True)
class Catalog:
    """The current catalog; ``rejected`` and ``review_items`` come from the edits."""

    doc: Mapping[str, Any]
    rejected: tuple[Rejected, ...] = ()
    review_items: tuple[ReviewItem, ...] = ()

    @property
    def version(self) -> int:
        return int(self.doc["catalog_version"])

    def matter(self, code: str) -> Mapping[str, Any] | None:
        """The matter with ``code``, retired or not (old cases still refer to it)."""
        return next((m for m in self.doc["matters"] if m["code"] == code), None)

    def active_matters(self, node: str | None = None) -> list[Mapping[str, Any]]:
        """Matters offered at intake, in catalog order; with ``node``, only those offered
        at that station (a village's own matter, ``only_for``, is offered there alone)."""
        return [m for m in self.doc["matters"] if not m.get("retired")
                and (node is None or not m.get("only_for") or node in m["only_for"])]

    def offered_at(self, code: str, node: str) -> bool:
        """Whether a station may take matter ``code`` in today (not retired, not another
        village's own matter)."""
        return any(m["code"] == code for m in self.active_matters(node))

    def next_code(self, prefix: str) -> str:
        """The first free code ``prefix-NNN`` (a village's own matter gets one when the
        town approves it)."""
        used = {m["code"] for m in self.doc["matters"]}
        return next(f"{prefix}-{n:03d}" for n in range(1, 1000) if f"{prefix}-{n:03d}" not in used)

    def phone_configured(self, key: str) -> bool:
        """Whether the town has set phone ``key``'s real number (the shipped ones are samples)."""
        phone = self.doc["phones"].get(key)
        return bool(phone and phone["configured"])

    def phone_text(self, key: str) -> str:
        """How a phone reads: "新集镇纪委 0376-7123400", or a hotline's label alone when the
        label already says the number ("12333人力资源和社会保障服务热线"). A sample number is
        never shown: the text says it is not set yet (printing refuses such a paper)."""
        phone = self.doc["phones"][key]
        label, number = phone["label"], phone["number"]
        if not phone["configured"]:
            return f"{label}（电话还没有设置）"
        return label if number in label else f"{label} {number}"

    def department(self, key: str) -> Mapping[str, Any]:
        department: Mapping[str, Any] = self.doc["departments"][key]
        return department


def apply_catalog_edits(doc: Mapping[str, Any], events: Iterable[Event],
                        schema: Mapping[str, Any]) -> Catalog:
    """Replay catalog edit events (other event types are ignored) over ``doc``."""
    current = copy.deepcopy(dict(doc))
    writers: dict[str, dict[str, str]] = {}
    refused: list[Rejected] = []
    reviews: list[ReviewItem] = []
    for event in sorted(events, key=order_key):
        handler = _EDITS.get(event.get("type"))
        if handler is None:
            continue
        outcome = handler(current, event["payload"], str(event["id"]), writers, schema)
        if isinstance(outcome, str):
            refused.append(rejected(event, "catalog_edit", outcome))
            continue
        current, raised = outcome
        current["catalog_version"] += 1
        reviews.extend(raised)
    return Catalog(current, tuple(refused), tuple(reviews))


# An edit handler returns the reason it is refused, or (new catalog, review items).
_Outcome = str | tuple[dict[str, Any], list[ReviewItem]]
# (catalog, payload, event id, who last wrote each field of each matter, catalog schema)
_Edit = Callable[[dict[str, Any], Mapping[str, Any], str, dict[str, dict[str, str]],
                  Mapping[str, Any]], _Outcome]


def _with_matter(doc: dict[str, Any], matter: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    out["matters"] = [matter if m["code"] == matter["code"] else m for m in doc["matters"]]
    if not any(m["code"] == matter["code"] for m in doc["matters"]):
        out["matters"].append(matter)
    return out


def _find(doc: Mapping[str, Any], code: Any) -> dict[str, Any] | None:
    return next((m for m in doc["matters"] if m["code"] == code), None)


def _added(doc: dict[str, Any], payload: Mapping[str, Any], event_id: str,
           writers: dict[str, dict[str, str]], schema: Mapping[str, Any]) -> _Outcome:
    matter = dict(payload.get("matter") or {})
    if _find(doc, matter.get("code")) is not None:
        return f"事项编码“{matter.get('code')}”已存在；要修改该事项，请用“修改事项”"
    matter.update(version=1, retired=False)
    if isinstance(matter.get("category"), str):
        matter["category"] = current_category(matter["category"])
    problem = matter_problem(matter, doc, schema)
    if problem:
        return problem
    writers[matter["code"]] = {name: event_id for name in matter}
    return _with_matter(doc, matter), []


def _changed(doc: dict[str, Any], payload: Mapping[str, Any], event_id: str,
             writers: dict[str, dict[str, str]], schema: Mapping[str, Any]) -> _Outcome:
    old = _find(doc, payload.get("code"))
    if old is None:
        return f"目录中没有编码为“{payload.get('code')}”的事项，无法修改"
    fields = payload.get("fields") or {}
    fixed = sorted(_FIXED & set(fields))
    if fixed:
        return f"不能直接修改“{fixed[0]}”；停用事项请用“停用事项”"
    values, new_writers, raised = apply_field_edits(
        old, writers.get(old["code"], {}), fields, payload.get("was") or {}, event_id,
        MATTER_FIELD_LABELS)
    values["version"] = old.get("version", 1) + 1
    if isinstance(values.get("category"), str):
        values["category"] = current_category(values["category"])
    problem = matter_problem(values, doc, schema)
    if problem:
        return problem
    writers[old["code"]] = new_writers
    return _with_matter(doc, values), raised


def _retired(doc: dict[str, Any], payload: Mapping[str, Any], event_id: str,
             writers: dict[str, dict[str, str]], schema: Mapping[str, Any]) -> _Outcome:
    old = _find(doc, payload.get("code"))
    if old is None:
        return f"目录中没有编码为“{payload.get('code')}”的事项，无法停用"
    if old.get("retired"):
        return f"{_title(old)}已经停用"
    reason = (payload.get("reason") or "").strip()
    if not reason:
        return "停用事项必须写明理由"
    matter = dict(old, retired=True, retired_reason=reason, version=old.get("version", 1) + 1)
    return _with_matter(doc, matter), []


def _table_setter(table: str, item: str, definition: str,
                  extra: Callable[[Any, Any, Mapping[str, Any]], str | None]) -> _Edit:
    def apply(doc: dict[str, Any], payload: Mapping[str, Any], event_id: str,
              writers: dict[str, dict[str, str]], schema: Mapping[str, Any]) -> _Outcome:
        key, value = payload.get("key"), payload.get(item)
        problem = schema_problem(_definition(schema, "key"), key) or \
            schema_problem(_definition(schema, definition), value)
        if problem:
            return f"填写的内容不符合目录格式（{problem}）"
        problem = extra(key, value, doc)
        if problem:
            return problem
        out = dict(doc)
        out[table] = {**doc[table], key: value}
        for matter in out["matters"]:  # a changed department must still fit its matters
            problem = matter_problem(matter, out, schema)
            if problem:
                return problem
        return out, []
    return apply


def _department_phone(key: str, department: Mapping[str, Any], doc: Mapping[str, Any],
                      ) -> str | None:
    if department["phone"] not in doc["phones"]:
        return f"部门“{department['name']}”的电话“{department['phone']}”不在电话表中，请先添加"
    return None


_EDITS: dict[Any, _Edit] = {
    "catalog.matter_added": _added,
    "catalog.matter_changed": _changed,
    "catalog.matter_retired": _retired,
    "catalog.phone_set": _table_setter("phones", "phone", "phone",
                                       lambda key, phone, doc: _phone_problem(key, phone)),
    "catalog.department_set": _table_setter("departments", "department", "department",
                                            _department_phone),
}
