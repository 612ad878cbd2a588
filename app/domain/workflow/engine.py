"""One engine for every workflow: a workflow is a declaration (``Flow``: its steps, each
a ``Transition``), and the engine checks, applies and replays it.

DESIGN.md "Events, not rows" and "Conflicts": a record is rebuilt by replaying its events
in the total order (hlc, origin, seq); each event is checked against the state at its
place and, if it could not have been made there, kept as ``Rejected`` with a Chinese
reason instead of being applied or dropped.  The check is split in two:

- the **gate** — status, level, holder, and any rule that depends on the state alone
  (``Transition.ready``).  Who may write each step (its action, levels and holder rule)
  is declared once, in ``app.domain.authority.WRITERS`` (issue #7); the gate reads it
  from there.  The screens' buttons are the steps whose gate is open (issue #9);
- the **payload checks** (``Transition.check``): what the form must contain.

``Flow.check`` (envelope + gate + payload) is used by the services before writing and by
the fold while replaying, so a step the screens offer and a step the fold accepts follow
the same rules.  Replay never reads the clock: rules that need today's date are kept out.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from app.domain import authority
from app.domain.events import Event, order_key, rejected
from app.domain.workflow.basics import (
    LEVEL_RANK, LEVEL_SHORT, LEVELS, OK, RecordState, Step, Verdict, no)

if TYPE_CHECKING:  # authority reads the shared types from this package
    from app.domain.authority import Writers

EVENT_VERSION = 1
S = TypeVar("S", bound=RecordState)


class Effect(NamedTuple):
    """What a step does to the state: ``changes`` for ``dataclasses.replace``, the
    timeline's text and the date the step promised (if any)."""

    changes: dict[str, Any]
    what: str
    due: date | None = None


@dataclass(frozen=True)
class Act:
    """Who acts, and when: the author's certified level; the workflow's rules in force on
    this node (``PetitionRules``, ``RiskRules``; None for a workflow without any); and,
    for an event being checked or replayed, its envelope: clock stamp (``hlc``), id,
    author node (``node``, the envelope's origin — its level and ``parent``, the hub that
    certified it, come from certificates, never from the payload) and the cadre who signed
    it (``cadre``, the envelope's author).  A screen asking which buttons to show passes
    its own node and parent and no event (``hlc``/``event`` None).

    So a rule that depends on when a step was written (the context at its place in the
    total order) or by which node (the village that opened the record, its own town) is
    part of the declaration, not of a hand-written fold."""

    level: str
    rules: Any = None
    hlc: int | None = None
    node: str | None = None
    parent: str | None = None
    cadre: str | None = None
    event: str | None = None


def act_of(event: Mapping[str, Any], level: str, rules: Any,
           parents: Mapping[str, str] | None) -> Act:
    """The ``Act`` of an event's envelope; ``parents`` maps a node to its certifying hub."""
    node = event.get("origin")
    node = str(node) if node is not None else None
    hlc, cadre, event_id = event.get("hlc"), event.get("author"), event.get("id")
    return Act(level, rules, int(hlc) if hlc is not None else None, node,
               (parents or {}).get(node) if node else None,
               str(cadre) if cadre is not None else None,
               str(event_id) if event_id is not None else None)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """One step of a workflow.  Its action, levels and holder rule are ``WRITERS[kind]``.

    ``ready``  (state, act) -> Verdict: a rule on the state alone; part of the gate
    ``check``  (state, payload, act) -> Verdict: the payload rules
    ``apply``  (state, event, payload, act) -> Effect
    ``claims`` acting makes the node the holder of a record sent to its level
    ``who``    (state) -> holder rule, when the state changes the declared one
    ``offer``  (state) -> bool: show the button (default: whenever the gate is open)
    """

    kind: str
    sources: Collection[str]
    label: str
    apply: Callable[[S, Event, Mapping[str, Any], Act], Effect]
    check: Callable[[S, Mapping[str, Any], Act], Verdict] | None = None
    ready: Callable[[S, Act], Verdict] | None = None
    claims: bool = True
    who: Callable[[S], str] | None = None
    offer: Callable[[S], bool] | None = None

    @property
    def writers(self) -> Writers:
        return authority.WRITERS[self.kind]

    @property
    def action(self) -> str:
        return self.writers.action


Refusal = Callable[[S, Transition[S], Act], Verdict | None]


def _generic_level(step: Transition[Any], act: Act, short: Mapping[str, str]) -> Verdict:
    allowed = "、".join(short[level] for level in LEVELS if level in step.writers.levels)
    return no("wrong_level", f"只有{allowed}可以{step.action}，{short[act.level]}不能")


def holds(who: str, state: RecordState, actor: str) -> bool:
    """The holder rules of ``authority.Writers.who``: may ``actor`` act on ``state``?
    Levels, not nodes: any node of the holding level that can see the record (the sync
    scope decides that) acts for that level.

    holder               the level holding it
    holder_or_above      that level or one above it
    upper                the level just above the holder (复查, 复核)
    holder_or_accepting  the holder, or the level that took the record in (``path[0]``)
    sender               the level that sent it up to its holder (``path[-2]``)
    anyone               every level that can see it"""
    holder = state.level
    if who == "anyone" or holder is None:
        return True
    if who == "holder_or_above":
        return LEVEL_RANK[actor] >= LEVEL_RANK[holder]
    if who == "upper":
        return LEVEL_RANK[actor] == LEVEL_RANK[holder] + 1
    if who == "holder_or_accepting":
        return actor == holder or bool(state.path) and actor == state.path[0][0]
    if who == "sender":
        return len(state.path) >= 2 and actor == state.path[-2][0]
    return actor == holder


@dataclass(frozen=True)
class Flow(Generic[S]):
    """A workflow, declared.

    ``name``/``record_word`` word the envelope refusals (不认识的{name}操作, {record_word}
    内容缺失); ``new`` makes the empty state of a record; ``steps`` in button order.
    ``wrong_status`` words a refusal by status; ``wrong_level`` (level not allowed at all)
    and ``not_holder`` (holder rule not met) may word theirs, or return None for the
    engine's.  ``common`` is a payload check every step but the creating one passes after
    its own (e.g. the business date).  ``on`` reads the business date for the timeline.
    ``claim`` replaces the engine's rule for who holds a record sent to a level (the
    first node of that level to act on it, ``path``); ``rules`` are the workflow's rules
    used when a caller passes none (the statutory defaults); ``level_short`` names the
    levels in the engine's own refusals ("镇里", "县里" or "县直部门").  ``node_rule``
    (state, step, act) -> Verdict | None is a holder rule on the author *node*, run
    after the level rules (the village that opened the record; the record's own town):
    a refusal, or None when the node may act.
    """

    name: str
    new: Callable[[str], S]
    steps: Sequence[Transition[S]]
    wrong_status: Callable[[S, Transition[S]], Verdict]
    record_word: str = "记录"
    wrong_level: Refusal[S] | None = None
    not_holder: Refusal[S] | None = None
    common: Callable[[S, Transition[S], Mapping[str, Any], Act], Verdict] | None = None
    on: Callable[[Mapping[str, Any]], str | None] = lambda payload: payload.get("on")
    claim: Callable[[S, Event, str], S] | None = None
    node_rule: Refusal[S] | None = None
    rules: Any = None
    level_short: Mapping[str, str] = field(default_factory=lambda: LEVEL_SHORT)
    by_kind: Mapping[str, Transition[S]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_kind = {step.kind: step for step in self.steps}
        missing = [kind for kind in by_kind if kind not in authority.WRITERS]
        if missing:  # a step nobody may write could never be applied
            raise ValueError(f"no authority declaration for {missing}")
        object.__setattr__(self, "by_kind", by_kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.by_kind)

    @property
    def labels(self) -> dict[str, str]:
        return {step.kind: step.label for step in self.steps if step.label}

    # the gate -------------------------------------------------------------------------
    def gate(self, state: S, kind: str, level: str, rules: Any = None, *,
             node: str | None = None, parent: str | None = None) -> Verdict:
        """May a node of ``level`` make step ``kind`` on ``state`` now, whatever it
        writes in the form?  (Status, level, holder, the state-only rules.)  ``node`` and
        ``parent`` are the asking node and its certifying hub, for ``node_rule``."""
        return self._gate(state, kind, Act(level, self.rules if rules is None else rules,
                                           node=node, parent=parent))

    def _gate(self, state: S, kind: str, act: Act) -> Verdict:
        step = self.by_kind.get(kind)
        if step is None:
            return no("unknown_type", f"不认识的{self.name}操作“{kind}”，请升级程序后再看")
        level = act.level
        if state.status not in step.sources:
            return self.wrong_status(state, step)
        if level not in step.writers.levels:
            return (_first(self.wrong_level, state, step, act)
                    or _generic_level(step, act, self.level_short))
        who = step.who(state) if step.who else step.writers.who
        if not holds(who, state, level):
            refusal = _first(self.not_holder, state, step, act)
            return refusal or no("wrong_level", f"此{self.record_word}由上一级办理，"
                                                f"{self.level_short[level]}不能{step.action}")
        refusal = _first(self.node_rule, state, step, act)
        if refusal is not None:
            return refusal
        return step.ready(state, act) if step.ready else OK

    def buttons(self, state: S, level: str, rules: Any = None, *, node: str | None = None,
                parent: str | None = None) -> list[tuple[str, str]]:
        """The (event type, label) of every step offered now at ``level`` (to ``node``,
        certified by ``parent``): the gate decides; the form behind each button is
        checked with its real values on save."""
        return [(step.kind, step.label) for step in self.steps
                if step.label and (step.offer is None or step.offer(state))
                and self.gate(state, step.kind, level, rules, node=node, parent=parent).ok]

    # the whole check ----------------------------------------------------------------------
    def check(self, state: S, event: Mapping[str, Any], level: str | None,
              rules: Any = None, parents: Mapping[str, str] | None = None) -> Verdict:
        """May ``level`` apply ``event`` to ``state``?  Pure; never raises.  ``event`` needs
        only "type", "v" and "payload" (a service checks before the event has an id);
        its "hlc", "origin", "author" and "id" go into the ``Act`` when present, with the
        origin's certifying hub from ``parents`` (node id -> hub)."""
        problem = self._envelope(event, level)
        if problem is not None:
            return problem
        assert level is not None  # _envelope refuses an unknown level
        kind, payload = str(event["type"]), event["payload"]
        act = act_of(event, level, self.rules if rules is None else rules, parents)
        verdict = self._gate(state, kind, act)
        if not verdict.ok:
            return verdict
        step = self.by_kind[kind]
        if step.check is not None:
            verdict = step.check(state, payload, act)
        if verdict.ok and self.common is not None and "new" not in step.sources:
            verdict = self.common(state, step, payload, act)
        return verdict

    def _envelope(self, event: Mapping[str, Any], level: str | None) -> Verdict | None:
        kind = event.get("type")
        if not isinstance(kind, str) or kind not in self.by_kind:
            return no("unknown_type", f"不认识的{self.name}操作“{kind}”，请升级程序后再看")
        if event.get("v", EVENT_VERSION) != EVENT_VERSION:
            return no("newer_version", "这条记录来自更新版本的程序，本机暂时不能处理；请升级程序后再看")
        if level not in LEVEL_RANK:
            return no("unknown_level", "无法确认操作来自村、镇还是县（来源节点未登记），请联系管理员")
        if not isinstance(event.get("payload"), Mapping):
            return no("bad_payload", f"{self.record_word}内容缺失，请重新填写")
        return None

    # replay ------------------------------------------------------------------------------
    def apply(self, state: S, event: Event, level: str | None, rules: Any = None,
              parents: Mapping[str, str] | None = None) -> S:
        """Apply one event, in order, to ``state``; one the rules refuse is kept as
        rejected; one replayed already is ignored.  Raises ValueError for an event of
        another record."""
        if str(event["record"]) != state.record:
            raise ValueError(f"event {event['id']} is for record {event['record']}, "
                             f"not {state.record}")
        event_id = str(event["id"])
        if event_id in state.seen:
            return state  # an event that arrived by two routes counts once
        seen = state.seen | {event_id}
        rules = self.rules if rules is None else rules
        verdict = self.check(state, event, level, rules, parents)
        if not verdict.ok:
            return replace(state, seen=seen, rejected=state.rejected + (
                rejected(event, verdict.code, verdict.message),))
        assert level is not None  # check refuses an unknown level
        step, payload = self.by_kind[str(event["type"])], event["payload"]
        if step.claims:
            state = (self.claim or _claim)(state, event, level)
        effect = step.apply(state, event, payload, act_of(event, level, rules, parents))
        line = Step(event_id, step.kind, str(event.get("author", "")), str(event["origin"]),
                    int(event["hlc"]), self.on(payload), level, effect.what, effect.due)
        return replace(state, seen=seen, steps=state.steps + (line,), **effect.changes)

    def fold(self, events: Iterable[Event], levels: Mapping[str, str],
             rules: Any = None, parents: Mapping[str, str] | None = None) -> S:
        """Replay one record's events; ``levels`` maps origin node id -> its certified
        level (an origin missing there is refused: its level is unknown), ``parents``
        origin -> the hub that certified it (for rules on the author node).  Sorted here
        and de-duplicated, so every node holding the same events shows the same record.
        Raises ValueError if there are none or they belong to different records."""
        ordered = sorted(events, key=order_key)
        if not ordered:
            raise ValueError("no events to fold")
        state = self.new(str(ordered[0]["record"]))
        for event in ordered:
            state = self.apply(state, event, levels.get(str(event["origin"])), rules, parents)
        return state


def _first(refusal: Refusal[S] | None, state: S, step: Transition[S], act: Act
           ) -> Verdict | None:
    return refusal(state, step, act) if refusal is not None else None


def _claim(state: S, event: Event, level: str) -> S:
    """The first node of the holding level to act on a record sent up holds it.

    A record sent up is addressed to a level, not a node (``path`` entry (level, None));
    whoever at that level first moves it on holds it from then on, so that answers and
    returns come back to that node."""
    path = state.path
    if not path:
        return state
    holder_level, node = path[-1]
    if node is not None or holder_level != level:
        return state
    origin = str(event["origin"])
    return replace(state, path=path[:-1] + ((holder_level, origin),), owner_node=origin)
