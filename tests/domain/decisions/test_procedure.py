"""四议两公开 as data: each step waits for the one before; failures stay failures; a matter
can go back one step; merged steps (一肩挑, 合并召开) still pass each step on its own."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.filing import filing_gate
from app.domain.decisions.judging import Context, RecordJudge
from app.domain.decisions.procedure import load_steps, procedure_state, steps_for
from app.domain.risk.grading import RiskRules
from tests.domain.decisions.support import CONFIG, RULES, party, representatives, villagers
from tests.domain.decisions.test_filing import LOW

STEPS = steps_for(RULES.procedures, RULES.procedure)
PEOPLE = tuple(party(9) + representatives(9, committee=3, women_reps=4) + villagers(12))
GENERAL = {"scope": "all", "from": "2024-01-01"}
OPEN_GATE = filing_gate("同意", assessment=LOW, rules=RiskRules.from_config(CONFIG))
PLAN_SENT = {p.id: date(2026, 3, 1) for p in PEOPLE if p.party}
TOWN = [{"name": "王镇长", "post": "包村领导"}]


def judge(kinds=("公益事业",), gate=OPEN_GATE, today=date(2026, 6, 30), **kw):
    context = Context(PEOPLE, RULES, tuple(kinds), gate, today, (GENERAL,), PLAN_SENT, **kw)
    return RecordJudge(context, STEPS[0].code)


def meeting(step, rid, outcome="通过", **extra):
    fields = {"date": "2026-03-01", "content": "硬化村东道路", "place": "村部", "form": "支委会",
              "participants": ["支书", "委员"], "signatures": ["photo-1"], "outcome": outcome,
              "motion_source": "党员群众建议"}
    return {"id": rid, "step": step, "fields": fields, **extra}


def vote(step, rid, ids, day="2026-03-05", against=(), **extra):
    fields = {"date": day, "content": "硬化村东道路方案", "place": "村部", "form": "会议",
              "signatures": ["photo-2"], "township_attendees": TOWN, "minutes": "会议记录"}
    attendance = [{"person": i, "vote": "反对" if i in against else "赞成"} for i in ids]
    return {"id": rid, "step": step, "fields": fields, "attendance": attendance, **extra}


def notice(step, rid, end="2026-03-20"):
    fields = {"date": "2026-03-10", "content": "决议内容", "place": "村务公开栏",
              "period_start": "2026-03-10", "period_end": end, "supervision_opinions": "无"}
    return {"id": rid, "step": step, "fields": fields}


def done(rid, **extra):
    return {"id": rid, "step": "implement",
            "fields": {"date": "2026-05-01", "content": "道路硬化", "done_on": "2026-05-01",
                       "notes": "已完工验收", **extra}}


PARTY_IDS = [f"p{i}" for i in range(6)]
REP_IDS = [f"r{i}" for i in range(6)] + ["c0", "c1"]


def full_story():
    return [meeting("propose", "a"), meeting("discuss", "b"), vote("review", "c", PARTY_IDS),
            vote("resolve", "d", REP_IDS, body="村民代表会议"), notice("publish_resolution", "e"),
            done("f"), notice("publish_result", "g", end="2026-05-20")]


def test_the_whole_procedure_passes_step_by_step():
    state = procedure_state(STEPS, full_story(), judge())
    assert state.finished and state.blocked == ""
    assert [s.status for s in state.steps] == ["已通过"] * 7
    assert [h.status for h in state.history] == ["已通过"] * 7
    review = state.status("review")
    assert review.explanation.startswith("党员大会：应到9人，实到6人")


def test_a_later_step_is_refused_until_the_one_before_passes():
    state = procedure_state(STEPS, [meeting("propose", "a"), vote("review", "c", PARTY_IDS)], judge())
    assert state.current == "discuss"
    assert state.history[-1].status == "不予登记"
    assert state.history[-1].message == "上一步“村“两委”会议商议”尚未通过，不能办理这一步"


def test_a_failed_vote_is_recorded_as_failed_and_a_new_meeting_can_pass():
    records = full_story()[:2] + [vote("review", "c1", PARTY_IDS[:5]), vote("review", "c2", PARTY_IDS)]
    state = procedure_state(STEPS, records[:3], judge())
    assert state.current == "review" and state.status("review").status == "未通过"
    assert state.status("review").reasons[0].startswith("出席人数不足")
    state = procedure_state(STEPS, records, judge())
    assert state.current == "resolve"
    assert [(h.record, h.status) for h in state.history][2:] == [("c1", "未通过"), ("c2", "已通过")]


def test_a_passed_step_cannot_be_recorded_again_without_going_back():
    records = full_story()[:3] + [vote("review", "c2", PARTY_IDS)]
    state = procedure_state(STEPS, records, judge())
    assert state.history[-1].message == "这一步已经通过；如需重新办理，请先退回"


def test_the_matter_can_go_back_one_step():
    records = full_story()[:3] + [{"id": "back", "back_to": "review", "reason": "方案有变，重新审议"}]
    state = procedure_state(STEPS, records, judge())
    assert state.current == "review" and state.status("review").status == "待办"
    assert [h.status for h in state.history] == ["已通过", "已通过", "已退回", "退回"]
    two_back = records + [{"id": "x", "back_to": "propose"}]
    assert procedure_state(STEPS, two_back, judge()).history[-1].message == "只能退回到上一步"
    with_redo = records + [vote("review", "c3", PARTY_IDS)]
    assert procedure_state(STEPS, with_redo, judge()).current == "resolve"


def test_an_incomplete_record_blocks_the_next_step():
    record = meeting("propose", "a")
    del record["fields"]["signatures"]
    record["fields"]["motion_source"] = "随便"
    state = procedure_state(STEPS, [record], judge())
    assert state.current == "propose" and state.status("propose").status == "记录不完整"
    assert state.status("propose").reasons == (
        "缺少：参会人员签名（或签名页照片）、动议事由（党员群众建议、村干部提议或上级安排）",)


def test_propose_and_discuss_merge_only_when_one_person_holds_both_posts():
    record = meeting("propose", "a", merged=["discuss"])
    merged = procedure_state(STEPS, [record], judge(secretary="p0", chair="p0"))
    assert merged.current == "review"
    assert [s.status for s in merged.steps[:2]] == ["已通过", "已通过"]
    refused = procedure_state(STEPS, [record], judge(secretary="p0", chair="c0"))
    assert refused.current == "propose"
    assert refused.history[0].message.startswith("只有村党支部书记和村委会主任由一人担任（一肩挑）时")
    wrong = procedure_state(STEPS, [meeting("propose", "a", merged=["review"])], judge())
    assert wrong.history[0].message == "“review”不能与“村党支部会提议”合并办理"


def test_joint_party_and_representatives_meeting_passes_each_part_on_its_own():
    joint = vote("review", "c", PARTY_IDS, joint={"step": "resolve", "body": "村民代表会议",
                                                  "attendance": [{"person": i, "vote": "赞成"} for i in REP_IDS]})
    state = procedure_state(STEPS, full_story()[:2] + [joint], judge())
    assert state.current == "publish_resolution"
    # the party part fails: the representatives' part cannot stand
    failing = vote("review", "c", PARTY_IDS[:4], joint=joint["joint"])
    state = procedure_state(STEPS, full_story()[:2] + [failing], judge())
    assert state.current == "review"
    assert state.status("resolve").status == "未通过"
    assert state.status("resolve").reasons == ("“党员大会审议”未通过，合并办理的这一步不能生效",)
    villagers_joint = vote("review", "c", PARTY_IDS, joint={**joint["joint"], "body": "村民会议"})
    state = procedure_state(STEPS, full_story()[:2] + [villagers_joint], judge())
    assert state.history[-1].message == "党员大会只能与村民代表会议合并召开；村民会议请另行召开"


def test_gated_steps_wait_for_the_filing_gate():
    closed = filing_gate("补正", asked="补充协商记录", rules=RiskRules.from_config(CONFIG))
    state = procedure_state(STEPS, full_story()[:3], judge(gate=closed))
    assert state.current == "review"
    assert state.blocked == "镇里要求补正：补充协商记录。请按镇里的意见补充材料后重新报备"
    assert state.history[-1].status == "不予登记" and state.history[-1].message == state.blocked


def test_an_art24_matter_before_unauthorised_representatives_fails_the_resolution():
    context = Context(PEOPLE, RULES, ("宅基地",), OPEN_GATE, date(2026, 6, 30), (), PLAN_SENT)
    state = procedure_state(STEPS, full_story()[:4], RecordJudge(context, "propose"))
    assert state.current == "resolve" and state.status("resolve").status == "未通过"
    assert "须经村民会议讨论决定" in state.status("resolve").reasons[0]


def test_the_plan_must_reach_every_party_member_in_time():
    late = {**PLAN_SENT, "p8": date(2026, 3, 3)}
    context = Context(PEOPLE, RULES, ("公益事业",), OPEN_GATE, date(2026, 6, 30), (GENERAL,), late)
    state = procedure_state(STEPS, full_story()[:3], RecordJudge(context, "propose"))
    assert state.status("review").status == "未通过"
    assert state.status("review").reasons[0].startswith("党员大会审议的方案须在会议3天前（最晚2026-03-01）送达每一人")


def test_a_villagers_meeting_needs_its_notice():
    people_ids = [f"v{i}" for i in range(8)]
    base = full_story()[:3]
    late = vote("resolve", "d", people_ids, day="2026-03-20", body="村民会议")
    late["fields"]["announced_on"] = "2026-03-12"
    state = procedure_state(STEPS, base + [late], judge())
    assert state.status("resolve").reasons[0].startswith("村民会议须提前10天通知村民（最晚2026-03-09）")
    late["fields"]["announced_on"] = "2026-03-09"
    assert procedure_state(STEPS, base + [late], judge()).current == "publish_resolution"


def test_publicity_passes_only_when_its_period_has_ended():
    records = full_story()[:5]
    state = procedure_state(STEPS, records, judge(today=date(2026, 3, 19)))
    assert state.status("publish_resolution").reasons == ("公开期到2026-03-20才届满",)
    assert procedure_state(STEPS, records, judge(today=date(2026, 3, 20))).current == "implement"


def test_land_to_outsiders_needs_two_thirds_of_all_and_the_towns_approval_before_implementation():
    kinds = ("土地发包给集体以外",)
    records = full_story()[:3] + [vote("resolve", "d", REP_IDS, body="村民代表会议")]
    state = procedure_state(STEPS, records, judge(kinds=kinds))
    assert state.status("resolve").status == "已通过"            # 6 of 9 representatives for
    assert "表决通过后还须乡（镇）人民政府批准" in state.status("resolve").explanation
    records += [notice("publish_resolution", "e"), done("f")]
    state = procedure_state(STEPS, records, judge(kinds=kinds))
    assert state.status("implement").reasons == ("还须乡（镇）人民政府批准，批准前不能实施",)
    records[-1] = done("f", approvals=["乡（镇）人民政府批准"])
    assert procedure_state(STEPS, records, judge(kinds=kinds)).current == "publish_result"
    # five of nine representatives for: the ordinary majority passes, the land rule does not
    five = full_story()[:3] + [vote("resolve", "d", REP_IDS, against=("r5",), body="村民代表会议")]
    state = procedure_state(STEPS, five, judge(kinds=kinds))
    assert state.status("resolve").status == "未通过"
    assert state.status("resolve").reasons[0].startswith("土地事项须经全体村民代表的三分之二以上同意")


def test_one_consultation_three_deliberations_variant():
    steps = steps_for(RULES.procedures, "一征三议两公开")
    consult = {"id": "z", "step": "consult", "fields": {
        "date": "2026-02-20", "content": "修路", "method": "入户走访", "participants": 86,
        "opinions": "多数赞成", "motion_source": "党员群众建议"}}
    context = Context(PEOPLE, RULES, ("公益事业",), OPEN_GATE, date(2026, 6, 30), (GENERAL,), PLAN_SENT)
    state = procedure_state(steps, [consult, meeting("discuss", "b")], RecordJudge(context, "consult"))
    assert state.current == "review"


def test_step_lists_are_checked():
    with pytest.raises(DecisionError):
        load_steps([])
    with pytest.raises(DecisionError):
        load_steps([{"code": "a", "label": "甲", "kind": "meeting", "merge": "一肩挑"}])
    with pytest.raises(DecisionError):
        load_steps([{"code": "a", "label": "甲", "kind": "会议"}])
    with pytest.raises(DecisionError):
        load_steps([{"code": "a", "label": "甲", "kind": "meeting"}] * 2)
    with pytest.raises(DecisionError) as info:
        steps_for(RULES.procedures, "三议一公开")
    assert info.value.message == "镇里选用的决策步骤“三议一公开”不在步骤表中，请在规则设置中重新选择"


@pytest.mark.parametrize("name", ["四议两公开", "一征三议两公开"])
def test_no_decision_meeting_of_either_procedure_escapes_the_filing_gate(name):
    closed = filing_gate(None, rules=RiskRules.from_config(CONFIG))
    steps = steps_for(RULES.procedures, name)
    record_judge = judge(gate=closed)
    votes = [s for s in steps if s.kind == "vote"]
    assert [s.code for s in votes] == ["review", "resolve"]
    assert all(record_judge.blocked(s) == closed.message for s in votes)
    assert all(record_judge.blocked(s) == "" for s in steps if s.kind != "vote")


def test_the_joint_meeting_is_allowed_in_the_one_consultation_variant_too():
    steps = steps_for(RULES.procedures, "一征三议两公开")
    consult = {"id": "z", "step": "consult", "fields": {
        "date": "2026-02-20", "content": "修路", "method": "入户走访", "participants": 86,
        "opinions": "多数赞成", "motion_source": "上级安排"}}
    joint = vote("review", "c", PARTY_IDS, joint={"step": "resolve", "body": "村民代表会议",
                                                  "attendance": [{"person": i, "vote": "赞成"} for i in REP_IDS]})
    context = Context(PEOPLE, RULES, ("公益事业",), OPEN_GATE, date(2026, 6, 30), (GENERAL,), PLAN_SENT)
    state = procedure_state(steps, [consult, meeting("discuss", "b"), joint], RecordJudge(context, "consult"))
    assert state.current == "publish_resolution"
