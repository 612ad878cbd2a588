"""Payload checks as data: what a step's form must contain, declared once per step.

Most payload checks of the workflows (service case, dispute, petition) are a list of
"this field must be filled in / a date / one of these choices, else say so in Chinese";
each workflow used to write that list out as a chain of ``if … return no(…)``.  Here a
requirement is one value (``need_text``, ``need_date``, ``need_choice``, ``need_list``)
and ``requires(...)`` turns a list of them into the step's ``Transition.check``: the
first requirement that fails gives the refusal.  What a workflow requires, with its codes
and messages, stays in its own ``checks`` module; only the shape lives here.

Pure: no I/O, no clock.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, overload

from app.domain.workflow.basics import OK, Verdict, iso_date, no, text, texts

Payload = Mapping[str, Any]
# A step's payload check as the engine calls it: (state, payload, act) -> Verdict.  A check
# built from requirements reads only the payload, so it takes any state and any act.
PayloadCheck = Callable[[object, Payload, object], Verdict]


def _at(payload: Payload, path: str) -> tuple[Any, str]:
    """The mapping holding the last part of a dotted ``path`` ("leader.name") and that
    part's key; a missing or non-mapping part gives an empty mapping (nothing filled)."""
    *outer, key = path.split(".")
    data: Any = payload
    for part in outer:
        data = (data.get(part) if isinstance(data, Mapping) else None) or {}
    return data, key


@dataclass(frozen=True)
class Need:
    """One requirement on a payload: ``holds(payload)``, else the refusal ``no(code,
    message)``.  ``when`` limits it to payloads it applies to (a reason only when the
    rating is 不满意)."""

    holds: Callable[[Payload], bool]
    code: str
    message: str
    when: Callable[[Payload], bool] | None = None

    def verdict(self, payload: Payload) -> Verdict:
        if self.when is not None and not self.when(payload):
            return OK
        return OK if self.holds(payload) else no(self.code, self.message)


def need_text(path: str, code: str, message: str,
              when: Callable[[Payload], bool] | None = None) -> Need:
    """``path`` (a key, or dotted into a nested object: "approver.name") is a non-blank text."""
    def holds(payload: Payload) -> bool:
        data, key = _at(payload, path)
        return bool(text(data, key))
    return Need(holds, code, message, when)


def need_date(path: str, code: str, message: str) -> Need:
    """``path`` is an ISO date ("2026-02-14")."""
    def holds(payload: Payload) -> bool:
        data, key = _at(payload, path)
        return isinstance(data, Mapping) and iso_date(data.get(key)) is not None
    return Need(holds, code, message)


def need_choice(path: str, choices: Collection[Any], code: str, message: str,
                when: Callable[[Payload], bool] | None = None) -> Need:
    """``path`` (a key, or dotted: "visit.how") is one of ``choices`` (a select field)."""
    def holds(payload: Payload) -> bool:
        data, key = _at(payload, path)
        return isinstance(data, Mapping) and data.get(key) in choices
    return Need(holds, code, message, when)


def need_list(key: str, code: str, message: str) -> Need:
    """``key`` is a list naming at least one non-blank text (panel members, participants).
    A bare string is not a list of names ("李四" is not two panel members 李 and 四); the
    event schemas refuse it too."""
    def holds(payload: Payload) -> bool:
        names = payload.get(key)
        return isinstance(names, list) and bool(texts(names))
    return Need(holds, code, message)


# 首问负责: whoever first receives a dispute or a petition is named on its registration.
FIRST_OFFICER = need_text("first_officer.name", "missing_officer",
                          "请填写首问负责人（第一个接待的工作人员）")


def rated_dissatisfied(payload: Payload) -> bool:
    """A rating of 不满意: then its reason is required (服务承诺制, 信访 评价)."""
    return bool(payload.get("dissatisfied"))


def first_failure(payload: Payload, needs: tuple[Need, ...] | list[Need]) -> Verdict:
    """The refusal of the first requirement ``payload`` fails, or OK."""
    for need in needs:
        verdict = need.verdict(payload)
        if not verdict.ok:
            return verdict
    return OK


S = TypeVar("S")
A = TypeVar("A")


@overload
def requires(*needs: Need) -> PayloadCheck: ...
@overload
def requires(*needs: Need, then: Callable[[S, Payload, A], Verdict]
             ) -> Callable[[S, Payload, A], Verdict]: ...


def requires(*needs: Need, then: Callable[[Any, Payload, Any], Verdict] | None = None,
             ) -> Callable[[Any, Payload, Any], Verdict]:
    """A step's payload check made of ``needs``, checked in order; once they all hold,
    ``then`` (state, payload, act) judges what depends on the record (a new date later
    than the one promised, an override of the system's proposal)."""
    def check(state: Any, payload: Payload, act: Any) -> Verdict:
        verdict = first_failure(payload, needs)
        if not verdict.ok or then is None:
            return verdict
        return then(state, payload, act)
    return check


def checked_date(value: Any) -> date:
    """A payload date the step's check has already required (``need_date``): applying a
    step runs only after its check passed, so a missing date here is a programming error."""
    day = iso_date(value)
    if day is None:
        raise ValueError(f"payload date {value!r} was not checked before applying the step")
    return day
