"""The judge's context of a matter at one place in the total order (pure): the village's
roster and authorisations then, the decision rules in force then (``RulesHistory``: a
town changing a threshold later does not re-judge the record), the 决策前论证备案 gate then (the filing's state and the
linked risk assessment replayed up to that stamp), the date then.  Used by the fold (each
step record judged once, where it stands) and by the screens (``hlc=None``: now).

The linked assessment counts only if it assesses this very matter (its ``subject``): a
village cannot borrow another matter's low-risk report to pass the gate.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Union

from app.domain.risk import flow as risk_assessment
from app.domain.decisions.judging import Context
from app.domain.decisions.rules import DecisionRules, RulesHistory
from app.domain.decisions.village import VillageRegister
from app.domain.decisions.workflow import ContextAt, Matter, day_of, gate_of, plan_sent
from app.domain.risk.grading import RiskRules

KIND = "village_matter"


Assessments = Mapping[str, Sequence[Mapping[str, Any]]]   # assessment record -> its events
# the decision rules: fixed, or as in force at each stamp (a record judged by its own)
Rules = Union[DecisionRules, RulesHistory]


def rules_at(rules: Rules, hlc: int | None) -> DecisionRules:
    return rules.at(hlc) if isinstance(rules, RulesHistory) else rules


def assessment_at(matter: Matter, assessments: Assessments, levels: Mapping[str, str],
                  risk_rules: RiskRules, hlc: int | None) -> dict[str, Any] | None:
    """The linked assessment's state (status, grade, measures, analysis) at ``hlc``."""
    events = assessments.get(matter.assessment or "") or ()
    wanted = [e for e in events if hlc is None or int(e["hlc"]) <= hlc]
    if not matter.assessment or not wanted:
        return None
    state = risk_assessment.fold(wanted, levels, risk_rules)
    subject = state.subject or {}
    if subject.get("kind") != KIND or subject.get("record") != matter.record:
        return None
    return {"status": state.status, "grade": state.grade, "measures": state.measures,
            "analysis": state.analysis, "record": state.record,
            "status_name": state.status_name}


def context_at(register: VillageRegister | None, assessments: Assessments,
               levels: Mapping[str, str], rules: Rules, risk_rules: RiskRules
               ) -> ContextAt:
    def at(matter: Matter, hlc: int) -> Context:
        return context_now(matter, register, assessments, levels, rules, risk_rules,
                           day_of(hlc), hlc)
    return at


def context_now(matter: Matter, register: VillageRegister | None,
                assessments: Assessments, levels: Mapping[str, str],
                rules: Rules, risk_rules: RiskRules, today: date,
                hlc: int | None = None) -> Context:
    people = register.people(hlc, matter.record) if register else ()
    authorisations = register.authorisations_at(hlc) if register else ()
    assessment = assessment_at(matter, assessments, levels, risk_rules, hlc)
    return Context(people, rules_at(rules, hlc), matter.kinds, gate_of(matter, assessment, risk_rules), today,
                   authorisations, plan_sent(matter), str(matter.opened.get("secretary") or ""),
                   str(matter.opened.get("chair") or ""))
