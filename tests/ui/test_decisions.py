"""村务决策 (issue #12) in the station app, by touch.

1. Tablet and phone: a village cadre opens the 村务决策 tile, is told what is missing when
   saving an empty matter, saves a matter, is told the gate (not filed with the town: what
   to do), records the 支部提议 and the 两委商议, then — the next step being gated — files
   the matter with the town, and sees it waiting for the town's review.
2. The town's review and the meeting: the town's tablet finds the filing in 村务决策 and
   agrees; back at the village (the town's answer carried over as a pull would), the
   党员大会 is recorded by ticking each member 到场 / 电话 / 缺席 with the vote, the quorum
   counted live, and the step passes.

Screenshots: test-artifacts/decisions-<size>-<nn>-<screen>.png, decisions-town-…"""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.decisions import VillageDecisions
from tests.ui.flows import current, fill_form, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app

MEETING = {"place": "村委会会议室", "form_": "现场会议", "participants": "支委三人",
           "signatures": "见签名页照片", "outcome": "通过"}


def fill(ui, form, **values: str) -> None:
    """fill_form for forms with a field named ``form`` (会议形式): keys with a trailing _
    lose it."""
    for key, value in values.items():
        widget = form.inputs[key.rstrip("_")]
        if hasattr(widget, "value"):
            ui.tap(value, within=widget)
        else:
            ui.fill(widget, value)
    ui.done_typing()


def record_meeting(ui, matter, label: str, **values) -> None:
    assert matter.ids.form_title.text == f"登记：{label}", matter.ids.form_title.text
    fill(ui, matter._form, content="修建三组村组道路方案", **values)
    ui.tap("保存这一步", within=matter.ids.form_buttons)
    assert not matter.ids.form_error.text, matter.ids.form_error.text
    assert f"{label}——已通过" in ui.app.message, ui.app.message


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_a_village_opens_a_matter_and_files_it_with_the_town(tmp_path: Path, size: str) -> None:
    village = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    with touch_app(station_app(village), size, name=f"decisions-{size}") as ui:
        sign_in(ui, "李建国")
        ui.tap("村务决策")
        matters = screen(ui.app, "decisions")
        ui.shot("list", title("decisions"))
        ui.tap("保存事项")
        assert "事项名称" in matters.ids.error.text
        fill_form(ui, matters._form, title="修建三组村组道路", motion_source="党员群众建议",
                  reason="群众反映雨天出行难", kind="公益事业", money="380000",
                  options="水泥路面\n沥青路面", needs_assessment="不需要")
        ui.shot("new-matter", title("decisions"))
        ui.tap("保存事项")
        assert current(ui) == "decision", matters.ids.error.text
        matter = screen(ui.app, "decision")
        assert "还没有向镇党委报备" in matter.ids.blocked.text
        assert "第二十四条" in matter.ids.status.text
        ui.shot("matter", title("decision"))
        record_meeting(ui, matter, "村党支部会提议", motion_source="党员群众建议", **MEETING)
        record_meeting(ui, matter, "村“两委”会议商议", **MEETING)
        assert "暂不能提交会议" in matter.ids.blocked.text
        ui.tap("报镇党委备案", within=matter.ids.form_buttons)
        assert "合法性论证" in matter.ids.form_error.text
        fill_form(ui, matter._form, legality="符合村民委员会组织法和一事一议筹资规定",
                  feasibility="资金已落实，施工队已询价", consultation="三组村民会议同意，占地户签字同意",
                  options="水泥路面\n沥青路面")
        ui.tap("报镇党委备案", within=matter.ids.form_buttons)
        assert not matter.ids.form_error.text, matter.ids.form_error.text
        assert "已报镇审核" in matter.ids.status.text
        assert "镇里还没有审核" in matter.ids.blocked.text
        ui.shot("filed", title("decision"))


PARTY = ["王书记", "李明", "张华", "赵强", "刘芳", "陈静", "周勇"]


def _seed(village: Path) -> str:
    """A matter filed by the village: roster, 提议 and 商议 merged (一肩挑), the filing."""
    station = unlocked(village)
    try:
        svc = VillageDecisions(station, today=lambda: TODAY)
        officer = cadre(station, "李建国")
        ids = svc.set_people(officer, [{"name": n, "party": "正式", "female": i % 2 == 1,
                                        "birth_date": "1970-01-01"} for i, n in enumerate(PARTY)])
        record = svc.open_matter(officer, title="修建三组村组道路", motion_source="党员群众建议",
                                 reason="雨天出行难", kinds=["公益事业"], needs_assessment=False,
                                 secretary=ids[0], chair=ids[0], options=["水泥路面"])
        svc.record_step(officer, record, "propose", {
            "date": TODAY, "content": "修路方案", "place": "村委会", "form": "现场会议",
            "participants": "支委", "signatures": "见照片", "outcome": "通过",
            "motion_source": "党员群众建议"}, merged=["discuss"])
        svc.submit_filing(officer, record, legality="符合", feasibility="可行",
                          consultation="已协商", options=["水泥路面"])
        return record
    finally:
        station.close()


def _carry(source: Path, target: Path) -> None:
    a, b = unlocked(source), unlocked(target)
    try:
        carry(a, b)
    finally:
        a.close()
        b.close()


def test_the_town_agrees_and_the_village_records_the_party_meeting(tmp_path: Path) -> None:
    village = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ010", cadres=(("张敏", "组织委员"),))
    _seed(village)
    _carry(village, town)
    with touch_app(station_app(town), "tablet", name="decisions-town") as ui:
        sign_in(ui, "张敏")
        ui.tap("村务决策")
        listing = screen(ui.app, "decisions")
        assert "待审核的备案 1 件" in ui.texts(listing.ids.rows)
        ui.shot("inbox", title("decisions"))
        ui.tap("修建三组村组道路")
        matter = screen(ui.app, "decision")
        assert matter.ids.form_title.text == "审核备案"
        ui.tap("保存审核意见", within=matter.ids.form_buttons)
        assert "审核意见" in matter.ids.form_error.text
        fill_form(ui, matter._form, result="同意")
        ui.tap("保存审核意见", within=matter.ids.form_buttons)
        assert "镇里已同意" in matter.ids.status.text, matter.ids.form_error.text
        ui.shot("agreed", title("decision"))
    _carry(town, village)
    with touch_app(station_app(village), "tablet", name="decisions-meeting") as ui:
        sign_in(ui, "李建国")
        ui.tap("村务决策")
        ui.tap("修建三组村组道路")
        matter = screen(ui.app, "decision")
        assert matter.ids.blocked.text == ""
        assert matter.ids.form_title.text == "登记：党员大会审议"
        sheet = matter.sheet
        assert "应到7人" in ui.texts(sheet)
        fill(ui, matter._form, content="审议修路方案", place="村委会会议室", form_="现场会议",
                  township_attendees="张敏 组织委员", minutes="逐项审议，一致同意",
                  signatures="见签名页照片", plan_sent="2026-11-20")
        rows = list(sheet.rows.values())
        for i, (mode, vote) in enumerate(rows[:5]):
            ui.tap("电话" if i == 4 else "到场", within=mode)
            ui.tap("赞成", within=vote)
        assert "实到5人" in sheet.tally.text and "结果：通过" in sheet.tally.text, sheet.tally.text
        ui.shot("attendance", title("decision", "form_title"))
        ui.tap("保存这一步", within=matter.ids.form_buttons)
        assert not matter.ids.form_error.text, matter.ids.form_error.text
        assert "党员大会审议——已通过" in ui.app.message, ui.app.message
        assert matter.ids.form_title.text == "登记：村民代表会议或村民会议决议"
        ui.shot("passed", title("decision"))


def test_the_roster_shows_its_composition_and_takes_an_authorisation(tmp_path: Path) -> None:
    village = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    with touch_app(station_app(village), "phone", name="decisions-roster") as ui:
        sign_in(ui, "李建国")
        ui.tap("村务决策")
        ui.tap("花名册和村民会议授权")
        roster = screen(ui.app, "roster")
        assert "花名册还是空的" in ui.texts(roster.ids.people)
        fill_form(ui, roster._person, name="王秀英", sex="女", birth_date="1975-04-02",
                  household="王秀英户", party="正式党员", roles="村民代表")
        ui.tap("保存到花名册")
        assert not roster.ids.person_error.text, roster.ids.person_error.text
        fill_form(ui, roster._person, name="李大山", sex="男", birth_date="1970-13-40",
                  household="李大山户", roles="村委会成员")
        ui.tap("保存到花名册")
        assert "日期" in roster.ids.person_error.text and "李大山" in roster.ids.person_error.text
        fill_form(ui, roster._person, birth_date="1970-12-04")
        ui.tap("保存到花名册")
        assert not roster.ids.person_error.text, roster.ids.person_error.text
        assert "党员1人" in roster.ids.counts.text and "2户" in roster.ids.counts.text
        # one 村民代表 and one 村委会 member without a woman: the 4/5 check and Art 6 speak
        assert "不足五分之四以上" in roster.ids.warnings.text, roster.ids.warnings.text
        assert "妇女成员" in roster.ids.warnings.text
        ui.shot("roster", title("roster"))
        fill_form(ui, roster._grant, scope="公益事业", record="2026年1月10日村民会议决定")
        ui.tap("保存授权")
        assert not roster.ids.grant_error.text, roster.ids.grant_error.text
        assert "授权已保存" in ui.app.message
