"""Every event type added for the cadres' work (issue #8 §3) is declared in the one
declaration of who may write what (app.domain.authority, issue #7): the hubs refuse an
author of another level, and the folds enforce the same levels."""
from __future__ import annotations

import pytest

from app.domain.service import local_matters
from app.domain.service.flow import check_transition
from app.domain.authority import OWN, Author, WRITERS, check_write
from schemas import load_registry
from tests.domain.builders import LEVELS, log_at

NEW_TYPES = ("svc.withdrawn", "svc.materials_supplied", "svc.urged", "visit.converted",
             "catalog.matter_proposed", "catalog.proposal_decided")


def test_every_new_event_type_has_a_schema_and_a_declaration():
    registry = load_registry()
    for kind in NEW_TYPES:
        assert registry.knows(kind, 1), kind
        assert kind in WRITERS, kind


@pytest.mark.parametrize("kind, path", [("svc.withdrawn", "accepted"),
                                        ("svc.materials_supplied", "accepted"),
                                        ("svc.urged", "forwarded")])
def test_a_level_outside_the_declaration_is_refused_by_the_fold(kind, path):
    declared = WRITERS[kind].levels
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
    assert allowed == (level in WRITERS["catalog.matter_proposed"].levels)
    allowed = local_matters.check(pending, decide, level) is None
    assert allowed == (level in WRITERS["catalog.proposal_decided"].levels)


def _author(level: str) -> Author:
    return Author(id=f"node-{level}", level=level, parent="hub", roles=frozenset(),
                  short_code="XJ001")


@pytest.mark.parametrize("kind, allowed", [
    ("svc.withdrawn", {"village", "town", "county"}),
    ("svc.materials_supplied", {"village", "town", "county"}),
    ("svc.urged", {"village", "town"}),                  # never the county: no one above it
    ("visit.converted", {"village", "town", "county"}),
    ("catalog.matter_proposed", {"village"}),
    ("catalog.proposal_decided", {"town", "county"}),
])
def test_a_hub_refuses_an_author_of_another_level(kind, allowed):
    for level in ("village", "town", "county"):
        event = {"type": kind, "record": "r", "author": "cadre-1", "payload": {}}
        verdict = check_write(event, _author(level))
        assert verdict.ok == (level in allowed), (kind, level, verdict)
        if not verdict.ok:
            assert verdict.code == "wrong_level"


def test_a_visit_is_turned_into_a_record_only_by_its_own_station():
    assert WRITERS["visit.converted"].record == OWN
    unsigned = {"type": "visit.converted", "record": "r", "payload": {}}
    assert check_write(unsigned, _author("village")).code == "no_author"
