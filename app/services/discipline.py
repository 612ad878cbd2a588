"""The 纪委's desk (issue #13 §2): the sealed reports it can open, its cases, their clocks,
一案双查, the 办案协作区 and the 廉政档案 — on a certified discipline device only.

Every case event is sealed on the writing device (app.sealing, HPKE) to the discipline
devices of the case's town, of the county, and of the towns the case is shared with; its
payload is the envelope alone. Nothing of a case is projected into a table: the desk opens
the events in memory when asked and folds the opened events (each sealed payload replaced
by its plaintext) with the declaration on the workflow engine
(app.domain.supervision.case_flow.CASE), so the station database holds ciphertext only.

Sharing (办案协作区): the share event also carries, sealed to the new partners too, the
case's earlier documents, so a partner that could not open the earlier events folds the
whole case from it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.accounts import Cadre
from app.authority import author_of
from app.domain.authority import check_write
from app.domain.petition.sealed import EVENT_TYPE as REPORT_TYPE
from app.domain.supervision import case_flow as flow
from app.domain.supervision.case_flow import CASE, CaseState
from app.domain.supervision.cases import case_clocks
from app.domain.supervision.rules import SupervisionRules
from app.seal_envelope import SealError, open_text, seal_text, unb64
from app.sealing import _keys_at, _private_keys
from app.services.errors import ServiceError
from app.services.rules import RulesCache
from app.station import Station
from sync import log
from sync.ids import uuid7
from sync.policy import DISCIPLINE_ROLE
from sync.store import NewEvent

NOT_DISCIPLINE = "只有纪委（纪检监察）角色的设备才能办理案件；本机不是纪委的设备。"


class DisciplineDesk:
    def __init__(self, station: Station, today: Callable[[], date] = date.today) -> None:
        if DISCIPLINE_ROLE not in station.identity().get("roles", []):
            raise ServiceError(NOT_DISCIPLINE)
        self.station = station
        self.conn = station.store.conn
        self.today = today
        self.rules_cache = RulesCache(self.conn)

    # facts about this device ----------------------------------------------------------
    @property
    def rules(self) -> SupervisionRules:
        return SupervisionRules.from_config(self.rules_cache.get().config)

    @property
    def level(self) -> str:
        return self.station.level

    @property
    def town(self) -> str:
        """The hub that certified this device (a town's hub, or the county's)."""
        return self.station.hub_id() or ""

    @property
    def county(self) -> str:
        ancestors = self.station.ancestors()
        return ancestors[-1] if ancestors else self.town

    def _privates(self) -> list[X25519PrivateKey]:
        return _private_keys(self.station.store)

    # opening --------------------------------------------------------------------------
    def _events(self, kind: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (kind,))
        return [log.row_to_event(r) for r in rows]

    def _author(self, origin: str) -> tuple[str, str] | None:
        """The certified (level, certifying hub) of a discipline device; None otherwise."""
        cert = self.station.store.directory.verified(origin)
        if cert is None or DISCIPLINE_ROLE not in cert.roles:
            return None
        return cert.kind, cert.parent

    def _opened(self) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, str],
                               dict[str, str]]:
        """Every case event this device can open and whose author the declaration
        allows, opened (the plaintext as its payload), by record; the earlier documents a
        share carries fill in the rest.  With the authors' certified levels and hubs."""
        privates = self._privates()
        by_record: dict[str, dict[str, dict[str, Any]]] = {}
        levels: dict[str, str] = {}
        parents: dict[str, str] = {}

        def known(origin: str) -> bool:
            author = self._author(origin)
            if author is not None:
                levels[origin], parents[origin] = author
            return author is not None

        for event in self._events(flow.KIND):
            cert = self.station.store.directory.verified(event["origin"])
            if not known(event["origin"]) or cert is None \
                    or not check_write(event, author_of(cert)).ok:
                continue
            try:
                body = json.loads(open_text(event["payload"].get("sealed", ""), privates))
            except (SealError, ValueError):
                continue                       # not sealed to this device, or damaged
            held = by_record.setdefault(event["record"], {})
            held[event["id"]] = {**event, "payload": body}
            if event["type"] != "discipline.case_shared":
                continue
            for earlier in body.get("history", []):
                if known(str(earlier.get("origin"))) and earlier.get("id") not in held:
                    held[earlier["id"]] = {
                        "id": earlier["id"], "type": earlier["type"], "v": 1,
                        "record": event["record"], "origin": earlier["origin"],
                        "seq": int(earlier.get("seq", 0)), "hlc": int(earlier["hlc"]),
                        "author": earlier.get("author", ""), "payload": earlier["body"]}
        return by_record, levels, parents

    def _fold(self, events: Mapping[str, Mapping[str, Any]], levels: Mapping[str, str],
              parents: Mapping[str, str]) -> CaseState:
        return CASE.fold(events.values(), levels, self.rules, parents)

    def cases(self) -> list[CaseState]:
        by_record, levels, parents = self._opened()
        states = [self._fold(events, levels, parents) for events in by_record.values()]
        return sorted((s for s in states if s.status != "new"),
                      key=lambda s: (s.status in flow.DONE, s.received), reverse=False)

    def case(self, record: str) -> CaseState:
        by_record, levels, parents = self._opened()
        if not by_record.get(record):
            raise ServiceError("本机没有这件案件，或本机无权查看：请先同步；协作乡镇须由立案乡镇纪委设置办案协作。")
        return self._fold(by_record[record], levels, parents)

    def clocks(self, state: CaseState) -> list[Any]:
        calendar = self.rules_cache.get().calendar
        return case_clocks(state.as_case(), self.today(), calendar, self.rules)

    def actions(self, state: CaseState) -> list[tuple[str, str]]:
        return CASE.buttons(state, self.level, self.rules, node=self.station.node_id,
                            parent=self.town)

    def reports(self) -> list[dict[str, Any]]:
        """The sealed reports (检举控告) held here that this device can open, newest first,
        each with the case opened from it (if any)."""
        privates = self._privates()
        opened_from = {s.report: s.record for s in self.cases() if s.report}
        out = []
        for event in reversed(self._events("complaint")):
            if event["type"] != REPORT_TYPE:
                continue
            try:
                body = json.loads(open_text(event["payload"]["sealed"], privates))
            except (SealError, ValueError, KeyError):
                continue
            out.append({**body, "record": event["record"],
                        "receipt_no": event["payload"].get("receipt_no", ""),
                        "received_on": event["payload"].get("received_on", ""),
                        "attachments": event["payload"].get("attachments", []),
                        "case": opened_from.get(event["record"])})
        return out

    def integrity_file(self, name: str | None = None) -> list[dict[str, Any]]:
        """廉政档案 entries from every case this device can read (one person's if named)."""
        entries = [e for s in self.cases() for e in flow.integrity_entries(s)]
        return [e for e in entries if name is None or e["name"] == name]

    # writing ------------------------------------------------------------------------
    def _recipients(self, towns: Sequence[str]) -> list[bytes]:
        hubs = list(dict.fromkeys([*towns, self.county]))
        keys = _keys_at(self.conn, hubs, self.station.store.directory)
        if not keys:
            raise ServiceError("纪委的密钥还没有同步到本机，请先同步。")
        return [unb64(keys[node]) for node in sorted(keys)]

    def _write(self, officer: Cadre, record: str, kind: str, body: Mapping[str, Any],
               towns: Sequence[str]) -> dict[str, Any]:
        sealed = seal_text(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                           self._recipients(towns))
        try:
            return self.station.store.append_many(
                [NewEvent(kind, record, {"sealed": sealed}, officer.id)])[0]
        except Exception as exc:
            raise ServiceError(f"保存失败：{getattr(exc, 'message', exc)}") from exc

    def open_case(self, officer: Cadre, body: Mapping[str, Any], town: str | None = None
                  ) -> CaseState:
        """受理 a clue (from a sealed report: ``body["report"]``) as a new case of this
        town (the county names the town)."""
        body = dict(body)
        if self.level == "county":
            if not town:
                raise ServiceError("县纪委受理时请选择案件所属乡镇")
            body["town"] = town
        owner_town = town if self.level == "county" else self.town
        state = CaseState(record="", town=owner_town or "")
        self._check(state, "discipline.case_opened", body)
        record = uuid7()
        self._write(officer, record, "discipline.case_opened", body, [owner_town or ""])
        return self.case(record)

    def act(self, officer: Cadre, record: str, kind: str, body: Mapping[str, Any]) -> CaseState:
        """One step of a case, checked against the declaration, then sealed and written."""
        state = self.case(record)
        body = dict(body)
        if kind == "discipline.case_shared":
            body["history"] = [self._history(e)
                               for e in self._opened()[0].get(record, {}).values()]
        self._check(state, kind, body)
        towns = [state.town, *state.shared_with]
        if kind == "discipline.case_shared":
            towns += list(body.get("towns", []))
        self._write(officer, record, kind, body, towns)
        return self.case(record)

    def _check(self, state: CaseState, kind: str, body: Mapping[str, Any]) -> None:
        me = self.station.node_id
        probe = {"type": kind, "v": 1, "payload": body, "origin": me}
        verdict = CASE.check(state, probe, self.level, self.rules, {me: self.town})
        if not verdict.ok:
            raise ServiceError(verdict.message)
        if body.get("on") and date.fromisoformat(str(body["on"])) > self.today():
            raise ServiceError("日期还没有到，请选择今天或以前的日期。")

    @staticmethod
    def _history(event: Mapping[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in event["payload"].items() if k != "history"}
        return {"id": event["id"], "type": event["type"], "origin": event["origin"],
                "hlc": event["hlc"], "seq": event.get("seq", 0), "body": body}
