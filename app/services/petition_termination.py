"""信访 依法终结 (RULES.md §2): termination with who keeps following it up (有人管、管得住),
the 终结听证 and its consequence, a new follow-up person, and each follow-up.

``PetitionTermination`` is a mixin of ``app.services.petitions.Petitions`` (it uses that
service's ``_act`` and clock); screens keep calling ``Petitions``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.petition.state import CONSEQUENCES, TERMINATION_BASES
from app.services.errors import ServiceError
from app.services.workflow import named, names, person


class PetitionTermination:
    """依法终结 steps of ``Petitions``; each is checked and written by ``Petitions._act``."""

    def terminate(self, officer: Cadre, record: str, *, basis: str,
                  follow_up: Mapping[str, Any] | str | Cadre, note: str = "",
                  on: date | str | None = None) -> dict[str, Any]:
        """依法终结, naming who keeps following it up (有人管、管得住)."""
        if basis not in TERMINATION_BASES:
            raise ServiceError("请选择终结依据：" + "、".join(TERMINATION_BASES) + "。")
        payload: dict[str, Any] = {"on": self.on(on), "basis": basis,
                                   "follow_up": named(follow_up) or {}}
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "petition.terminated", payload)

    def record_termination_hearing(self, officer: Cadre, record: str, *,
                                   panel: Sequence[str] | str,
                                   participants: Sequence[str] | str, conclusion: str,
                                   consequence: str, accountable_unit: str = "",
                                   follow_up: Mapping[str, Any] | str | Cadre | None = None,
                                   organiser: str = "", on: date | str | None = None
                                   ) -> dict[str, Any]:
        """终结听证 (town or county, with the county 调处中心): conclusion and consequence —
        问责 of the handling unit, or 依法处理."""
        if consequence not in CONSEQUENCES:
            raise ServiceError("请选择听证后的处理：问责（办理单位有过错）或依法处理（诉求不合理）。")
        payload: dict[str, Any] = {"on": self.on(on), "panel": names(panel),
                                   "participants": names(participants),
                                   "conclusion": conclusion.strip(), "consequence": consequence}
        if accountable_unit.strip():
            payload["accountable_unit"] = accountable_unit.strip()
        if named(follow_up):
            payload["follow_up"] = named(follow_up)
        if organiser.strip():
            payload["organiser"] = organiser.strip()
        return self._act(officer, record, "petition.termination_heard", payload)

    def assign_follow_up(self, officer: Cadre, record: str,
                         assignee: Mapping[str, Any] | str | Cadre, reason: str = "",
                         on: date | str | None = None) -> dict[str, Any]:
        """A new person responsible for following up a terminated petition."""
        payload: dict[str, Any] = {"on": self.on(on), "person": named(assignee) or {}}
        if reason.strip():
            payload["reason"] = reason.strip()
        return self._act(officer, record, "petition.follow_up_assigned", payload)

    def follow_up(self, officer: Cadre, record: str, note: str,
                  by: Mapping[str, Any] | str | Cadre | None = None,
                  on: date | str | None = None) -> dict[str, Any]:
        return self._act(officer, record, "petition.followed_up", {
            "on": self.on(on), "by": named(by) or person(officer), "note": note.strip()})


__all__ = ["PetitionTermination"]
