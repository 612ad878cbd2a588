"""Linking a new dispute or petition to earlier ones: repeats, 初信初访, same matter.

RULES.md §2: first-time petitions (初信初访) are flagged and given priority; repeat
petitions are linked to the earlier ones (same person, same matter).  Issue #4 §1: repeat
matters are linked by ID number, or by name + village, and shown at intake.

How a person is matched (strongest first):
    same ID number (GB 11643, compared upper-case without spaces)          -> "same_id"
    same name and same village, when one side has no ID number to compare  -> "same_name_village"
Two different valid ID numbers are two different people, even with the same name and
village (namesakes are common in a village).

How a matter is matched ("same matter heuristics", our choice):
    the two records share at least two people (the same parties quarrel again), or
    their summaries are alike: Dice coefficient of Chinese character bigrams (punctuation
    and spaces dropped) at least ``similarity`` (default config
    ``dispute.same_matter_similarity``).  Bigrams are what the ledger search uses too;
    they need no word segmenter (none ships on the tablets).
A prior in the same village with an alike summary but none of the same people is also
offered ("same_matter"): a neighbour may report the same wall.

初信初访: the intake is first-time unless some prior has the same person *and* the same
matter.  The officer sees the links and the flag and may override the flag (the payload
records the final value); the links only suggest.

检举控告 priors are never offered: their content is sealed and they carry no names
(petition_sealed); a prior marked ``sealed`` is skipped even if a caller passes one in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

SAME_ID, SAME_NAME_VILLAGE, SAME_MATTER = "same_id", "same_name_village", "same_matter"
RELATION_NAMES = {SAME_ID: "身份证号相同", SAME_NAME_VILLAGE: "同村同名",
                  SAME_MATTER: "事项相似"}

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str = ""
    village: str = ""


@dataclass(frozen=True)
class Prior:
    """What the linker needs of an earlier dispute or petition (from its projection)."""

    record: str
    kind: str  # "dispute" or "petition"
    opened_on: date
    people: tuple[Person, ...]
    summary: str
    village: str = ""
    level: str = ""  # level that handled it: "village", "town", "county"
    status: str = ""
    handled: bool = False  # the level actually dealt with it (accepted, mediated, answered)
    sealed: bool = False


@dataclass(frozen=True)
class Link:
    """A suggested link to ``record``; ``reasons`` are Chinese, for the intake screen."""

    record: str
    kind: str
    relation: str  # strongest: same_id > same_name_village > same_matter
    same_person: bool
    same_matter: bool
    similarity: float
    reasons: tuple[str, ...] = field(default=())
    level: str = ""
    handled: bool = False
    opened_on: date | None = None
    status: str = ""


def normalise_id(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_name(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def bigrams(text: str) -> frozenset[str]:
    cleaned = _DROP.sub("", text or "")
    if len(cleaned) == 1:
        return frozenset({cleaned})
    return frozenset(cleaned[i:i + 2] for i in range(len(cleaned) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams, 0.0 … 1.0."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def match_person(a: Person, b: Person) -> str | None:
    """SAME_ID, SAME_NAME_VILLAGE or None (see module docstring)."""
    id_a, id_b = normalise_id(a.id_number), normalise_id(b.id_number)
    if id_a and id_b:
        return SAME_ID if id_a == id_b else None
    name_a, name_b = normalise_name(a.name), normalise_name(b.name)
    village_a, village_b = normalise_name(a.village), normalise_name(b.village)
    if name_a and name_a == name_b and village_a and village_a == village_b:
        return SAME_NAME_VILLAGE
    return None


def _shared_people(ours: Sequence[Person], theirs: Sequence[Person],
                   ) -> list[tuple[Person, Person, str]]:
    out = []
    for mine in ours:
        for other in theirs:
            how = match_person(mine, other)
            if how:
                out.append((mine, other, how))
                break
    return out


def find_links(people: Sequence[Person], summary: str, village: str,
               priors: Iterable[Prior], *, min_similarity: float = 0.5) -> list[Link]:
    """Links from a new intake to earlier records, strongest and newest first."""
    found = []
    for prior in priors:
        if prior.sealed:
            continue
        theirs = tuple(Person(p.name, p.id_number, p.village or prior.village)
                       for p in prior.people)
        ours = tuple(Person(p.name, p.id_number, p.village or village) for p in people)
        shared = _shared_people(ours, theirs)
        score = similarity(summary, prior.summary)
        alike = score >= min_similarity
        same_matter = alike or len(shared) >= 2
        same_village = bool(village) and normalise_name(village) == normalise_name(prior.village)
        if not shared and not (alike and same_village):
            continue
        reasons = [f"{mine.name}：{RELATION_NAMES[how]}" for mine, _, how in shared]
        if len(shared) >= 2:
            reasons.append("涉及的当事人相同")
        if alike:
            reasons.append(f"反映内容相似（{round(score * 100)}%）")
        relations = {how for _, _, how in shared}
        relation = (SAME_ID if SAME_ID in relations else
                    SAME_NAME_VILLAGE if relations else SAME_MATTER)
        found.append(Link(prior.record, prior.kind, relation, bool(shared), same_matter,
                          round(score, 3), tuple(reasons), prior.level, prior.handled,
                          prior.opened_on, prior.status))
    rank = {SAME_ID: 0, SAME_NAME_VILLAGE: 1, SAME_MATTER: 2}
    found.sort(key=lambda link: (not (link.same_person and link.same_matter),
                                 rank[link.relation], -(link.opened_on or date.min).toordinal(),
                                 link.record))
    return found


def is_first_time(links: Iterable[Link]) -> bool:
    """初信初访 unless an earlier record has the same person and the same matter."""
    return not any(link.same_person and link.same_matter for link in links)


def link_payload(links: Iterable[Link]) -> list[dict[str, str]]:
    """The ``links`` list stored in an intake payload (the officer keeps or drops each)."""
    return [{"record": link.record, "kind": link.kind, "relation": link.relation,
             "why": "；".join(link.reasons) or RELATION_NAMES[link.relation]}
            for link in links]


def prior_of_dispute(state: Any) -> Prior:
    """The linker's view of a dispute projection (``dispute.state.DisputeState``).

    A registered dispute counts as handled by the level holding it now (the 调解室 or 调处
    中心 that took it up, after any 上报 or 交办): that is the result an upper level
    reviews (分级调处, dispute_levels).
    """
    people = tuple(Person(p.name, p.id_number, p.village) for p in state.parties)
    return Prior(state.record, "dispute", state.received_on or date.min, people, state.summary,
                 state.village, state.level or state.intake_level or "", state.status,
                 state.status != "new")


# Petition statuses in which the level actually dealt with the matter.
_HANDLED = frozenset({"accepted", "answered", "appealed", "reviewed", "terminated"})


def prior_of_petition(state: Any) -> Prior:
    """The linker's view of a petition projection (``petition.state.PetitionState``)."""
    people = tuple(Person(p.name, p.id_number, p.village) for p in state.petitioners)
    return Prior(state.record, "petition", state.received_on or date.min, people, state.summary,
                 state.village, state.level or "", state.status, state.status in _HANDLED)
