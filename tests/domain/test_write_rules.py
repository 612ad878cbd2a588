"""Every event type added for the cadres' work declares who may write it, and the
declaration is what the folds enforce."""
from __future__ import annotations

import pytest

from app.domain import local_matters
from app.domain.service_transitions import check_transition
from app.domain.write_rules import WRITE_RULES
from schemas import load_registry
from tests.domain.builders import LEVELS, log_at

NEW_TYPES = ("svc.withdrawn", "svc.materials_supplied", "svc.urged", "visit.converted",
             "catalog.matter_proposed", "catalog.proposal_decided")


def test_every_new_event_type_has_a_schema_and_a_declaration():
    registry = load_registry()
    for kind in NEW_TYPES:
        assert registry.knows(kind, 1), kind
        assert kind in WRITE_RULES, kind
    assert all(registry.knows(kind, 1) for kind in WRITE_RULES)


@pytest.mark.parametrize("kind, path", [("svc.withdrawn", "accepted"),
                                        ("svc.materials_supplied", "accepted"),
                                        ("svc.urged", "forwarded")])
def test_a_level_outside_the_declaration_is_refused_by_the_fold(kind, path):
    declared = WRITE_RULES[kind].levels
    log = log_at(path)
    for origin, level in LEVELS.items():
        verdict = check_transition(log.state(), log.event(kind, origin), level)
        if level not in declared:
            assert not verdict.ok and verdict.code == "wrong_level", (origin, verdict)


@pytest.mark.parametrize("level", ["village", "town", "county"])
def test_proposal_steps_follow_their_declared_levels(level):
    pending = local_matters.Proposal("r", status="pending")
    new = local_matters.Proposal("r")
    propose = {"type": "catalog.matter_proposed", "payload": {"reason": "需要"}}
    decide = {"type": "catalog.proposal_decided",
              "payload": {"decision": "refused", "reason": "不需要"}}
    allowed = local_matters.check(new, propose, level) is None
    assert allowed == (level in WRITE_RULES["catalog.matter_proposed"].levels)
    allowed = local_matters.check(pending, decide, level) is None
    assert allowed == (level in WRITE_RULES["catalog.proposal_decided"].levels)
