"""镇里概况 (issue #8 §3): for a period (本月, 上月, 本季度, 今年), by village — service cases
taken in, finished (on time or not), withdrawn, overdue now and satisfaction; disputes
registered, settled by agreement, open and overdue; petitions registered, answered, open
and overdue — with the town's totals, and as a printable PDF.

Flows are counted by the date they happened in the period (accepted, closed, registered,
answered); stocks (open, overdue) are counted as they stand today. Every village of the
town has a line, with zeros where nothing happened, so a quiet village is visibly quiet.
"""
from __future__ import annotations

import sqlite3
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

from app.domain.shared.report_periods import period_for
from app.services.overview_figures import PlaceFigures, TownReport
from app.station import Station


def _count(conn: sqlite3.Connection, sql: str, args: dict[str, str]) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in conn.execute(sql, args)}


def town_report(station: Station, today: date, kind: str = "本月",
                disputes=None, petitions=None) -> TownReport:
    """The figures of every village of this town for period ``kind``. ``disputes`` and
    ``petitions``: the station's services (their boards say what is overdue); made here
    when not given."""
    from app.services.disputes import Disputes
    from app.services.petitions import Petitions
    period = period_for(kind, today)
    conn = station.store.conn
    start, end, now = period.start.isoformat(), period.end.isoformat(), today.isoformat()
    cases = _count(conn, """
        SELECT origin, SUM(accepted_on BETWEEN :s AND :e),
          SUM(closed_on BETWEEN :s AND :e AND status NOT IN ('withdrawn')),
          SUM(closed_on BETWEEN :s AND :e AND status NOT IN ('withdrawn') AND closed_on <= due),
          SUM(closed_on BETWEEN :s AND :e AND status = 'withdrawn'),
          SUM(active), SUM(active AND due < :t), MIN(CASE WHEN active AND due < :t THEN due END),
          SUM(closed_on BETWEEN :s AND :e AND rating IS NOT NULL),
          SUM(closed_on BETWEEN :s AND :e AND rating IS NOT NULL AND dissatisfied = 0)
        FROM cases GROUP BY origin""", {"s": start, "e": end, "t": now})
    dispute_rows = _count(conn, """
        SELECT origin, SUM(received_on BETWEEN :s AND :e),
          SUM(effective_on BETWEEN :s AND :e),
          SUM(status = 'referred' AND closed_on BETWEEN :s AND :e),
          SUM(open), SUM(open AND risk = '高')
        FROM disputes GROUP BY origin""", {"s": start, "e": end})
    petition_rows = _count(conn, """
        SELECT origin, SUM(received_on BETWEEN :s AND :e), SUM(answered_on BETWEEN :s AND :e),
          SUM(open) FROM petitions GROUP BY origin""", {"s": start, "e": end})
    disputes = disputes or Disputes(station, today=lambda: today)
    petitions = petitions or Petitions(station, today=lambda: today)
    dispute_late: dict[str, int] = {}
    for origin in dispute_rows:
        dispute_late[origin] = sum(1 for row in disputes.board(origin) if row.overdue)
    petition_late: dict[str, int] = {}
    for origin in petition_rows:
        petition_late[origin] = sum(1 for row in petitions.board(origin) if row.overdue)
    places = []
    for origin, name in _places(station, {*cases, *dispute_rows, *petition_rows}):
        c = [v or 0 for v in cases.get(origin, (0,) * 9)]
        d = [v or 0 for v in dispute_rows.get(origin, (0,) * 5)]
        p = [v or 0 for v in petition_rows.get(origin, (0,) * 3)]
        places.append(PlaceFigures(
            origin, name, accepted=c[0], closed=c[1], closed_on_time=c[2], withdrawn=c[3],
            active=c[4], overdue=c[5], oldest_overdue=c[6] or None, rated=c[7],
            satisfied=c[8], disputes=d[0], settled=d[1], failed=d[2], disputes_open=d[3],
            high_risk_open=d[4], disputes_overdue=dispute_late.get(origin, 0),
            petitions=p[0], answered=p[1], petitions_open=p[2],
            petitions_overdue=petition_late.get(origin, 0)))
    places.sort(key=lambda f: (-(f.overdue + f.disputes_overdue + f.petitions_overdue),
                               f.name))
    return TownReport(_town_name(station), period, today, tuple(places), _total(places))


def _places(station: Station, seen: set[str]) -> list[tuple[str, str]]:
    """This town's villages (every one, even with nothing to count) and any other station
    whose records this station holds (the town center's own window)."""
    conn, hub = station.store.conn, station.hub_id()
    rows = conn.execute("SELECT id, name, level, hub FROM nodes_dir").fetchall()
    names = {node: name or node for node, name, _, _ in rows}
    ours = [node for node, _, level, node_hub in rows
            if level == "village" and (hub is None or node_hub == hub)]
    return [(node, names.get(node, node)) for node in dict.fromkeys([*ours, *sorted(seen)])]


def _town_name(station: Station) -> str:
    return str((station.identity().get("hub") or {}).get("name") or station.name)


def _total(places: list[PlaceFigures]) -> PlaceFigures:
    total = PlaceFigures("", "全镇合计")
    numbers = [f.name for f in fields(PlaceFigures) if f.type in ("int", int)]
    total = replace(total, **{n: sum(getattr(p, n) for p in places) for n in numbers})
    oldest = [p.oldest_overdue for p in places if p.oldest_overdue]
    return replace(total, oldest_overdue=min(oldest) if oldest else None)


def print_report(station: Station, report: TownReport) -> Path:
    """镇里概况 as a PDF in the station's ``prints/`` folder, for the printer
    (app.services.printing.write_paper: a document error becomes a ServiceError)."""
    from app.docs.base import render
    from app.docs.overview import town_report_document
    from app.services.printing import write_paper
    return write_paper(station.data, f"镇里概况-{report.period.label}-{report.today:%Y%m%d}.pdf",
                       lambda: render(town_report_document(report)))
