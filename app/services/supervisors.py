"""村务监督委员会 (issue #13 §3): a village's committee as elected, checked against the
eligibility rules of 村民委员会组织法 Art 32 (app.domain.supervision.eligibility: no 村委会
member or close relative, someone with accounting knowledge, at most 5), and its yearly
民主评议 with what two consecutive 不称职 mean (Art 33, app.domain.supervision.reviews).

A committee belongs to the village's certified node (app.domain.supervision.rosters):
the village records its own; a town station records one for a village of its own town,
naming the village's node id. The name in a payload is only for display.

The committee is recorded as elected (``supervisor.committee_set``: members, the 村委会
members and the relations the check needs), a 民主评议 as ``supervisor.reviewed`` on that
record. An ineligible committee is refused with every reason; warnings (too few, nobody
with management knowledge) are returned and kept visible.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.authority import admissible
from app.domain.supervision.eligibility import Eligibility, committee_eligibility
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.kinship import check_relations
from app.domain.supervision.rosters import RosterBook, as_member
from app.domain.supervision.reviews import (
    SUPERVISOR_POST, ReviewDue, ReviewOutcome, review_due, review_outcome)
from app.domain.supervision.rules import SupervisionRules
from app.projections.decisions import parents as certified_parents
from app.services.errors import ServiceError
from app.services.workflow import Workflow
from sync import log
from sync.ids import uuid7
from sync.store import NewEvent

KIND = "village_supervision"


@dataclass(frozen=True)
class Committee:
    record: str
    village: str
    elected_on: date
    members: tuple[Mapping[str, Any], ...]
    eligibility: Eligibility
    reviews: tuple[Mapping[str, Any], ...]          # {on, grades}
    outcomes: dict[str, ReviewOutcome]             # member id → outcome
    due: ReviewDue


class Supervisors(Workflow):
    kind_name = "村务监督委员会"

    @property
    def supervision_rules(self) -> SupervisionRules:
        return SupervisionRules.from_config(self.rules.config)

    def check(self, members: Sequence[Mapping[str, Any]], village_members: Sequence[Mapping[str, Any]],
              relations: Sequence[Mapping[str, Any]]) -> Eligibility:
        try:
            edges = check_relations(relations)
            return committee_eligibility([as_member(m) for m in members],
                                         [as_member(m) for m in [*members, *village_members]],
                                         edges, self.supervision_rules)
        except SupervisionError as exc:
            raise ServiceError(exc.message) from exc

    def set_committee(self, officer: Cadre, village: str, elected_on: str,
                      members: Sequence[Mapping[str, Any]],
                      village_members: Sequence[Mapping[str, Any]],
                      relations: Sequence[Mapping[str, Any]], basis: str = "村民会议推选"
                      ) -> Eligibility:
        """Record the committee as elected; refused (nothing written) when a member may
        not serve or the committee lacks what the law requires."""
        found = self.check(members, village_members, relations)
        if not found.ok:
            raise ServiceError("村务监督委员会不符合规定，不能登记：" + "；".join(
                f"{f.message}（{f.source}）" for f in found.problems))
        node = self.village_node(village)
        payload = {"village": village, "village_id": node, "elected_on": self.on(elected_on),
                   "basis": basis,
                   "members": [dict(m) for m in members],
                   "village_members": [dict(m) for m in village_members],
                   "relations": [dict(r) for r in relations]}
        # recorded by the town, the record is addressed to the village so it reaches it
        owner = node if node != self.station.node_id else None
        self.write([NewEvent("supervisor.committee_set", uuid7(), payload, officer.id, owner=owner)])
        return found

    def record_review(self, officer: Cadre, village: str, on: str,
                      grades: Mapping[str, str]) -> Committee:
        """民主评议: ``grades`` member id → 称职 / 基本称职 / 不称职 for every member."""
        current = self.committee(village)
        allowed = self.supervision_rules.review_grades
        missing = [m["name"] for m in current.members if grades.get(m["id"]) not in allowed]
        if missing:
            raise ServiceError(f"请给每位成员选择评议结果（{'、'.join(allowed)}）：还缺{'、'.join(missing)}")
        payload = {"on": self.on(on), "grades": [
            {"id": m["id"], "name": m["name"], "post": SUPERVISOR_POST, "grade": grades[m["id"]]}
            for m in current.members]}
        self.write([NewEvent("supervisor.reviewed", current.record, payload, officer.id)])
        return self.committee(village)

    def parents(self) -> dict[str, str]:
        """node id → its certifying hub, from certificates (this station's own included)."""
        out = certified_parents(self.conn)
        hub = self.station.hub_id()
        if hub:
            out.setdefault(self.station.node_id, hub)
        return out

    def village_node(self, village: str) -> str:
        """The certified node of ``village`` (its node id, or its name as this station
        knows it): this village itself, or a village of this station's own town."""
        if self.level == "village":
            if village in (self.station.node_id, self.station.name):
                return self.station.node_id
            raise ServiceError("本机只能登记和查看本村的村务监督委员会。")
        parents, hub = self.parents(), self.station.hub_id()
        ours = {node: name for node, name in self.conn.execute(
            "SELECT id, COALESCE(name, '') FROM nodes_dir WHERE level='village'")
            if hub and parents.get(node) == hub}
        found = [node for node, name in ours.items() if village in (node, name)]
        if len(found) != 1:
            raise ServiceError(f"本镇找不到“{village}”这个村（或有重名）：请先同步，再从村的列表里选择。")
        return found[0]

    def rosters(self, events: Sequence[Mapping[str, Any]] | None = None) -> RosterBook:
        """Every village's committees as recorded, keyed by certified node."""
        if events is None:
            rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
            events = admissible([log.row_to_event(r) for r in rows], self.store.directory)
        return RosterBook.build(events, self.levels(), self.parents())

    def committee(self, village: str) -> Committee:
        """The village's current committee (the latest elected), its reviews and outcomes."""
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
        events = admissible([log.row_to_event(r) for r in rows], self.store.directory)
        latest = self.rosters(events).current(self.village_node(village))
        if latest is None:
            raise ServiceError(f"{village}还没有登记村务监督委员会。")
        body = latest.payload
        reviews = tuple(e["payload"] for e in events if e["type"] == "supervisor.reviewed"
                        and e["record"] == latest.record and _is_date(e["payload"].get("on")))
        rules = self.supervision_rules
        outcomes = {}
        for member in body["members"]:
            history = [{"date": r["on"], "grade": g["grade"]} for r in reviews
                       for g in r["grades"] if g["id"] == member["id"]]
            outcomes[member["id"]] = review_outcome(member["name"], SUPERVISOR_POST, history, rules)
        last = max((date.fromisoformat(r["on"]) for r in reviews), default=None)
        return Committee(latest.record, village, latest.elected_on, tuple(body["members"]),
                         self.check(body["members"], body["village_members"], body["relations"]),
                         reviews, outcomes, review_due(last, latest.elected_on, self.today(), rules))


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
