"""The decision service's reading side (issue #12 §1, §4): the 一事一档 PDF, the live
tally of a meeting being ticked, the matters (blocked first), the town's inbox and chart,
and the 村务公开 schedule (Art 30)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.domain.decisions import meetings
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.meetings import Attendance, MeetingResult
from app.domain.decisions.publicity import Due, publicity_schedule
from app.services.decisions.base import DecisionsBase, MatterView
from app.services.errors import ServiceError
from sync.blobfiles import BlobError


class ReadingService(DecisionsBase):
    def village_name(self, view: MatterView) -> str:
        row = self.conn.execute("SELECT name FROM nodes_dir WHERE id=?",
                                (view.matter.village,)).fetchone()
        if row and row[0]:
            return str(row[0])
        return self.station.name if view.matter.village == self.station.node_id else ""

    def file_pdf(self, record: str) -> bytes:
        """The whole 一事一档 as one PDF (app.docs.decisions), photos included."""
        from app.docs.decisions import matter_file
        view = self.view(record)
        photos = {}
        for item in view.matter.records:
            for attachment in item.get("attachments") or ():
                try:
                    photos[attachment["sha256"]] = self.station.blobs.read(attachment["sha256"])
                except (OSError, BlobError):
                    continue   # not synced here yet: the file says so
        return matter_file(view, self.village_name(view), photos)

    def preview(self, record: str, body: str, attendance: Iterable[Mapping[str, Any]],
                proxies: Iterable[Mapping[str, str]] = (), basis: str = meetings.ADULTS,
                on: date | None = None) -> MeetingResult:
        """The live quorum and vote of a meeting being ticked on the tablet."""
        view = self.view(record)
        lines = [Attendance(str(a["person"]), a.get("mode") or meetings.IN_PERSON, a.get("vote"))
                 for a in attendance]
        lines += [Attendance(str(p["principal"]), meetings.PROXY, None, str(p["holder"]))
                  for p in proxies]
        try:
            return meetings.tally(body, view.context.people, lines, on or self.today(),
                                  self.decision_rules, basis=basis)
        except DecisionError as exc:
            raise ServiceError(exc.message) from exc

    def matters(self, village: str | None = None) -> list[dict[str, Any]]:
        """Matters, blocked or failed ones first, then by latest change."""
        cursor = self.conn.execute(
            "SELECT m.*, COALESCE(n.name, '') AS village_name FROM village_matters m"
            " LEFT JOIN nodes_dir n ON n.id=m.village"
            + (" WHERE m.village=?" if village else "")
            + " ORDER BY (m.blocked<>'' OR m.trouble<>'') DESC, m.finished, m.hlc DESC",
            (village,) if village else ())
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def by_village(self, rows: Sequence[Mapping[str, Any]] | None = None
                   ) -> dict[str, dict[str, Any]]:
        """The town's chart: per village, matters by the step they are at (待审核,
        受阻, 已办结 counted too) and how many 村务公开 are overdue."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.matters() if rows is None else rows:
            entry = out.setdefault(row["village"], {
                "name": row.get("village_name") or "（未知村）", "steps": {}, "blocked": 0,
                "overdue": 0})
            label = ("待镇审核" if row["status"] == "已报备" else
                     row["current_label"] or "已办结")
            entry["steps"][label] = entry["steps"].get(label, 0) + 1
            entry["blocked"] += int(bool(row["blocked"] or row["trouble"]))
        for village, entry in out.items():
            entry["overdue"] = sum(1 for due in self.publicity(village) if due.overdue)
        return out

    def inbox(self) -> list[dict[str, Any]]:
        """The town's filings waiting for review, oldest first."""
        return sorted((m for m in self.matters() if m["status"] == "已报备"),
                      key=lambda m: m["hlc"])

    def publicity(self, village: str | None = None, busy_finances: bool = False
                  ) -> list[Due]:
        """村务公开 dues (Art 30) since the register began, each resolved matter a major
        item to publish at once."""
        register = self.register(village)
        if register is None or not register.history and not register.publications:
            return []
        since = min([date.fromisoformat(p["on"]) for p in register.publications] +
                    [date.fromisoformat(m["opened_on"]) for m in self.matters(
                        register.village)] or [self.today()])
        majors = [{"id": m["record"], "title": m["title"], "date": m["resolved_on"]}
                  for m in self.matters(register.village) if m["resolved_on"]]
        pubs = [{"category": p["category"], "date": p["on"], "event": p.get("event")}
                for p in register.publications]
        return publicity_schedule(pubs, majors, since, self.today(), busy_finances,
                                  self.decision_rules)

