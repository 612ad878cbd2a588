"""矛盾纠纷 agreements: the 调解协议书 drafted, checked against 人民调解法 Art 29 and
recorded (or an oral agreement, Art 28), and 司法确认 (Art 33, within 30 days).

``DisputeAgreements`` is a mixin of ``app.services.disputes.Disputes`` (it uses the
station, clock, rules, numbering and ``_act`` of that service).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.dispute.agreement import agreement_problems
from app.domain.dispute.clocks import confirmation_warning
from app.domain.dispute.state import CONFIRMATION_STATUSES, CONSENTING_ROLES
from app.services.errors import ServiceError
from app.services.workflow import as_date


class DisputeAgreements:
    """Agreements and 司法确认 of ``Disputes`` (mixin)."""

    def draft_agreement(self, record: str) -> dict[str, Any]:
        """A 调解协议书 to complete on screen: the parties on both sides, the mediators of
        the holding level, the committee and the next number (used up when saved)."""
        state = self.dispute(record)
        mediators = [m for s in state.sessions if s.level == state.level for m in s.mediators]
        committee = {"village": f"{state.village or self.station.name}人民调解委员会",
                     "town": f"{self.station.name}人民调解委员会"}.get(self.level,
                                                                 f"{self.station.name}人民调解委员会")
        return {
            "no": self._agreement_no(self.peek_number("agreement")),
            "committee": committee[:60], "mediators": list(dict.fromkeys(mediators)),
            "parties": [{k: v for k, v in {"name": p.name, "role": p.role,
                                           "address": p.address, "id_number": p.id_number,
                                           "phone": p.phone}.items() if v}
                        for p in state.parties if p.role in CONSENTING_ROLES],
            "facts": "", "disputed_points": "", "responsibilities": "", "terms": [],
            "signatures": {"parties": [], "mediator": "", "seal": False},
            "effective_on": self.today().isoformat()}

    def agreement_problems(self, record: str, agreement: Mapping[str, Any]) -> list[str]:
        """What the agreement still lacks under 人民调解法 Art 29 (empty: complete)."""
        return agreement_problems(agreement, self.dispute(record).parties)

    def record_agreement(self, officer: Cadre, record: str, agreement: Mapping[str, Any],
                         on: date | str | None = None) -> dict[str, Any]:
        """调解成功: the signed 调解协议书 (every Art 29 field; the documents module prints it
        from the stored mapping)."""
        doc = dict(agreement)
        drafted = self._agreement_no(self.peek_number("agreement"))
        if not str(doc.get("no", "")).strip():
            doc["no"] = drafted
        problems = self.agreement_problems(record, doc)
        if problems:
            raise ServiceError("调解协议书还缺：" + "；".join(problems) + "（人民调解法第二十九条），"
                               "请补全后再保存。", problems)
        event = self._act(officer, record, "dispute.agreed", {"on": self.on(on), "agreement": doc})
        if doc["no"] == drafted:
            self.next_number("agreement")   # the drafted number is used now
        return event

    def record_oral_agreement(self, officer: Cadre, record: str, *,
                              terms: Sequence[Mapping[str, Any]], recorded_by: str = "",
                              effective_on: date | str | None = None,
                              on: date | str | None = None) -> dict[str, Any]:
        """调解成功 by an oral agreement (人民调解法 Art 28: the parties need no paper; the
        mediator records what was agreed; Art 30: in force the day it is reached)."""
        state = self.dispute(record)
        doc: dict[str, Any] = {
            "no": self._agreement_no(self.peek_number("agreement")), "form": "口头",
            "parties": [{"name": p.name, "role": p.role} for p in state.parties
                        if p.role in CONSENTING_ROLES],
            "terms": [{k: str(t.get(k, "")).strip() for k in ("content", "how", "due")}
                      for t in terms],
            "recorded_by": (recorded_by or officer.name).strip(),
            "effective_on": self.on(effective_on)}
        problems = agreement_problems(doc, state.parties)
        if problems:
            raise ServiceError("口头协议还缺：" + "；".join(problems) + "，请补全后再保存。", problems)
        event = self._act(officer, record, "dispute.agreed", {"on": self.on(on), "agreement": doc})
        self.next_number("agreement")
        return event

    def _agreement_no(self, number: int) -> str:
        return f"{self.prefix()}调〔{self.today():%Y}〕{number}号"[:40]

    def confirmation_warning(self, record: str, on: date | str | None = None) -> str | None:
        """A 司法确认 applied for after its 30 days (人民调解法 Art 33): the warning to show
        before saving (``on``) or on the record; None when in time."""
        day = as_date(on) if on is not None else None
        return confirmation_warning(self.dispute(record), self.rules.calendar,
                                    self.dispute_rules, day)

    def record_confirmation(self, officer: Cadre, record: str, status: str, court: str = "",
                            note: str = "", on: date | str | None = None) -> dict[str, Any]:
        if status not in CONFIRMATION_STATUSES:
            raise ServiceError("请选择司法确认情况：" + "、".join(CONFIRMATION_STATUSES) + "。")
        payload: dict[str, Any] = {"on": self.on(on), "status": status}
        if court.strip():
            payload["court"] = court.strip()
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "dispute.confirmation", payload)
