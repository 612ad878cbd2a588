"""民意台账 (双联三解, app.domain.opinion.flow): record what was heard on a 联系 visit,
sort it, turn it into a service case, a dispute, a petition or a village-decision
proposal, and answer the people back.

Turning an item into a record uses the real intake of that workflow (Desk.intake,
Disputes.register, Petitions.register), so the new record is checked like any other,
then names it in ``opinion.routed``.  The hand-over is probed first with the same
check, so the only way the second write can fail after the first is an I/O error; the
new record then stands on its own and the item stays 已梳理, to be routed again by hand.

Village decisions are issue #12: ``to_decision`` routes an item to a decision with no
record yet; ``decision_proposals`` lists those items and ``route_decision`` names the
decision record once that workflow exists (the hook it plugs into).

API (dates ``date`` or "YYYY-MM-DD"; ``on`` defaults to today):
    Opinions(station, today=date.today)
    .collect(officer, OpinionForm) -> event;  .item(record) -> OpinionState
    .actions(state)               -> [(event type, label)] allowed here now
    .sort / .to_case / .to_dispute / .to_petition / .to_decision / .answer
    .ledger(status="", text="")   -> [dict] rows of the 台账 with the target's status
    .decision_proposals()         -> [dict] items waiting for the decisions workflow
    .route_decision(officer, record, decision_record)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.accounts import Cadre
from app.domain import check_phone
from app.domain.opinion import flow as opinion_ledger
from app.domain.opinion.flow import (
    ROUTES, TARGET_KINDS, VISITS, OpinionState, feedback_due, overdue)
from app.services.desk import Desk, IntakeForm
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.errors import ServiceError
from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from app.services.workflow import Workflow, as_date, person
from sync.ids import uuid7

ACTION_LABELS = opinion_ledger.OPINION.labels
# What each kind of record's status reads like in the 台账 (from the projections).
_TARGET_TABLES = {"svc_case": ("cases", "status_name"), "dispute": ("disputes", "status_name"),
                  "petition": ("petitions", "status_name"),
                  "decision": ("village_matters", "status_name || '：下一步 ' || "
                                                  "COALESCE(NULLIF(current_label, ''), '已办结')")}


@dataclass
class OpinionForm:
    content: str
    people: list[Mapping[str, str]] = field(default_factory=list)  # [{name, phone?, group?}]
    how: str = "入户走访"
    place: str = ""
    village: str = ""            # empty at a village tablet: this village
    heard_on: date | str | None = None


class Opinions(Workflow):
    kind_name = "民意"
    flow = opinion_ledger.OPINION

    # 收集民意、建立台账 ------------------------------------------------------------------
    def collect(self, officer: Cadre, form: OpinionForm) -> dict[str, Any]:
        problems = []
        if form.how not in VISITS:
            problems.append("请选择怎么听到的：" + "、".join(VISITS) + "。")
        people = []
        for p in form.people:
            name = str(p.get("name", "")).strip()
            if not name:
                continue
            item = {"name": name}
            phone = str(p.get("phone", "")).strip()
            if phone:
                checked = check_phone(phone)
                if not checked.ok:
                    problems.append(f"{name}：{checked.message}")
                item["phone"] = checked.number or phone
            if str(p.get("group", "")).strip():
                item["group"] = str(p["group"]).strip()
            people.append(item)
        if not people:
            problems.append("请填写反映情况的群众姓名。")
        if not form.content.strip():
            problems.append("请写下群众反映的情况和诉求。")
        village = form.village.strip() or (self.station.name if self.level == "village" else "")
        if problems:
            raise ServiceError("还有内容需要补充或改正：" + "".join(problems), problems)
        number = self.next_number("opinion")
        payload: dict[str, Any] = {
            "on": self.on(form.heard_on), "cadre": person(officer),
            "ledger_no": f"{self.prefix()}民{self.today():%Y}-{number:03d}"[:40],
            "visit": {"how": form.how, **({"place": form.place.strip()} if form.place.strip()
                                          else {})},
            "people": people, "content": form.content.strip()}
        if village:
            payload["village"] = village
        record = uuid7()
        return self.step(officer, record, OpinionState(record), "opinion.collected", payload)

    def item(self, record: str) -> OpinionState:
        return self.state(record)

    # 梳理民情 ------------------------------------------------------------------------------
    def sort(self, officer: Cadre, record: str, *, category: str, route: str, note: str = "",
             on: date | str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"on": self.on(on), "category": category, "route": route}
        if note.strip():
            payload["note"] = note.strip()
        return self.step(officer, record, self.item(record), "opinion.sorted", payload)

    # 交办转办 ------------------------------------------------------------------------------
    def _routed_payload(self, route: str, target: str | None, unit: str,
                        on: date | str | None) -> dict[str, Any]:
        day = as_date(self.on(on))
        days = int(self.rules.config.value("opinion.feedback_days"))
        payload: dict[str, Any] = {"on": day.isoformat(), "route": route,
                                   "target_kind": TARGET_KINDS[route],
                                   "due": feedback_due(day, days).isoformat()}
        if target:
            payload["target"] = target
        if unit.strip():
            payload["unit"] = unit.strip()[:60]
        return payload

    def _route(self, officer: Cadre, record: str, route: str, make_target,
               unit: str = "", on: date | str | None = None) -> str | None:
        state = self.item(record)
        if state.route != route:
            raise ServiceError(f"梳理时定的是“{ROUTES.get(state.route or '', '未定')}”；"
                               "要改办理方式，请先重新梳理")
        probe = self._routed_payload(route, "probe" if route != "decision" else None, unit, on)
        verdict = self._check(state, {"type": "opinion.routed", "v": 1, "payload": probe})
        if not verdict.ok:
            raise ServiceError(verdict.message)
        target = make_target(state) if make_target else None
        self.step(officer, record, self.item(record), "opinion.routed",
                  self._routed_payload(route, target, unit, on))
        return target

    def _first(self, state: OpinionState) -> Mapping[str, Any]:
        return state.people[0] if state.people else {"name": ""}

    def to_case(self, officer: Cadre, record: str, *, matter_code: str, phone: str = "",
                unit: str = "") -> str:
        """转为便民服务事项: the first person is the applicant (受理 at this station)."""
        def make(state: OpinionState) -> str:
            who = self._first(state)
            desk = Desk(self.station, today=self.today)
            taken = desk.intake(officer, IntakeForm(
                name=str(who.get("name", "")), phone=phone or str(who.get("phone", "")),
                matter_code=matter_code, summary=state.content[:500],
                group=str(who.get("group", "")), remark=f"民意台账{state.ledger_no}转来"))
            return taken.record
        return str(self._route(officer, record, "case", make, unit or "本站便民服务窗口"))

    def to_dispute(self, officer: Cadre, record: str, *, dispute_type: str, other_party: str,
                   risk: str = "中", unit: str = "") -> str:
        """转为矛盾纠纷调处: the first person applies against ``other_party``."""
        def make(state: OpinionState) -> str:
            who = self._first(state)
            form = DisputeForm(dispute_type, [
                PartyForm(str(who.get("name", "")), "申请人", phone=str(who.get("phone", ""))),
                PartyForm(other_party.strip(), "被申请人")], state.content[:500], risk,
                village=state.village, source="民意台账")
            return Disputes(self.station, today=self.today).register(officer, form).record
        return str(self._route(officer, record, "dispute", make, unit or "调解室"))

    def to_petition(self, officer: Cadre, record: str, *, category: str = "申诉求决",
                    unit: str = "") -> str:
        """转为信访事项办理: registered here (a village station registers, the town handles)."""
        def make(state: OpinionState) -> str:
            who = self._first(state)
            form = PetitionForm("来访", category, [PetitionerForm(
                str(who.get("name", "")), phone=str(who.get("phone", "")))],
                state.content[:500], village=state.village,
                received_at=datetime.combine(self.today(), datetime.min.time()).replace(hour=9))
            return Petitions(self.station, today=self.today).register(officer, form).record
        return str(self._route(officer, record, "petition", make, unit or "信访工作站"))

    def to_decision(self, officer: Cadre, record: str, *, unit: str = "村两委",
                    on: date | str | None = None) -> None:
        """提交村务决策 (四议两公开): no decision record exists yet (issue #12)."""
        self._route(officer, record, "decision", None, unit, on)

    def decision_proposals(self) -> list[dict[str, Any]]:
        """Items routed to a village decision and waiting for it: what the decisions
        workflow (issue #12) turns into 提议 and names back with ``route_decision``."""
        return self.ledger(status="awaiting_decision")

    def route_decision(self, officer: Cadre, record: str, decision_record: str,
                       on: date | str | None = None) -> dict[str, Any]:
        state = self.item(record)
        if not state.awaiting_decision:
            raise ServiceError("这条民意没有在等待村务决策。")
        payload = self._routed_payload("decision", decision_record, state.unit, on)
        return self.step(officer, record, state, "opinion.routed", payload)

    # 反馈结果 ------------------------------------------------------------------------------
    def answer(self, officer: Cadre, record: str, *, method: str, answer: str,
               level: str = "", reason: str = "", on: date | str | None = None
               ) -> dict[str, Any]:
        payload: dict[str, Any] = {"on": self.on(on), "answer": answer.strip(),
                                   "method": method, "by": person(officer)}
        if level:
            payload["level"] = level
            dissatisfied = next((c["dissatisfied"] for c in self.rules.config.value(
                "service.satisfaction_levels") if c["label"] == level), None)
            if dissatisfied is None:
                raise ServiceError(f"“{level}”不是可选的评价，请从列出的评价中选择。")
            payload["dissatisfied"] = bool(dissatisfied)
        if reason.strip():
            payload["reason"] = reason.strip()
        return self.step(officer, record, self.item(record), "opinion.answered", payload)

    # the 台账 ------------------------------------------------------------------------------
    def ledger(self, status: str = "", text: str = "") -> list[dict[str, Any]]:
        """The 台账, newest first, with where each item's record stands and whether the
        people are waiting past the day they should have heard back."""
        where, args = [], []
        if status == "awaiting_decision":
            where.append("status='routed' AND route='decision' AND target IS NULL")
        elif status == "open":
            where.append("status<>'answered'")
        elif status:
            where.append("status=?")
            args.append(status)
        if text.strip():
            where.append("(content LIKE ? OR people LIKE ? OR village LIKE ?)")
            args += [f"%{text.strip()}%"] * 3
        cursor = self.conn.execute(
            "SELECT * FROM opinions" + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY collected_on DESC, record DESC LIMIT 500", args)
        columns = [d[0] for d in cursor.description]
        today = self.today()
        rows = []
        for values in cursor.fetchall():
            row = dict(zip(columns, values))
            row["target_status"] = self._target_status(row.get("target_kind"), row.get("target"))
            row["late"] = bool(row["status"] == "routed" and row.get("due")
                               and today > date.fromisoformat(row["due"]))
            rows.append(row)
        return rows

    def _target_status(self, kind: str | None, record: str | None) -> str:
        table = _TARGET_TABLES.get(kind or "")
        if table is None or not record:
            return ""
        found = self.conn.execute(f"SELECT {table[1]} FROM {table[0]} WHERE record=?",
                                  (record,)).fetchone()
        return str(found[0]) if found else "（还没有同步到本机）"

    def is_late(self, state: OpinionState) -> bool:
        return overdue(state, self.today())


__all__ = ["ACTION_LABELS", "OpinionForm", "Opinions"]
