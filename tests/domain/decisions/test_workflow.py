"""The village-decision workflow as a fold (app.domain.decisions.workflow), pure: who may
write each step (the opening village; the filing review by its own town only), the
决策前论证备案 gate at each record's place (no filing, 补正, 不同意, 高/中 risk, an
assessment of another matter), a failed step recorded (never quietly passed), proxies
not counted, and a verdict that does not move when the roster changes afterwards."""
from __future__ import annotations

from datetime import UTC, date
from itertools import count

from app.domain.config import merge_config
from app.domain.decisions import contexts
from app.domain.decisions.procedure import FAILED, PASSED, load_steps
from app.domain.decisions.rules import RulesHistory
from app.domain.decisions.village import fold_register
from app.domain.decisions.workflow import fold, procedure
from app.domain.risk.grading import RiskRules
from schemas.config import load_defaults
from tests.domain.decisions.support import RULES

CONFIG = merge_config(load_defaults(), {})
RISK = RiskRules.from_config(CONFIG)
VILLAGE, OTHER_VILLAGE, TOWN, OTHER_TOWN = "n-village", "n-village-b", "n-town", "n-town-b"
LEVELS = {VILLAGE: "village", OTHER_VILLAGE: "village", TOWN: "town", OTHER_TOWN: "town"}
PARENTS = {VILLAGE: "hub-1", OTHER_VILLAGE: "hub-1", TOWN: "hub-1", OTHER_TOWN: "hub-2"}
MATTER, REGISTER = "m-1", "reg-1"
DAY = date(2026, 3, 20)
_clock = count(1)
STEPS = [{"code": s["code"], "label": s["label"], "kind": s["kind"],
          **{k: s[k] for k in ("body", "gated", "merge") if k in s}}
         for s in RULES.procedures["四议两公开"]]


def hlc_on(day: date) -> int:
    from datetime import datetime
    ms = int(datetime(day.year, day.month, day.day, 4, tzinfo=UTC).timestamp() * 1000)
    return (ms << 16) + next(_clock)


def ev(kind: str, payload: dict, origin: str = VILLAGE, record: str = MATTER,
       day: date = DAY) -> dict:
    n = next(_clock)
    return {"id": f"e{n}", "origin": origin, "seq": n, "hlc": hlc_on(day), "type": kind, "v": 1,
            "record": record, "author": "u", "payload": payload}


def opened(needs_assessment: bool = False, kinds=("公益事业",)) -> dict:
    return ev("decision.matter_opened", {
        "on": "2026-03-01", "title": "修路", "motion_source": "党员群众建议", "reason": "出行难",
        "kinds": list(kinds), "needs_assessment": needs_assessment, "procedure": "四议两公开",
        "steps": STEPS, "secretary": "p0", "chair": "p0", "officer": {"name": "王"}})


def filed(assessment: str | None = None) -> dict:
    return ev("decision.filing_submitted", {
        "on": "2026-03-02", "legality": "符合", "feasibility": "可行", "consultation": "已协商",
        "options": ["水泥路"], **({"assessment": assessment} if assessment else {}),
        "officer": {"name": "王"}})


def reviewed(result: str, origin: str = TOWN, **more) -> dict:
    return ev("decision.filing_reviewed", {"on": "2026-03-03", "result": result,
                                           "reviewer": {"name": "镇"}, **more}, origin)


def register(*people: dict, day: date = DAY) -> dict:
    return ev("decision.roster_changed", {"on": day.isoformat(), "people": list(people),
                                          "officer": {"name": "王"}}, record=REGISTER, day=day)


def members(n: int, prefix: str = "p") -> list[dict]:
    return [{"id": f"{prefix}{i}", "name": f"党员{i}", "party": "正式"} for i in range(n)]


def step(code: str, day: date = DAY, origin: str = VILLAGE, **more) -> dict:
    fields = {"date": day.isoformat(), "content": "修路方案", "place": "村委会", "form": "现场",
              "signatures": "见照片", "participants": "支委", "outcome": "通过",
              "motion_source": "党员群众建议", "township_attendees": [{"name": "张", "post": "包村"}],
              "minutes": "记录"}
    return ev("decision.step_recorded", {"step": code, "fields": fields,
                                         "officer": {"name": "王"}, **more}, origin, day=day)


def folded(events: list[dict], roster_events: list[dict] = (), risk: dict | None = None,
           rules=RULES):
    reg = fold_register(roster_events) if roster_events else None
    at = contexts.context_at(reg, risk or {}, LEVELS, rules, RISK)
    matter = fold(events, LEVELS, PARENTS, at)
    latest = contexts.context_now(matter, reg, risk or {}, LEVELS, rules, RISK, DAY)
    return matter, procedure(matter, latest)


def votes(ids, vote="赞成", mode="到场") -> list[dict]:
    return [{"p": i, "m": mode, "v": vote} for i in ids]


PLAN = {f"p{i}": "2026-03-10" for i in range(10)}


def test_only_the_villages_own_town_reviews_its_filing() -> None:
    base = [opened(), filed()]
    for forged, code in ((reviewed("同意", VILLAGE), "wrong_level"),
                         (reviewed("同意", OTHER_VILLAGE), "wrong_level"),
                         (reviewed("同意", OTHER_TOWN), "not_our_town")):
        matter, _ = folded(base + [forged])
        assert matter.status == "已报备"
        assert [r.code for r in matter.rejected] == [code]
    matter, _ = folded(base + [reviewed("同意")])
    assert matter.status == "同意" and not matter.rejected


def test_no_town_reviews_a_filing_when_the_villages_town_is_unknown() -> None:
    """review-night.md L1: a node that folds the matter without the village's certificate
    (its town unknown) does not let any town's review through; once the certificate is
    known, its own town's review applies."""
    events = [opened(), filed(), reviewed("同意")]
    unknown = {k: v for k, v in PARENTS.items() if k != VILLAGE}
    matter = fold(events, LEVELS, unknown)
    assert matter.status == "已报备" and [r.code for r in matter.rejected] == ["town_unknown"]
    assert "先同步" in matter.rejected[0].reason
    assert fold(events, LEVELS, PARENTS).status == "同意"


def test_another_village_cannot_step_on_the_matter() -> None:
    matter, _ = folded([opened(), step("propose", origin=OTHER_VILLAGE, merged=["discuss"])])
    assert matter.records == () and matter.rejected[0].code == "not_holder"


def test_a_review_needs_reasons_and_comes_only_after_a_filing() -> None:
    matter, _ = folded([opened(), reviewed("同意")])
    assert matter.rejected[0].code == "wrong_order"
    matter, _ = folded([opened(), filed(), reviewed("补正")])
    assert matter.rejected[0].code == "missing_asked"
    matter, _ = folded([opened(), filed(), reviewed("不同意")])
    assert matter.rejected[0].code == "missing_reasons"


def test_the_gated_steps_wait_for_the_filing_and_say_why() -> None:
    roster = [register(*members(10))]
    early = [opened(), step("propose", merged=["discuss"])]
    matter, state = folded(early + [step("review", body="党员大会",
                                         attendance=votes([f"p{i}" for i in range(8)]),
                                         plan_sent=PLAN)], roster)
    assert state.current == "review" and "还没有向镇党委报备" in state.blocked
    assert matter.rejected[-1].code == "refused_step"
    for result, more, words in (("补正", {"asked": "补充占地协商记录"}, "补充占地协商记录"),
                                ("不同意", {"reasons": "资金来源不明"}, "资金来源不明")):
        filing = filed()      # (stamped before the answer)
        matter, state = folded(early + [filing, reviewed(result, **more)], roster)
        assert words in state.blocked
    matter, state = folded(early + [filed(), reviewed("同意"),
                                    step("review", body="党员大会",
                                         attendance=votes([f"p{i}" for i in range(8)]),
                                         plan_sent=PLAN)], roster)
    assert state.blocked == "" and state.status("review").status == PASSED


def _risk(record: str, subject: str, grade: str, measures=("专人答复",)) -> list[dict]:
    fine = {"finding": "符合", "note": "依法"}
    out = [ev("risk.planned", {"on": "2026-02-01", "matter": "修路", "responsible_unit": "村委会",
                               "assessors": ["王"], "plan": "走访",
                               "subject": {"kind": "village_matter", "record": subject}},
              record=record, day=date(2026, 2, 1)),
           ev("risk.opinions_gathered", {"on": "2026-02-02", "method": "座谈", "participants": 40,
                                         "objecting": 0 if grade == "低" else 30,
                                         "strongly_objecting": 0 if grade == "低" else 10,
                                         "summary": "意见"}, record=record, day=date(2026, 2, 2)),
           ev("risk.analysed", {"on": "2026-02-03", "legality": fine, "reasonableness": fine,
                                "feasibility": fine, "controllability": fine},
              record=record, day=date(2026, 2, 3)),
           ev("risk.graded", {"on": "2026-02-04", "grade": grade, "reasons": "理由",
                              "measures": list(measures)}, record=record, day=date(2026, 2, 4)),
           ev("risk.reported", {"on": "2026-02-05", "report_no": "1", "conclusion": "结论"},
              record=record, day=date(2026, 2, 5))]
    return out


def test_the_risk_gate_blocks_high_and_medium_and_an_assessment_of_another_matter() -> None:
    base = [opened(needs_assessment=True), step("propose", merged=["discuss"])]
    _, state = folded(base + [filed("r-high"), reviewed("同意")],
                           risk={"r-high": _risk("r-high", MATTER, "高")})
    assert "风险等级为高" in state.blocked, state.blocked
    _matter, state = folded(base + [filed("r-other"), reviewed("同意")],
                           risk={"r-other": _risk("r-other", "another-matter", "低")})
    assert "还没有评估" in state.blocked
    _, state = folded(base + [filed("r-low"), reviewed("同意")],
                           risk={"r-low": _risk("r-low", MATTER, "低")})
    assert state.blocked == ""


def test_a_failed_vote_is_recorded_and_proxies_are_not_counted() -> None:
    roster = [register(*members(9))]
    events = [opened(), step("propose", merged=["discuss"]), filed(), reviewed("同意"),
              # 5 present + 1 proxy of 9: short of 2/3 (6) since the proxy does not count
              step("review", body="党员大会", attendance=votes([f"p{i}" for i in range(5)]),
                   proxies=[{"principal": "p5", "holder": "党员0"}], plan_sent=PLAN)]
    _matter, state = folded(events, roster)
    review = state.status("review")
    assert review.status == FAILED and state.current == "review"
    assert "不计入" in review.explanation
    # a new meeting can follow the failed one
    events.append(step("review", body="党员大会", attendance=votes([f"p{i}" for i in range(6)]),
                       plan_sent=PLAN))
    _, state = folded(events, roster)
    assert state.status("review").status == PASSED and state.current == "resolve"


def test_an_art24_matter_before_an_unauthorised_representatives_meeting_fails() -> None:
    reps = [{"id": f"r{i}", "name": f"代表{i}", "representative": True} for i in range(10)]
    roster = [register(*members(9), *reps)]
    events = [opened(), step("propose", merged=["discuss"]), filed(), reviewed("同意"),
              step("review", body="党员大会", attendance=votes([f"p{i}" for i in range(9)]),
                   plan_sent=PLAN),
              step("resolve", body="村民代表会议", attendance=votes([f"r{i}" for i in range(10)]))]
    _, state = folded(events, roster)
    resolve = state.status("resolve")
    assert resolve.status == FAILED and "授权" in "".join(resolve.reasons)


def test_a_verdict_stays_when_the_roster_grows_later() -> None:
    early = register(*members(9), day=date(2026, 3, 1))
    events = [opened(), step("propose", merged=["discuss"]), filed(), reviewed("同意"),
              step("review", body="党员大会", attendance=votes([f"p{i}" for i in range(6)]),
                   plan_sent=PLAN)]
    _, state = folded(events, [early])
    assert state.status("review").status == PASSED
    # three more members join after the meeting: 6 of 12 would be short, but the meeting
    # was judged against the roster of its day
    later = register(*members(12), day=date(2026, 4, 1))
    _, state = folded(events, [early, later])
    assert state.status("review").status == PASSED


def test_steps_stored_with_the_matter_are_the_ones_it_runs_on() -> None:
    matter, _ = folded([opened()])
    assert matter.step_list == load_steps(STEPS) and matter.art24


def _town_sets(key: str, value: str, day: date) -> dict:
    return ev("config.set", {"key": f"decisions.{key}", "value": value,
                             "note": "镇党委会议决定从严"}, TOWN, record="config", day=day)


def test_a_record_keeps_the_rules_in_force_when_it_was_written() -> None:
    """8 of 12 party members attend: exactly 2/3, enough under the statutory 三分之二以上.
    The town tightens the party meeting's attendance to 四分之三以上 afterwards: the meeting
    already recorded keeps its verdict; a meeting recorded after the change needs 9."""
    roster = [register(*members(12), day=date(2026, 3, 1))]
    plan = {f"p{i}": "2026-03-10" for i in range(12)}
    eight = votes([f"p{i}" for i in range(8)])
    before = [opened(), step("propose", merged=["discuss"]), filed(), reviewed("同意"),
              step("review", body="党员大会", attendance=eight, plan_sent=plan)]
    tightened = _town_sets("party_meeting_attendance", "四分之三以上", date(2026, 3, 25))
    history = RulesHistory(load_defaults(), [tightened])
    assert history.at(None).party_meeting_attendance == "四分之三以上"
    assert history.at(before[-1]["hlc"]).party_meeting_attendance == "三分之二以上"
    _, state = folded(before, roster, rules=history)
    assert state.status("review").status == PASSED and state.current == "resolve"
    # the same matter replayed with the same events: same verdict, whatever today's rule
    _, again = folded(before, roster, rules=RulesHistory(load_defaults(), [tightened]))
    assert again.status("review") == state.status("review")
    # a second matter's meeting of the same eight, recorded after the change, fails
    later = date(2026, 4, 2)
    second = [{**e, "record": "m-2", "id": e["id"] + "-2"} for e in (
        opened(), step("propose", day=later, merged=["discuss"]), filed(), reviewed("同意"),
        step("review", day=later, body="党员大会", attendance=eight, plan_sent=plan))]
    _, state = folded(second, roster, rules=history)
    review = state.status("review")
    assert review.status == FAILED and "四分之三以上" in "".join(review.reasons)
    # without the history (today's rules for every record) the first meeting would fail:
    # the snapshot is what keeps it
    _, today_rules = folded(before, roster, rules=history.at(None))
    assert today_rules.status("review").status == FAILED


def test_a_back_dated_stamp_cannot_choose_the_rules_a_meeting_is_judged_by() -> None:
    """review-night.md H4: the town tightens the party meeting's attendance to 四分之三以上
    on 03-25; the village holds its 党员大会 on 04-02 with 8 of 12.  A modified app stamps
    the record on 03-24 (before the change) and keeps the true meeting date: the record
    is refused (a meeting cannot be recorded before it was held), never passed under the
    old rule.  Honestly stamped, the same record is judged by the tightened rule."""
    roster = [register(*members(12), day=date(2026, 3, 1))]
    plan = {f"p{i}": "2026-03-10" for i in range(12)}
    eight = votes([f"p{i}" for i in range(8)])
    tightened = _town_sets("party_meeting_attendance", "四分之三以上", date(2026, 3, 25))
    history = RulesHistory(load_defaults(), [tightened])
    held, forged_day = date(2026, 4, 2), date(2026, 3, 24)
    meeting = step("review", day=held, body="党员大会", attendance=eight, plan_sent=plan)
    back_dated = {**meeting, "id": "forged", "hlc": hlc_on(forged_day)}
    base = [opened(), step("propose", merged=["discuss"]), filed(), reviewed("同意")]
    matter, state = folded(base + [back_dated], roster, rules=history)
    assert state.status("review").status not in (PASSED, FAILED)
    assert [r.code for r in matter.rejected] == ["recorded_before_held"]
    refusal = matter.rejected[0].reason
    assert "2026-04-02" in refusal and "2026-03-24" in refusal and "核对平板的日期" in refusal
    # the honest stamp (the meeting's day) is judged by the rule in force then
    matter, state = folded(base + [meeting], roster, rules=history)
    assert matter.rejected == ()
    review = state.status("review")
    assert review.status == FAILED and "四分之三以上" in "".join(review.reasons)
    # a record made the day after the meeting is fine: only the future is refused
    late = {**meeting, "id": "late", "hlc": hlc_on(date(2026, 4, 3))}
    matter, _ = folded(base + [late], roster, rules=history)
    assert matter.rejected == ()
