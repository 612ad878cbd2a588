"""信访 (issue #4 §2): register letters, visits, calls and online petitions; the acceptance
decision with the 逐级 proposal; handling, extension, hearings, answer; 复查/复核 linked to
the answer they contest; 依法终结 with its hearing and follow-up; days-left boards; and
检举控告, which is only ever written sealed.

Screens call ``Petitions``; every write is checked by
``app.domain.petition.flow.PETITION`` (the declaration) with the rules in force here
(``petition.*`` config: 信访工作条例 clocks, extension cap, five representatives), then
written, or refused with a Chinese ServiceError and nothing written.

Levels (RULES.md §2 逐级反映、分级解决; issue #10): a village station registers what it
receives and the town handles it (a 村委会 is not a 信访 organ).  A matter already in
handling gets a proposed 不予受理 (petition_levels.new_petition_proposal over the links
this station sees); the officer confirms it (``confirm_proposal`` or ``refuse``),
transfers it, or accepts it with a reason (``accept(override_reason=…)``), which stays
on the record.  The county is told when no town handled a matter and may hand it down
(``assign``).  A 复查 request is a new petition at the level above the one that answered
(``appeal_of``); that level also writes ``petition.appealed`` and, with its own answer,
``petition.reviewed`` on the contested record, which flows back to the level below.  A
request against a county answer lies with the city: ``register`` records it on that
answer (``refer_up``) instead.  Each registration gets a public receipt number.

检举控告 (RULES.md §2, §4): ``file_accusation`` takes a ``seal`` callable — the sealing
module's ``seal_for_discipline(station, plaintext) -> str`` — and writes one
``petition.accusation_sealed`` event of the confidential kind ``complaint``: ciphertext
plus category, date and level.  Nothing else is stored in the clear, nothing is linked,
and the sync policy never sends it to a non-discipline node.

API (dates ``date`` or "YYYY-MM-DD"; ``on`` defaults to today):
    Petitions(station, today=date.today, now=None)
    .preview(form)                 -> PetitionPreview (links, first_time, proposal, appeal)
    .check_intake(form)            -> list[str]
    .register(officer, form, first_time=None, keep_links=None) -> PetitionIntake
    .petition(record)              -> PetitionState;  .clocks(record) -> [ClockStatus]
    .actions(state)                -> [(event type, label)] allowed here now
    .accept / .refuse / .confirm_proposal / .transfer / .extend / .start_hearing
    .record_hearing / .answer / .terminate / .record_termination_hearing
    .assign_follow_up / .follow_up
    .towns() / .assign             交办 (county → town)
    .refer_up / .record_outside_review   复查/复核 above the county (outside the system)
    .assign_leader / .record_reception   领导包案, 领导接访
    .rate                          信访人评价 (可评价)
    .refusal_grounds()             -> [{code, label, where_to_go}]
    .appealable(text="")           -> [dict] answers a 复查/复核 may contest, with window
    .board(origin="")              -> [BoardRow] open petitions: overdue, 初信初访, days left
    .register_list(PetitionFilter) -> [dict] the 信访登记 register (table rows)
    .file_accusation(officer, …, seal=…) -> dict (record, visible summary)
    .accusations()                 -> [dict] visible summaries (category, date, level, line)

Layout: intake and every step here; board, register and appealable answers in
app.services.petition_boards; 依法终结 and follow-up in app.services.petition_termination;
交办, requests above the county, 包案, 接访 and 评价 in app.services.petition_upper;
检举控告 in app.services.petition_accusations (mixins of
``Petitions``; their public names are re-exported here).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.accounts import Cadre
from app.domain import check_id_number, check_phone
from app.domain.dispute.links import Link, Person, find_links, is_first_time
from app.domain.dispute.periods import ClockStatus
from app.domain.errors import DomainError
from app.domain.petition import flow as petition_case
from app.domain.petition.clocks import clocks
from app.domain.petition.intake import registered_payload
from app.domain.petition.levels import (
    AppealCheck, Proposal, answer_ref, assignment_hint, check_appeal, new_petition_proposal,
    refusal_grounds)
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import (
    CATEGORIES, CHANNELS, OPEN_CATEGORIES, RESULTS, REVIEW_RESULTS, SEALED_CATEGORY,
    SUGGESTION, SUGGESTION_RESULTS, PetitionState)
from app.projections import links as link_index
from app.services.errors import ServiceError
from app.services.petition_accusations import PetitionAccusations, Sealer
from app.services.petition_boards import PetitionBoards, PetitionFilter
from app.services.petition_termination import PetitionTermination
from app.services.petition_upper import PetitionUpper
from app.services.receipts import next_receipt
from app.services.workflow import Workflow, as_date, named, names, person
from sync.ids import uuid7
from sync.store import NewEvent

ACTION_LABELS = petition_case.PETITION.labels


@dataclass
class PetitionerForm:
    name: str
    id_number: str = ""
    phone: str = ""
    sex: str = ""
    village: str = ""           # empty: the petition's village
    address: str = ""


@dataclass
class PetitionForm:
    channel: str                # 来信 / 来访 / 电话 / 网上
    category: str               # 建议意见 / 申诉求决 (检举控告: file_accusation)
    petitioners: list[PetitionerForm]
    summary: str
    request: str = ""
    village: str = ""           # empty at a village tablet: this village
    group_size: int | None = None        # 集体访: how many came
    representatives: list[str] = field(default_factory=list)   # at most 5 (Art 18)
    received_at: datetime | str | None = None   # any hour; None: now
    appeal_of: str = ""         # 复查/复核: the record of the answer contested
    refer_to: str = ""          # above the county: where the request is sent (default the city)


@dataclass(frozen=True)
class PetitionPreview:
    """What intake shows before saving."""

    links: tuple[Link, ...]
    first_time: bool            # 初信初访 (given priority)
    proposal: Proposal | None   # proposed 不予受理 with where to go, or None
    appeal: AppealCheck | None  # for a 复查/复核 request: stage, window, link
    stage: str                  # 处理 / 复查 / 复核
    hint: str = ""              # e.g. the county may hand it down (交办); the appeal's note


@dataclass(frozen=True)
class PetitionIntake:
    """``record``: the new petition — or, for a request that lies above the county, the
    county's answer it was recorded on (``referred`` True); ``receipt_no``: what the
    petitioner looks the petition up with (可查询), empty when only referred."""

    record: str
    preview: PetitionPreview
    event: dict[str, Any]
    receipt_no: str = ""
    referred: bool = False


class Petitions(PetitionUpper, PetitionTermination, PetitionBoards, PetitionAccusations,
                Workflow):
    kind_name = "信访事项"
    flow = petition_case.PETITION

    @property
    def petition_rules(self) -> PetitionRules:
        return PetitionRules.from_config(self.rules.config)

    def flow_rules(self) -> PetitionRules:
        return self.petition_rules

    def _village(self, village: str) -> str:
        village = village.strip()
        if not village and self.level == "village":
            return self.station.name
        return village

    # intake ---------------------------------------------------------------------------
    def check_intake(self, form: PetitionForm) -> list[str]:
        problems: list[str] = []
        if form.category == SEALED_CATEGORY:
            problems.append("检举控告请用“检举控告”登记：内容加密后转纪检监察机关，只有纪委能看。")
        elif form.category not in OPEN_CATEGORIES:
            problems.append("请选择信访类别：" + "、".join(CATEGORIES) + "。")
        if form.channel not in CHANNELS:
            problems.append("请选择信访形式：" + "、".join(CHANNELS) + "。")
        if not form.petitioners or not all(p.name.strip() for p in form.petitioners):
            problems.append("请填写信访人姓名。")
        for p in form.petitioners:
            who = p.name.strip() or "信访人"
            if p.id_number.strip():
                checked = check_id_number(p.id_number, today=self.today())
                if not checked.ok:
                    problems.append(f"{who}：{checked.message}")
            if p.phone.strip() and not check_phone(p.phone).ok:
                problems.append(f"{who}：{check_phone(p.phone).message}")
            if p.sex and p.sex not in ("男", "女"):
                problems.append(f"{who}的性别只能选 男 或 女。")
        if not form.summary.strip():
            problems.append("请填写信访事项的主要内容。")
        if form.group_size is not None and form.group_size < 1:
            problems.append("来访人数至少为1人。")
        try:
            if datetime.fromisoformat(self.stamp(form.received_at)).date() > self.today():
                problems.append("收到时间不能晚于今天。")
        except ServiceError as exc:
            problems.append(exc.message)
        return problems

    def _people(self, form: PetitionForm, village: str) -> list[Person]:
        return [Person(p.name.strip(), p.id_number.strip(), p.village.strip() or village)
                for p in form.petitioners if p.name.strip()]

    def preview(self, form: PetitionForm) -> PetitionPreview:
        """Links to earlier records, 初信初访, and the 逐级 proposal or appeal check."""
        village = self._village(form.village)
        rules = self.petition_rules
        exclude = [form.appeal_of] if form.appeal_of else []
        priors = link_index.candidates(self.conn, self._people(form, village), village, exclude)
        found = tuple(find_links(self._people(form, village), form.summary, village, priors,
                                 min_similarity=float(self.rules.config.value(
                                     "dispute.same_matter_similarity"))))
        if form.appeal_of:
            prior = self.petition(form.appeal_of)
            received = datetime.fromisoformat(self.stamp(form.received_at)).date()
            appeal = check_appeal(answer_ref(prior), self.level, received, self.rules.calendar,
                                  rules)
            return PetitionPreview(found, False, appeal.proposal, appeal,
                                   appeal.stage or "处理", appeal.message)
        proposal = new_petition_proposal(self.level, form.channel, found, rules)
        return PetitionPreview(found, is_first_time(found), proposal, None, "处理",
                               assignment_hint(self.level, found))

    def register(self, officer: Cadre, form: PetitionForm, first_time: bool | None = None,
                 keep_links: Sequence[str] | None = None, from_visit: str | None = None
                 ) -> PetitionIntake:
        """Register a petition (首问负责人: the signed-in cadre).  A 复查/复核 request
        that this level may take is also marked on the contested answer. ``from_visit``:
        the 来访登记 it was registered from (linked in the same transaction)."""
        problems = self.check_intake(form)
        if problems:
            raise ServiceError("还有内容需要补充或改正：" + "".join(problems), problems)
        preview = self.preview(form)
        if preview.appeal is not None and preview.appeal.outside:
            return self._refer_request(officer, form, preview)
        village = self._village(form.village)
        kept = [link for link in preview.links if keep_links is None or link.record in keep_links]
        petitioners = []
        for p in form.petitioners:
            item = {"name": p.name.strip(), "sex": p.sex, "id_number": p.id_number.strip().upper(),
                    "phone": check_phone(p.phone).number if p.phone.strip() else "",
                    "village": p.village.strip() or village, "address": p.address.strip()}
            petitioners.append({k: v for k, v in item.items() if v})
        group = None
        if form.group_size is not None and (form.group_size > 1 or form.representatives):
            group = {"size": int(form.group_size), "representatives": names(form.representatives)}
        try:
            payload = registered_payload(
                channel=form.channel, category=form.category, petitioners=petitioners,
                summary=form.summary.strip(), first_officer=person(officer),
                received_at=self.stamp(form.received_at), links=kept, village=village,
                request=form.request.strip(), group=group,
                proposal=None if form.appeal_of else preview.proposal,
                appeal=preview.appeal, first_time=first_time, rules=self.petition_rules)
        except DomainError as exc:
            raise ServiceError(exc.message) from exc
        payload["receipt_no"] = next_receipt(self.station, self.today())
        record = uuid7()
        also = self._appeal_marks(officer, record, payload) if form.appeal_of else []
        also += self.from_visit(officer, from_visit, "petition", record,
                                f"信访 {payload['received_at'][:10]} 登记")
        event = self.step(officer, record, PetitionState(record), "petition.registered",
                          payload, also=also)
        return PetitionIntake(record, preview, event, payload["receipt_no"])

    def _refer_request(self, officer: Cadre, form: PetitionForm, preview: PetitionPreview
                       ) -> PetitionIntake:
        """A 复查/复核 of a county answer lies with the city: recorded on the county's answer
        with the day it was asked and where it was sent (Art 35, 36), never refused."""
        received = datetime.fromisoformat(self.stamp(form.received_at)).date()
        event = self.refer_up(officer, form.appeal_of, stage=str(preview.stage),
                              requested_on=received, to=form.refer_to,
                              note=form.summary.strip()[:1000])
        return PetitionIntake(form.appeal_of, preview, event, "", True)

    def _appeal_marks(self, officer: Cadre, record: str, payload: Mapping[str, Any]
                      ) -> list[NewEvent]:
        """``petition.appealed`` on the contested answer, when this level may review it
        and nothing was proposed against the request (else: once it is accepted)."""
        if payload.get("proposal") or payload.get("stage") not in ("复查", "复核"):
            return []
        prior_record = str(payload["appeal_of"]["record"])
        prior = self.petition(prior_record)
        mark = {"on": self.on(None), "stage": payload["stage"], "appeal_record": record}
        probe = {"type": "petition.appealed", "v": 1, "payload": mark}
        if not self._check(prior, probe, self.level).ok:
            return []
        return [NewEvent("petition.appealed", prior_record, mark, officer.id)]

    # one petition ---------------------------------------------------------------------
    def petition(self, record: str) -> PetitionState:
        return self.state(record)

    def clocks(self, record: str) -> list[ClockStatus]:
        """Every clock that applies now (受理告知, 办理/复查/复核, the petitioner's window)."""
        return clocks(self.petition(record), self.today(), self.rules.calendar,
                      self.petition_rules)

    def _act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any],
             state: PetitionState | None = None, also: Sequence[NewEvent] = ()
             ) -> dict[str, Any]:
        state = state or self.petition(record)
        return self.step(officer, record, state, event_type, payload, also=also)

    def _notice_no(self, word: str) -> str:
        number = self.next_number("petition_" + word)
        return f"{self.prefix()}信{word}〔{self.today():%Y}〕{number}号"[:40]

    def accept(self, officer: Cadre, record: str, *, notice_on: date | str | None = None,
               notice_no: str = "", override_reason: str = "",
               handler: Mapping[str, Any] | str | Cadre | None = None,
               on: date | str | None = None) -> dict[str, Any]:
        """受理 with the written notice (信访工作条例 Art 22–23).  Against a proposed 不予受理
        the officer must give ``override_reason`` (kept on the record)."""
        state = self.petition(record)
        payload: dict[str, Any] = {"on": self.on(on), "notice_on": self.on(notice_on),
                                   "notice_no": notice_no.strip() or self._notice_no("受")}
        if named(handler):
            payload["handler"] = named(handler)
        if override_reason.strip():
            payload["override_reason"] = override_reason.strip()
        also: list[NewEvent] = []
        if state.appeal_of and state.stage in ("复查", "复核"):
            also = self._appeal_marks(officer, record, {"stage": state.stage,
                                                        "appeal_of": state.appeal_of})
        return self._act(officer, record, "petition.accepted", payload, state, also)

    def refusal_grounds(self) -> list[Mapping[str, Any]]:
        return refusal_grounds(self.petition_rules)

    def refuse(self, officer: Cadre, record: str, *, ground: str, reason: str,
               where_to_go: str = "", notice_on: date | str | None = None,
               notice_no: str = "", on: date | str | None = None) -> dict[str, Any]:
        """不予受理 on one of the grounds (``refusal_grounds``), telling where to go."""
        state = self.petition(record)
        info = self.petition_rules.ground(ground)
        if info is None:
            raise ServiceError("请从列表里选择不予受理的理由。")
        proposal = state.proposal or {}
        where = where_to_go.strip() or (proposal.get("where_to_go") if proposal.get("ground")
                                        == ground else "") or str(info.get("where_to_go", ""))
        return self._act(officer, record, "petition.refused", {
            "on": self.on(on), "ground": ground, "ground_label": str(info.get("label", "")),
            "reason": reason.strip(), "where_to_go": where, "notice_on": self.on(notice_on),
            "notice_no": notice_no.strip() or self._notice_no("不受")}, state)

    def confirm_proposal(self, officer: Cadre, record: str, reason: str = "",
                         notice_on: date | str | None = None) -> dict[str, Any]:
        """The officer confirms the proposed 不予受理 as proposed."""
        proposal = self.petition(record).proposal
        if not proposal:
            raise ServiceError("这件信访事项没有不予受理的提示，请选择理由后再不予受理。")
        return self.refuse(officer, record, ground=str(proposal["ground"]),
                           reason=reason.strip() or str(proposal.get("message") or
                                                        proposal.get("label")),
                           where_to_go=str(proposal.get("where_to_go", "")), notice_on=notice_on)

    def transfer(self, officer: Cadre, record: str, *, to: str, reason: str = "",
                 notice_on: date | str | None = None, on: date | str | None = None
                 ) -> dict[str, Any]:
        payload: dict[str, Any] = {"on": self.on(on), "to": to.strip(),
                                   "notice_on": self.on(notice_on)}
        if reason.strip():
            payload["reason"] = reason.strip()
        return self._act(officer, record, "petition.transferred", payload)

    def extend(self, officer: Cadre, record: str, *, days: int,
               approver: Mapping[str, Any] | str | Cadre, reason: str,
               told_on: date | str | None = None, on: date | str | None = None
               ) -> dict[str, Any]:
        """延期 once, at most 30 days, approved by the head, reason told (Art 34)."""
        payload: dict[str, Any] = {"on": self.on(on), "days": int(days), "reason": reason.strip(),
                                   "told_on": self.on(told_on)}
        if named(approver) is None:
            raise ServiceError("延期须经本机关负责人批准，请填写批准人。")
        payload["approver"] = named(approver)
        return self._act(officer, record, "petition.extended", payload)

    def start_hearing(self, officer: Cadre, record: str, on: date | str | None = None
                      ) -> dict[str, Any]:
        """听证 begins (in 复核 its days are not counted: the clock pauses)."""
        return self._act(officer, record, "petition.hearing_started", {"on": self.on(on)})

    def record_hearing(self, officer: Cadre, record: str, *, start: date | str,
                       end: date | str, panel: Sequence[str] | str, conclusion: str,
                       participants: Sequence[str] | str = (), on: date | str | None = None
                       ) -> dict[str, Any]:
        payload: dict[str, Any] = {"on": self.on(on), "from": as_date(start).isoformat(),
                                   "to": as_date(end).isoformat(), "panel": names(panel),
                                   "conclusion": conclusion.strip()}
        if names(participants):
            payload["participants"] = names(participants)
        return self._act(officer, record, "petition.hearing_held", payload)

    def answer(self, officer: Cadre, record: str, *, opinion: str, result: str,
               delivered_on: date | str | None = None, document_no: str = "",
               review_result: str = "", on: date | str | None = None) -> dict[str, Any]:
        """出具处理/复查/复核意见 and deliver it (the petitioner's 30 days start then).  For a
        复查/复核, ``review_result`` (维持/撤销/变更) is also written on the contested answer."""
        state = self.petition(record)
        results = SUGGESTION_RESULTS if state.category == SUGGESTION else RESULTS
        if result not in results:
            raise ServiceError("请选择处理结果：" + "、".join(results) + "。")
        delivered = as_date(delivered_on or self.today()).isoformat()
        payload: dict[str, Any] = {"on": self.on(on), "opinion": opinion.strip(),
                                   "result": result, "delivered_on": delivered}
        if document_no.strip():
            payload["document_no"] = document_no.strip()
        also: list[NewEvent] = []
        if state.stage in ("复查", "复核") and state.appeal_of:
            if review_result not in REVIEW_RESULTS:
                raise ServiceError(f"请选择{state.stage}结论：" + "、".join(REVIEW_RESULTS) +
                                   "（原答复维持、撤销或变更）。")
            also = self._review_mark(officer, state, review_result, opinion)
        return self._act(officer, record, "petition.answered", payload, state, also)

    def _review_mark(self, officer: Cadre, state: PetitionState, result: str, opinion: str
                     ) -> list[NewEvent]:
        prior_record = str((state.appeal_of or {})["record"])
        try:
            prior = self.petition(prior_record)
        except ServiceError:
            return []   # the contested record is not on this station: nothing to mark
        mark = {"on": self.on(None), "stage": state.stage, "result": result,
                "opinion": opinion.strip(), "appeal_record": state.record}
        probe = {"type": "petition.reviewed", "v": 1, "payload": mark}
        verdict = self._check(prior, probe, self.level)
        if not verdict.ok:
            raise ServiceError(f"不能在原答复上登记{state.stage}结论：{verdict.message}")
        return [NewEvent("petition.reviewed", prior_record, mark, officer.id)]


__all__ = ["ACTION_LABELS", "PetitionFilter", "PetitionForm", "PetitionIntake",
           "PetitionPreview", "PetitionerForm", "Petitions", "Sealer"]
