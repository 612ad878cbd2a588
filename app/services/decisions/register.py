"""The village register of the decision service (issue #12 §3): the roster kept by the
village and synced (party members, representatives, households and adults), its
composition warnings, the 村民会议's authorisations of the 代表会议 and the 村务公开 (Art 30)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.decisions.composition import RosterWarning, roster_warnings
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.matters import KNOWN
from app.domain.decisions.village import check_entry
from app.services.decisions.base import DecisionsBase
from app.services.errors import ServiceError
from app.services.workflow import person
from sync.ids import uuid7
from sync.store import NewEvent

REGISTER_KEY = "decisions:register"
CHUNK = 400          # roster entries per event (schemas/decision: maxItems)


class RegisterService(DecisionsBase):
    def register_record(self) -> str:
        """This village's register record (made on first use)."""
        row = self.conn.execute("SELECT record FROM village_registers WHERE village=?"
                                " ORDER BY hlc LIMIT 1", (self.station.node_id,)).fetchone()
        if row:
            return str(row[0])
        return str(self.store.meta.get(REGISTER_KEY) or "") or self._new_register()

    def _new_register(self) -> str:
        record = uuid7()
        self.store.meta.set(REGISTER_KEY, record)
        return record

    def set_people(self, officer: Cadre, entries: Sequence[Mapping[str, Any]],
                   removed: Sequence[str] = (), on: date | str | None = None) -> list[str]:
        """Add or change roster entries (each needs ``name``; a new one gets an id);
        returns the ids in order.  Every entry is checked before anything is written."""
        self._village_only("花名册")
        people = []
        for entry in entries:
            doc = {k: v for k, v in entry.items() if v not in (None, "")}
            doc.setdefault("id", uuid7())
            if doc.get("birth_date"):
                try:
                    doc["birth_date"] = self._day(doc["birth_date"])
                except ServiceError as exc:
                    raise ServiceError(f"“{doc.get('name') or '（无名）'}”的出生{exc.message}") from exc
            try:
                check_entry(doc)
            except DecisionError as exc:
                raise ServiceError(f"“{doc.get('name') or '（无名）'}”：{exc.message}") from exc
            people.append(doc)
        record, when = self.register_record(), self.on(on)
        items = [NewEvent("decision.roster_changed", record,
                          {"on": when, "people": people[i:i + CHUNK], "officer": person(officer)},
                          officer.id) for i in range(0, len(people), CHUNK)]
        if removed:
            items.append(NewEvent("decision.roster_changed", record,
                                  {"on": when, "removed": list(removed)[:CHUNK],
                                   "officer": person(officer)}, officer.id))
        self.write(items)
        return [p["id"] for p in people]

    def roster(self, village: str | None = None) -> list[dict[str, Any]]:
        register = self.register(village)
        return register.entries() if register else []

    def roster_warnings(self, village: str | None = None) -> list[RosterWarning]:
        """村民代表 ≥ 4/5 and women ≥ 1/3 of the 代表会议, a woman on the 村委会 (Art 25, 6)."""
        register = self.register(village)
        return roster_warnings(register.people() if register else (), self.decision_rules)

    def authorise(self, officer: Cadre, *, scope: Sequence[str], since: date | str,
                  record: str, until: date | str | None = None,
                  on: date | str | None = None) -> dict[str, Any]:
        """村民会议授权村民代表会议 (Art 25(1)): the matter kinds (or "all"), from/until."""
        self._village_only("村民会议授权")
        kinds = list(scope)
        if not kinds or any(k not in KNOWN and k != "all" for k in kinds):
            raise ServiceError("请选择授权的事项类别（或“全部”）")
        if not record.strip():
            raise ServiceError("请写明作出授权的村民会议（日期、会议记录）")
        payload: dict[str, Any] = {"on": self.on(on), "scope": kinds,
                                   "from": self._day(since), "record": record.strip(),
                                   "officer": person(officer)}
        if until:
            payload["until"] = self._day(until)
        return self.write([NewEvent("decision.authorised", self.register_record(), payload,
                                    officer.id)])[0]

    def publish(self, officer: Cadre, *, category: str, title: str, place: str = "",
                event: str = "", on: date | str | None = None) -> dict[str, Any]:
        """One 村务公开 (Art 30): 一般事项, 财务收支 or 重大事项 (``event``: the matter)."""
        self._village_only("村务公开")
        if not title.strip():
            raise ServiceError("请填写公开的内容")
        payload = {"on": self.on(on), "category": category, "title": title.strip(),
                   "officer": person(officer),
                   **({"place": place.strip()} if place.strip() else {}),
                   **({"event": event} if event else {})}
        return self.write([NewEvent("decision.published", self.register_record(), payload,
                                    officer.id)])[0]

