"""检举控告 (RULES.md §2, §4): filed only ever sealed for the discipline role, and the
visible summaries (category, date, level) this tablet may show.

``PetitionAccusations`` is a mixin of ``app.services.petitions.Petitions``; screens keep
importing from app.services.petitions, which re-exports ``Sealer``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.accounts import Cadre
from app.domain.petition_sealed import (
    EVENT_TYPE as SEALED_TYPE, display_line, sealed_payload, sealed_plaintext)
from app.services.errors import ServiceError
from app.services.workflow import person
from app.station import Station
from sync.ids import uuid7
from sync.store import NewEvent

Sealer = Callable[[Station, bytes], str]


class PetitionAccusations:
    """检举控告 of ``Petitions``."""

    def file_accusation(self, officer: Cadre, *, content: str,
                        accused: Sequence[Mapping[str, Any]], channel: str, seal: Sealer,
                        received_at: datetime | str | None = None,
                        complainant: Mapping[str, Any] | None = None,
                        evidence: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
        """检举控告: sealed for the discipline role by ``seal`` (the sealing module's
        ``seal_for_discipline``) and written as one confidential event; returns
        {record, summary, line} — what this tablet may show of it from now on."""
        at = self.stamp(received_at)
        received_on = datetime.fromisoformat(at).date()
        if received_on > self.today():
            raise ServiceError("收到时间不能晚于今天。")
        try:
            plaintext = sealed_plaintext(content=content.strip(), accused=accused,
                                         channel=channel, received_at=at,
                                         complainant=complainant, evidence=evidence,
                                         first_officer=person(officer))
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        ciphertext = seal(self.station, plaintext)
        try:
            payload = sealed_payload(ciphertext, received_on, self.level)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        record = uuid7()
        self.write([NewEvent(SEALED_TYPE, record, payload, officer.id)])
        summary = {"category": payload["category"], "received_on": payload["received_on"],
                   "level": payload["level"]}
        return {"record": record, "summary": summary, "line": display_line(summary)}

    def accusations(self) -> list[dict[str, Any]]:
        """The 检举控告 this tablet holds, as anyone here may see them: category, date
        received, level, and the one line for registers (no content, no names)."""
        rows = self.conn.execute("SELECT record, category, received_on, level FROM"
                                 " sealed_accusations ORDER BY received_on DESC, record DESC")
        out = []
        for record, category, received_on, level in rows:
            summary = {"category": category, "received_on": received_on, "level": level}
            out.append({"record": record, **summary, "line": display_line(summary)})
        return out


__all__ = ["PetitionAccusations", "Sealer"]
