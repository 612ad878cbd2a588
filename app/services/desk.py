"""Service desk (便民服务): intake with one-time notice, and every case transition.

A workflow service like the others (app.services.workflow): its declaration is
``app.domain.service.flow.SERVICE_CASE``.  Screens call these; each call validates
everything first and either writes exactly one event or raises ServiceError with Chinese
messages and writes nothing.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain import (SERVICE_CASE, CaseState, accepted_payload, add_working_days,
                        check_id_number, check_phone, one_time_notice)
from app.domain.service.intake import Notice
from app.services.casework import CaseWork
from app.services.directory import node_names
from app.services.errors import ServiceError
from app.services.frontdesk import visit_link
from app.services.intake_form import Intake, IntakeForm
from app.services.receipts import next_receipt
from app.services.workflow import Workflow, person
from sync.ids import uuid7
from sync.store import NewEvent

MODES = ("即办", "代办", "上报镇")


class Desk(CaseWork, Workflow):
    kind_name = "事项"
    flow = SERVICE_CASE

    # intake -----------------------------------------------------------------------------
    def check_intake(self, form: IntakeForm) -> list[str]:
        problems = []
        if not 1 <= len(form.name.strip()) <= 40:
            problems.append("请填写群众姓名。")
        phone = check_phone(form.phone)
        if not phone.ok:
            problems.append(phone.message)
        if form.id_number.strip():
            checked = check_id_number(form.id_number, today=self.today())
            if not checked.ok:
                problems.append(checked.message)
        catalog = self.rules.catalog
        if catalog.matter(form.matter_code) is None:
            problems.append("请从事项目录里选择要办的事项。")
        elif not catalog.offered_at(form.matter_code, self.station.node_id):
            problems.append("这个事项已经停办，或者是别的村的本村事项，请重新选择。")
        if not form.summary.strip():
            problems.append("请简要写明群众要办的事或反映的问题。")
        if form.mode and form.mode not in MODES:
            problems.append("办理方式只能选 即办、代办 或 上报镇。")
        return problems

    def intake(self, officer: Cadre, form: IntakeForm, from_visit: str | None = None
               ) -> Intake:
        """受理: one svc.accepted (and, for a visit turned into this case, its link on the
        visit in the same transaction), or ServiceError and nothing written."""
        record, receipt_no, notice, accepted = self._accepted_event(officer, form)
        items = [accepted]
        if from_visit:
            items.append(visit_link(self.store, officer, from_visit, "svc_case", record,
                                    f"回执 {receipt_no}", self.today()))
        event = self.write(items)[0]
        return Intake(record, receipt_no, notice, event)

    def _accepted_event(self, officer: Cadre, form: IntakeForm
                        ) -> tuple[str, str, Notice, NewEvent]:
        problems = self.check_intake(form)
        if problems:
            raise ServiceError("还有内容需要补充或改正：" + "；".join(problems), problems)
        rules, today = self.rules, self.today()
        notice = one_time_notice(rules.catalog, form.matter_code, form.materials_present,
                                 today, rules.calendar)
        receipt_no = self._next_receipt(today)
        applicant = {k: v for k, v in {
            "name": form.name.strip(), "sex": form.sex, "phone": check_phone(form.phone).number,
            "id_number": form.id_number.strip().upper(), "group": form.group.strip(),
            "address": form.address.strip()}.items() if v}
        payload = accepted_payload(
            receipt_no=receipt_no, accepted_on=today, applicant=applicant,
            summary=form.summary.strip(), actor_level=self.station.level,
            first_officer=person(officer),
            calendar=rules.calendar, catalog=rules.catalog, code=form.matter_code,
            present=form.materials_present,
            notice_no=receipt_no.replace("-", "")[:-2] + "G" if notice.missing else None)
        if form.mode:
            payload["mode"] = form.mode
        if form.remark.strip():
            payload["remark"] = form.remark.strip()
        record = uuid7()
        return record, receipt_no, notice, NewEvent("svc.accepted", record, payload, officer.id)

    def _next_receipt(self, day: date) -> str:
        return next_receipt(self.station, day)

    # the case ---------------------------------------------------------------------------
    def case(self, record: str) -> CaseState:
        return self.state(record)

    def act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any]
            ) -> dict[str, Any]:
        """Make one transition if the rules allow it here and now."""
        state = self.case(record)
        payload = {"on": self.today().isoformat(), **payload}
        return self.step(officer, record, state, event_type, payload,
                         owner=self._owner_after(event_type, state))

    def _owner_after(self, event_type: str, state: CaseState) -> str | None:
        """Who holds the record after this step, for the sync scope (sync/policy.py)."""
        if event_type in ("svc.escalated", "svc.forwarded"):
            return self.upper_hub()        # the town hub; from a town, the county hub
        if event_type in ("svc.closed", "svc.returned", "svc.withdrawn") and state.path:
            return state.path[0][1]        # back to the accepting station
        return None

    # conveniences for the common steps -------------------------------------------------------
    def escalate(self, officer: Cadre, record: str, summary: str) -> dict[str, Any]:
        rules = self.rules
        days = int(rules.config.value("service.escalation_answer_working_days"))
        due = add_working_days(self.today(), days, rules.calendar)
        return self.act(officer, record, "svc.escalated", {
            "summary": summary, "to_node": self.station.hub_id() or "town",
            "due": due.date.isoformat(),
            "agent": person(officer)})

    def forward(self, officer: Cadre, record: str, department_key: str, summary: str
                ) -> dict[str, Any]:
        state, rules = self.case(record), self.rules
        if department_key not in rules.catalog.doc["departments"]:
            raise ServiceError("请从列表里选择接收转办函的县直部门。")
        department = rules.catalog.department(department_key)
        days = int(rules.config.value("service.forward_reply_working_days"))
        due = add_working_days(self.today(), days, rules.calendar)
        code = str(rules.config.value("papers.letter_code") or "").strip()
        if not code:
            raise ServiceError("转办函要有发文字号，镇里还没有设置机关代字：请在“镇里设置 → 文书和电话”"
                               "里填写（如 新集便民转），再来转办。")
        applicant = {key.split(".", 1)[1]: value for key, value in state.fields.items()
                     if key.startswith("applicant.")}  # flat in the fold: "applicant.name"
        year = self.today().year
        # GB/T 9704 §7.2.4: 发文机关代字〔年份〕顺序号, e.g. 新集便民转〔2026〕12号
        letter = {
            "letter_no": f"{code}〔{year}〕{self.next_number('letter')}号",
            "source": self._source(state),
            "citizen": applicant.get("name", "群众"), "summary": summary,
            "department": department.get("name", department_key),
            "department_key": department_key, "deadline": due.date.isoformat(),
            "report_back": f"书面回复{self.station.name}",
            "receipt_slip": "转办函回执：已收到此件，将按期办理并回复。"}
        return self.act(officer, record, "svc.forwarded", {
            "letter": letter, "leader": person(officer)})

    def _source(self, state: CaseState) -> str:
        """Where the matter came from (事项来源): the station that accepted it — a village's
        便民服务站 when the village took it and reported it up, not the forwarding town."""
        node = state.accepting_node
        name = node_names(self.store.conn).get(node, "") if node else ""
        if not name or node == self.station.node_id:
            return f"{self.station.name}受理"
        if state.accepting_level == "village":
            return f"{name}便民服务站受理，代办上报{self.station.name}"
        return f"{name}受理"
