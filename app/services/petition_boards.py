"""信访 read side: the days-left board of open petitions, the 信访登记 register with its
filter, and the answers a 复查/复核 request may contest.

``PetitionBoards`` is a mixin of ``app.services.petitions.Petitions`` (it uses the
station, clock and ``petition_rules`` of that service); screens keep importing from
app.services.petitions, which re-exports ``PetitionFilter``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.petition import flow as petition_case
from app.domain.petition.clocks import BoardRow, board, request_window
from app.domain.petition.state import NEXT_STAGE
from app.search_text import match_query
from app.services.errors import ServiceError


@dataclass(frozen=True)
class PetitionFilter:
    text: str = ""
    status: str = ""            # "" all, "open", or a status code
    category: str = ""
    channel: str = ""
    stage: str = ""
    origin: str = ""
    first_time_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 200



class PetitionBoards:
    """Board, register and appealable answers of ``Petitions`` (read only)."""

    # registers and boards -------------------------------------------------------------
    def board(self, origin: str = "") -> list[BoardRow]:
        """Open petitions (not yet decided, or accepted and in handling) with days left,
        overdue first (red at every level), then 初信初访, then fewest days left."""
        sql = "SELECT record FROM petitions WHERE open=1" + (" AND origin=?" if origin else "")
        records = [r for (r,) in self.conn.execute(sql, (origin,) if origin else ())]
        levels, rules = self.levels(), self.petition_rules
        states = [petition_case.fold(self.events(r), levels, rules) for r in records]
        return board(states, self.today(), self.rules.calendar, rules)

    def register_list(self, f: PetitionFilter = PetitionFilter()) -> list[dict[str, Any]]:
        """The 信访登记 register, newest first (rows of the ``petitions`` table)."""
        where, args = [], []
        if f.text.strip():
            match = match_query(f.text)
            if match is None:
                raise ServiceError("请输入要查找的信访人姓名或反映内容。")
            where.append("rowid IN (SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH ?)")
            args.append(match)
        if f.status == "open":
            where.append("open=1")
        elif f.status:
            where.append("status=?")
            args.append(f.status)
        for column, value in (("category", f.category), ("channel", f.channel),
                              ("stage", f.stage), ("origin", f.origin)):
            if value:
                where.append(f"{column}=?")
                args.append(value)
        if f.first_time_only:
            where.append("first_time=1")
        if f.date_from:
            where.append("received_on>=?")
            args.append(f.date_from.isoformat())
        if f.date_to:
            where.append("received_on<=?")
            args.append(f.date_to.isoformat())
        cursor = self.conn.execute(
            "SELECT * FROM petitions" + (" WHERE " + " AND ".join(where) if where else "") +
            " ORDER BY received_at DESC, record DESC LIMIT ?", (*args, max(1, min(f.limit, 5000))))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def appealable(self, text: str = "") -> list[dict[str, Any]]:
        """Answers on this station a 复查/复核 request may contest (answered, not after
        复核), with the petitioner's request window: what the intake screen offers as
        ``appeal_of``."""
        rows = self.register_list(PetitionFilter(text=text, status="answered", limit=500))
        out = []
        levels, rules = self.levels(), self.petition_rules
        for row in rows:
            if row["stage"] not in NEXT_STAGE:
                continue
            state = petition_case.fold(self.events(row["record"]), levels, rules)
            window = request_window(state, self.today(), self.rules.calendar, rules)
            out.append({**row, "next_stage": NEXT_STAGE[row["stage"]],
                        "window": window.label if window else ""})
        return out


__all__ = ["PetitionBoards", "PetitionFilter"]
