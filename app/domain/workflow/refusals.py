"""How a workflow words the refusal of a step its record's status does not allow
(``Flow.wrong_status``): the record is not there yet, it is already there, or it is in a
status the step is not made from — "这起纠纷已调解成功，不能延长调解期限".  A workflow
declares its words once (``StatusWords``) and keeps only its own special cases in code.

Pure: no I/O, no clock.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.workflow.basics import RecordState, Verdict, no
from app.domain.workflow.engine import Transition


@dataclass(frozen=True)
class StatusWords:
    """``record``: how refusals name the record ("这起纠纷"); ``creating``: the event type
    that creates it; ``missing`` / ``duplicate``: the refusals of a step on a record not
    yet created, and of creating it twice; ``phrases``: how each status reads after the
    record's name ("已调解成功"), the state's ``status_name`` where none is given."""

    record: str
    creating: str
    missing: Verdict
    duplicate: Verdict
    phrases: Mapping[str, str]

    def refusal(self, state: RecordState, step: Transition[Any],
                special: Callable[[], Verdict | None] = lambda: None) -> Verdict:
        """The refusal; ``special`` gives a workflow's own wording for a case it knows
        better (an order of steps to follow), None where the general words fit."""
        if state.status == "new":
            return self.missing
        if step.kind == self.creating:
            return self.duplicate
        verdict = special()
        if verdict is not None:
            return verdict
        phrase = self.phrases.get(state.status, state.status_name)
        return no("wrong_status", f"{self.record}{phrase}，不能{step.action}")
