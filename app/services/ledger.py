"""台账: the case ledger with filters and Chinese full-text search, the deadline board
shown on the home screen, the town's overview by village, and the monthly .xlsx."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.domain import deadline_status, parse_receipt
from app.domain.errors import ReceiptError
from app.projections.cases import ACTIVE_STATUSES
from app.search_text import match_query
from app.services.errors import ServiceError
from app.services.rules import Rules

COLUMNS = ("record", "receipt_no", "applicant", "id_masked", "phone", "village", "matter_name",
           "summary", "status", "status_name", "level", "first_officer", "holder", "mode",
           "accepted_on", "due", "due_provisional", "closed_on", "rating", "dissatisfied",
           "rejected", "reviews", "origin")
SELECT = "SELECT " + ", ".join("c." + c for c in COLUMNS) + " FROM cases c"


@dataclass(frozen=True)
class LedgerFilter:
    text: str = ""
    status: str = ""            # a status code, "active", or "" for all
    matter_code: str = ""
    overdue_only: bool = False
    officer: str = ""           # 首接责任人 or current holder name
    origin: str = ""            # a station id (the town filters by village)
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 200


# A search matching at least this many cases walks the cases newest first and stops at
# `limit` (cost ~ limit / share matching); a narrower one fetches its matches and sorts
# them (cost ~ matches). Either plan returns the same rows.
BROAD_MATCH = 1000


def ledger(conn: sqlite3.Connection, f: LedgerFilter, today: date) -> list[dict[str, Any]]:
    where, args = [], []
    source = SELECT
    if f.text.strip():
        match = match_query(f.text)
        if match is None:
            raise ServiceError("请输入要查找的姓名、事项或回执号。")
        # cases_fts rows share their case's rowid (app.projections.cases.fold_case).
        where.append("c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
        args.append(match)
        matches = conn.execute("SELECT COUNT(*) FROM (SELECT rowid FROM cases_fts WHERE "
                               "cases_fts MATCH ? LIMIT ?)", (match, BROAD_MATCH)).fetchone()[0]
        if matches >= BROAD_MATCH:
            source = SELECT + " INDEXED BY cases_accepted"
    if f.status == "active":
        where.append("c.active=1")
    elif f.status:
        where.append("c.status=?")
        args.append(f.status)
    if f.matter_code:
        where.append("c.matter_code=?")
        args.append(f.matter_code)
    if f.overdue_only:
        where.append("c.active=1 AND c.due<?")
        args.append(today.isoformat())
    if f.officer.strip():
        where.append("(c.first_officer=? OR c.holder=?)")
        args += [f.officer.strip()] * 2
    if f.origin:
        where.append("c.origin=?")
        args.append(f.origin)
    if f.date_from:
        where.append("c.accepted_on>=?")
        args.append(f.date_from.isoformat())
    if f.date_to:
        where.append("c.accepted_on<=?")
        args.append(f.date_to.isoformat())
    sql = source + (" WHERE " + " AND ".join(where) if where else "") + \
        " ORDER BY c.accepted_on DESC, c.receipt_no DESC LIMIT ?"
    rows = conn.execute(sql, (*args, max(1, min(f.limit, 5000)))).fetchall()
    return [dict(zip(COLUMNS, r)) for r in rows]


def find_receipt(conn: sqlite3.Connection, text: str) -> dict[str, Any]:
    """Query by receipt number at any station holding the case (issue #3 §3)."""
    try:
        receipt = parse_receipt(text)
    except ReceiptError as exc:
        raise ServiceError(exc.message) from exc
    row = conn.execute(SELECT + " WHERE c.receipt_no=?", (receipt.number,)).fetchone()
    if row is None:
        raise ServiceError(f"本机没有回执号 {receipt.number} 的事项：可能是别的村受理的，"
                           "或者还没有同步，请同步后再查。")
    return dict(zip(COLUMNS, row))


@dataclass(frozen=True)
class BoardItem:
    row: dict[str, Any]
    state: str          # overdue | due_soon
    label: str


def deadline_board(conn: sqlite3.Connection, rules: Rules, today: date,
                   origin: str = "") -> list[BoardItem]:
    """Active cases overdue or due soon, most urgent first (shown in red at every level)."""
    soon = int(rules.config.value("service.due_soon_working_days"))
    horizon = (today + timedelta(days=soon * 2 + 14)).isoformat()
    sql = SELECT + " WHERE c.active=1 AND c.due<=?" + (" AND c.origin=?" if origin else "") + \
        " ORDER BY c.due LIMIT 500"
    out = []
    for row in conn.execute(sql, (horizon, origin) if origin else (horizon,)):
        item = dict(zip(COLUMNS, row))
        status = deadline_status(date.fromisoformat(item["due"]), today, rules.calendar, soon)
        if status.state in ("overdue", "due_soon"):
            out.append(BoardItem(item, status.state, status.label))
    return sorted(out, key=lambda i: (i.state != "overdue", i.row["due"]))


@dataclass(frozen=True)
class VillageLine:
    origin: str
    village: str
    active: int
    overdue: int
    oldest_overdue: str | None
    rated: int
    satisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def town_overview(conn: sqlite3.Connection, today: date) -> list[VillageLine]:
    """Overdue by village (counts, oldest overdue) and satisfaction rates (town view)."""
    rows = conn.execute(
        "SELECT origin, COALESCE(village, origin), SUM(active),"
        " SUM(active AND due<?), MIN(CASE WHEN active AND due<? THEN due END),"
        " SUM(rating IS NOT NULL), SUM(rating IS NOT NULL AND dissatisfied=0)"
        " FROM cases GROUP BY origin ORDER BY 4 DESC, 2",
        (today.isoformat(), today.isoformat())).fetchall()
    return [VillageLine(r[0], r[1], r[2] or 0, r[3] or 0, r[4], r[5] or 0, r[6] or 0)
            for r in rows]


HEADERS = {"receipt_no": "回执编号", "accepted_on": "受理日期", "village": "受理站点",
           "applicant": "申请人", "id_masked": "身份证号（隐去）", "matter_name": "事项",
           "summary": "诉求摘要", "first_officer": "首接责任人", "holder": "承办人",
           "mode": "办理方式", "status_name": "状态", "due": "承诺办结日期",
           "closed_on": "办结日期", "rating": "满意度"}


def is_overdue(row: dict[str, Any], today: date) -> bool:
    return row["status"] in ACTIVE_STATUSES and bool(row["due"]) and row["due"] < today.isoformat()


def export_xlsx(rows: Sequence[dict[str, Any]], path: Path, title: str, today: date) -> Path:
    """The monthly report: one sheet, Chinese headers, overdue rows filled red, no full
    ID numbers (RULES.md §5: collect and show only what the purpose needs)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(HEADERS.values()))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFC7CE")
    for row in rows:
        sheet.append([row.get(k) or "" for k in HEADERS])
        if is_overdue(row, today):
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    for index, key in enumerate(HEADERS, start=1):
        sheet.column_dimensions[sheet.cell(2, index).column_letter].width = \
            30 if key in ("summary", "matter_name") else 14
    book.save(path)
    return path
