"""The 村务监督委员会 at work on the village tablet, and the town's side (issue #13 §3).

* A member signs in on a village tablet the town certified for the committee (its
  certificate carries ``village_supervision``: app.domain.authority): the account is
  opened for someone on the committee's roster (``open_member_account``) and carries the
  local role ``supervisor`` with the roster id it signs for.  Such an account reads the
  village's decision files, 村务公开 and 财务收支 (``village_files``) and writes only the
  committee's inspections and opinions (app.services.workflow refuses the rest).
* The member's own signing key (app.services.member_keys) is made with the account, its
  public half offered to the town (``supervisor.member_key_offered``); a town station
  checks the fingerprint in person and certifies it (``certify_member_key``).  Every
  inspection and opinion carries the member's signature, made with their 密码.
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
from app.domain.authority import DISCIPLINE, VILLAGE_SUPERVISION
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.oversight import (
    ANSWERED, INSPECTED, SENT, Opinion, Refused, answered_on_time, check_answer,
    check_report, fold_opinion, inspection_ok)
from app.domain.supervision.member_keys import (KEY_CERTIFIED, KEY_KIND, KEY_OFFERED,
                                                MemberKeys, certified_keys, signed_bytes)
from app.domain.supervision.rosters import RosterBook
from app.domain.supervision.town_group import group_findings
from app.services import member_keys
from app.services.member_keys import fingerprint, same_fingerprint
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


def member_sign_in(station: Any, cadre: Cadre, pin: str) -> None:
    """At a cadre's sign-in (app.ui.signin_screen): a 监委会 member's key is unlocked for
    the session, or renewed if a 忘记密码 reset left it unopenable."""
    if not member_keys.unlock_at_sign_in(station.store.meta.get, cadre.id, pin):
        Oversight(station).renew_member_key(cadre, pin)


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
        self._new_key(cadre, member, pin)
        return cadre

    def _new_key(self, cadre: Cadre, member: Mapping[str, Any], pin: str) -> None:
        """A new key pair for the member, wrapped by their 密码, its public half offered
        to the town for the in-person check."""
        entry = member_keys.new_wrapped(cadre.id, pin)
        self.store.meta.set(member_keys.META_KEY + cadre.id, member_keys.encode(entry))
        self.write([NewEvent(KEY_OFFERED, uuid7(), {
            "member": {"id": str(member["id"]), "name": str(member["name"])},
            "key": entry["public"]}, cadre.id)])

    def renew_member_key(self, cadre: Cadre, pin: str) -> None:
        """After a 忘记密码 reset the old key opens for no one: a new one, to be checked
        at the town again (what the old one signed stays valid: its certificate stays)."""
        member = self.member_of(cadre)
        if member is None:
            return
        self._new_key(cadre, member, pin)
        member_keys.unlock_at_sign_in(self.store.meta.get, cadre.id, pin)

    # the member's own key ----------------------------------------------------------------
    def _key_entry(self, cadre: Cadre) -> dict[str, Any] | None:
        return member_keys.decode(self.store.meta.get(member_keys.META_KEY + cadre.id))

    def member_fingerprint(self, cadre: Cadre) -> str | None:
        """The fingerprint this member shows the town cadre who certifies their key."""
        entry = self._key_entry(cadre)
        return fingerprint(str(entry["public"])) if entry else None

    def key_certified(self, cadre: Cadre) -> bool:
        entry, member = self._key_entry(cadre), self.member_of(cadre)
        return entry is not None and member is not None and entry["public"] in \
            self.keys().keys.get((self.station.node_id, str(member["id"])), ())

    def unlock_member(self, cadre: Cadre, pin: str) -> None:
        """At the member's sign-in: their key stays unlocked for the session."""
        entry = self._key_entry(cadre)
        if entry is not None:
            member_keys.unlock_session(cadre.id, entry, pin)

    def _key_events(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq",
                                 (KEY_KIND,))
        return admissible([log.row_to_event(r) for r in rows], self.store.directory)

    def keys(self) -> MemberKeys:
        """(village, member id) → the member's key its own town certified."""
        return member_keys.member_keys(
            certified_keys(self._key_events(), self.levels(), self.parents()))

    def key_offers(self, pending: bool = True) -> list[dict[str, Any]]:
        """At a town: members' keys offered by its villages and not yet certified (all
        offers held here, with ``pending=False``)."""
        keys = self.keys().keys if pending else {}
        return [{"record": e["record"], "village": e["origin"], **e["payload"],
                 "fingerprint": fingerprint(str(e["payload"]["key"]))}
                for e in self._key_events() if e["type"] == KEY_OFFERED
                and e["payload"]["key"] not in keys.get(
                    (str(e["origin"]), str(e["payload"]["member"]["id"])), ())]

    def certify_member_key(self, officer: Cadre, offer: str, typed: str) -> dict[str, Any]:
        """The town cadre, with the member in front of them, types the fingerprint the
        member's tablet shows; only if it matches the offered key is it certified."""
        if self.level != "town":
            raise ServiceError("监委会成员的签名钥匙由镇里核对认证：请在镇里的平板上办理。")
        found = next((e for e in self._key_events()
                      if e["type"] == KEY_OFFERED and e["record"] == offer), None)
        if found is None:
            raise ServiceError("找不到这位成员的钥匙申请：请先同步，再从列表里选择。")
        if self.parents().get(str(found["origin"])) != self.parents().get(self.station.node_id):
            raise ServiceError("这个村不属于本镇：只能认证本镇各村监委会成员的钥匙。")
        if not same_fingerprint(typed, str(found["payload"]["key"])):
            raise ServiceError("指纹对不上，没有认证：请核对成员平板上显示的16位数字，重新输入；"
                               "如果仍对不上，说明钥匙可能被人替换，请不要认证并报告镇纪委。")
        payload = {"village": str(found["origin"]), "member": dict(found["payload"]["member"]),
                   "key": str(found["payload"]["key"])}
        return self.write([NewEvent(KEY_CERTIFIED, uuid7(), payload, officer.id,
                                    owner=payload["village"])])[0]

    def _signer(self, officer: Cadre) -> Mapping[str, Any]:
        member = self.member_of(officer)
        if member is None:
            raise ServiceError("只有村务监督委员会成员本人登录后才能记录监督意见：请退出，"
                               "由监委会成员用自己的密码登录。")
        if not self.certified():
            raise ServiceError("本机没有经镇里认证为村务监督委员会使用的平板，不能记录：请联系镇里管理员。")
        if not self.key_certified(officer):
            raise ServiceError("您的签名钥匙还没有经镇里核对认证，不能记录：请带平板到镇里，"
                               f"让镇里干部核对指纹（{self.member_fingerprint(officer)}），"
                               "认证后同步一次再记录。")
        return {"id": member["id"], "name": member["name"]}

    def _sign(self, officer: Cadre, kind: str, record: str, payload: dict[str, Any],
              pin: str | None) -> None:
        """The member's signature, with their 密码 now or their unlocked session."""
        entry = self._key_entry(officer)
        if entry is None:
            raise ServiceError("这个账号没有签名钥匙：请由村干部为监委会成员重新开通账号。")
        try:
            private = member_keys.unwrap(officer.id, entry, pin) if pin is not None \
                else member_keys.session_key(officer.id)
        except member_keys.MemberKeyError as exc:
            raise ServiceError(str(exc)) from exc
        if private is None:
            raise ServiceError("请输入您的登录密码确认，再提交。")
        payload["signature"] = member_keys.sign(
            private, signed_bytes(kind, record, self.station.node_id, payload))

    # the member's records ----------------------------------------------------------------
    def record_inspection(self, officer: Cadre, *, subject: str, findings: str, place: str = "",
                          on: date | str | None = None, photos: Sequence[Attachment] = (),
                          pin: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"member": self._signer(officer), "on": self.on(on),
                                   "subject": subject.strip(), "findings": findings.strip()}
        if place.strip():
            payload["place"] = place.strip()[:100]
        return self._write_report(INSPECTED, payload, officer, photos, pin)

    def send_opinion(self, officer: Cadre, *, subject: str, text: str,
                     inspection: str = "", on: date | str | None = None,
                     photos: Sequence[Attachment] = (), pin: str | None = None
                     ) -> dict[str, Any]:
        payload: dict[str, Any] = {"member": self._signer(officer), "on": self.on(on),
                                   "subject": subject.strip(), "text": text.strip()}
        if inspection:
            payload["inspection"] = inspection
        return self._write_report(SENT, payload, officer, photos, pin)

    def _write_report(self, kind: str, payload: dict[str, Any], officer: Cadre,
                      photos: Sequence[Attachment], pin: str | None) -> dict[str, Any]:
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
        record = uuid7()
        self._sign(officer, kind, record, payload, pin)
        return self.write([NewEvent(kind, record, payload, officer.id)])[0]

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
                             self.members(), keys=self.keys())
        refused = next((r for r in after.rejected if r.event == "probe"), None)
        if refused is not None:
            raise ServiceError(refused.message)
        self.write([NewEvent(ANSWERED, record, payload, officer.id)])
        return self.opinion(record)

    # reading -----------------------------------------------------------------------------
    def _all(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
        return admissible([log.row_to_event(r) for r in rows], self.store.directory)

    def _events(self, record: str) -> list[dict[str, Any]]:
        events = [e for e in self._all() if e["record"] == record]
        if not events:
            raise ServiceError("找不到这条村务监督意见：可能还没有同步到本机，请先同步。")
        return events

    def members(self) -> RosterBook:
        """Each village's committees by certified node; an opinion is judged by the roster
        in force at its clock stamp (app.domain.supervision.rosters)."""
        return self.rosters(self._all())

    def opinion(self, record: str) -> Opinion:
        return fold_opinion(self._events(record), self.levels(), self.parents(), self.members(),
                            keys=self.keys())

    def opinions(self, village: str | None = None) -> list[Opinion]:
        """Opinions held here (a village: its own; a town: its villages'), newest first."""
        events = self._all()
        records = list(dict.fromkeys(e["record"] for e in events if e["type"] == SENT))
        levels, parents, members, keys = self.levels(), self.parents(), self.members(), self.keys()
        out = [fold_opinion([e for e in events if e["record"] == r], levels, parents, members,
                            keys=keys) for r in records]
        out = [o for o in out if o.village and (village is None or o.village == village)]
        return sorted(out, key=lambda o: (o.sent_on or date.min, o.record), reverse=True)

    def inspections(self) -> tuple[list[Inspection], list[Refused]]:
        levels, members, keys = self.levels(), self.members(), self.keys()
        kept, refused = [], []
        for event in self._all():
            if event["type"] != INSPECTED:
                continue
            problem = inspection_ok(event, levels, members, keys=keys)
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
    def keeps_group(self) -> bool:
        """Is this the town 纪委's certified device, which records the group (WRITERS)?"""
        cert = directory_for(self.conn).verified(self.station.node_id)
        return self.level == "town" and cert is not None and DISCIPLINE in cert.roles

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
        parents, hub = self.parents(), self.station.hub_id()
        rows = [e for e in self._all() if e["type"] == "supervisor.group_set"
                and self.levels().get(e["origin"]) == "town" and parents.get(e["origin"]) == hub]
        if not rows:
            return None
        latest = max(rows, key=lambda e: e["hlc"])      # the latest recorded, not a typed date
        return dict(latest["payload"])

