"""A village's own register for its decisions (issue #12 §3): the roster, the 村民会议's
authorisations of the 代表会议, and the 村务公开 publications — one record per village
(kind ``village_roster``), folded from ``decision.roster_changed``, ``decision.authorised``
and ``decision.published``.  Pure.

The roster is kept with its history so a meeting is judged against the roster as it
stood when the meeting was recorded (its place in the total order), not as it stands
today: a verdict must not change when someone joins the party a year later
(/work/notes/rules.md, "Determinism on replay").

Roster entries are ``roster.Person`` fields plus: ``away`` (a party member working away —
still 应到 unless the party meeting approved an exclusion, 支部工作条例 Art 11(4)),
``admitted_for`` (a matter id: an in-flow party member or an enterprise/shop
representative admitted for that matter only — 列席, listed, not counted) and
``enterprise`` (the enterprise or shop represented), ``post`` (村党支部书记, 村委会主任 …).
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.roster import Person
from app.domain.events import order_key

ROSTER_TYPES = ("decision.roster_changed", "decision.authorised", "decision.published")
EXTRA = ("away", "admitted_for", "enterprise", "post")


@dataclass
class VillageRegister:
    record: str
    village: str = ""                                    # the origin that keeps it
    history: dict[str, list[tuple[int, dict[str, Any] | None]]] = field(default_factory=dict)
    # id(entry) -> (entry, its Person): the entry is kept so its id cannot be reused
    _people: dict[int, tuple[dict[str, Any], Person]] = field(default_factory=dict, repr=False)
    _seen: set[str] = field(default_factory=set, repr=False)        # event ids applied
    _last: tuple[Any, ...] = field(default=(), repr=False)          # order key of the last
    _stamps: list[int] = field(default_factory=list, repr=False)   # roster changes, in order
    _rosters: dict[tuple[int, str | None], tuple[Person, ...]] = field(default_factory=dict,
                                                                       repr=False)
    authorisations: list[dict[str, Any]] = field(default_factory=list)
    publications: list[dict[str, Any]] = field(default_factory=list)

    def entries(self, hlc: int | None = None) -> list[dict[str, Any]]:
        """The roster entries in force at ``hlc`` (None: now), in entry order."""
        out = []
        for versions in self.history.values():
            if hlc is None:
                value = versions[-1][1]
            elif len(versions) == 1:          # most people: entered once
                value = versions[0][1] if versions[0][0] <= hlc else None
            else:
                at = bisect_right([h for h, _ in versions], hlc)
                value = versions[at - 1][1] if at else None
            if value is not None:
                out.append(value)
        return out

    def people(self, hlc: int | None = None, matter: str | None = None) -> tuple[Person, ...]:
        """``roster.Person``s at ``hlc``; someone admitted for another matter is left out,
        and an admitted in-flow member or enterprise representative attends as a guest
        (not counted: the rules count 正式 members only, and the guest is not a 村民).
        The same roster version (no change between two stamps) is built once."""
        version = len(self._stamps) if hlc is None else bisect_right(self._stamps, hlc)
        held = self._rosters.get((version, matter))
        if held is None:
            held = self._rosters[(version, matter)] = self._build(hlc, matter)
        return held

    def _build(self, hlc: int | None, matter: str | None) -> tuple[Person, ...]:
        out = []
        for entry in self.entries(hlc):
            admitted = entry.get("admitted_for")
            if admitted and admitted != matter:
                continue
            held = self._people.get(id(entry))
            if held is not None and held[0] is entry:
                out.append(held[1])
                continue
            # built once per entry, not per roster version (a 3,000-adult 村民会议)
            doc = {k: v for k, v in entry.items() if k not in EXTRA}
            if admitted:
                doc.update(villager=False, collective_member=False, party=None,
                           representative=False, committee_member=False)
            person = Person.from_dict(doc)
            self._people[id(entry)] = (entry, person)
            out.append(person)
        return tuple(out)

    def names(self) -> dict[str, str]:
        return {e["id"]: e["name"] for e in self.entries()}

    def authorisations_at(self, hlc: int | None = None) -> tuple[Mapping[str, Any], ...]:
        return tuple({"scope": "all" if "all" in a["scope"] else list(a["scope"]),
                      "from": a["from"], "until": a.get("until"), "record": a["record"]}
                     for a in self.authorisations if hlc is None or a["hlc"] <= hlc)


def fold_register(events: Iterable[Mapping[str, Any]]) -> VillageRegister:
    """The register of one village, replayed in the total order.  Only the origin that
    opened the record writes to it (the authority declaration: CREATE by a village)."""
    ordered = sorted(events, key=order_key)
    if not ordered:
        raise ValueError("no events to fold")
    register = VillageRegister(str(ordered[0]["record"]), str(ordered[0]["origin"]))
    _apply(register, ordered)
    return register


def extend_register(register: VillageRegister, events: Iterable[Mapping[str, Any]]
                    ) -> VillageRegister | None:
    """The register with ``events`` (all of its events, as held now) when the ones not yet
    applied all come after the last one applied: a new register sharing the unchanged
    entries and their Persons, so a roster change costs the change, not the whole roster
    again.  None when an event arrived out of order (fold the register again)."""
    new = sorted((e for e in events if str(e["id"]) not in register._seen), key=order_key)
    if new and order_key(new[0]) <= register._last:
        return None
    out = VillageRegister(register.record, register.village, dict(register.history),
                          register._people, set(register._seen), register._last,
                          list(register._stamps), dict(register._rosters),
                          list(register.authorisations), list(register.publications))
    _apply(out, new)
    return out


def _apply(register: VillageRegister, ordered: Iterable[Mapping[str, Any]]) -> None:
    seen = register._seen
    for event in ordered:
        register._last = max(register._last, order_key(event))
        if event["id"] in seen:
            continue
        seen.add(str(event["id"]))     # another origin's too: considered, not applied
        if event["origin"] != register.village:
            continue
        payload, hlc = event["payload"], int(event["hlc"])
        if event["type"] == "decision.roster_changed":
            register._stamps.append(hlc)
            # a new list per change: an extended register never alters the one it came from
            history = register.history
            for person in payload.get("people") or ():
                key = str(person["id"])
                history[key] = [*history.get(key, ()), (hlc, dict(person))]
            for gone in payload.get("removed") or ():
                if gone in history:
                    history[gone] = [*history[gone], (hlc, None)]
        elif event["type"] == "decision.authorised":
            register.authorisations.append({**payload, "hlc": hlc})
        elif event["type"] == "decision.published":
            register.publications.append({**payload, "hlc": hlc, "id": event["id"]})


def check_entry(entry: Mapping[str, Any]) -> Person:
    """A roster entry as a screen or an import gives it: the ``Person`` it makes, or a
    DecisionError saying what to correct."""
    if not str(entry.get("name") or "").strip():
        raise DecisionError("请填写姓名", code="roster")
    return Person.from_dict({k: v for k, v in entry.items() if k not in EXTRA})
