"""The 村务监督委员会 at work on the village tablet, and the town's side (issue #13 §3).

* A member signs in on a village tablet the town certified for the committee (its
  certificate carries ``village_supervision``: app.domain.authority): the account is
  opened for someone on the committee's roster (``open_member_account``) and carries the
  local role ``supervisor`` with the roster id it signs for.  Such an account reads the
  village's decision files, 村务公开 and 财务收支 (``village_files``) and writes only the
  committee's inspections and opinions (app.services.workflow refuses the rest).
* Inspections and opinions (with photos) are written by the member; an opinion goes to
  the town (a village record: the town's stations receive it); a town station answers
  (``answer``), and the answer comes back down on the village's own record.
* The town's 党风政风监督组 roster (``set_group``), checked by
  app.domain.supervision.town_group.

Rules: app.domain.supervision.oversight (who signs, whose town answers, the deadline).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.accounts import SUPERVISOR_ROLE, AccountError, Cadre, add_cadre, cadre_roles
from app.authority import admissible, directory_for
from app.domain.authority import VILLAGE_SUPERVISION
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.oversight import (
    ANSWERED, INSPECTED, SENT, Opinion, Refused, answered_on_time, check_answer,
    check_report, fold_opinion, inspection_ok)
from app.domain.supervision.town_group import group_findings
from app.projections.decisions import parents as certified_parents
from app.services.errors import ServiceError
from app.services.supervisors import KIND, Supervisors
from app.services.workflow import Attachment, person
from sync import log
from sync.ids import uuid7
from sync.store import NewEvent

MEMBER_KEY = "supervisor_member:"      # meta key + cadre id → the roster id it signs for


@dataclass(frozen=True)
class Inspection:
    record: str
    village: str
    member: Mapping[str, Any]
    on: str
    subject: str
    place: str
    findings: str
    attachments: tuple[Mapping[str, Any], ...]


class Oversight(Supervisors):
    kind_name = "村务监督记录"

    # who is who --------------------------------------------------------------------------
    def certified(self) -> bool:
        """Has the town certified this tablet for the village's 监委会 (its certificate)?"""
        cert = directory_for(self.conn).verified(self.station.node_id)
        return cert is not None and VILLAGE_SUPERVISION in cert.roles

    def member_of(self, cadre: Cadre) -> Mapping[str, Any] | None:
        """The roster entry this signed-in cadre signs for, if it is a member's account."""
        if SUPERVISOR_ROLE not in cadre_roles(self.store, cadre.id):
            return None
        member_id = self.store.meta.get(MEMBER_KEY + cadre.id)
        return next((m for m in self.roster() if m["id"] == member_id), None)

    def roster(self) -> tuple[Mapping[str, Any], ...]:
        """This village's committee members (empty before one is recorded)."""
        try:
            return self.committee(self.station.name).members
        except ServiceError:
            return ()

    def open_member_account(self, by: Cadre, member_id: str, pin: str) -> Cadre:
        """An account on this tablet for a member of the committee (a colleague signed in
        opens it, as for any cadre); the member then signs in with their own 密码."""
        if self.level != "village" or not self.certified():
            raise ServiceError("本机还没有经镇里认证为村务监督委员会使用的平板：请镇里管理员在服务器上"
                               "给本村平板加上“村务监督委员会”权限后，重新登记本机。")
        member = next((m for m in self.roster() if m["id"] == member_id), None)
        if member is None:
            raise ServiceError("这个人不在本村村务监督委员会名单里：请先登记监委会名单。")
        try:
            cadre = add_cadre(self.store, str(member["name"]), "村务监督委员会成员", pin,
                              author=by.id, roles=(SUPERVISOR_ROLE,))
        except AccountError as exc:
            raise ServiceError(str(exc)) from exc
        self.store.meta.set(MEMBER_KEY + cadre.id, member_id)
        return cadre

    def _signer(self, officer: Cadre) -> Mapping[str, Any]:
        member = self.member_of(officer)
        if member is None:
            raise ServiceError("只有村务监督委员会成员本人登录后才能记录监督意见：请退出，"
                               "由监委会成员用自己的密码登录。")
        if not self.certified():
            raise ServiceError("本机没有经镇里认证为村务监督委员会使用的平板，不能记录：请联系镇里管理员。")
        return {"id": member["id"], "name": member["name"]}

    # the member's records ----------------------------------------------------------------
    def record_inspection(self, officer: Cadre, *, subject: str, findings: str, place: str = "",
                          on: date | str | None = None,
                          photos: Sequence[Attachment] = ()) -> dict[str, Any]:
        payload: dict[str, Any] = {"member": self._signer(officer), "on": self.on(on),
                                   "subject": subject.strip(), "findings": findings.strip()}
        if place.strip():
            payload["place"] = place.strip()[:100]
        return self._write_report(INSPECTED, payload, officer, photos)

    def send_opinion(self, officer: Cadre, *, subject: str, text: str,
                     inspection: str = "", on: date | str | None = None,
                     photos: Sequence[Attachment] = ()) -> dict[str, Any]:
        payload: dict[str, Any] = {"member": self._signer(officer), "on": self.on(on),
                                   "subject": subject.strip(), "text": text.strip()}
        if inspection:
            payload["inspection"] = inspection
        return self._write_report(SENT, payload, officer, photos)

    def _write_report(self, kind: str, payload: dict[str, Any], officer: Cadre,
                      photos: Sequence[Attachment]) -> dict[str, Any]:
        try:
            check_report(payload, [str(payload["member"]["id"])])
        except SupervisionError as exc:
            raise ServiceError(exc.message) from exc
        if len(photos) > 10:
            raise ServiceError("照片最多10张，请删去几张再保存。")
        if photos:
            payload["attachments"] = [
                {**self.store.add_blob(self.station.blobs, p.data), "mime": p.mime,
                 **({"name": p.name.strip()[:200]} if p.name.strip() else {})} for p in photos]
        return self.write([NewEvent(kind, uuid7(), payload, officer.id)])[0]

    # the town's answer -------------------------------------------------------------------
    def answer(self, officer: Cadre, record: str, text: str, on: date | str | None = None
               ) -> Opinion:
        opinion = self.opinion(record)
        if self.level != "town":
            raise ServiceError("村务监督意见由镇里答复：请在镇便民服务中心或镇纪委的平板上答复。")
        payload = {"on": self.on(on), "answer": text.strip(), "by": person(officer)}
        try:
            check_answer(payload, opinion.sent_on)
        except SupervisionError as exc:
            raise ServiceError(exc.message) from exc
        probe = {"id": "probe", "type": ANSWERED, "record": record, "origin": self.station.node_id,
                 "hlc": 2 ** 62, "payload": payload}
        after = fold_opinion([*self._events(record), probe], self.levels(), self.parents(),
                             self.members())
        refused = next((r for r in after.rejected if r.event == "probe"), None)
        if refused is not None:
            raise ServiceError(refused.message)
        self.write([NewEvent(ANSWERED, record, payload, officer.id)])
        return self.opinion(record)

    # reading -----------------------------------------------------------------------------
    def parents(self) -> dict[str, str]:
        out = certified_parents(self.conn)
        hub = self.station.hub_id()
        if hub:
            out.setdefault(self.station.node_id, hub)
        return out

    def _all(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
        return admissible([log.row_to_event(r) for r in rows], self.store.directory)

    def _events(self, record: str) -> list[dict[str, Any]]:
        events = [e for e in self._all() if e["record"] == record]
        if not events:
            raise ServiceError("找不到这条村务监督意见：可能还没有同步到本机，请先同步。")
        return events

    def members(self) -> dict[str, list[str]]:
        """village node id → member ids of its latest committee: recorded by the village
        itself, or by a town station for it (matched by the village's name)."""
        levels = self.levels()
        names = {name: node for node, name in self.conn.execute(
            "SELECT id, name FROM nodes_dir WHERE level='village'")}
        if self.level == "village":
            names.setdefault(self.station.name, self.station.node_id)
        latest: dict[str, tuple[str, int, list[str]]] = {}
        for event in self._all():
            if event["type"] != "supervisor.committee_set":
                continue
            body = event["payload"]
            village = str(event["origin"]) if levels.get(event["origin"]) == "village" \
                else names.get(str(body.get("village")))
            if village is None:
                continue
            key = (str(body["elected_on"]), int(event["hlc"]))
            if village not in latest or key > latest[village][:2]:
                latest[village] = (*key, [str(m["id"]) for m in body["members"]])
        return {village: ids for village, (_, _, ids) in latest.items()}

    def opinion(self, record: str) -> Opinion:
        return fold_opinion(self._events(record), self.levels(), self.parents(), self.members())

    def opinions(self, village: str | None = None) -> list[Opinion]:
        """Opinions held here (a village: its own; a town: its villages'), newest first."""
        events = self._all()
        records = list(dict.fromkeys(e["record"] for e in events if e["type"] == SENT))
        levels, parents, members = self.levels(), self.parents(), self.members()
        out = [fold_opinion([e for e in events if e["record"] == r], levels, parents, members)
               for r in records]
        out = [o for o in out if o.village and (village is None or o.village == village)]
        return sorted(out, key=lambda o: (o.sent_on or date.min, o.record), reverse=True)

    def inspections(self) -> tuple[list[Inspection], list[Refused]]:
        levels, members = self.levels(), self.members()
        kept, refused = [], []
        for event in self._all():
            if event["type"] != INSPECTED:
                continue
            problem = inspection_ok(event, levels, members)
            if problem is not None:
                refused.append(problem)
                continue
            p = event["payload"]
            kept.append(Inspection(event["record"], str(event["origin"]), p["member"], p["on"],
                                   p["subject"], p.get("place", ""), p["findings"],
                                   tuple(p.get("attachments") or ())))
        kept.sort(key=lambda i: (i.on, i.record), reverse=True)
        return kept, refused

    def answer_days(self) -> int:
        return int(self.supervision_rules.opinion_answer_days)

    def on_time(self) -> dict[str, Any]:
        """Per village: opinions answered by their due date (the 百分制's
        ``opinions_answered``; app.domain.supervision.oversight.answered_on_time)."""
        return answered_on_time(self.opinions(), self.answer_days(), self.today())

    def village_names(self) -> dict[str, str]:
        out = dict(self.conn.execute("SELECT id, COALESCE(name, '') FROM nodes_dir"))
        out[self.station.node_id] = self.station.name
        return out

    def village_files(self) -> dict[str, list[dict[str, Any]]]:
        """What a member reads (组织法 Art 32: 民主理财, 村务公开): the village's decision
        files (一事一档), its 村务公开 and, among them, the 财务收支 publications."""
        from app.services.decisions import VillageDecisions
        decisions = VillageDecisions(self.station, today=self.today)
        matters = decisions.matters(self.station.node_id)
        register = decisions.register(self.station.node_id)
        publications = [dict(p) for p in (register.publications if register else ())]
        return {"matters": matters, "publicity": publications,
                "finances": [p for p in publications if p.get("category") == "财务收支"]}

    # the town's 党风政风监督组 -------------------------------------------------------------
    def set_group(self, officer: Cadre, members: Sequence[Mapping[str, Any]],
                  on: date | str | None = None, basis: str = "镇党委研究确定") -> dict[str, Any]:
        if self.level != "town":
            raise ServiceError("党风政风监督组由镇里登记：请在镇里的平板上办理。")
        rows = [{k: str(v).strip() for k, v in m.items() if str(v).strip()} for m in members]
        barred = [str(m.get("name")) for m in self._committee_people()]
        found = group_findings(rows, barred)
        if found:
            raise ServiceError("监督组名单不能登记：" + "；".join(f.message for f in found))
        payload = {"on": self.on(on), "basis": basis.strip()[:200], "members": rows}
        return self.write([NewEvent("supervisor.group_set", uuid7(), payload, officer.id)])[0]

    def _committee_people(self) -> list[Mapping[str, Any]]:
        """The 村委会 members recorded with the villages' committees (the group's bar)."""
        out: list[Mapping[str, Any]] = []
        for event in self._all():
            if event["type"] == "supervisor.committee_set":
                out += [m for m in event["payload"].get("village_members", ())
                        if "村民委员会成员" in (m.get("posts") or ())]
        return out

    def group(self) -> Mapping[str, Any] | None:
        """The town's latest 党风政风监督组 roster, or None."""
        rows = [e for e in self._all() if e["type"] == "supervisor.group_set"
                and self.levels().get(e["origin"]) == "town"]
        if not rows:
            return None
        latest = max(rows, key=lambda e: (e["payload"]["on"], e["hlc"]))
        return dict(latest["payload"])

