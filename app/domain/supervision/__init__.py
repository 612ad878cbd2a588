"""Conduct supervision (issue #13): the pure rules, ready for a workflow declaration.

No I/O, no clock: rosters, cases, scores, ``today`` and the config are passed in; every
number is a config value ``supervision.*`` with its source (``SupervisionRules``).

Public surface, by module:
    kinship       relation_between, INVERSE (近亲属 per 民法典 Art 1045, configurable)
    eligibility   Member, candidate_findings, committee_eligibility (组织法 Art 32; 河南办法 Art 56)
    reviews       review_outcome (two consecutive 不称职, Art 33), review_due
    cases         case_clocks, current_step, check_case (the 纪委's steps and deadlines)
    double_check  close_gate (一案双查: 主体责任 and 监督责任 reviewed before closing)
    scheme        check_scheme (百分制: weights sum to exactly 100; 定量/定性; 组织认定/群众评判)
    measures      MEASURES, count (quantitative criteria over plain data)
    scoring       quantitative, qualitative (trimmed mean), score_unit, rank (ties), stars
    rules         SupervisionRules

Exceptions: DomainError ── SupervisionError (malformed roster, case, scheme or scores).
"""
from app.domain.supervision.cases import case_clocks, check_case, current_step
from app.domain.supervision.double_check import CloseGate, close_gate
from app.domain.supervision.eligibility import (
    Eligibility, Finding, Member, candidate_findings, committee_eligibility)
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.kinship import relation_between
from app.domain.supervision.measures import MEASURES, count
from app.domain.supervision.reviews import review_due, review_outcome
from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.scheme import Scheme, check_scheme
from app.domain.supervision.scoring import (
    Ranked, UnitScore, qualitative, quantitative, rank, score_unit, stars)

__all__ = [
    "CloseGate", "Eligibility", "Finding", "MEASURES", "Member", "Ranked", "Scheme",
    "SupervisionError", "SupervisionRules", "UnitScore", "candidate_findings", "case_clocks",
    "check_case", "check_scheme", "close_gate", "committee_eligibility", "count",
    "current_step", "qualitative", "quantitative", "rank", "relation_between", "review_due",
    "review_outcome", "score_unit", "stars",
]
