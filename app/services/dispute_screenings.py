"""矛盾纠纷排查: recording a screening of a village (date, screeners, findings or 未发现),
the screening records, the villages a station answers for, and the schedule of villages
due for screening.

``DisputeScreenings`` is a mixin of ``app.services.disputes.Disputes`` (it uses the
station, clock, ``_village`` and ``dispute_rules`` of that service); screens keep
importing from app.services.disputes, which re-exports the forms.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.dispute.ledger import (
    Screening, ScreeningDue, check_screening, screening_schedule, screenings_from)
from app.services.errors import ServiceError
from app.services.workflow import names
from sync.ids import uuid7
from sync.store import NewEvent


@dataclass
class ScreeningFinding:
    summary: str
    dispute_type: str
    risk: str
    parties: list[str] = field(default_factory=list)
    dispute_record: str = ""    # the dispute registered for it, if any


@dataclass
class ScreeningForm:
    screeners: list[str] | str
    findings: list[ScreeningFinding] = field(default_factory=list)
    none_found: bool = False
    village: str = ""           # empty at a village tablet: this village
    on: date | str | None = None
    note: str = ""



class DisputeScreenings:
    """排查 records of ``Disputes``."""

    def record_screening(self, officer: Cadre, form: ScreeningForm) -> dict[str, Any]:
        """矛盾纠纷排查: one record per screening of a village (date, screeners, findings).
        A finding that needs mediation is registered as a dispute (source 排查发现) and
        may name it."""
        findings = []
        for item in form.findings:
            finding: dict[str, Any] = {"summary": item.summary.strip(),
                                       "type": item.dispute_type, "risk": item.risk}
            if names(item.parties):
                finding["parties"] = names(item.parties)
            if item.dispute_record.strip():
                finding["dispute_record"] = item.dispute_record.strip()
            findings.append(finding)
        payload: dict[str, Any] = {"village": self._village(form.village), "on": self.on(form.on),
                                   "screeners": names(form.screeners)}
        if findings:
            payload["findings"] = findings
        if form.none_found:
            payload["none_found"] = True
        if form.note.strip():
            payload["note"] = form.note.strip()
        verdict = check_screening(payload)
        if not verdict.ok:
            raise ServiceError(verdict.message)
        return self.write([NewEvent("dispute.screened", uuid7(), payload, officer.id)])[0]

    def screenings(self, village: str = "", limit: int = 200) -> list[Screening]:
        """Screening records, newest first (of one village, or all this station sees)."""
        sql = ("SELECT record FROM screenings WHERE valid=1" +
               (" AND village=?" if village else "") +
               " ORDER BY on_date DESC, record DESC LIMIT ?")
        args = (village, limit) if village else (limit,)
        records = [r for (r,) in self.conn.execute(sql, args)]
        events = [e for r in records for e in self.events(r)]
        return screenings_from(events)

    def villages(self) -> list[str]:
        """The villages this station answers for: itself at a village; at the town and
        county every village station announced (and any village screened or registered)."""
        if self.level == "village":
            return [self.station.name]
        found = {n for (n,) in self.conn.execute(
            "SELECT name FROM nodes_dir WHERE level='village' AND name IS NOT NULL")}
        found |= {v for (v,) in self.conn.execute("SELECT DISTINCT village FROM screenings")}
        return sorted(v for v in found if v)

    def screening_schedule(self) -> list[ScreeningDue]:
        """When each village is next due for screening; never screened and overdue first."""
        latest = []
        for village in self.villages():
            latest += self.screenings(village, limit=1)
        return screening_schedule(self.villages(), latest, self.today(), self.dispute_rules)


__all__ = ["DisputeScreenings", "ScreeningFinding", "ScreeningForm"]
