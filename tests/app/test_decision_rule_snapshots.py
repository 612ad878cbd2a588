"""A decision record keeps the rules in force when it was written (issue #9 / #12), over
real hubs: the village holds a 党员大会 whose plan reached every party member 4 days
before — enough under the statutory 3 days —, then the town tightens the notice to 5 days
(the settings screen's rule, synced down).  The meeting already recorded stays 已通过 on
the village tablet and at the town; a meeting recorded after the change, with the plan
again sent 4 days before, fails under the new rule.
(The rules at each record's clock stamp come from the town's certified config events:
app.domain.decisions.rules.RulesHistory.)"""
from __future__ import annotations

from datetime import timedelta

from app.accounts import SETTINGS_ROLE, add_cadre
from app.services.decisions import VillageDecisions
from app.services.rule_settings import set_rule
from tests.app.test_decisions_flow import TODAY, meeting_fields, roster
from tests.support.township import Township  # the `town` fixture: tests/app/conftest.py

KEY = "decisions.party_plan_notice_days"


def _to_the_party_meeting(town: Township, village: VillageDecisions,
                          center: VillageDecisions, party: list[str], title: str) -> str:
    """A matter opened, proposed, filed and accepted by the town; then its 党员大会 with 7
    of the 10 party members present and voting for."""
    cadre = town["A"].cadre
    record = village.open_matter(cadre, title=title, motion_source="村干部提议",
                                 reason="群众反映", kinds=["其他"], options=["方案一"],
                                 needs_assessment=False, secretary=party[-1], chair=party[-1])
    village.record_step(cadre, record, "propose",
                        meeting_fields(TODAY - timedelta(days=10), outcome="通过",
                                       participants="支委3人", motion_source="村干部提议"),
                        merged=["discuss"])
    village.submit_filing(cadre, record, legality="符合", feasibility="可行",
                          consultation="已协商", options=["方案一"])
    town.sync()
    center.review_filing(town["center"].cadre, record, result="同意")
    town.sync()
    day = TODAY - timedelta(days=1)
    attendance = [{"person": p, "mode": "到场", "vote": "赞成"} for p in party[:7]]
    village.record_step(cadre, record, "review",
                        meeting_fields(day, township_attendees=[{"name": "张委员", "post": "包村干部"}],
                                       minutes="审议"),
                        body="党员大会", attendance=attendance,
                        plan_sent={p: day - timedelta(days=4) for p in party})
    return record


def test_a_town_rule_changed_later_does_not_rejudge_a_recorded_meeting(town: Township) -> None:
    village = VillageDecisions(town["A"].station, today=lambda: TODAY)
    center = VillageDecisions(town["center"].station, today=lambda: TODAY)
    ids = village.set_people(town["A"].cadre, roster())
    party = [i for i, p in zip(ids, roster()) if p.get("party")]   # the secretary last
    assert len(party) == 10
    first = _to_the_party_meeting(town, village, center, party, "修缮村文化活动室")
    review = village.view(first).state.status("review")
    assert review.status == "已通过", review.reasons

    director = add_cadre(town["center"].station.store, "周主任", "便民服务中心主任", "258046",
                         roles=(SETTINGS_ROLE,))
    set_rule(town["center"].station, director, KEY, "5", "镇党委会议纪要〔2026〕9号")
    town.sync()
    assert village.decision_rules.party_plan_notice_days == 5   # it arrived

    # the meeting recorded before the change keeps its verdict, here and at the town
    for where in (village, center):
        again = where.view(first).state
        assert again.status("review").status == "已通过", again.status("review").reasons
        assert again.current == "resolve"
    assert {m["record"]: m for m in village.matters()}[first]["current"] == "resolve"

    # a meeting recorded after the change is judged by the new rule: 4 days is short of 5
    second = _to_the_party_meeting(town, village, center, party, "硬化村东头晒场")
    review = village.view(second).state.status("review")
    assert review.status == "未通过"
    assert "会议5天前" in "".join(review.reasons), review.reasons
    # and the first one still stands after the second was judged
    assert village.view(first).state.status("review").status == "已通过"
