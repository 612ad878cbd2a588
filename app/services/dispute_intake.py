"""矛盾纠纷 intake: the forms a cadre fills in, the checks before saving, the earlier
records of the same person or matter (初信初访, 分级调处) and registering the dispute.

``DisputeIntakes`` is a mixin of ``app.services.disputes.Disputes`` (it uses the station,
clock, rules and workflow steps of that service); screens keep importing the forms from
app.services.disputes, which re-exports them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.accounts import Cadre
from app.domain import check_id_number, check_phone
from app.domain.dispute.levels import check_dispute_intake
from app.domain.dispute.links import Link, Person, find_links, is_first_time, link_payload
from app.domain.dispute.state import (
    CONSENTING_ROLES, DISPUTE_TYPES, METHODS, PARTY_ROLES, RISK_LEVELS, SOURCES, DisputeState)
from app.projections import links as link_index
from app.services.errors import ServiceError
from app.services.workflow import person
from sync.ids import uuid7


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


class DisputeIntakes:
    """Intake of ``Disputes`` (mixin)."""

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
