"""信访 steps beyond the first handling (issue #10): the county hands a petition down to a
town (交办, 信访工作条例 Art 22), a 复查/复核 that lies above the county is recorded and
sent there (Art 35–36: 原办理机关的上一级 — the city, outside this system) with the
city's conclusion once known, leaders take petitions (包案) and receive petitioners (接访)
(the seed: 落实和完善县乡领导干部接访、包案制度), and the petitioner rates the answer
(可评价).

``PetitionUpper`` is a mixin of ``app.services.petitions.Petitions``; every step is
checked and written by its ``_act``.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.config import rating_payload
from app.domain.errors import ConfigError
from app.domain.petition.state import REVIEW_RESULTS, UPPER_OUTSIDE
from app.services.directory import towns
from app.services.errors import ServiceError
from app.services.workflow import as_date, named

RATING_HOW = ("当面", "电话", "上门", "网上", "信函")


class PetitionUpper:
    """交办, 转请上级, 上级结论, 包案, 接访, 评价 of ``Petitions``."""

    def towns(self) -> list[dict[str, str]]:
        """The towns this county may hand a petition down to: [{hub, name}]."""
        return towns(self.conn)

    def assign(self, officer: Cadre, record: str, *, town: str, reason: str = "",
               notice_on: date | str | None = None, report_by: date | str | None = None,
               on: date | str | None = None) -> dict[str, Any]:
        """交办 (county only): the town (its hub id or name) handles it from now on and
        reports back; the petitioner is told where it went."""
        target = next((t for t in self.towns() if town in (t["hub"], t["name"])), None)
        if target is None:
            raise ServiceError("请从列表里选择交办的镇（列表里没有的镇还没有同步到本机）。")
        payload: dict[str, Any] = {"on": self.on(on), "to": target["name"],
                                   "to_node": target["hub"], "notice_on": self.on(notice_on)}
        if reason.strip():
            payload["reason"] = reason.strip()
        if report_by:
            payload["report_by"] = as_date(report_by).isoformat()
        state = self.petition(record)
        return self.step(officer, record, state, "petition.assigned", payload,
                         owner=target["hub"])

    def refer_up(self, officer: Cadre, record: str, *, stage: str, requested_on: date | str,
                 to: str = "", note: str = "", on: date | str | None = None
                 ) -> dict[str, Any]:
        """Record a 复查/复核 request that lies with the level above the county and where
        it was sent (never refused: the upper level decides on it)."""
        payload: dict[str, Any] = {"on": self.on(on), "stage": stage,
                                   "to": to.strip() or UPPER_OUTSIDE,
                                   "requested_on": as_date(requested_on).isoformat()}
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "petition.referred_up", payload)

    def record_outside_review(self, officer: Cadre, record: str, *, by: str, result: str,
                              opinion: str, on: date | str | None = None) -> dict[str, Any]:
        """The city's 复查/复核 conclusion on a county answer, once the county learns it."""
        state = self.petition(record)
        if not state.appeal_outside:
            raise ServiceError("这件信访事项没有转请上级复查或复核。")
        if result not in REVIEW_RESULTS:
            raise ServiceError("请选择上级的结论：" + "、".join(REVIEW_RESULTS) + "。")
        return self._act(officer, record, "petition.reviewed", {
            "on": self.on(on), "stage": str(state.appeals[-1].get("stage", "复查")),
            "result": result, "opinion": opinion.strip(), "by": by.strip()}, state)

    def assign_leader(self, officer: Cadre, record: str,
                      leader: Mapping[str, Any] | str | Cadre, note: str = "",
                      on: date | str | None = None) -> dict[str, Any]:
        """包案: a town or county leader takes the petition until it is resolved."""
        who = named(leader)
        if who is None:
            raise ServiceError("请填写包案领导的姓名和职务。")
        payload: dict[str, Any] = {"on": self.on(on), "leader": who}
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "petition.leader_assigned", payload)

    def record_reception(self, officer: Cadre, record: str,
                         leader: Mapping[str, Any] | str | Cadre, note: str,
                         outcome: str = "", place: str = "", on: date | str | None = None
                         ) -> dict[str, Any]:
        """领导接访: which leader met the petitioner, what was said and agreed."""
        who = named(leader)
        if who is None:
            raise ServiceError("请填写接访领导的姓名。")
        payload: dict[str, Any] = {"on": self.on(on), "leader": who, "note": note.strip()}
        if outcome.strip():
            payload["outcome"] = outcome.strip()
        if place.strip():
            payload["place"] = place.strip()
        return self._act(officer, record, "petition.leader_received", payload)

    def rate(self, officer: Cadre, record: str, level: str, reason: str = "",
             how: str = "电话", on: date | str | None = None) -> dict[str, Any]:
        """可评价: the petitioner's rating of the answer, with the town's rating options
        (``service.satisfaction_levels``; 不满意 needs its reason)."""
        if how not in RATING_HOW:
            raise ServiceError("请选择评价方式：" + "、".join(RATING_HOW) + "。")
        try:
            payload = rating_payload(self.rules.config, level, reason.strip(), self.on(on))
        except ConfigError as exc:
            raise ServiceError(exc.message) from exc
        payload["how"] = how
        return self._act(officer, record, "petition.rated", payload)


__all__ = ["PetitionUpper", "RATING_HOW"]
