"""The decision service's writes on one matter (issue #12): 立项, 决策前论证备案 and the
town's review, each step's record (a meeting with its attendance, a 公开, the 实施) and
退回上一步.  Each is checked by replaying the matter first (base.DecisionsBase._try)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.decisions import meetings
from app.domain.decisions.joint import JointOption, joint_option
from app.domain.decisions.procedure import StepDef, step_before, steps_for
from app.domain.decisions.workflow import fold
from app.services.decisions.base import DecisionsBase
from app.services.errors import ServiceError
from app.services.workflow import Attachment, as_date, person
from sync.ids import uuid7
from sync.store import NewEvent


class MatterWrites(DecisionsBase):
    def open_matter(self, officer: Cadre, *, title: str, motion_source: str, reason: str,
                    kinds: Sequence[str], money_yuan: str = "", options: Sequence[str] = (),
                    parties_consulted: Sequence[str] = (), needs_assessment: bool = True,
                    complex: bool = False, secretary: str = "", chair: str = "",
                    source: Mapping[str, str] | None = None,
                    on: date | str | None = None) -> str:
        """立项: returns the matter's record id.  The step list in force today is stored
        with it, so a town changing its procedure does not reorder a running matter."""
        self._village_only("村级重大事项")
        rules = self.decision_rules
        steps = [_step_doc(s) for s in steps_for(rules.procedures, rules.procedure)]
        money = str(money_yuan).strip().replace(",", "")
        payload: dict[str, Any] = {
            "on": self.on(on), "title": title.strip(), "motion_source": motion_source,
            "reason": reason.strip(), "kinds": list(kinds), "options": _texts(options),
            "parties_consulted": _texts(parties_consulted),
            "needs_assessment": bool(needs_assessment), "complex": bool(complex),
            "procedure": rules.procedure, "steps": steps}
        if money:
            payload["money_yuan"] = money
        if source:      # the 民意台账 entry it came from (sources.py)
            payload["source"] = dict(source)
        for key, value in (("secretary", secretary), ("chair", chair)):
            if value:
                payload[key] = value
        record = uuid7()
        payload["officer"] = person(officer)
        probe = {"id": "probe", "origin": self.station.node_id, "seq": 1, "hlc": 1,
                 "type": "decision.matter_opened", "v": 1, "record": record,
                 "author": officer.id, "payload": payload}
        matter = fold([probe], self.levels(), self.parents())
        if matter.rejected:
            raise ServiceError(matter.rejected[0].reason)
        self.write([NewEvent("decision.matter_opened", record, payload, officer.id)])
        return record

    def submit_filing(self, officer: Cadre, record: str, *, legality: str, feasibility: str,
                      consultation: str, options: Sequence[str], assessment: str | None = None,
                      complex: bool | None = None, note: str = "",
                      attachments: Sequence[Attachment] = (), on: date | str | None = None
                      ) -> dict[str, Any]:
        """决策前论证备案: send the matter's reviews, consultation, options and its risk
        assessment to the town (again after 补正 or 不同意)."""
        self._village_only("报备")
        payload: dict[str, Any] = {"on": self.on(on), "legality": legality.strip(),
                                   "feasibility": feasibility.strip(),
                                   "consultation": consultation.strip(),
                                   "options": _texts(options)}
        if assessment:
            payload["assessment"] = assessment
        if complex is not None:
            payload["complex"] = bool(complex)
        if note.strip():
            payload["note"] = note.strip()
        if not payload["options"]:
            raise ServiceError("报备材料还缺：决策方案。请补齐后再报镇党委")
        self._try(record, "decision.filing_submitted", {**payload, "officer": person(officer)},
                  officer)
        if attachments:
            payload["attachments"] = self._blobs(attachments)
        return self._write(officer, record, "decision.filing_submitted", payload)

    def review_filing(self, officer: Cadre, record: str, *, result: str, asked: str = "",
                      reasons: str = "", on: date | str | None = None) -> dict[str, Any]:
        """The town's answer: 同意, 补正 (what to add) or 不同意 (reasons)."""
        if self.level != "town":
            raise ServiceError("决策前论证备案只能由镇党委审核，村里不能自己审核")
        if result not in ("同意", "补正", "不同意"):
            raise ServiceError("请选择审核意见：同意、补正或不同意")
        payload: dict[str, Any] = {"on": self.on(on), "result": result}
        if asked.strip():
            payload["asked"] = asked.strip()
        if reasons.strip():
            payload["reasons"] = reasons.strip()
        payload["reviewer"] = person(officer)
        probe = {**payload, "officer": person(officer)}
        self._try(record, "decision.filing_reviewed", {k: v for k, v in probe.items()
                                                       if k != "officer"}, officer)
        return self.write([NewEvent("decision.filing_reviewed", record, payload,
                                    officer.id)])[0]

    def record_step(self, officer: Cadre, record: str, step: str, fields: Mapping[str, Any],
                    *, body: str | None = None, basis: str | None = None,
                    group: str | None = None,
                    attendance: Iterable[Mapping[str, Any]] = (),
                    proxies: Iterable[Mapping[str, str]] = (), merged: Sequence[str] = (),
                    joint: Mapping[str, Any] | None = None,
                    plan_sent: Mapping[str, date | str] | None = None,
                    attachments: Sequence[Attachment] = ()) -> dict[str, Any]:
        """One step's record (a meeting, a 公开, the 实施).  ``attendance``: {person,
        mode 到场/电话/视频, vote 赞成/反对/弃权/None}; ``proxies``: {principal, holder,
        scope}; ``joint``: {step, body, attendance, proxies} of a 合并召开 meeting."""
        self._village_only("四议两公开的办理")
        payload: dict[str, Any] = {"step": step, "fields": _fields(fields)}
        for key, value in (("body", body), ("basis", basis), ("group", group)):
            if value:
                payload[key] = value
        payload.update(_attendance(attendance, proxies))
        if merged:
            payload["merged"] = list(merged)
        if joint:
            day = payload["fields"].get("date")
            option = self.joint_option(record, as_date(day) if day else None)
            if not option.allowed or option.step is None or joint["step"] != option.step.code:
                raise ServiceError(option.reason or "合并召开的只能是下一步的村民代表会议决议")
            payload["joint"] = {"step": joint["step"], **({"body": joint["body"]}
                                if joint.get("body") else {}),
                                **_attendance(joint.get("attendance") or (),
                                              joint.get("proxies") or ())}
        if plan_sent:
            payload["plan_sent"] = {k: self._day(v) for k, v in plan_sent.items()}
        payload["officer"] = person(officer)
        self._try(record, "decision.step_recorded", payload, officer)
        if attachments:
            payload["attachments"] = self._blobs(attachments)
        return self.write([NewEvent("decision.step_recorded", record, payload, officer.id)])[0]

    def step_back(self, officer: Cadre, record: str, *, back_to: str, reason: str,
                  on: date | str | None = None) -> dict[str, Any]:
        self._village_only("退回")
        if not reason.strip():
            raise ServiceError("请写明退回的原因（例如：党员大会的记录有误，需要重新召开）")
        target = self.back_target(record)
        if target is None:
            raise ServiceError("这件事还在第一步，没有可以退回的上一步")
        if back_to != target.code:
            raise ServiceError(f"只能退回到上一步“{target.label}”")
        return self._write(officer, record, "decision.stepped_back",
                           {"on": self.on(on), "back_to": back_to, "reason": reason.strip()})

    def back_target(self, record: str) -> StepDef | None:
        """The step 退回上一步 would reopen (None at the first step)."""
        view = self.view(record)
        return step_before(view.matter.step_list, view.state.current)

    def joint_option(self, record: str, on: date | None = None) -> JointOption:
        """Whether the open 党员大会 may be held together with the 村民代表会议 (joint.py)."""
        view = self.view(record)
        return joint_option(view.matter.step_list, view.state.current, view.matter.kinds,
                            view.context.authorisations, on or self.today())

    def _blobs(self, attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
        return [{**self.store.add_blob(self.station.blobs, a.data), "mime": a.mime,
                 **({"name": a.name.strip()[:200]} if a.name.strip() else {})}
                for a in attachments]


def _texts(values: Sequence[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [v.strip() for v in values if v and v.strip()]


def _fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "", [], ()):
            out[key] = value
    return out


def _attendance(attendance: Iterable[Mapping[str, Any]],
                proxies: Iterable[Mapping[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    lines = [{"p": str(a["person"]), "m": a.get("mode") or meetings.IN_PERSON,
              **({"v": a["vote"]} if a.get("vote") else {})} for a in attendance]
    if lines:
        out["attendance"] = lines
    held = [{"principal": str(p["principal"]), "holder": str(p["holder"]).strip(),
             **({"scope": str(p["scope"]).strip()} if p.get("scope") else {})}
            for p in proxies]
    if held:
        out["proxies"] = held
    return out


def _step_doc(step: StepDef) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": step.code, "label": step.label, "kind": step.kind}
    if step.body:
        doc["body"] = step.body
    if step.gated:
        doc["gated"] = True
    if step.merge:
        doc["merge"] = step.merge
    return doc

