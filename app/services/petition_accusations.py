"""检举控告 (RULES.md §2, §4): filed only ever sealed for the discipline role, and the
visible summaries (receipt number, date, level, 已密封) this tablet may show.

This is the one code path for every sealed report (issue #13 §1): the petition screens'
检举控告 and the supervision intake both call ``file_accusation``. The text and every
evidence file are sealed here, on this device, before anything is stored (app.sealing):
the evidence goes into the attachments as sealed bytes only, and a camera shot taken
for it is deleted once sealed.

``PetitionAccusations`` is a mixin of ``app.services.petitions.Petitions``; screens keep
importing from app.services.petitions, which re-exports ``Sealer``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.accounts import Cadre
from app.domain.petition.sealed import (
    EVENT_TYPE as SEALED_TYPE, display_line, sealed_payload, sealed_plaintext)
from app.services.errors import ServiceError
from app.services.photos import PHOTOS
from app.services.receipts import next_receipt
from app.services.workflow import Attachment, person
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
                        evidence: Sequence[Attachment] = (),
                        subject: str | None = None,
                        evidence_files: Sequence[Path] = ()) -> dict[str, Any]:
        """检举控告: sealed for the discipline role by ``seal`` (the sealing module's
        ``seal_for_discipline``) and written as one confidential event; ``evidence``
        (photos, scans) sealed the same way. Returns {record, receipt_no, summary,
        line} — what this tablet may show of it from now on. ``evidence_files``: the
        files the evidence was read from; camera shots among them are deleted."""
        from app.sealing import seal_file
        at = self.stamp(received_at)
        received_on = datetime.fromisoformat(at).date()
        if received_on > self.today():
            raise ServiceError("收到时间不能晚于今天。")
        sealed_files = [seal_file(self.station, item.data) for item in evidence] \
            if evidence else []
        listed = [{"name": item.name, "mime": item.mime, "size": len(item.data),
                   "sealed_sha256": hashlib.sha256(sealed).hexdigest()}
                  for item, sealed in zip(evidence, sealed_files)]
        try:
            plaintext = sealed_plaintext(content=content.strip(), accused=accused,
                                         channel=channel, received_at=at,
                                         complainant=complainant, evidence=listed,
                                         first_officer=person(officer), subject=subject)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        ciphertext = seal(self.station, plaintext)
        receipt_no = next_receipt(self.station, received_on)
        attachments = [self.station.store.add_blob(self.station.blobs, sealed)
                       for sealed in sealed_files]
        try:
            payload = sealed_payload(ciphertext, received_on, self.level, receipt_no,
                                     attachments)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        record = uuid7()
        self.write([NewEvent(SEALED_TYPE, record, payload, officer.id)])
        _forget_camera_shots(self.station.data, evidence_files)
        summary = {"category": payload["category"], "received_on": payload["received_on"],
                   "level": payload["level"], "receipt_no": receipt_no}
        return {"record": record, "receipt_no": receipt_no, "summary": summary,
                "line": display_line(summary)}

    def accusations(self) -> list[dict[str, Any]]:
        """The 检举控告 this tablet holds, as anyone here may see them: category, date
        received, level, and the one line for registers (no content, no names)."""
        rows = self.conn.execute("SELECT record, category, received_on, level, receipt_no FROM"
                                 " sealed_accusations ORDER BY received_on DESC, record DESC")
        out = []
        for record, category, received_on, level, receipt_no in rows:
            summary = {"category": category, "received_on": received_on, "level": level}
            if receipt_no:
                summary["receipt_no"] = receipt_no
            out.append({"record": record, **summary, "line": display_line(summary)})
        return out


def _forget_camera_shots(data: Path, files: Sequence[Path]) -> None:
    """A photo the tablet's camera took for the evidence (kept under ``photos/``) is
    plaintext on disk: once it is sealed into the report it goes."""
    folder = (data / PHOTOS).resolve()
    for file in files:
        path = Path(file).resolve()
        if path.parent == folder and path.is_file():
            path.unlink()


__all__ = ["PetitionAccusations", "Sealer"]
