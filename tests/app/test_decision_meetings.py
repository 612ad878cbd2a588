"""村务决策 (issue #12 §3) on real station files: the joint sitting of the 党员大会 and the
村民代表会议 (合并召开) with each part judged on its own roster at every boundary, 退回上一步,
and the 决议公开 / 实施结果公开 notices for the board, parsed back from the PDF.

The town's 同意 is written on a real town station and carried to the village as a pull
would (tests/ui/stations.carry); no hub processes (the hub path is tests/app/
test_decisions_flow.py)."""
from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from app.docs import placeholders
from app.domain.decisions.procedure import BACK, FAILED, PASSED, WITHDRAWN
from app.services.decisions import VillageDecisions
from app.services.errors import ServiceError
from tests.support.decisions import seed_agreed_matter
from tests.ui.stations import TODAY, cadre, make_station, unlocked

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MEETING = {"place": "村委会会议室", "form": "党员大会和村民代表会议合并召开",
           "township_attendees": [{"name": "张敏", "post": "组织委员"}],
           "minutes": "逐项审议，分别表决", "signatures": "见签名页照片"}


def _stations(tmp_path: Path, *, authorised: bool):
    village, record, party, reps = seed_agreed_matter(tmp_path, authorised=authorised)
    v = unlocked(village)
    return v, VillageDecisions(v, today=lambda: TODAY), cadre(v, "李建国"), record, party, reps


@pytest.fixture
def authorised(tmp_path: Path):
    v, *rest = _stations(tmp_path, authorised=True)
    yield rest
    v.close()


def _sheet(ids: list[str], attend: int, approve: int) -> list[dict]:
    return [{"person": p, "mode": "到场", "vote": "赞成" if i < approve else "反对"}
            for i, p in enumerate(ids[:attend])]


def _joint(svc, officer, record, party, reps, p_attend, p_for, r_attend, r_for,
           day_offset=20):
    day = TODAY - timedelta(days=day_offset)
    svc.record_step(officer, record, "review", {**MEETING, "date": day, "content": "修路方案"},
                    attendance=_sheet(party, p_attend, p_for),
                    plan_sent={p: day - timedelta(days=5) for p in party},
                    joint={"step": "resolve", "body": "村民代表会议",
                           "attendance": _sheet(reps, r_attend, r_for)})
    state = svc.view(record).state
    return state.status("review").status, state.status("resolve").status, state


@pytest.mark.parametrize("p_attend,p_for,r_attend,r_for,review,resolve", [
    (6, 5, 10, 6, PASSED, PASSED),   # exactly 2/3 of each; 5 of 9 > half; 6 of 10 > half
    (5, 5, 15, 15, FAILED, FAILED),  # party one short of 2/3: the joint 决议 cannot stand
    (6, 4, 10, 6, FAILED, FAILED),   # 4 of the 9 who should attend is not more than half
    (6, 5, 9, 9, PASSED, FAILED),    # representatives one short of 2/3; party part stands
    (6, 5, 10, 5, PASSED, FAILED),   # 5 of 10 present is exactly half: not more than half
])
def test_a_joint_sitting_judges_each_part_on_its_own_roster(
        authorised, p_attend, p_for, r_attend, r_for, review, resolve) -> None:
    svc, officer, record, party, reps = authorised
    assert svc.joint_option(record).allowed
    got_review, got_resolve, state = _joint(svc, officer, record, party, reps,
                                            p_attend, p_for, r_attend, r_for)
    assert (got_review, got_resolve) == (review, resolve), state.history
    if review == PASSED:
        assert "应到9人" in state.status("review").explanation
    if review == PASSED and resolve != FAILED:
        assert "应到15人" in state.status("resolve").explanation
    if review == FAILED:
        assert "“党员大会审议”未通过" in state.status("resolve").reasons[0]
    assert state.current == ("publish_resolution" if resolve == PASSED else
                             "resolve" if review == PASSED else "review")


def test_an_art24_matter_without_authorisation_is_not_held_jointly(tmp_path: Path) -> None:
    v, svc, officer, record, party, reps = _stations(tmp_path, authorised=False)
    try:
        option = svc.joint_option(record)
        assert not option.allowed and "第二十四条" in option.reason and "村民会议" in option.reason
        with pytest.raises(ServiceError, match="不能合并召开"):
            _joint(svc, officer, record, party, reps, 9, 9, 15, 15)
        assert svc.view(record).state.current == "review"     # nothing written
        with pytest.raises(ServiceError, match="村民代表会议"):   # not with the 村民会议 either
            svc.record_step(officer, record, "review", {**MEETING, "date": TODAY,
                            "content": "方案"}, attendance=_sheet(party, 9, 9),
                            joint={"step": "publish_resolution", "body": "村民会议"})
    finally:
        v.close()


def test_step_back_needs_a_reason_and_reopens_only_the_step_before(authorised) -> None:
    svc, officer, record, party, reps = authorised
    assert svc.back_target(record).code == "discuss"
    _joint(svc, officer, record, party, reps, 6, 5, 9, 9)      # 党员大会 passes, 决议 fails
    assert svc.back_target(record).code == "review"
    with pytest.raises(ServiceError, match="请写明退回的原因"):
        svc.step_back(officer, record, back_to="review", reason="  ")
    with pytest.raises(ServiceError, match="只能退回到上一步“党员大会审议”"):
        svc.step_back(officer, record, back_to="propose", reason="记录有误")
    svc.step_back(officer, record, back_to="review", reason="党员大会的方案有改动，需要重新审议")
    state = svc.view(record).state
    assert state.current == "review"
    assert [h.status for h in state.history if h.step == "review"] == [WITHDRAWN, BACK]
    assert state.history[-1].message == "党员大会的方案有改动，需要重新审议"
    _, resolve, state = _joint(svc, officer, record, party, reps, 9, 9, 15, 15, day_offset=18)
    assert resolve == PASSED and state.current == "publish_resolution"


def _text(pdf: bytes, name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / name)],
                   check=True)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def test_the_notices_for_the_board_carry_what_where_when_and_the_opinions(authorised) -> None:
    svc, officer, record, party, reps = authorised
    with pytest.raises(ServiceError, match="还没有登记"):
        svc.notice_pdf(record, "publish_resolution")
    _joint(svc, officer, record, party, reps, 8, 8, 12, 11)
    form = {"date": TODAY - timedelta(days=18), "content": "村民代表会议决议：修建三组水泥路，预算38万元",
            "period_start": (TODAY - timedelta(days=18)).isoformat(),
            "period_end": (TODAY - timedelta(days=11)).isoformat()}
    with pytest.raises(ServiceError, match="打印公告前请先填写：公开地点或渠道"):
        svc.notice_pdf(record, "publish_resolution", form)     # the 预览 of a half-filled form
    form |= {"place": "村务公开栏、村民微信群"}
    preview = _text(svc.notice_pdf(record, "publish_resolution", {
        k: str(v) for k, v in form.items()}), "decision-notice-preview")
    assert "未收到监督意见" in preview and not placeholders(preview)
    svc.record_step(officer, record, "publish_resolution",
                    {**form, "supervision_opinions": "村民王某建议路面加宽到4米，已转两委研究"})
    assert svc.notices(record) == [("publish_resolution", "决议公开")]
    text = _text(svc.notice_pdf(record, "publish_resolution"), "decision-notice-resolution")
    for expected in ("王湾村村民委员会", "决议公开", "修建三组村组道路", "预算38万元",
                     "村务公开栏、村民微信群", "村民代表会议（与党员大会合并召开）", "应到15人，实到12人",
                     "赞成11人", "建议路面加宽到4米", "村务监督委员会"):
        assert expected in text, expected
    start = TODAY - timedelta(days=18)
    assert f"{start.year}年{start.month}月{start.day}日至" in text
    assert not placeholders(text)
    svc.record_step(officer, record, "implement", {
        "date": TODAY - timedelta(days=5), "content": "修路", "done_on": TODAY - timedelta(days=5),
        "notes": "三组水泥路1.2公里完工，验收合格，实际支出36.5万元"})
    svc.record_step(officer, record, "publish_result", {
        "date": TODAY - timedelta(days=4), "content": "修路实施结果和支出明细",
        "place": "村务公开栏", "period_start": (TODAY - timedelta(days=4)).isoformat(),
        "period_end": (TODAY + timedelta(days=3)).isoformat(), "supervision_opinions": "无"})
    text = _text(svc.notice_pdf(record, "publish_result"), "decision-notice-result")
    for expected in ("实施结果公开", "实际支出36.5万元", "完成日期", "村务公开栏"):
        assert expected in text, expected
    assert not placeholders(text)


def test_an_opinion_ledger_entry_becomes_a_matter_linked_both_ways(tmp_path: Path) -> None:
    from app.services.opinions import OpinionForm, Opinions
    path = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    station = unlocked(path)
    try:
        officer = cadre(station, "李建国")
        ledger = Opinions(station, today=lambda: TODAY)
        entry = ledger.collect(officer, OpinionForm(
            "三组道路雨天泥泞，群众建议修水泥路\n十几户签名", [{"name": "王秀英", "group": "三组"}]))["record"]
        svc = VillageDecisions(station, today=lambda: TODAY)
        with pytest.raises(ServiceError, match="没有在等待村务决策"):     # not routed yet
            svc.open_from_opinion(officer, entry, title="修路", reason="群众建议", kinds=["公益事业"])
        assert svc.matters() == []                                     # nothing written
        ledger.sort(officer, entry, category="村务决策建议", route="decision")
        ledger.to_decision(officer, entry)
        draft = svc.opinion_draft(entry)
        assert draft["title"] == "三组道路雨天泥泞，群众建议修水泥路"
        assert draft["motion_source"] == "党员群众建议" and "十几户签名" in draft["reason"]
        record = svc.open_from_opinion(officer, entry, title=draft["title"],
                                       reason=draft["reason"], kinds=["公益事业"],
                                       needs_assessment=False)
        view = svc.view(record)
        assert view.matter.opened["motion_source"] == "党员群众建议"
        assert svc.source_of(view) == {"record": entry, "ledger_no": draft["ledger_no"],
                                       "content": "三组道路雨天泥泞，群众建议修水泥路\n十几户签名"}
        item = ledger.item(entry)
        assert item.target == record and not item.awaiting_decision
        [row] = [r for r in ledger.ledger() if r["record"] == entry]
        assert row["target_status"] == "未报备：下一步 村党支部会提议", row["target_status"]
        with pytest.raises(ServiceError, match="没有在等待村务决策"):     # one matter per entry
            svc.open_from_opinion(officer, entry, title="再立一件", reason="x", kinds=["公益事业"])
    finally:
        station.close()
