"""规则数值: the town reads every configurable number with its source and, for statutory
ones, its legal bound, and changes what it may (issue #10 item 3).

RULES.md (configurable defaults) and the brief: a town may tighten a statutory number,
never loosen it.  ``set_rule`` refuses a value outside its legal bound (and any value of
the wrong form) before anything is written; every node merging the ``config.set`` checks
again (app.domain.config.merge_config), so a tablet that skips this check loosens nothing.

Only scalar numbers, switches and choices from a list are edited here; the rating
options, refusal grounds and holiday lists have their own screens or stay as shipped.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from app.accounts import Cadre
from app.domain.config import Setting, override_problem
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.station import Station
from schemas.config import load_defaults
from sync.errors import StoreError
from sync.store import NewEvent

# One record per key (the same id on every node): later values of a key are later events
# of one record, last writer wins in replay order (app.domain.config).
_NAMESPACE = uuid.UUID("0c6b3f0e-5f0e-4f43-9a3e-6b1d2b7a9c41")
GROUPS = (("service.", "便民服务"), ("dispute.", "矛盾纠纷调解"), ("petition.", "信访"),
          ("risk.", "社会稳定风险评估"), ("opinion.", "双联三解（民意台账）"),
          ("decisions.", "村级民主决策（四议两公开）"), ("supervision.", "党风政风监督"),
          ("papers.", "文书（在“文书和电话”里修改）"))


@dataclass(frozen=True)
class SettingRow:
    key: str
    group: str
    label: str
    value_text: str
    default_text: str
    source: str
    bound_text: str          # "法定界限：不得超过60日（信访工作条例第三十四条）" or ""
    overridden: bool
    kind: str                # "int", "number", "bool", "choices", "fixed" (not editable here)
    choices: tuple[str, ...] = ()


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "、".join(_CHOICE_NAMES.get(v, v) for v in value) or "（无）"
        if value and all(isinstance(v, dict) and {"stars", "min"} <= set(v) for v in value):
            return "、".join(f"{v['stars']}星{v['min']}分" for v in value)   # star bands
        return f"{len(value)} 项"
    if isinstance(value, dict):        # named step tables (decisions.procedures)
        return "、".join(str(k) for k in value) or "（无）"
    return str(value)


_CHOICE_NAMES = {"legality": "合法性", "reasonableness": "合理性", "feasibility": "可行性",
                 "controllability": "可控性"}


SOURCE_KINDS = {"[law]": "法律法规", "[seed]": "镇里文件", "[local]": "地方做法",
                "[practice]": "通行做法", "[default]": "系统默认"}


def source_text(source: str) -> str:
    """"法律法规：信访工作条例…" for "[law] 信访工作条例…"; a town's own note as it is."""
    for tag, name in SOURCE_KINDS.items():
        if source.startswith(tag):
            # the RULES.md section is for developers; the cadre reads the rule itself
            text = re.sub(r"RULES\.md\s*§\d+\s*", "", source[len(tag):]).strip()
            return f"{name}：{text}"
    return source


def _kind(schema: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    kind = schema.get("type")
    if kind == "integer":
        return "int", ()
    if kind == "number":
        return "number", ()
    if kind == "boolean":
        return "bool", ()
    items = schema.get("items") or {}
    if kind == "array" and "enum" in items:
        return "choices", tuple(items["enum"])
    return "fixed", ()


def _group(key: str) -> str:
    return next((name for prefix, name in GROUPS if key.startswith(prefix)), "其他")


def settings(station: Station) -> list[SettingRow]:
    """Every configurable value in force here, grouped in the order of ``GROUPS``."""
    defaults = load_defaults()
    config = load_rules(station.store.conn).config
    rows = []
    for key, entry in defaults["values"].items():
        setting: Setting = config.settings[key]
        kind, choices = _kind(entry["value_schema"])
        rows.append(SettingRow(key, _group(key), setting.label, value_text(setting.value),
                               value_text(setting.default), source_text(setting.source),
                               setting.bound_text,
                               setting.overridden, kind, choices))
    order = [name for _, name in GROUPS]
    return sorted(rows, key=lambda r: order.index(r.group) if r.group in order else 99)


def rejected(station: Station) -> list[tuple[str, str]]:
    """Town changes that are not in force here, with why (e.g. past the legal bound)."""
    return list(load_rules(station.store.conn).config.rejected)


def parse_value(row: SettingRow, text: str | list[str] | bool) -> Any:
    """The typed value for ``row`` from what the screen holds; ServiceError if unreadable."""
    if row.kind == "bool":
        if isinstance(text, bool):
            return text
        if text in ("是", "否"):
            return text == "是"
        raise ServiceError("请选择“是”或“否”。")
    if row.kind == "choices":
        picked = text if isinstance(text, list) else [t for t in str(text).split("、") if t]
        names = {name: code for code, name in _CHOICE_NAMES.items()}
        values = [names.get(p.strip(), p.strip()) for p in picked]
        unknown = [v for v in values if v not in row.choices]
        if unknown:
            raise ServiceError(f"“{unknown[0]}”不是可选的值，请从列出的选项里选。")
        return values
    raw = str(text).strip()
    try:
        return int(raw) if row.kind == "int" else float(raw)
    except ValueError:
        raise ServiceError("请填写数字" + ("（整数）" if row.kind == "int" else "") + "。") from None


def set_rule(station: Station, officer: Cadre, key: str, value: Any, note: str
             ) -> dict[str, Any]:
    """Change one value for the whole town (a ``config.set`` that syncs down), within
    its legal bound.  ``note``: the 依据 (a meeting minute, a county notice), required."""
    if station.level not in ("town", "county"):
        raise ServiceError("规则数值由镇里统一设置，村里不能修改；如有疑问请告诉镇里。")
    from app.services.townrules import require_settings
    require_settings(station, officer)     # only a cadre with the settings role (中心主任)
    row = next((r for r in settings(station) if r.key == key), None)
    if row is None or row.kind == "fixed":
        raise ServiceError("这一项不能在这里修改。")
    typed = parse_value(row, value)
    problem = override_problem(load_defaults(), key, typed)
    if problem:
        raise ServiceError(problem + "。")
    if not note.strip():
        raise ServiceError("请写明依据，例如 镇党委会议纪要的文号。")
    payload = {"key": key, "value": typed, "note": note.strip()}
    try:
        return station.store.append(NewEvent("config.set", str(uuid.uuid5(_NAMESPACE, key)),
                                             payload, officer.id))
    except StoreError as exc:
        raise ServiceError(f"设置的内容不符合要求：{exc.message}") from exc


__all__ = ["GROUPS", "SettingRow", "parse_value", "rejected", "set_rule", "settings",
           "source_text", "value_text"]
