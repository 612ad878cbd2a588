"""How a workflow words the refusal of a step its record's status does not allow
(``Flow.wrong_status``): the record is not there yet, it is already there, or it is in a
status the step is not made from — "这起纠纷已调解成功，不能延长调解期限".  A workflow
declares its words once (``StatusWords``) and keeps only its own special cases in code.

Pure: no I/O, no clock.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.domain.workflow.basics import RecordState, Verdict, no
from app.domain.workflow.engine import Transition

S = TypeVar("S", bound=RecordState)


@dataclass(frozen=True)
class StatusWords(Generic[S]):
    """``record``: how refusals name the record ("这起纠纷"); ``creating``: the event type
    that creates it; ``missing`` / ``duplicate``: the refusals of a step on a record not
    yet created, and of creating it twice; ``phrases``: how each status reads after the
    record's name ("已调解成功"), the state's ``status_name`` where none is given;
    ``special``: the workflow's own wording where it knows better (which step comes
    first), None where the general words fit."""

    record: str
    creating: str
    missing: Verdict
    duplicate: Verdict
    phrases: Mapping[str, str]
    special: Callable[[S, Transition[S]], Verdict | None] | None = None

    def refusal(self, state: S, step: Transition[S]) -> Verdict:
        """``Flow.wrong_status``: why ``step`` cannot be made from ``state``'s status."""
        if state.status == "new":
            return self.missing
        if step.kind == self.creating:
            return self.duplicate
        verdict = self.special(state, step) if self.special is not None else None
        if verdict is not None:
            return verdict
        phrase = self.phrases.get(state.status, state.status_name)
        return no("wrong_status", f"{self.record}{phrase}，不能{step.action}")
