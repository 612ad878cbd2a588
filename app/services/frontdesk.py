"""来访登记 (visit register) and 带班坐班 (duty roster, check-in/out, on duty now).

RULES.md §1: a window is never unattended and who is on duty is recorded and shown; the
visit register's fields are those used in practice. A visit is quick to log: only name,
matter and officer are required, the rest is optional.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.accounts import Cadre
from app.domain import check_phone
from app.domain.duty import DutyLine, duty_lines
from app.services.errors import ServiceError
from sync.db import database
from sync.ids import uuid7
from sync.store import NewEvent, Store


@dataclass
class VisitForm:
    name: str
    matter: str
    sex: str = ""
    age: str = ""
    phone: str = ""
    address: str = ""
    opinion: str = ""
    result: str = ""
    remark: str = ""
    place: str = "便民服务站"


def _visit_problems(form: VisitForm) -> list[str]:
    problems = []
    if not form.name.strip():
        problems.append("请填写来访人姓名。")
    if not form.matter.strip():
        problems.append("请填写来访事由。")
    if form.phone.strip() and not check_phone(form.phone).ok:
        problems.append(check_phone(form.phone).message)
    if form.age.strip() and (not form.age.strip().isdigit() or not 0 < int(form.age) < 130):
        problems.append("年龄请填数字，例如 63。")
    if form.sex and form.sex not in ("男", "女"):
        problems.append("性别请选 男 或 女。")
    return problems


def log_visit(store: Store, officer: Cadre, form: VisitForm, now: datetime) -> str:
    problems = _visit_problems(form)
    if problems:
        raise ServiceError("；".join(problems), problems)
    age = int(form.age.strip()) if form.age.strip() else None
    payload: dict[str, Any] = {
        "name": form.name.strip(), "matter": form.matter.strip(),
        "visited_at": now.strftime("%Y-%m-%d %H:%M"), "place": form.place,
        "officer": officer.name, "officer_post": officer.post}
    optional = {"sex": form.sex, "age": age, "phone": form.phone.strip(),
                "address": form.address.strip(), "opinion": form.opinion.strip(),
                "result": form.result.strip(), "remark": form.remark.strip()}
    payload.update({k: v for k, v in optional.items() if v})
    record = uuid7()
    store.append(NewEvent("visit.logged", record, payload, officer.id))
    return record


def recent_visits(conn: sqlite3.Connection, limit: int = 50, origin: str | None = None
                  ) -> list[dict[str, Any]]:
    """Newest visits first; `origin` keeps one station's own register (a town center
    also receives its villages' visits)."""
    where = "WHERE origin = :origin " if origin else ""
    rows = database(conn).query(
        "SELECT record, name, matter, visited_at, officer, result, phone, address, converted"
        f" FROM visits {where}ORDER BY visited_at DESC LIMIT :limit",
        {"origin": origin, "limit": limit})
    return [dict(row, converted=json.loads(row["converted"] or "[]")) for row in rows]


# What a visit can become without retyping (issue #8 §3), and how each is named.
CONVERSIONS = {"svc_case": "便民服务事项", "dispute": "矛盾纠纷", "petition": "信访事项"}


def visit(conn: sqlite3.Connection, record: str) -> dict[str, Any]:
    """One visit with every field and what it has become (``converted``)."""
    rows = list(database(conn).query("SELECT * FROM visits WHERE record = :record",
                                     {"record": record}))
    if not rows:
        raise ServiceError("找不到这条来访记录，请刷新后再试。")
    row = dict(rows[0])
    row["converted"] = json.loads(row.get("converted") or "[]")
    return row


def visit_link(store: Store, officer: Cadre, record: str, kind: str, to_record: str,
               label: str, on: date) -> NewEvent:
    """The visit.converted event that says visit ``record`` became ``to_record``; the caller
    writes it in the same transaction as the new record's first event. Only the station
    that logged the visit may link it, and each kind only once."""
    if kind not in CONVERSIONS:
        raise ServiceError("来访只能转为便民服务事项、矛盾纠纷或信访事项。")
    row = visit(store.conn, record)
    if row["origin"] != store.node_id:
        raise ServiceError("这条来访是别的站点登记的，请由登记的站点转办。")
    done = next((c for c in row["converted"] if c["kind"] == kind), None)
    if done is not None:
        raise ServiceError(f"这次来访已经转为{CONVERSIONS[kind]}（{done['label']}），"
                           "不用重复登记；请在台账里打开那一件。")
    return NewEvent("visit.converted", record, {"on": on.isoformat(), "to_kind": kind,
                                                "to_record": to_record,
                                                "label": label[:80]}, officer.id)


def amend_visit(store: Store, officer: Cadre, record: str, changes: dict[str, str],
                reason: str, now: datetime) -> str | None:
    """修改信息 on a visit: the changed fields only (visit.amended, ``base`` the last event
    the cadre saw); None if nothing changed."""
    row = visit(store.conn, record)
    form = VisitForm(**{key: str(changes.get(key, row.get(key) or "") or "")
                        for key in ("name", "matter", "sex", "age", "phone", "address",
                                    "opinion", "result", "remark")})
    problems = _visit_problems(form)
    if not reason.strip():
        problems.append("请写明修改原因，例如 登记时电话写错。")
    if problems:
        raise ServiceError("；".join(problems), problems)
    fields: dict[str, Any] = {}
    for key, value in changes.items():
        value = value.strip()
        new: Any = (int(value) if key == "age" and value else
                    check_phone(value).number if key == "phone" and value else value or None)
        if new != row.get(key) and not (new is None and row.get(key) in (None, "")):
            fields[key] = new
    if not fields:
        return None
    base = store.conn.execute("SELECT id FROM events WHERE record=? ORDER BY hlc DESC, origin"
                              " DESC, seq DESC LIMIT 1", (record,)).fetchone()[0]
    event = store.append(NewEvent("visit.amended", record, {
        "fields": fields, "base": base, "reason": reason.strip()[:500]}, officer.id))
    return str(event["id"])


# duty ------------------------------------------------------------------------------------
SHIFTS = ("全天", "上午", "下午", "夜间")
ROLES = ("带班", "坐班")


def schedule_duty(store: Store, by: Cadre, day: date, cadre: Cadre, shift: str, role: str
                  ) -> str:
    if shift not in SHIFTS:
        raise ServiceError("班次请选 全天、上午、下午 或 夜间。")
    if role not in ROLES:
        raise ServiceError("请选择 带班 或 坐班。")
    record = uuid7()
    store.append(NewEvent("duty.scheduled", record, {
        "date": day.isoformat(), "shift": shift, "cadre": cadre.id, "cadre_name": cadre.name,
        "role": role}, by.id))
    return record


def check_in(store: Store, cadre: Cadre, record: str, now: datetime) -> None:
    row = store.conn.execute("SELECT cadre, checked_in_at FROM duty WHERE record=?",
                             (record,)).fetchone()
    if row is None:
        raise ServiceError("找不到这条排班，请刷新后再试。")
    if row[1]:
        raise ServiceError("已经签到过了。")
    store.append(NewEvent("duty.checked_in", record, {"at": now.strftime("%Y-%m-%d %H:%M")},
                          cadre.id))


def check_out(store: Store, cadre: Cadre, record: str, now: datetime, handover: str = ""
              ) -> None:
    row = store.conn.execute("SELECT checked_in_at, checked_out_at FROM duty WHERE record=?",
                             (record,)).fetchone()
    if row is None or not row[0]:
        raise ServiceError("还没有签到，不能签退。")
    if row[1]:
        raise ServiceError("已经签退过了。")
    payload = {"at": now.strftime("%Y-%m-%d %H:%M")}
    if handover.strip():
        payload["handover"] = handover.strip()
    store.append(NewEvent("duty.checked_out", record, payload, cadre.id))


def roster(conn: sqlite3.Connection, day: date, origin: str | None = None
           ) -> list[dict[str, Any]]:
    """The day's duty roster, 带班 first; `origin` keeps one station's own window."""
    where = " AND origin = :origin" if origin else ""
    return list(database(conn).query(
        "SELECT record, date, shift, cadre, cadre_name, role, checked_in_at, checked_out_at,"
        f" origin FROM duty WHERE date = :day AND cancelled = 0{where}"
        " ORDER BY role DESC, shift", {"day": day.isoformat(), "origin": origin}))


def duty_board(conn: sqlite3.Connection, now: datetime, origin: str | None = None
               ) -> list[DutyLine]:
    """Today's roster and last night's still-running night shift, each with what it is at
    ``now`` (app.domain.duty): the 带班坐班 screen lists them all, the home screen's
    现在值班 card those on duty now, in the same words."""
    yesterday = now.date() - timedelta(days=1)
    entries = roster(conn, yesterday, origin) + roster(conn, now.date(), origin)
    return duty_lines(entries, now)


def on_duty_now(conn: sqlite3.Connection, now: datetime, origin: str | None = None
                ) -> list[dict[str, Any]]:
    """Who is at the window now, or should be (a scheduled cadre not checked in is shown
    as 未签到): roster rows with ``present``, ``state`` and ``label`` added."""
    return [dict(line.entry, present=line.present, state=line.state, label=line.label,
                 urgent=line.urgent)
            for line in duty_board(conn, now, origin) if line.now]
