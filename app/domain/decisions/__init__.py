"""Village decisions (issue #12): the pure rules, ready for a workflow declaration.

No I/O, no clock: rosters, records, ``today`` and the config are passed in; every number
is a config value ``decisions.*`` with its source (``DecisionRules.from_config``).
Article numbers of the 村民委员会组织法 are those of the 2018 text; the 2025 amendment (in
force 2026-01-01) renumbers articles — see the sources in ``defaults.json``.

Public surface, by module:
    thresholds  Threshold (phrase → exact integer check), at_least_as_strict, ratio_text
    roster      Person, check_roster, is_adult, party_voters, representatives_members,
                adults, households
    meetings    tally → MeetingResult (应到, 实到, required, for/against/abstain, explain()),
                Attendance, body and mode names
    matters     deciding_body (Art 24 / Art 25 authorisation), land_consent (土地承包法 Art 52 …)
    composition roster_warnings (村民代表 ≥ 4/5, women ≥ 1/3, a woman on the 村委会)
    notices     party_plan_notice (3 days), villagers_meeting_notice (10 days)
    filing      filing_gate (决策前论证备案 + risk gate), filing_missing
    procedure   steps_for / load_steps (the step list as data), procedure_state (where a
                matter stands; failed never quietly passed; back one step)
    judging     Context, RecordJudge (completeness and pass/fail of each step record)
    publicity   publicity_schedule, overdue (村务公开, Art 30)
    rules       DecisionRules

Exceptions: DomainError ── DecisionError (malformed roster, record or step list).
"""
from app.domain.decisions.composition import roster_warnings
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.filing import Gate, filing_gate, filing_missing
from app.domain.decisions.judging import Context, RecordJudge
from app.domain.decisions.matters import deciding_body, land_consent
from app.domain.decisions.meetings import Attendance, MeetingResult, tally
from app.domain.decisions.notices import party_plan_notice, villagers_meeting_notice
from app.domain.decisions.procedure import ProcedureState, load_steps, procedure_state, steps_for
from app.domain.decisions.publicity import overdue, publicity_schedule
from app.domain.decisions.roster import Person, check_roster
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.thresholds import Threshold

__all__ = [
    "Attendance", "Context", "DecisionError", "DecisionRules", "Gate", "MeetingResult",
    "Person", "ProcedureState", "RecordJudge", "Threshold", "check_roster", "deciding_body",
    "filing_gate", "filing_missing", "land_consent", "load_steps", "overdue",
    "party_plan_notice", "procedure_state", "publicity_schedule", "roster_warnings",
    "steps_for", "tally", "villagers_meeting_notice",
]
