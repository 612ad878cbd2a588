"""矛盾纠纷预防化解 (issue #4 §1): dispute intake, mediation, outcomes, escalation to the
town 矛盾调处化解中心 and the county, 司法确认 and 回访, screenings and the 排查台账.

Screens call ``Disputes``; every write checks the step with
``app.domain.dispute.flow.DISPUTE`` (the declaration) for this station's level against the
dispute's state here and now, then writes exactly one event, or raises ServiceError
(Chinese, says what to do) and writes nothing.  Every clock and threshold comes from the
rules in force (``dispute.*`` config, app.domain.dispute.rules).

Who sees what (sync/policy.py): a dispute flows to the subtree of the station that
registered it and of its current owner; town-level stations see their whole town.  So a
high-risk dispute registered in a village reaches the town tablets at their next sync
without any handoff; escalating (上报) hands the record to the hub above (owner), as
Desk.escalate does, and whatever the town or county records on it flows back to the
village that registered it.

API (dates are ``date`` or "YYYY-MM-DD"; ``on`` defaults to today; results are the
domain's own types from app.domain):
    Disputes(station, today=date.today, now=None)
    .links_for(form)                       -> IntakeLinks (links, first_time) before saving
    .check_intake(form)                    -> list[str] problems (empty: can register)
    .register(officer, form, keep_links=None, first_time=None) -> DisputeIntake
    .dispute(record)                       -> DisputeState (fresh fold)
    .actions(state)                        -> [(event type, button label)] allowed here now
    .take / .change_risk / .add_session / .extend / .draft_agreement / .agreement_problems
    .record_agreement / .record_failure / .escalate / .record_confirmation / .revisit
    .referral_choices(record)              -> routes the dispute's type allows, 上报 here
    .towns() / .assign                     交办 (county → town)
    .confirmation_warning(record, on=None) -> 司法确认 applied for after the 30 days
    .ledger(DisputeFilter)                 -> [LedgerRow] (排查台账 columns, newest first)
    .board(origin="")                      -> [LedgerRow] open disputes, overdue and
                                              untaken high-risk first (town board)
    .alerts()                              -> [RiskAlert] high risk, nobody has taken it
    .confirmation_reminders()              -> [Reminder] 司法确认 inside the 30-day window
    .revisits_due(within_days=None)        -> [Reminder] 回访 owed at performance deadlines
    .record_screening(officer, ScreeningForm) -> event;  .screenings(village="")
    .screening_schedule()                  -> [ScreeningDue] villages due for screening
    .export_xlsx(rows, path, title)        -> Path of the 排查台账 workbook

Layout: intake and every step here; ledger, boards, reminders and export in
app.services.dispute_boards; 排查 in app.services.dispute_screenings (mixins of
``Disputes``; their public names are re-exported here).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.accounts import Cadre
from app.domain import check_id_number, check_phone
from app.domain.dispute import flow as dispute_case
from app.domain.dispute.agreement import agreement_problems
from app.domain.dispute.clocks import confirmation_warning
from app.domain.dispute.levels import check_dispute_intake
from app.domain.dispute.links import Link, Person, find_links, is_first_time, link_payload
from app.domain.dispute.referrals import HINTS as REFERRAL_HINTS
from app.domain.dispute.referrals import referral_routes
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import (
    CONFIRMATION_STATUSES, CONSENTING_ROLES, DISPUTE_TYPES, ESCALATION_BY_LEVEL, METHODS,
    PARTY_ROLES, PERFORMANCE, RISK_LEVELS, SOURCES, DisputeState)
from app.projections import links as link_index
from app.services.directory import towns
from app.services.dispute_boards import DisputeBoards, DisputeFilter, Reminder
from app.services.dispute_screenings import (
    DisputeScreenings, ScreeningFinding, ScreeningForm)
from app.services.errors import ServiceError
from app.services.workflow import Attachment, Workflow, as_date, named, names, person
from sync.ids import uuid7

ACTION_LABELS = dispute_case.DISPUTE.labels
CONSENT_HOW = ("签字", "口头", "书面")
REVISIT_METHODS = ("上门", "电话", "其他")


@dataclass
class PartyForm:
    name: str
    role: str                   # 申请人 / 被申请人 / 当事人 / 第三人 / 代理人
    id_number: str = ""
    phone: str = ""
    sex: str = ""               # 男 / 女 / ""
    village: str = ""           # empty: the dispute's village
    address: str = ""


@dataclass
class DisputeForm:
    dispute_type: str           # DISPUTE_TYPES
    parties: list[PartyForm]
    summary: str
    risk: str                   # 激化风险 低 / 中 / 高
    received_at: datetime | str | None = None   # any hour; None: now
    village: str = ""           # empty at a village tablet: this village
    source: str = "群众申请"     # SOURCES
    method: str = "人民调解"     # METHODS
    ledger_no: str = ""         # empty: numbered here (排查台账编号)


@dataclass(frozen=True)
class IntakeLinks:
    """What intake shows before saving: earlier records of the same person or matter,
    strongest first, whether this is a 初信初访 (first time), and the 分级调处 check
    (dispute_levels): a proposed 不予受理 with where to go, or the lower result this
    intake reviews."""

    links: tuple[Link, ...]
    first_time: bool
    proposal: Mapping[str, str] | None = None
    review_of: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DisputeIntake:
    record: str
    ledger_no: str
    links: tuple[Link, ...]
    first_time: bool
    alert: bool                 # high risk: the town is alerted at the next sync
    event: dict[str, Any]


class Disputes(DisputeBoards, DisputeScreenings, Workflow):
    kind_name = "纠纷"
    flow = dispute_case.DISPUTE

    @property
    def dispute_rules(self) -> DisputeRules:
        return DisputeRules.from_config(self.rules.config)

    # intake ---------------------------------------------------------------------------
    def _village(self, village: str) -> str:
        village = village.strip()
        if not village and self.level == "village":
            return self.station.name
        return village

    def links_for(self, form: DisputeForm, exclude: Sequence[str] = ()) -> IntakeLinks:
        """Earlier disputes and petitions on this station of the same person (ID number,
        or name + village) or the same matter (dispute_links), and the 初信初访 flag."""
        village = self._village(form.village)
        people = [Person(p.name.strip(), p.id_number.strip(), p.village.strip() or village)
                  for p in form.parties if p.name.strip()]
        priors = link_index.candidates(self.conn, people, village, exclude)
        found = find_links(people, form.summary, village, priors,
                           min_similarity=self.dispute_rules.same_matter_similarity)
        check = check_dispute_intake(self.level, form.source, found)
        return IntakeLinks(tuple(found), is_first_time(found), check.proposal, check.review_of)

    def check_intake(self, form: DisputeForm) -> list[str]:
        problems: list[str] = []
        if form.dispute_type not in DISPUTE_TYPES:
            problems.append("请选择纠纷类型：" + "、".join(DISPUTE_TYPES) + "。")
        if form.risk not in RISK_LEVELS:
            problems.append("请评估激化风险：低、中或高。")
        if not form.summary.strip():
            problems.append("请填写纠纷简要情况。")
        if form.source not in SOURCES:
            problems.append("请选择纠纷来源：" + "、".join(SOURCES) + "。")
        if form.method not in METHODS:
            problems.append("请选择化解方式：" + "、".join(METHODS) + "。")
        if not self._village(form.village):
            problems.append("请选择纠纷发生的村。")
        for index, party in enumerate(form.parties, 1):
            who = party.name.strip() or f"第{index}位当事人"
            if not party.name.strip():
                problems.append(f"第{index}位当事人的姓名没有填写。")
            if party.role not in PARTY_ROLES:
                problems.append(f"请选择{who}的身份：" + "、".join(PARTY_ROLES) + "。")
            if party.sex and party.sex not in ("男", "女"):
                problems.append(f"{who}的性别只能选 男 或 女。")
            if party.id_number.strip():
                checked = check_id_number(party.id_number, today=self.today())
                if not checked.ok:
                    problems.append(f"{who}：{checked.message}")
            if party.phone.strip():
                phone = check_phone(party.phone)
                if not phone.ok:
                    problems.append(f"{who}：{phone.message}")
        if sum(1 for p in form.parties if p.role in CONSENTING_ROLES) < 2:
            problems.append("纠纷至少要有双方当事人（申请人和被申请人，或双方当事人），请补填。")
        try:
            received = datetime.fromisoformat(self.stamp(form.received_at))
            if received.date() > self.today():
                problems.append("受理时间不能晚于今天。")
        except ServiceError as exc:
            problems.append(exc.message)
        return problems

    def register(self, officer: Cadre, form: DisputeForm, keep_links: Sequence[str] | None = None,
                 first_time: bool | None = None, override_reason: str = "",
                 from_visit: str | None = None) -> DisputeIntake:
        """Register a dispute; 首问负责人 is the signed-in cadre.  ``keep_links``: records of
        the suggested links the officer kept (None: all); ``first_time``: the officer's
        override of the 初信初访 flag (None: as the links say); ``override_reason``: why
        an upper 调处中心 takes a dispute no lower one handled (分级调处, kept on record);
        ``from_visit``: the 来访登记 this dispute was registered from (linked in the same
        transaction)."""
        problems = self.check_intake(form)
        if problems:
            raise ServiceError("还有内容需要补充或改正：" + "".join(problems), problems)
        found = self.links_for(form)
        kept = [link for link in found.links if keep_links is None or link.record in keep_links]
        village = self._village(form.village)
        parties = []
        for p in form.parties:
            party = {"name": p.name.strip(), "role": p.role,
                     "sex": p.sex, "id_number": p.id_number.strip().upper(),
                     "phone": check_phone(p.phone).number if p.phone.strip() else "",
                     "village": p.village.strip() or village, "address": p.address.strip()}
            parties.append({k: v for k, v in party.items() if v})
        ledger_no = form.ledger_no.strip() or \
            f"{self.prefix()}纠{self.today():%Y}-{self.next_number('dispute'):03d}"
        flag = is_first_time(kept) if first_time is None else bool(first_time)
        payload = {
            "type": form.dispute_type, "parties": parties, "summary": form.summary.strip(),
            "first_officer": person(officer), "risk": form.risk,
            "received_at": self.stamp(form.received_at), "village": village,
            "first_time": flag, "links": link_payload(kept), "source": form.source,
            "ledger_no": ledger_no[:40], "method": form.method}
        if found.proposal:
            payload["proposal"] = dict(found.proposal)
            if override_reason.strip():
                payload["override_reason"] = override_reason.strip()
        if found.review_of:
            payload["review_of"] = dict(found.review_of)
        record = uuid7()
        event = self.step(officer, record, DisputeState(record), "dispute.registered", payload,
                          also=self.from_visit(
                              officer, from_visit, "dispute", record,
                              f"纠纷 {payload['ledger_no']}"))
        alert = form.risk in self.dispute_rules.alert_risk_levels
        return DisputeIntake(record, payload["ledger_no"], tuple(kept), flag, alert, event)

    # one dispute ------------------------------------------------------------------------
    def dispute(self, record: str) -> DisputeState:
        return self.state(record)

    def _act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any],
             owner: str | None = None) -> dict[str, Any]:
        state = self.dispute(record)
        return self.step(officer, record, state, event_type, payload, owner)

    def take(self, officer: Cadre, record: str, note: str = "",
             on: date | str | None = None) -> dict[str, Any]:
        """认领: the signed-in town or county cadre takes the dispute (包案领导); a high-risk
        alert stops showing."""
        payload: dict[str, Any] = {"on": self.on(on), "by": person(officer)}
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "dispute.taken", payload)

    def change_risk(self, officer: Cadre, record: str, risk: str, reason: str,
                    on: date | str | None = None) -> dict[str, Any]:
        return self._act(officer, record, "dispute.risk_changed",
                         {"on": self.on(on), "risk": risk, "reason": reason.strip()})

    def add_session(self, officer: Cadre, record: str, *, mediators: Sequence[str] | str,
                    record_text: str, attendees: Sequence[str] | str = (), place: str = "",
                    attachments: Sequence[Attachment] = (),
                    on: date | str | None = None) -> dict[str, Any]:
        """A mediation session with its 调解笔录; ``attachments``: photos or scans of the
        signed paper, kept on this tablet and uploaded with the next sync."""
        payload: dict[str, Any] = {"on": self.on(on), "mediators": names(mediators),
                                   "record_text": record_text.strip()}
        if names(attendees):
            payload["attendees"] = names(attendees)
        if place.strip():
            payload["place"] = place.strip()
        state = self.dispute(record)
        probe = {"type": "dispute.session", "v": 1, "payload": payload}
        verdict = self._check(state, probe)
        if not verdict.ok:
            raise ServiceError(verdict.message)  # before storing any file
        if attachments:
            refs = []
            for item in attachments:
                if not item.data:
                    raise ServiceError("附件是空的，请重新拍照。")
                ref = dict(self.store.add_blob(self.station.blobs, item.data), mime=item.mime)
                if item.name.strip():
                    ref["name"] = item.name.strip()[:200]
                refs.append(ref)
            payload["attachments"] = refs
        return self.step(officer, record, state, "dispute.session", payload)

    def attachment(self, ref: Mapping[str, Any]) -> bytes:
        """The bytes of an attachment held on this tablet."""
        try:
            return self.station.blobs.read(str(ref["sha256"]))
        except (KeyError, OSError) as exc:
            raise ServiceError("这份附件还没有下载到本机，请同步后再看。") from exc

    def extend(self, officer: Cadre, record: str, *, new_due: date | str, reason: str,
               consents: Sequence[Mapping[str, Any]], on: date | str | None = None
               ) -> dict[str, Any]:
        """Extend the mediation limit; ``consents``: [{name, how (签字/口头/书面), on?}] for
        every party on both sides (人民调解工作若干规定 2002 Art 33)."""
        today = self.on(on)
        clean = []
        for consent in consents:
            how = str(consent.get("how", "")).strip()
            if how not in CONSENT_HOW:
                raise ServiceError("请选择当事人同意的方式：签字、口头或书面。")
            item = {"name": str(consent.get("name", "")).strip(), "how": how,
                    "on": as_date(consent.get("on") or today).isoformat()}
            clean.append(item)
        return self._act(officer, record, "dispute.extended", {
            "on": today, "new_due": as_date(new_due).isoformat(), "reason": reason.strip(),
            "consents": clean})

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

    def referral_choices(self, record: str = "") -> list[str]:
        """Where a failed mediation may go from this level: the routes the dispute's type
        allows (dispute_referrals; 劳资 to labour arbitration, never straight to court),
        then 上报 one level up."""
        dispute_type = self.dispute(record).dispute_type if record else None
        up = ESCALATION_BY_LEVEL.get(self.level)
        return list(referral_routes(dispute_type)) + ([up] if up else [])

    def referral_hint(self, route: str) -> str:
        """What the parties are told about a route (shown with the choice)."""
        return REFERRAL_HINTS.get(route, "")

    def towns(self) -> list[dict[str, str]]:
        """The towns this county may hand a dispute down to: [{hub, name}]."""
        return towns(self.conn)

    def assign(self, officer: Cadre, record: str, *, town: str, reason: str,
               report_by: date | str | None = None, on: date | str | None = None
               ) -> dict[str, Any]:
        """交办 (county only): the town's 矛盾调处化解中心 mediates it from now on (its month
        starts that day) and the result comes back up."""
        target = next((t for t in self.towns() if town in (t["hub"], t["name"])), None)
        if target is None:
            raise ServiceError("请从列表里选择交办的镇（列表里没有的镇还没有同步到本机）。")
        payload: dict[str, Any] = {"on": self.on(on), "to": target["name"],
                                   "to_node": target["hub"], "reason": reason.strip()}
        if report_by:
            payload["report_by"] = as_date(report_by).isoformat()
        return self._act(officer, record, "dispute.assigned", payload, target["hub"])

    def confirmation_warning(self, record: str, on: date | str | None = None) -> str | None:
        """A 司法确认 applied for after its 30 days (人民调解法 Art 33): the warning to show
        before saving (``on``) or on the record; None when in time."""
        day = as_date(on) if on is not None else None
        return confirmation_warning(self.dispute(record), self.rules.calendar,
                                    self.dispute_rules, day)

    def record_failure(self, officer: Cadre, record: str, *, reason: str, referral_to: str,
                       unit: str = "", note: str = "", on: date | str | None = None
                       ) -> dict[str, Any]:
        """调解不成 and where it goes: 诉讼, 行政调解, 司法调解, or 上报 the town (from a
        village) / the county (from the town) 调处中心, which hands the record up."""
        referral: dict[str, Any] = {"to": referral_to}
        if unit.strip():
            referral["unit"] = unit.strip()
        if note.strip():
            referral["note"] = note.strip()
        owner = self.upper_hub() if referral_to == ESCALATION_BY_LEVEL.get(self.level) else None
        return self._act(officer, record, "dispute.failed",
                         {"on": self.on(on), "reason": reason.strip(), "referral": referral},
                         owner)

    def escalate(self, officer: Cadre, record: str, reason: str,
                 leader: Mapping[str, Any] | str | Cadre | None = None,
                 on: date | str | None = None) -> dict[str, Any]:
        """上报 without a failed session (e.g. beyond the village's power): village → town
        调处中心 → county; the hub above becomes the owner."""
        payload: dict[str, Any] = {"on": self.on(on), "reason": reason.strip()}
        if named(leader):
            payload["leader"] = named(leader)
        return self._act(officer, record, "dispute.escalated", payload, self.upper_hub())

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

    def revisit(self, officer: Cadre, record: str, performance: str, method: str = "",
                note: str = "", by: Mapping[str, Any] | str | Cadre | None = None,
                on: date | str | None = None) -> dict[str, Any]:
        """回访: how the agreement is performed (全部履行 closes the dispute)."""
        if performance not in PERFORMANCE:
            raise ServiceError("请选择协议履行情况：" + "、".join(PERFORMANCE) + "。")
        if method and method not in REVISIT_METHODS:
            raise ServiceError("回访方式只能选 上门、电话 或 其他。")
        payload: dict[str, Any] = {"on": self.on(on), "by": named(by) or person(officer),
                                   "performance": performance}
        if method:
            payload["method"] = method
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "dispute.revisited", payload)


__all__ = ["ACTION_LABELS", "CONSENT_HOW", "DisputeFilter", "DisputeForm",
           "DisputeIntake", "Disputes", "IntakeLinks", "PartyForm", "REVISIT_METHODS",
           "Reminder", "ScreeningFinding", "ScreeningForm"]
