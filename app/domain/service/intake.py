"""Intake at the window: the one-time notice (一次性告知单) and the ``svc.accepted`` payload.

RULES.md §1 一次性告知制: at intake the citizen is told, once and completely, the matter's
name, legal basis, conditions, full list of materials, procedure, promised time limit,
fees, enquiry and complaint phones; missing materials are listed once on the notice.
首接责任制: the officer who receives the matter is named on it.  统一受理、分级负责: what the
receiving level can do itself it does (即办); a matter decided higher up is carried there
for the citizen (代办, 全程代理制); a village problem outside the catalog and beyond the
village's powers is reported to the town (上报镇).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.service.catalog import Catalog
from app.domain.shared.workdays import DueDate, WorkCalendar, add_working_days
from app.domain.workflow import LEVEL_RANK


def suggest_mode(matter_level: str | None, actor_level: str) -> str:
    """即办 if the receiving level handles the matter itself, 代办 if a higher level does;
    a problem with no catalog matter is 上报镇 at a village and handled in place above."""
    if matter_level is None:
        return "上报镇" if actor_level == "village" else "即办"
    return "即办" if LEVEL_RANK[matter_level] <= LEVEL_RANK[actor_level] else "代办"


def missing_materials(matter: Mapping[str, Any], present: Iterable[str],
                      ) -> list[Mapping[str, Any]]:
    """Materials of ``matter`` whose names are not among ``present``, in catalog order."""
    have = {name.strip() for name in present}
    return [m for m in matter["materials"] if m["name"] not in have]


def _material_line(material: Mapping[str, Any]) -> str:
    line = f"{material['name']}（{material['form']}{material['copies']}份，{material['issuer']}出具）"
    return line + (f"：{material['note']}" if material.get("note") else "")


@dataclass(frozen=True)
class Notice:
    """Everything the citizen must be told once; ``lines()`` is the printable text."""

    matter: Mapping[str, Any]
    missing: tuple[Mapping[str, Any], ...]
    due: DueDate
    enquiry: str
    complaint: str

    def time_limit_text(self) -> str:
        days = self.matter["time_limit_working_days"]
        if days == 0:
            text = "当场办结"
        else:
            text = (f"{days}个工作日（受理次日起算），承诺于{self.due.date.isoformat()}前办结")
        extended = self.matter.get("extended_time_limit_working_days")
        if extended:
            text += f"；特殊情况可延长至{extended}个工作日"
        return text + (f"（{self.due.note}）" if self.due.provisional else "")

    def lines(self) -> list[str]:
        m = self.matter
        out = [f"事项名称：{m['name']}（{m['code']}）",
               "办理依据：" + "；".join(m["legal_basis"]),
               "办理条件：" + "；".join(m["conditions"]),
               "所需材料："]
        out += [f"  {i}. {_material_line(x)}" for i, x in enumerate(m["materials"], 1)]
        if self.missing:
            out.append("尚缺材料（请补齐后再来，或交给代办员）：")
            out += [f"  {i}. {_material_line(x)}" for i, x in enumerate(self.missing, 1)]
        else:
            out.append("材料已齐全。")
        out += ["办理程序：" + " → ".join(m["procedure"]),
                f"承诺时限：{self.time_limit_text()}",
                f"收费标准：{m['fees']}",
                f"咨询电话：{self.enquiry}", f"投诉电话：{self.complaint}"]
        if m.get("note"):
            out.append(f"说明：{m['note']}")
        return out


def one_time_notice(catalog: Catalog, code: str, present: Iterable[str], accepted_on: date,
                    calendar: WorkCalendar) -> Notice:
    """The 一次性告知单 for matter ``code`` given the materials brought today."""
    matter = catalog.matter(code)
    if matter is None:
        raise KeyError(code)
    due = add_working_days(accepted_on, matter["time_limit_working_days"], calendar)
    return Notice(matter, tuple(missing_materials(matter, present)), due,
                  catalog.phone_text(matter["enquiry_phone"]),
                  catalog.phone_text(matter["complaint_phone"]))


def accepted_payload(*, receipt_no: str, accepted_on: date, applicant: Mapping[str, Any],
                     summary: str, first_officer: Mapping[str, Any], actor_level: str,
                     calendar: WorkCalendar, catalog: Catalog, code: str | None = None,
                     present: Iterable[str] = (), notice_no: str | None = None,
                     time_limit: int | None = None) -> dict[str, Any]:
    """The ``svc.accepted`` payload: mode, missing materials and promised date filled in.

    Without a catalog matter (a problem to report), ``time_limit`` working days must be
    given (e.g. the config's ``service.escalation_answer_working_days``).
    """
    present = [name.strip() for name in present]
    matter = catalog.matter(code) if code else None
    if code and matter is None:
        raise KeyError(code)
    days = matter["time_limit_working_days"] if matter else time_limit
    if days is None:
        raise ValueError("a problem outside the catalog needs an explicit time limit")
    due = add_working_days(accepted_on, days, calendar)
    # 服务承诺制: a promise may be extended only as far as the catalog's 延长时限 for the
    # matter (e.g. 低保 25 → 40 working days); without one, not at all (issue #10 item 10).
    # The ceiling is fixed at acceptance, so replay never depends on today's catalog.
    extended = matter.get("extended_time_limit_working_days") if matter else None
    ceiling = add_working_days(accepted_on, extended, calendar) if extended else due
    payload: dict[str, Any] = {
        "receipt_no": receipt_no,
        "accepted_on": accepted_on.isoformat(),
        "applicant": dict(applicant),
        "matter_code": code,
        "matter_name": matter["name"] if matter else None,
        "summary": summary,
        "materials_present": present,
        "materials_missing": [m["name"] for m in missing_materials(matter, present)]
        if matter else [],
        "first_officer": dict(first_officer),
        "mode": suggest_mode(matter["level"] if matter else None, actor_level),
        "time_limit_working_days": days,
        "promised_due": due.date.isoformat(),
        "due_provisional": due.provisional,
        "extension_ceiling": ceiling.date.isoformat(),
    }
    if extended:
        payload["extended_time_limit_working_days"] = extended
    if notice_no:
        payload["notice_no"] = notice_no
    return payload
