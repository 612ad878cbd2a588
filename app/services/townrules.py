"""The town's own rules, sent down to its villages: edits to the matter catalog (time
limits, phones, retiring a matter), the papers' settings (the public status page, the
转办函's 机关代字) and the holiday list for years the calendar library does not know (RULES.md §1: chinesecalendar stops at 2026; the town enters later years
and they sync down). Only a town or county station may make these changes; they travel
as broadcast `config`-kind events, so every station below applies the same rules.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.accounts import SETTINGS_ROLE, Cadre, cadre_roles, list_cadres
from app.domain import merge_config
from app.domain.shared.phone import check_phone
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.station import Station
from schemas.config import load_defaults
from sync.errors import StoreError
from sync.ids import uuid7
from sync.store import NewEvent

# One record per setting key, the same id on every node, so later values of a key are
# later events of one record (last writer wins in replay order).
_NAMESPACE = uuid.UUID("6f1d7a52-5e0c-4b8e-9a43-2f0b5d3c9e10")


def require_settings(station: Station, officer: Cadre) -> None:
    """Only a town or county station, and on it only a cadre with the settings role (e.g.
    the 中心主任; app.accounts), changes the town's rules (issue #8 §3)."""
    if station.level not in ("town", "county"):
        raise ServiceError("事项目录和节假日安排由镇里统一设置，村里不能修改；如有错误请告诉镇便民服务中心。")
    if SETTINGS_ROLE not in cadre_roles(station.store, officer.id):
        raise ServiceError("只有有设置权限的干部（例如 便民服务中心主任）才能修改镇里设置；"
                           + settings_holders_hint(station))


def settings_holders_hint(station: Station) -> str:
    """Who on this tablet can change the settings, as a sentence."""
    holders = [c.name for c in list_cadres(station.store) if SETTINGS_ROLE in c.roles]
    return (f"请找{'、'.join(holders)}修改。" if holders
            else "本机还没有这样的干部，请联系镇里设置权限。")


def _append(station: Station, officer: Cadre, event_type: str, record: str,
            payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return station.store.append(NewEvent(event_type, record, payload, officer.id))
    except StoreError as exc:
        raise ServiceError(f"设置的内容不符合要求：{exc.message}") from exc


def set_time_limit(station: Station, officer: Cadre, code: str, days: int, reason: str
                   ) -> dict[str, Any]:
    """Change a matter's promised time limit (working days)."""
    require_settings(station, officer)
    matter = load_rules(station.store.conn).catalog.matter(code)
    if matter is None:
        raise ServiceError("事项目录里没有这个事项，请重新选择。")
    if not 0 <= days <= 365:
        raise ServiceError("办理时限请填 0 到 365 个工作日（0 表示当场办结）。")
    if not reason.strip():
        raise ServiceError("请写明修改的依据，例如 县政府文件的文号。")
    return _append(station, officer, "catalog.matter_changed", uuid7(), {
        "code": code, "fields": {"time_limit_working_days": days},
        "was": {"time_limit_working_days": matter["time_limit_working_days"]},
        "reason": reason.strip()})


def retire_matter(station: Station, officer: Cadre, code: str, reason: str) -> dict[str, Any]:
    require_settings(station, officer)
    if load_rules(station.store.conn).catalog.matter(code) is None:
        raise ServiceError("事项目录里没有这个事项，请重新选择。")
    if not reason.strip():
        raise ServiceError("请写明停办的原因。")
    return _append(station, officer, "catalog.matter_retired", uuid7(),
                   {"code": code, "reason": reason.strip()})


def set_holidays(station: Station, officer: Cadre, year: int, holidays: list[date],
                 workdays: list[date], note: str) -> dict[str, Any]:
    """Enter the State Council's holiday arrangement for `year` (放假 and 调休上班 dates)."""
    require_settings(station, officer)
    wrong = [d for d in [*holidays, *workdays] if d.year != year]
    if wrong:
        raise ServiceError(f"日期 {wrong[0].isoformat()} 不在 {year} 年，请检查。")
    both = set(holidays) & set(workdays)
    if both:
        raise ServiceError(f"{min(both).isoformat()} 不能既放假又上班，请检查。")
    if not holidays:
        raise ServiceError("请至少录入一个放假日期。")
    if not note.strip():
        raise ServiceError("请写明依据，例如《国务院办公厅关于2027年部分节假日安排的通知》。")
    key = f"calendar.holidays.{year}"
    return _append(station, officer, "config.set", str(uuid.uuid5(_NAMESPACE, key)), {
        "key": key, "note": note.strip(),
        "value": {"holidays": sorted({d.isoformat() for d in holidays}),
                  "workdays": sorted({d.isoformat() for d in workdays})}})


# the papers: phones, the public status page, the 转办函's 机关代字 ------------------------------
PAPER_SETTINGS = ("papers.status_page_url", "papers.letter_code")


def set_phone(station: Station, officer: Cadre, key: str, number: str, label: str = ""
              ) -> dict[str, Any]:
    """Enter the real number of phone ``key`` of the catalog (the shipped ones are samples),
    e.g. the town center's or the town 纪委's; printed on every paper that names it."""
    require_settings(station, officer)
    phones = load_rules(station.store.conn).catalog.doc["phones"]
    if key not in phones:
        raise ServiceError("没有这个电话，请从列出的电话里选。")
    checked = check_phone(number)
    if not checked.ok:
        raise ServiceError(checked.message)
    label = (label or phones[key]["label"]).strip()
    if not 1 <= len(label) <= 60:
        raise ServiceError("请写明这是哪里的电话（如 新集镇纪委），60 个字以内。")
    return _append(station, officer, "catalog.phone_set", str(uuid.uuid5(_NAMESPACE, f"phone.{key}")),
                   {"key": key, "phone": {"label": label, "number": number.strip(),
                                          "configured": True}})


def set_paper_setting(station: Station, officer: Cadre, key: str, value: str, note: str = ""
                      ) -> dict[str, Any]:
    """Set one of the papers' settings (``PAPER_SETTINGS``): checked against its schema in
    schemas/config/defaults.json before anything is written."""
    require_settings(station, officer)
    if key not in PAPER_SETTINGS:
        raise ServiceError("这一项不能在这里设置。")
    value = value.strip()
    defaults = load_defaults()
    entry = defaults["values"][key]
    merged = merge_config(defaults, {key: {"value": value, "source": note}})
    if merged.rejected or not value:
        hint = {"papers.status_page_url": "请填写以 http:// 或 https:// 开头的完整网址，"
                                          "如 https://xinji.example.gov.cn/status",
                "papers.letter_code": "请填写几个汉字的机关代字，如 新集便民转（不要带〔〕和号）"}[key]
        raise ServiceError(f"“{entry['label'].split('（')[0]}”填得不对：{hint}。")
    return _append(station, officer, "config.set", str(uuid.uuid5(_NAMESPACE, key)),
                   {"key": key, "value": value, "note": note.strip() or "镇里设置"})
