"""What the record services share (service desk, disputes, petitions, risk assessments,
the 民意台账): each is a ``Workflow`` with its domain declaration (``flow``, an
``app.domain.workflow.Flow``).  One step = one check by ``flow.check`` against the
record's state here and now, then one write (or ServiceError in Chinese and nothing
written); the buttons a screen shows are ``actions(state)``, the steps whose gate is open.

Also: who the signed-in cadre is in a payload, today's date and time (passed in, never
read from a global), per-station numbering of documents, and the scope handoff
(``owner``) for the sync policy: a record flows to its creator's and its current owner's
subtrees (sync/policy.py), so a step that hands a record up names the receiving hub.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.accounts import Cadre
from app.domain.workflow import Flow, Verdict
from app.services.errors import ServiceError
from app.services.rules import Rules, RulesCache
from app.station import Station
from sync.db import transaction
from sync.store import NewEvent


def person(cadre: Cadre) -> dict[str, str]:
    """The {id, name, post} of a signed-in cadre, as payloads carry it."""
    return {"id": cadre.id, "name": cadre.name, "post": cadre.post}


def named(value: Mapping[str, Any] | str | Cadre | None) -> dict[str, str] | None:
    """A person field from a screen: a cadre, a bare name, or {name, post?, id?}."""
    if value is None:
        return None
    if isinstance(value, Cadre):
        return person(value)
    if isinstance(value, str):
        return {"name": value.strip()} if value.strip() else None
    out = {k: str(v).strip() for k, v in value.items() if k in ("id", "name", "post") and v}
    return out if out.get("name") else None


def names(values: Sequence[str] | str) -> list[str]:
    """A list of names from a list or one line separated by 、，, or spaces."""
    if isinstance(values, str):
        for sep in "、，,;；":
            values = values.replace(sep, " ")
        values = values.split()
    return [v.strip() for v in values if v and v.strip()]


# refusals whose message already says what is wrong and what to do (app.authority)
_WHOLE_SENTENCES = frozenset({"member_supervises_only", "role_required", "bad_committee",
                              "bad_group", "bad_date"})


@dataclass(frozen=True)
class Attachment:
    """A photo or scan taken on the tablet: the bytes, their type and a file name."""

    data: bytes
    mime: str = "image/jpeg"
    name: str = ""


class Workflow:
    """Base of the record services.  ``today``/``now`` are the station's clock."""

    kind_name = "记录"  # for messages: 纠纷, 信访事项, 评估
    flow: Flow[Any]     # the workflow's declaration (app.domain)

    def __init__(self, station: Station, today: Callable[[], date] = date.today,
                 now: Callable[[], datetime] | None = None) -> None:
        self.station = station
        self.store = station.store
        self.conn = station.store.conn
        self.today = today
        self.now = now or (lambda: datetime.combine(today(), datetime.now().time()))
        self.rules_cache = RulesCache(self.store.conn)

    @property
    def rules(self) -> Rules:
        return self.rules_cache.get()

    @property
    def level(self) -> str:
        return self.station.level

    def levels(self) -> dict[str, str]:
        return self.station.projections.cases.levels(self.conn)

    def flow_rules(self) -> Any:
        """The workflow's rules in force here (None: the declaration's defaults)."""
        return None

    def state(self, record: str) -> Any:
        """The record as its events here make it (fold)."""
        return self.flow.fold(self.events(record), self.levels(), self.flow_rules())

    def actions(self, state: Any) -> list[tuple[str, str]]:
        """The (event type, label) of the steps this station may take on ``state`` now:
        the gate (status, level, holder, the state's own rules) decides; each form is
        checked with its real values when it is saved."""
        return self.flow.buttons(state, self.level, self.flow_rules())

    def _check(self, state: Any, event: Mapping[str, Any], level: str | None = None
               ) -> Verdict:
        return self.flow.check(state, event, level or self.level, self.flow_rules())

    def events(self, record: str) -> list[dict[str, Any]]:
        events = self.station.projections.events(self.conn, record)
        if not events:
            raise ServiceError(f"找不到这件{self.kind_name}：可能还没有同步到本机，请先同步。")
        return events

    # writing ------------------------------------------------------------------------
    def write(self, items: Sequence[NewEvent]) -> list[dict[str, Any]]:
        try:
            return self.store.append_many(list(items))
        except Exception as exc:  # a payload the schema refuses: say so, write nothing
            message = getattr(exc, "message", str(exc))
            if getattr(exc, "code", "") in _WHOLE_SENTENCES:   # app.authority's refusals
                raise ServiceError(message) from exc
            raise ServiceError(f"填写的内容不完整或格式不对：{message}") from exc

    def step(self, officer: Cadre, record: str, state: Any, event_type: str,
             payload: dict[str, Any], owner: str | None = None,
             also: Sequence[NewEvent] = ()) -> dict[str, Any]:
        """Check ``event_type`` on ``state`` for this station's level, then write it
        (with ``also``, in the same transaction)."""
        probe = {"id": "probe", "type": event_type, "v": 1, "payload": payload,
                 "record": record, "origin": self.station.node_id, "author": officer.id}
        verdict = self._check(state, probe)
        if not verdict.ok:
            raise ServiceError(verdict.message)
        return self.write([NewEvent(event_type, record, payload, officer.id, owner=owner),
                           *also])[0]

    def on(self, day: date | str | None) -> str:
        """A business date for a payload: ``day`` or today; never in the future."""
        value = _as_date(day) if day is not None else self.today()
        if value > self.today():
            raise ServiceError(f"日期 {value.isoformat()} 还没有到，请选择今天或以前的日期。")
        return value.isoformat()

    def stamp(self, at: datetime | str | None) -> str:
        """A 受理时间 (any hour of the day or night): ``at`` or now, to the minute."""
        if at is None:
            return self.now().strftime("%Y-%m-%dT%H:%M")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at.strip().replace(" ", "T"))
            except ValueError as exc:
                raise ServiceError("受理时间格式不对，请按 2026-03-10 21:40 填写。") from exc
        return at.strftime("%Y-%m-%dT%H:%M")

    def from_visit(self, officer: Cadre, visit: str | None, kind: str, record: str,
                   label: str) -> list[NewEvent]:
        """The link written with a record registered from a 来访登记 (issue #8 §3: turn a
        visit into a dispute or petition without retyping); empty without a visit."""
        if not visit:
            return []
        from app.services.frontdesk import visit_link
        return [visit_link(self.store, officer, visit, kind, record, label, self.today())]

    # scope handoff --------------------------------------------------------------------
    def upper_hub(self) -> str | None:
        """The hub one level above this station's own: the town hub for a village
        tablet, the county hub for a town tablet (Desk.escalate / Desk.forward)."""
        ancestors = self.station.ancestors()
        if self.level == "village":
            return self.station.hub_id()
        if self.level == "town":
            return ancestors[1] if len(ancestors) > 1 else None
        return None

    # numbering ------------------------------------------------------------------------
    def next_number(self, name: str) -> int:
        """Per station, per name, per year; persisted before use, never reused."""
        key = f"counter:{name}:{self.today():%Y}"
        with transaction(self.conn):
            value = int(self.store.meta.get(key, "0") or 0) + 1
            self.store.meta.set(key, value)
        return value

    def peek_number(self, name: str) -> int:
        """The number ``next_number`` would give now, without using it up (a draft)."""
        return int(self.store.meta.get(f"counter:{name}:{self.today():%Y}", "0") or 0) + 1

    def prefix(self) -> str:
        return self.station.name or self.station.short_code or ""


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ServiceError(f"日期“{value}”格式不对，请按 2026-03-10 填写。") from exc


def as_date(value: date | str) -> date:
    return _as_date(value)
