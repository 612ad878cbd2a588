"""The decision service's core (issue #12): its rules, the replay that checks every write
before it is made, and ``view`` (the matter, where it stands today, the gate in words).

Every write is checked first by replaying the matter with the new event at the end
(app.domain.decisions.workflow.fold with the judge's context): what the fold would keep
as rejected is refused here with the same Chinese message, and nothing is written.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.decisions import contexts
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.judging import Context
from app.domain.decisions.procedure import ProcedureState, StepDef
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.village import VillageRegister
from app.domain.decisions.workflow import NEW, Matter, fold, procedure
from app.domain.risk.grading import RiskRules
from app.projections.decisions import parents
from app.services.errors import ServiceError
from app.services.workflow import Workflow, as_date, person
from sync.hlc import pack
from sync.ids import uuid7
from sync.store import NewEvent


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


class DecisionsBase(Workflow):
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

    def register(self, village: str | None = None) -> VillageRegister | None:
        return self.station.projections.decisions.register(self.conn,
                                                           village or self.station.node_id)

    def _village_only(self, what: str) -> None:
        if self.level != "village":
            raise ServiceError(f"{what}由村里办理；镇、县只能查看")

    def _day(self, value: date | str) -> str:
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
        history, risk = folds.rules_history(self.conn), self.risk_rules
        # the matter folded with its contexts is kept per fold: opened again with nothing
        # changed (the screen asks at every tick of an attendance sheet), it is not judged
        # again — the same events, register version, assessments, rules (the history object
        # is replaced when a config event arrives), levels and parents
        key = (record, len(events), last, bool(extra),
               tuple((a, len(e), max((int(x["hlc"]) for x in e), default=0))
                     for a, e in sorted(assessments.items())))
        cache = folds.matter_cache
        held = cache.get(record) if not extra else None
        if held is not None and held[0] == key and held[1] is register and \
                held[2][0] is history and held[2][1:] == (risk, levels, tops):
            return held[3], register, assessments
        at = contexts.context_at(register, assessments, levels, history, risk)
        matter = fold(events, levels, tops, at)
        if not extra:
            if len(cache) >= 64:
                cache.clear()
            cache[record] = (key, register, (history, risk, levels, tops), matter)
        return matter, register, assessments

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

