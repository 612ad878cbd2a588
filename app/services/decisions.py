"""村级民主决策 (issue #12) as a workflow service: the matter file (一事一档), filing with
the town before deciding (决策前论证备案), the 四议两公开 steps with meetings judged against
the roster, 决议公开 / 实施结果公开, the village register (roster, 村民会议 authorisations,
村务公开) and the town's inbox.

Every write is checked first by replaying the matter with the new event at the end
(app.domain.decisions.workflow.fold with the judge's context): what the fold would keep
as rejected is refused here with the same Chinese message, and nothing is written.

API (dates ``date`` or "YYYY-MM-DD"):
    VillageDecisions(station, today=date.today, now=None)
    village side: .set_people(officer, entries, removed=()), .roster(), .roster_warnings(),
        .authorise(officer, scope=, since=, until=None, record=), .publish(officer, …),
        .open_matter(officer, title=, motion_source=, reason=, kinds=, …) -> record,
        .submit_filing(officer, record, legality=, feasibility=, consultation=, options=,
        assessment=None), .record_step(officer, record, step, fields, …), .step_back(…)
    town side: .review_filing(officer, record, result=, asked="", reasons="")
    reading: .view(record) -> MatterView, .matters(village=None), .inbox(),
        .preview(record, step, body, attendance, …) -> MeetingResult, .publicity(village)
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.decisions import contexts, meetings
from app.domain.decisions.composition import RosterWarning, roster_warnings
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.judging import Context
from app.domain.decisions.matters import KNOWN
from app.domain.decisions.meetings import Attendance, MeetingResult
from app.domain.decisions.procedure import ProcedureState, StepDef, steps_for
from app.domain.decisions.publicity import Due, publicity_schedule
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.village import VillageRegister, check_entry
from app.domain.decisions.workflow import NEW, Matter, fold, procedure
from app.domain.risk.grading import RiskRules
from app.projections.decisions import parents
from app.services.errors import ServiceError
from app.services.workflow import Attachment, Workflow, person
from sync.blobfiles import BlobError
from sync.hlc import pack
from sync.ids import uuid7
from sync.store import NewEvent

REGISTER_KEY = "decisions:register"
CHUNK = 400          # roster entries per event (schemas/decision: maxItems)


@dataclass(frozen=True)
class MatterView:
    matter: Matter
    state: ProcedureState
    context: Context
    assessment: Mapping[str, Any] | None
    names: Mapping[str, str]

    @property
    def record(self) -> str:
        return self.matter.record

    @property
    def gate_message(self) -> str:
        return self.context.gate.message

    def step(self, code: str) -> StepDef:
        return next(s for s in self.matter.step_list if s.code == code)


class VillageDecisions(Workflow):
    kind_name = "村级决策事项"

    # rules ------------------------------------------------------------------------------
    @property
    def decision_rules(self) -> DecisionRules:
        return DecisionRules.from_config(self.rules.config)

    @property
    def risk_rules(self) -> RiskRules:
        return RiskRules.from_config(self.rules.config)

    def parents(self) -> dict[str, str]:
        out = parents(self.conn)
        hub = self.station.hub_id()
        if hub:
            out.setdefault(self.station.node_id, hub)
        return out

    def _hlc_now(self) -> int:
        return pack(int(self.now().timestamp() * 1000), 0)

    # the village register ---------------------------------------------------------------
    def register_record(self) -> str:
        """This village's register record (made on first use)."""
        row = self.conn.execute("SELECT record FROM village_registers WHERE village=?"
                                " ORDER BY hlc LIMIT 1", (self.station.node_id,)).fetchone()
        if row:
            return str(row[0])
        return str(self.store.meta.get(REGISTER_KEY) or "") or self._new_register()

    def _new_register(self) -> str:
        record = uuid7()
        self.store.meta.set(REGISTER_KEY, record)
        return record

    def register(self, village: str | None = None) -> VillageRegister | None:
        return self.station.projections.decisions.register(self.conn,
                                                           village or self.station.node_id)

    def _village_only(self, what: str) -> None:
        if self.level != "village":
            raise ServiceError(f"{what}由村里办理；镇、县只能查看")

    def set_people(self, officer: Cadre, entries: Sequence[Mapping[str, Any]],
                   removed: Sequence[str] = (), on: date | str | None = None) -> list[str]:
        """Add or change roster entries (each needs ``name``; a new one gets an id);
        returns the ids in order.  Every entry is checked before anything is written."""
        self._village_only("花名册")
        people = []
        for entry in entries:
            doc = {k: v for k, v in entry.items() if v not in (None, "")}
            doc.setdefault("id", uuid7())
            if doc.get("birth_date"):
                try:
                    doc["birth_date"] = self._day(doc["birth_date"])
                except ServiceError as exc:
                    raise ServiceError(f"“{doc.get('name') or '（无名）'}”的出生{exc.message}") from exc
            try:
                check_entry(doc)
            except DecisionError as exc:
                raise ServiceError(f"“{doc.get('name') or '（无名）'}”：{exc.message}") from exc
            people.append(doc)
        record, when = self.register_record(), self.on(on)
        items = [NewEvent("decision.roster_changed", record,
                          {"on": when, "people": people[i:i + CHUNK], "officer": person(officer)},
                          officer.id) for i in range(0, len(people), CHUNK)]
        if removed:
            items.append(NewEvent("decision.roster_changed", record,
                                  {"on": when, "removed": list(removed)[:CHUNK],
                                   "officer": person(officer)}, officer.id))
        self.write(items)
        return [p["id"] for p in people]

    def roster(self, village: str | None = None) -> list[dict[str, Any]]:
        register = self.register(village)
        return register.entries() if register else []

    def roster_warnings(self, village: str | None = None) -> list[RosterWarning]:
        """村民代表 ≥ 4/5 and women ≥ 1/3 of the 代表会议, a woman on the 村委会 (Art 25, 6)."""
        register = self.register(village)
        return roster_warnings(register.people() if register else (), self.decision_rules)

    def authorise(self, officer: Cadre, *, scope: Sequence[str], since: date | str,
                  record: str, until: date | str | None = None,
                  on: date | str | None = None) -> dict[str, Any]:
        """村民会议授权村民代表会议 (Art 25(1)): the matter kinds (or "all"), from/until."""
        self._village_only("村民会议授权")
        kinds = list(scope)
        if not kinds or any(k not in KNOWN and k != "all" for k in kinds):
            raise ServiceError("请选择授权的事项类别（或“全部”）")
        if not record.strip():
            raise ServiceError("请写明作出授权的村民会议（日期、会议记录）")
        payload: dict[str, Any] = {"on": self.on(on), "scope": kinds,
                                   "from": self._day(since), "record": record.strip(),
                                   "officer": person(officer)}
        if until:
            payload["until"] = self._day(until)
        return self.write([NewEvent("decision.authorised", self.register_record(), payload,
                                    officer.id)])[0]

    def publish(self, officer: Cadre, *, category: str, title: str, place: str = "",
                event: str = "", on: date | str | None = None) -> dict[str, Any]:
        """One 村务公开 (Art 30): 一般事项, 财务收支 or 重大事项 (``event``: the matter)."""
        self._village_only("村务公开")
        if not title.strip():
            raise ServiceError("请填写公开的内容")
        payload = {"on": self.on(on), "category": category, "title": title.strip(),
                   "officer": person(officer),
                   **({"place": place.strip()} if place.strip() else {}),
                   **({"event": event} if event else {})}
        return self.write([NewEvent("decision.published", self.register_record(), payload,
                                    officer.id)])[0]

    def _day(self, value: date | str) -> str:
        from app.services.workflow import as_date
        return as_date(value).isoformat()

    # the matter -------------------------------------------------------------------------
    def _matter(self, record: str, extra: Sequence[dict[str, Any]] = ()
                ) -> tuple[Matter, VillageRegister | None, dict[str, list[dict[str, Any]]]]:
        events = self.station.projections.events(self.conn, record) if record else []
        last = max((int(e["hlc"]) for e in events), default=0)
        # a would-be event goes after everything held (the app's "today" may be set back)
        events = [*events, *({**e, "hlc": max(int(e["hlc"]), last + 1)} for e in extra)]
        if not events:
            raise ServiceError("找不到这件事：可能还没有同步到本机，请先同步。")
        folds = self.station.projections.decisions
        levels, tops = self.levels(), self.parents()
        bare = fold(events, levels, tops)
        register = self.register(bare.village) if bare.status != NEW else None
        linked = {str(f["assessment"]) for f in bare.trail if f.get("assessment")}
        assessments = {a: folds.events(self.conn, a) for a in linked}
        at = contexts.context_at(register, assessments, levels,
                                 folds.rules_history(self.conn), self.risk_rules)
        return fold(events, levels, tops, at), register, assessments

    def _try(self, record: str, event_type: str, payload: dict[str, Any],
             officer: Cadre) -> None:
        """Replay the matter with the would-be event at the end; refuse what it refuses."""
        probe = {"id": "probe-" + uuid7(), "origin": self.station.node_id, "seq": 1 << 40,
                 "hlc": self._hlc_now(), "type": event_type, "v": 1, "record": record,
                 "author": officer.id, "payload": payload}
        try:
            matter, _, _ = self._matter(record if event_type != "decision.matter_opened"
                                        else "", [probe])
        except DecisionError as exc:
            raise ServiceError(exc.message) from exc
        refused = next((r for r in matter.rejected if r.event_id == probe["id"]), None)
        if refused is not None:
            raise ServiceError(refused.reason)

    def _write(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any]
               ) -> dict[str, Any]:
        payload["officer"] = person(officer)
        self._try(record, event_type, payload, officer)
        return self.write([NewEvent(event_type, record, payload, officer.id)])[0]

    def open_matter(self, officer: Cadre, *, title: str, motion_source: str, reason: str,
                    kinds: Sequence[str], money_yuan: str = "", options: Sequence[str] = (),
                    parties_consulted: Sequence[str] = (), needs_assessment: bool = True,
                    complex: bool = False, secretary: str = "", chair: str = "",
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
        return self._write(officer, record, "decision.stepped_back",
                           {"on": self.on(on), "back_to": back_to, "reason": reason.strip()})

    def _blobs(self, attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
        return [{**self.store.add_blob(self.station.blobs, a.data), "mime": a.mime,
                 **({"name": a.name.strip()[:200]} if a.name.strip() else {})}
                for a in attachments]

    # reading ----------------------------------------------------------------------------
    def view(self, record: str) -> MatterView:
        matter, register, assessments = self._matter(record)
        if matter.status == NEW:
            raise ServiceError("找不到这件事的立项记录：可能还没有同步到本机，请先同步。")
        latest = contexts.context_now(matter, register, assessments, self.levels(),
                                      self.decision_rules, self.risk_rules, self.today())
        assessment = contexts.assessment_at(matter, assessments, self.levels(),
                                            self.risk_rules, None)
        return MatterView(matter, procedure(matter, latest, self.today()), latest, assessment,
                          register.names() if register else {})

    def file_pdf(self, record: str) -> bytes:
        """The whole 一事一档 as one PDF (app.docs.decisions), photos included."""
        from app.docs.decisions import matter_file
        view = self.view(record)
        photos = {}
        for item in view.matter.records:
            for attachment in item.get("attachments") or ():
                try:
                    photos[attachment["sha256"]] = self.station.blobs.read(attachment["sha256"])
                except (OSError, BlobError):
                    continue   # not synced here yet: the file says so
        row = self.conn.execute("SELECT name FROM nodes_dir WHERE id=?",
                                (view.matter.village,)).fetchone()
        name = row[0] if row and row[0] else (self.station.name if view.matter.village ==
                                              self.station.node_id else "")
        return matter_file(view, name or "", photos)

    def preview(self, record: str, body: str, attendance: Iterable[Mapping[str, Any]],
                proxies: Iterable[Mapping[str, str]] = (), basis: str = meetings.ADULTS,
                on: date | None = None) -> MeetingResult:
        """The live quorum and vote of a meeting being ticked on the tablet."""
        view = self.view(record)
        lines = [Attendance(str(a["person"]), a.get("mode") or meetings.IN_PERSON, a.get("vote"))
                 for a in attendance]
        lines += [Attendance(str(p["principal"]), meetings.PROXY, None, str(p["holder"]))
                  for p in proxies]
        try:
            return meetings.tally(body, view.context.people, lines, on or self.today(),
                                  self.decision_rules, basis=basis)
        except DecisionError as exc:
            raise ServiceError(exc.message) from exc

    def matters(self, village: str | None = None) -> list[dict[str, Any]]:
        """Matters, blocked or failed ones first, then by latest change."""
        cursor = self.conn.execute(
            "SELECT m.*, COALESCE(n.name, '') AS village_name FROM village_matters m"
            " LEFT JOIN nodes_dir n ON n.id=m.village"
            + (" WHERE m.village=?" if village else "")
            + " ORDER BY (m.blocked<>'' OR m.trouble<>'') DESC, m.finished, m.hlc DESC",
            (village,) if village else ())
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def by_village(self, rows: Sequence[Mapping[str, Any]] | None = None
                   ) -> dict[str, dict[str, Any]]:
        """The town's chart: per village, matters by the step they are at (待审核,
        受阻, 已办结 counted too) and how many 村务公开 are overdue."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.matters() if rows is None else rows:
            entry = out.setdefault(row["village"], {
                "name": row.get("village_name") or "（未知村）", "steps": {}, "blocked": 0,
                "overdue": 0})
            label = ("待镇审核" if row["status"] == "已报备" else
                     row["current_label"] or "已办结")
            entry["steps"][label] = entry["steps"].get(label, 0) + 1
            entry["blocked"] += int(bool(row["blocked"] or row["trouble"]))
        for village, entry in out.items():
            entry["overdue"] = sum(1 for due in self.publicity(village) if due.overdue)
        return out

    def inbox(self) -> list[dict[str, Any]]:
        """The town's filings waiting for review, oldest first."""
        return sorted((m for m in self.matters() if m["status"] == "已报备"),
                      key=lambda m: m["hlc"])

    def publicity(self, village: str | None = None, busy_finances: bool = False
                  ) -> list[Due]:
        """村务公开 dues (Art 30) since the register began, each resolved matter a major
        item to publish at once."""
        register = self.register(village)
        if register is None or not register.history and not register.publications:
            return []
        since = min([date.fromisoformat(p["on"]) for p in register.publications] +
                    [date.fromisoformat(m["opened_on"]) for m in self.matters(
                        register.village)] or [self.today()])
        majors = [{"id": m["record"], "title": m["title"], "date": m["resolved_on"]}
                  for m in self.matters(register.village) if m["resolved_on"]]
        pubs = [{"category": p["category"], "date": p["on"], "event": p.get("event")}
                for p in register.publications]
        return publicity_schedule(pubs, majors, since, self.today(), busy_finances,
                                  self.decision_rules)


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


__all__ = ["MatterView", "VillageDecisions"]
