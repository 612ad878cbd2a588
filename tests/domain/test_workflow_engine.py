"""The workflow engine itself (app.domain.workflow, issue #9): the gate decides the
buttons, the payload checks only the save; the holder rules; a declaration needs who may
write each of its steps."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.domain.service.flow import SERVICE_CASE
from app.domain.workflow import Flow, Transition, holds, no
from tests.domain.builders import DISSATISFIED, PATHS, Log, payload_for


def _log(path: str) -> Log:
    log = Log()
    for kind, origin, extra in PATHS[path]:
        log.add(kind, origin, **extra)
    return log


def test_a_button_depends_on_the_gate_and_its_form_on_the_payload_checks():
    state = _log("escalated").state()
    assert ("svc.returned", "退回") in SERVICE_CASE.buttons(state, "town")
    assert SERVICE_CASE.gate(state, "svc.returned", "town").ok
    empty = {"type": "svc.returned", "v": 1, "payload": {"on": "2025-09-30"}}
    verdict = SERVICE_CASE.check(state, empty, "town")
    assert (verdict.ok, verdict.code) == (False, "missing_reason")
    full = {"type": "svc.returned", "v": 1, "payload": payload_for("svc.returned")}
    assert SERVICE_CASE.check(state, full, "town").ok


def test_a_rule_on_the_state_alone_closes_the_gate_and_hides_the_button():
    satisfied = _log("rated_satisfied").state()
    assert "svc.reopened" not in dict(SERVICE_CASE.buttons(satisfied, "village"))
    assert SERVICE_CASE.gate(satisfied, "svc.reopened", "village").code == "not_dissatisfied"
    log = _log("fed_back")
    log.add("svc.rated", "v1", **DISSATISFIED)
    assert "svc.reopened" in dict(SERVICE_CASE.buttons(log.state(), "village"))


def test_the_gate_reads_levels_from_the_authority_declaration():
    accepted = _log("accepted").state()
    # svc.escalated: WRITERS says village only; a town node gets the case's own wording
    verdict = SERVICE_CASE.gate(accepted, "svc.escalated", "town")
    assert (verdict.ok, verdict.code) == (False, "wrong_level")
    assert "转办县直部门" in verdict.message
    assert SERVICE_CASE.gate(accepted, "svc.no_such_step", "village").code == "unknown_type"


@dataclass(frozen=True)
class _Held:
    record: str = "r"
    status: str = "open"
    level: str | None = "town"
    path: tuple[tuple[str, str | None], ...] = (("village", "v1"), ("town", "t1"))


@pytest.mark.parametrize("who, actor, allowed", [
    ("holder", "town", True), ("holder", "village", False), ("holder", "county", False),
    ("holder_or_above", "county", True), ("holder_or_above", "village", False),
    ("upper", "county", True), ("upper", "town", False),
    ("holder_or_accepting", "village", True), ("holder_or_accepting", "town", True),
    ("holder_or_accepting", "county", False),
    ("sender", "village", True), ("sender", "town", False),
    ("anyone", "village", True),
])
def test_holder_rules(who, actor, allowed):
    assert holds(who, _Held(), actor) is allowed  # type: ignore[arg-type]


def test_a_step_nobody_is_declared_to_write_cannot_be_declared():
    with pytest.raises(ValueError, match="no authority declaration"):
        Flow(name="测试", new=lambda record: _Held(record), wrong_status=lambda s, t: no("x", "x"),
             steps=(Transition("made.up", {"open"}, "编造", lambda *a: None),))
