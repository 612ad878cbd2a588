"""矛盾纠纷 read side: the 排查台账 (ledger), the town board, high-risk alerts, 司法确认
and 回访 reminders, and the 排查台账 workbook export.

``DisputeBoards`` is a mixin of ``app.services.disputes.Disputes`` (it uses the station,
clock and ``dispute_rules`` of that service); screens keep importing from
app.services.disputes, which re-exports ``DisputeFilter`` and ``Reminder``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.domain.dispute import flow as dispute_case
from app.domain.dispute.clocks import (
    RiskAlert, confirmation_reminder, revisits_due, risk_alert)
from app.domain.dispute.ledger import LEDGER_COLUMNS, LedgerRow, ledger_row, town_board
from app.domain.dispute.periods import ClockStatus
from app.domain.dispute.state import DisputeState
from app.search_text import match_query
from app.services.errors import ServiceError


@dataclass(frozen=True)
class DisputeFilter:
    text: str = ""              # names, summary, 编号, village (bigram search)
    status: str = ""            # "" all, "open", "active", or a status code
    risk: str = ""              # 低 / 中 / 高
    village: str = ""
    origin: str = ""            # the registering station's id
    dispute_type: str = ""
    overdue_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 200


@dataclass(frozen=True)
class Reminder:
    """A dated reminder on a dispute: 司法确认 or 回访."""

    record: str
    ledger_no: str
    parties: str
    village: str
    what: str                   # 申请司法确认 / 回访
    status: ClockStatus
    terms: tuple[str, ...] = ()



class DisputeBoards:
    """Ledger, boards, reminders and export of ``Disputes`` (read only)."""

    # ledgers and boards ---------------------------------------------------------------
    def _states(self, records: Sequence[str]) -> list[DisputeState]:
        levels = self.levels()
        return [dispute_case.fold(self.events(r), levels) for r in records]

    def _rows(self, states: Sequence[DisputeState]) -> list[LedgerRow]:
        rules, today, calendar = self.dispute_rules, self.today(), self.rules.calendar
        return [ledger_row(s, today, calendar, rules) for s in states]

    def ledger(self, f: DisputeFilter = DisputeFilter()) -> list[LedgerRow]:
        """The 排查台账, newest first; rows carry the RULES.md §2 columns (``cells()`` in
        LEDGER_COLUMNS order) and overdue / high-risk / alert flags for colouring."""
        where, args = [], []
        if f.text.strip():
            match = match_query(f.text)
            if match is None:
                raise ServiceError("请输入要查找的当事人姓名、纠纷内容或编号。")
            # disputes_fts rows share their dispute row's rowid (projections.textrows)
            where.append("d.rowid IN (SELECT rowid FROM disputes_fts WHERE disputes_fts MATCH ?)")
            args.append(match)
        if f.status == "open":
            where.append("d.open=1")
        elif f.status == "active":
            where.append("d.active=1")
        elif f.status:
            where.append("d.status=?")
            args.append(f.status)
        for column, value in (("risk", f.risk), ("village", f.village.strip()),
                              ("origin", f.origin), ("dispute_type", f.dispute_type)):
            if value:
                where.append(f"d.{column}=?")
                args.append(value)
        if f.date_from:
            where.append("d.received_on>=?")
            args.append(f.date_from.isoformat())
        if f.date_to:
            where.append("d.received_on<=?")
            args.append(f.date_to.isoformat())
        if f.overdue_only:
            where.append("d.open=1")
        sql = ("SELECT d.record FROM disputes d" +
               (" WHERE " + " AND ".join(where) if where else "") +
               " ORDER BY d.received_at DESC, d.record DESC LIMIT ?")
        records = [r for (r,) in self.conn.execute(sql, (*args, max(1, min(f.limit, 5000))))]
        rows = self._rows(self._states(records))
        return [r for r in rows if r.overdue] if f.overdue_only else rows

    def board(self, origin: str = "") -> list[LedgerRow]:
        """Open disputes of every village this station sees (or of ``origin``): overdue
        first, then high-risk nobody has taken, then by risk and deadline (town board)."""
        sql = "SELECT record FROM disputes WHERE open=1" + (" AND origin=?" if origin else "")
        records = [r for (r,) in self.conn.execute(sql, (origin,) if origin else ())]
        return town_board(self._states(records), self.today(), self.rules.calendar,
                          self.dispute_rules)

    def alerts(self) -> list[RiskAlert]:
        """High-risk disputes nobody has taken yet (the town's home screen), oldest first."""
        rules = self.dispute_rules
        levels = list(rules.alert_risk_levels)
        if not levels:
            return []
        records = [r for (r,) in self.conn.execute(
            f"SELECT record FROM disputes WHERE active=1 AND taken=0 AND risk IN "
            f"({','.join('?' * len(levels))}) ORDER BY received_at", levels)]
        found = (risk_alert(s, rules) for s in self._states(records))
        return [a for a in found if a is not None]

    def confirmation_reminders(self, include_expired: bool = False) -> list[Reminder]:
        """Agreements whose parties may still apply for 司法确认 (人民调解法 Art 33), the
        closest deadline first."""
        rules, today, calendar = self.dispute_rules, self.today(), self.rules.calendar
        horizon = (today - timedelta(days=rules.judicial_confirmation_days + 20)).isoformat()
        records = [r for (r,) in self.conn.execute(
            "SELECT record FROM disputes WHERE status IN ('agreed','performed') AND"
            " confirmation IS NULL AND effective_on>=?", (horizon,))]
        out = []
        for state in self._states(records):
            status = confirmation_reminder(state, today, calendar, rules)
            if status is not None and (include_expired or status.state != "overdue"):
                out.append(_reminder(state, "申请司法确认", status))
        return sorted(out, key=lambda r: (r.status.due, r.record))

    def revisits_due(self, within_days: int | None = None) -> list[Reminder]:
        """回访 owed at the agreements' performance deadlines: overdue ones and those due
        within ``within_days`` (None: the due-soon days of the config), soonest first."""
        rules, today = self.dispute_rules, self.today()
        days = rules.mediation_due_soon_days if within_days is None else within_days
        limit = (today + timedelta(days=days) - timedelta(days=rules.revisit_days_after_due))
        records = [r for (r,) in self.conn.execute(
            "SELECT record FROM disputes WHERE status='agreed' AND next_performance_due<=?",
            (limit.isoformat(),))]
        out = []
        for state in self._states(records):
            for owed in revisits_due(state, today, rules):
                if owed.due <= today + timedelta(days=days):
                    out.append(_reminder(state, "回访", owed.status, owed.terms))
        return sorted(out, key=lambda r: (r.status.due, r.record))

    # export ---------------------------------------------------------------------------
    def export_xlsx(self, rows: Sequence[LedgerRow], path: Path, title: str) -> Path:
        """The 排查台账 as .xlsx: RULES.md §2 columns, overdue rows red, high risk bold."""
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill
        book = Workbook()
        sheet = book.active
        sheet.title = "排查台账"
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([label for _, label in LEDGER_COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        red = PatternFill("solid", fgColor="FFC7CE")
        for row in rows:
            sheet.append(row.cells())
            for cell in sheet[sheet.max_row]:
                if row.overdue:
                    cell.fill = red
                if row.high_risk:
                    cell.font = Font(bold=True)
        wide = {"parties", "summary", "progress", "result", "revisit", "deadline"}
        for index, (attr, _) in enumerate(LEDGER_COLUMNS, start=1):
            sheet.column_dimensions[sheet.cell(2, index).column_letter].width = \
                30 if attr in wide else 14
        book.save(path)
        return path



def _reminder(state: DisputeState, what: str, status: ClockStatus,
              terms: tuple[str, ...] = ()) -> Reminder:
    parties = "、".join(state.party_names)
    return Reminder(state.record, state.ledger_no or "", parties, state.village, what, status,
                    terms)




__all__ = ["DisputeBoards", "DisputeFilter", "Reminder"]
