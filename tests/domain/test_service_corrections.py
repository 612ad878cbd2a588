"""The work around a case besides moving it on: 修改信息 kept in the timeline, 撤件 with a
reason, 补齐材料 turning the one-time notice green, 催办 after sending a case up, and the
village's own words kept for the town (issue #8 §3)."""
from __future__ import annotations

from datetime import date

from app.domain.service.deadlines import case_deadline, overdue_alerts
from app.domain.service.flow import check_transition
from app.domain.shared.workdays import WorkCalendar
from app.hubext.status import public_status
from tests.domain.builders import LEVELS, log_at

CALENDAR = WorkCalendar()


def test_a_correction_keeps_the_old_and_the_new_value_in_the_timeline():
    log = log_at("accepted")
    log.add("svc.updated", "v1", fields={"applicant.phone": "13987654321",
                                         "applicant.id_number": "11010519491231002X"},
            was={"applicant.phone": "13812345678"}, reason="登记时电话写错")
    state = log.state()
    assert state.fields["applicant.phone"] == "13987654321"
    assert state.steps[-1].what == (
        "修改信息：联系电话由“13812345678”改为“13987654321”；"
        "身份证号由“（空）”改为“1101**********002X”（原因：登记时电话写错）")


def test_a_withdrawn_case_is_finished_without_a_deadline_or_alerts():
    log = log_at("escalated")
    log.add("svc.withdrawn", "v1", reason_kind="申请人撤回", reason="群众已在县里办好")
    state = log.state()
    assert (state.status, state.status_name) == ("withdrawn", "已撤件")
    assert (state.level, state.owner_node) == ("village", "v1")     # back where it was taken
    assert state.withdrawal["kind"] == "申请人撤回"
    assert state.steps[-1].what == "撤件（申请人撤回）：群众已在县里办好"
    long_after = date(2026, 6, 1)
    assert case_deadline(state, long_after, CALENDAR) is None
    assert overdue_alerts(state, long_after, CALENDAR) == []
    assert public_status(state).status_name.startswith("已撤件")


def test_supplying_part_of_the_missing_materials_leaves_the_rest_on_the_notice():
    log = log_at("accepted")
    log.add("svc.updated", "v1", fields={"materials_missing": ["户口簿", "授权书"]},
            was={"materials_missing": ["家庭经济状况核对授权书"]})
    log.add("svc.materials_supplied", "v1", materials=["户口簿"])
    state = log.state()
    assert state.missing_materials == ["授权书"]
    assert state.materials_complete_on is None
    assert state.steps[-1].what == "补齐材料：户口簿（还缺：授权书）"
    log.add("svc.materials_supplied", "v2", materials=["授权书"], on="2025-10-09")
    state = log.state()
    assert state.missing_materials == []
    assert state.materials_complete_on == date(2025, 10, 9)
    assert state.fields["materials_present"][-2:] == ["户口簿", "授权书"]
    assert state.steps[-1].what == "补齐材料：授权书（材料已齐全）"
    refused = check_transition(state, log.event("svc.materials_supplied", "v1"), "village")
    assert refused.message == "此事项的材料已经齐全，不用再补"


def test_supplying_materials_does_not_move_the_promised_date():
    # The date was printed on the citizen's receipt; more time needs 延期 with a reason.
    log = log_at("accepted")
    before = log.state().due
    log.add("svc.materials_supplied", "v1", on="2025-10-20")
    assert log.state().due == before


def test_the_town_reads_the_villages_words_and_the_urges_after_forwarding():
    log = log_at("escalated")
    log.add("svc.urged", "v1", note="群众来问进度")
    state = log.state()
    assert state.escalation["summary"] == "需镇里入户调查、组织民主评议"
    assert state.escalation["origin"] == "v1"
    assert [u["note"] for u in state.urges] == ["群众来问进度"]
    assert state.steps[-1].what == "催办镇便民服务中心：群众来问进度"
    log.add("svc.forwarded", "t1")
    log.add("svc.urged", "t1", note="请按转办函期限回复")
    state = log.state()
    assert [u["note"] for u in state.urges] == ["请按转办函期限回复"]   # urges of this step
    assert state.steps[-1].what == "催办县民政局：请按转办函期限回复"
    assert state.escalation["summary"] == "需镇里入户调查、组织民主评议"   # still there


def test_urging_does_not_make_the_urging_node_the_holder():
    log = log_at("forwarded")
    log.add("svc.urged", "t2", note="请尽快回复")
    state = log.state()
    assert state.path[-1] == ("county", None)
    assert state.rejected == ()
    assert LEVELS["t2"] == state.sender_level
