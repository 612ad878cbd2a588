"""村务监督委员会 (issue #13 §3): a village's committee as elected, checked against the
eligibility rules of 村民委员会组织法 Art 32 (app.domain.supervision.eligibility: no 村委会
member or close relative, someone with accounting knowledge, at most 5), and its yearly
民主评议 with what two consecutive 不称职 mean (Art 33, app.domain.supervision.reviews).

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
from app.domain.supervision.eligibility import Eligibility, Member, committee_eligibility
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.kinship import check_relations
from app.domain.supervision.reviews import (
    SUPERVISOR_POST, ReviewDue, ReviewOutcome, review_due, review_outcome)
from app.domain.supervision.rules import SupervisionRules
from app.services.errors import ServiceError
from app.services.workflow import Workflow
from sync import log
from sync.ids import uuid7
from sync.store import NewEvent

KIND = "village_supervision"


def _member(item: Mapping[str, Any]) -> Member:
    return Member(str(item["id"]), str(item["name"]), bool(item.get("villager", True)),
                  tuple(item.get("posts") or ()), bool(item.get("accounting")),
                  bool(item.get("management")))


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
            return committee_eligibility([_member(m) for m in members],
                                         [_member(m) for m in [*members, *village_members]],
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
        payload = {"village": village, "elected_on": self.on(elected_on), "basis": basis,
                   "members": [dict(m) for m in members],
                   "village_members": [dict(m) for m in village_members],
                   "relations": [dict(r) for r in relations]}
        self.write([NewEvent("supervisor.committee_set", uuid7(), payload, officer.id)])
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

    def committee(self, village: str) -> Committee:
        """The village's current committee (the latest elected), its reviews and outcomes."""
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
        events = admissible([log.row_to_event(r) for r in rows], self.store.directory)
        elected = [e for e in events if e["type"] == "supervisor.committee_set"
                   and e["payload"].get("village") == village]
        if not elected:
            raise ServiceError(f"{village}还没有登记村务监督委员会。")
        latest = max(elected, key=lambda e: (e["payload"]["elected_on"], e["hlc"]))
        body = latest["payload"]
        reviews = tuple(e["payload"] for e in events if e["type"] == "supervisor.reviewed"
                        and e["record"] == latest["record"])
        rules = self.supervision_rules
        outcomes = {}
        for member in body["members"]:
            history = [{"date": r["on"], "grade": g["grade"]} for r in reviews
                       for g in r["grades"] if g["id"] == member["id"]]
            outcomes[member["id"]] = review_outcome(member["name"], SUPERVISOR_POST, history, rules)
        last = max((date.fromisoformat(r["on"]) for r in reviews), default=None)
        elected_on = date.fromisoformat(body["elected_on"])
        return Committee(latest["record"], village, elected_on, tuple(body["members"]),
                         self.check(body["members"], body["village_members"], body["relations"]),
                         reviews, outcomes, review_due(last, elected_on, self.today(), rules))
