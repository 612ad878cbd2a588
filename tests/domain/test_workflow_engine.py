"""The workflow engine itself (app.domain.workflow, issue #9): the gate decides the
buttons, the payload checks only the save; the holder rules; a declaration needs who may
write each of its steps."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from app.domain.service.flow import SERVICE_CASE
from app.domain.events import Rejected
from app.domain.workflow import Act, Effect, Flow, Step, Transition, Verdict, holds, no
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


@dataclass(frozen=True)
class _Noted:
    record: str
    status: str = "new"
    level: str | None = None
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()
    opener: str = ""
    acts: tuple[Act, ...] = ()

    @property
    def status_name(self) -> str:
        return self.status


def _noting(state: _Noted, event: Mapping[str, Any], p: Mapping[str, Any], act: Act) -> Effect:
    opener = state.opener or str(act.node)
    return Effect(dict(status="open", level="village", opener=opener,
                       acts=state.acts + (act,)), "记下")


def _same_node(state: _Noted, step: Transition[_Noted], act: Act) -> Verdict | None:
    if state.opener and act.node != state.opener:
        return no("not_holder", "只有立项的村可以办理")
    return None


_NOTING: Flow[_Noted] = Flow(
    name="测试", new=lambda record: _Noted(record), wrong_status=lambda s, t: no("order", "顺序不对"),
    node_rule=_same_node,
    steps=(Transition("decision.matter_opened", {"new"}, "", _noting),
           Transition("decision.step_recorded", {"open"}, "登记", _noting)))


def _event(i: int, kind: str, origin: str, hlc: int) -> dict[str, Any]:
    return {"id": f"e{i}", "record": "r", "type": kind, "v": 1, "origin": origin, "seq": i,
            "hlc": hlc, "author": f"cadre-{origin}", "payload": {}}


def test_an_act_carries_the_events_clock_stamp_author_and_certified_parent():
    events = [_event(1, "decision.matter_opened", "v1", 100),
              _event(2, "decision.step_recorded", "v1", 200),
              _event(3, "decision.step_recorded", "v2", 300)]   # another village
    levels, parents = {"v1": "village", "v2": "village"}, {"v1": "t1", "v2": "t2"}
    state = _NOTING.fold(events, levels, parents=parents)
    assert [(a.hlc, a.node, a.parent, a.cadre, a.event) for a in state.acts] == [
        (100, "v1", "t1", "cadre-v1", "e1"), (200, "v1", "t1", "cadre-v1", "e2")]
    assert [(r.event_id, r.code) for r in state.rejected] == [("e3", "not_holder")]
    # the buttons ask the same node rule for the asking node
    assert _NOTING.buttons(state, "village", node="v1") == [("decision.step_recorded", "登记")]
    assert _NOTING.buttons(state, "village", node="v2") == []
    # a workflow that passes no parents still folds (parent unknown)
    assert _NOTING.fold(events[:1], levels).acts[0].parent is None
