"""The everyday work on a service case besides moving it on (issue #8 §3), as a mixin of
``Desk``: 修改信息 (a correction kept in the timeline), 撤件 with a reason, 补齐材料 that
turns the one-time notice green, 催办 after sending a case up, the town's 转办 text started
from the village's words, and 受理并办结 in one step for a matter done on the spot.

Each call checks everything first and writes one event (two for 受理并办结, in one
transaction) or raises ServiceError in Chinese and writes nothing; the domain's
``check_transition`` decides, as for every other step (Desk.act).
"""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from app.accounts import Cadre
from app.domain import check_id_number, check_phone
from app.domain.service.flow import SERVICE_CASE
from app.domain.service.state import PLAIN_FIELDS, WITHDRAW_KINDS, CaseState
from app.domain.workflow import LEVEL_RANK
from app.services.errors import ServiceError

from app.services.intake_form import Intake, IntakeForm
from app.services.rules import Rules
from app.station import Station
from sync.store import NewEvent, Store

if TYPE_CHECKING:
    from datetime import date

    from app.domain.intake import Notice


class Desk(Protocol):
    """What the mixin uses of app.services.desk.Desk (which mixes it in, so it is not
    imported here: the two would import each other)."""

    station: Station
    store: Store
    today: Callable[[], date]

    @property
    def rules(self) -> Rules: ...

    def write(self, items: list[NewEvent]) -> list[dict[str, Any]]: ...

    def case(self, record: str) -> CaseState: ...

    def act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any]
            ) -> dict[str, Any]: ...

    def _accepted_event(self, officer: Cadre, form: IntakeForm
                        ) -> tuple[str, str, Notice, NewEvent]: ...

    def _village_name(self, state: CaseState) -> str: ...

    def correction_problems(self, changes: dict[str, str]) -> list[str]: ...

    def finishes_on_the_spot(self, matter_code: str) -> bool: ...

URGE_METHODS = ("电话", "书面", "当面", "系统提醒")
# Fields a cadre may correct on the 修改信息 form, in the order shown.
CORRECTABLE = ("applicant.name", "applicant.sex", "applicant.phone", "applicant.id_number",
               "applicant.group", "applicant.address", "summary", "remark")


class CaseWork:
    """Mixed into Desk: needs ``case``, ``act``, ``write``, ``rules``, ``today``, ``station``."""

    # 修改信息 ---------------------------------------------------------------------------
    def correction_problems(self: Desk, changes: dict[str, str]) -> list[str]:
        problems = []
        for name, value in changes.items():
            value = value.strip()
            if name not in CORRECTABLE:
                problems.append(f"“{PLAIN_FIELDS.get(name, name)}”不能在这里修改。")
            elif name == "applicant.name" and not 1 <= len(value) <= 40:
                problems.append("申请人姓名不能空着。")
            elif name == "applicant.phone":
                checked = check_phone(value)
                if not checked.ok:
                    problems.append(checked.message)
            elif name == "applicant.id_number" and value:
                checked = check_id_number(value, today=self.today())
                if not checked.ok:
                    problems.append(checked.message)
            elif name == "applicant.sex" and value not in ("", "男", "女"):
                problems.append("性别请选 男 或 女。")
            elif name == "summary" and not value:
                problems.append("群众诉求不能空着。")
        return problems

    def correct(self: Desk, officer: Cadre, record: str, changes: dict[str, str], reason: str
                ) -> dict[str, Any] | None:
        """修改信息: only what really changed is written (``was`` is what the cadre saw, so
        a concurrent edit elsewhere raises a review item); None if nothing changed."""
        state = self.case(record)
        problems = self.correction_problems(changes)
        if not reason.strip():
            problems.append("请写明修改原因，例如 登记时电话号码写错。")
        if problems:
            raise ServiceError("还不能保存修改：" + "".join(problems), problems)
        fields, was = {}, {}
        for name, value in changes.items():
            value = value.strip()
            if name == "applicant.phone":
                value = check_phone(value).number
            elif name == "applicant.id_number":
                value = value.upper()
            old = state.fields.get(name)
            if (old or "") == value:
                continue
            fields[name] = value or None
            if old not in (None, ""):
                was[name] = old
        if not fields:
            return None
        return self.act(officer, record, "svc.updated",
                        {"fields": fields, "was": was, "reason": reason.strip()})

    # 撤件 ---------------------------------------------------------------------------------
    def withdraw(self: Desk, officer: Cadre, record: str, kind: str, reason: str
                 ) -> dict[str, Any]:
        if kind not in WITHDRAW_KINDS:
            raise ServiceError("请选择撤件的原因：" + "、".join(WITHDRAW_KINDS) + "。")
        return self.act(officer, record, "svc.withdrawn",
                        {"reason_kind": kind, "reason": reason.strip()})

    # 补齐材料 -----------------------------------------------------------------------------
    def supply_materials(self: Desk, officer: Cadre, record: str, materials: list[str],
                         note: str = "") -> dict[str, Any]:
        payload: dict[str, Any] = {"materials": list(dict.fromkeys(m.strip() for m in materials
                                                                   if m.strip()))}
        if note.strip():
            payload["note"] = note.strip()
        return self.act(officer, record, "svc.materials_supplied", payload)

    # 催办 ---------------------------------------------------------------------------------
    def urge(self: Desk, officer: Cadre, record: str, note: str, method: str = "电话"
             ) -> dict[str, Any]:
        if method not in URGE_METHODS:
            raise ServiceError("催办方式请选 " + "、".join(URGE_METHODS) + "。")
        return self.act(officer, record, "svc.urged", {"note": note.strip(), "method": method})

    def forward_draft(self: Desk, record: str) -> str:
        """The 转办函's 反映事项摘要 as the town starts it: the citizen's request and the
        village's words when it reported the matter up, for the cadre to edit."""
        state = self.case(record)
        request = str(state.fields.get("summary") or "").strip().rstrip("。")
        words = str((state.escalation or {}).get("summary") or "").strip().rstrip("。")
        name = state.fields.get("applicant.name") or "群众"
        parts = [f"{name}反映：{request}。" if request else ""]
        if words and words != request:
            village = self._village_name(state)
            parts.append(f"{village}意见：{words}。")
        return "".join(parts)

    def _village_name(self: Desk, state: CaseState) -> str:
        origin = (state.escalation or {}).get("origin") or state.accepting_node or ""
        row = self.store.conn.execute("SELECT name FROM nodes_dir WHERE id=?",
                                      (origin,)).fetchone()
        return row[0] if row and row[0] else "村里"

    # 受理并办结 -----------------------------------------------------------------------------
    def finishes_on_the_spot(self: Desk, matter_code: str) -> bool:
        """A matter this station finishes while the citizen waits: promised 当场办结 (0
        working days) and handled at this level or below (即办)."""
        matter = self.rules.catalog.matter(matter_code)
        return bool(matter) and matter["time_limit_working_days"] == 0 and \
            LEVEL_RANK[matter["level"]] <= LEVEL_RANK[self.station.level]

    def intake_and_finish(self: Desk, officer: Cadre, form: IntakeForm, result: str,
                          from_visit: str | None = None) -> Intake:
        """受理并办结: svc.accepted and svc.done_at_once in one transaction, for a 当场办结
        matter with every material brought; the receipt says it was finished."""
        from app.services.frontdesk import visit_link
        if not self.finishes_on_the_spot(form.matter_code):
            raise ServiceError("这个事项不能当场办结（承诺时限不是“当场办结”，或要由上级办理），"
                               "请用“保存受理”。")
        if not result.strip():
            raise ServiceError("请填写办理结果，例如 当场打印缴费证明并盖章交给群众。",
                               ["请填写办理结果。"])
        form.mode = "即办"
        record, receipt_no, notice, accepted = self._accepted_event(officer, form)
        if notice.missing:
            names = "、".join(m["name"] for m in notice.missing)
            raise ServiceError(f"还缺材料（{names}），不能当场办结；请保存受理并打印一次性告知单，"
                               "群众补齐后再办。", [f"还缺材料：{names}。"])
        done = replace(accepted, type="svc.done_at_once",
                       payload={"on": self.today().isoformat(), "result": result.strip()})
        state = SERVICE_CASE.apply(CaseState(record=record),
                                   _probe(accepted, self.station.node_id), self.station.level)
        verdict = SERVICE_CASE.check(state, _probe(done, self.station.node_id),
                                     self.station.level)
        if not verdict.ok:
            raise ServiceError(verdict.message)
        items = [accepted, done]
        if from_visit:
            items.append(visit_link(self.store, officer, from_visit, "svc_case", record,
                                    f"回执 {receipt_no}（当场办结）", self.today()))
        event = self.write(items)[0]
        return Intake(record, receipt_no, notice, event)


def _probe(item: Any, origin: str) -> dict[str, Any]:
    """The event a NewEvent will become, enough for the fold to check the next step."""
    return {"id": "probe", "origin": origin, "seq": 0, "hlc": 0, "type": item.type, "v": 1,
            "record": item.record, "author": item.author, "payload": item.payload}
