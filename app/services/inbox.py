"""The town's inbox of what its villages sent up (issue #8 §3: on the first screen): service
cases reported up and waiting for the town, oldest first, each with the village's own words
and how often the village has asked after it; disputes the villages reported up; the
villages' own matters waiting for approval."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.workflow import iso_date
from app.domain.shared.workdays import working_days_between
from app.services.desk import Desk
from app.services.local_matters import proposals


@dataclass(frozen=True)
class InboxCase:
    record: str
    village: str
    applicant: str
    matter: str
    words: str              # what the village wrote when it reported the matter up
    sent_on: date | None
    waiting_days: int       # working days since it was sent up
    urges: int              # times the village asked after it
    overdue: bool           # past the date the town promised the village


@dataclass(frozen=True)
class TownInbox:
    cases: tuple[InboxCase, ...]
    disputes: int           # disputes reported up to the town, not yet taken on
    proposals: int          # villages' own matters waiting for approval


def town_inbox(desk: Desk, today: date) -> TownInbox:
    conn, calendar = desk.store.conn, desk.rules.calendar
    items = []
    for record, village in conn.execute(
            "SELECT record, COALESCE(village, '') FROM cases WHERE status='escalated'"
            " ORDER BY accepted_on"):
        state = desk.case(record)
        words = state.escalation or {}
        sent = iso_date(words.get("on"))
        waiting = working_days_between(sent, today, calendar).days if sent else 0
        items.append(InboxCase(
            record, village, str(state.fields.get("applicant.name") or ""),
            state.matter_name or str(state.fields.get("summary") or ""),
            str(words.get("summary") or ""), sent, waiting, len(state.urges),
            bool(state.step_due and state.step_due < today)))
    items.sort(key=lambda item: (not item.overdue, -item.urges, item.sent_on or today))
    reported = conn.execute("SELECT COUNT(*) FROM disputes WHERE status='escalated'"
                            " AND level='town'").fetchone()[0]
    waiting = sum(1 for p in proposals(desk.station) if p.status == "pending")
    return TownInbox(tuple(items), reported, waiting)
