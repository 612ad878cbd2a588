"""村务决策 (issue #12 §3) by touch, tablet and phone: the 党员大会 held together with the
村民代表会议 (合并召开) — one form, two attendance sheets each with its own roster and live
tally — then 退回上一步 (reason required, confirmed, shown in 办理记录), the joint
meeting again, and the 决议公开 with its notice previewed from the form and printed after
saving (the print dialog opens on the PDF; no print service here: 关闭 keeps it).

Screenshots: test-artifacts/decision-joint-<size>-<nn>-<label>.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.printers import NoPrintService
from tests.support.decisions import seed_agreed_matter
from tests.ui.flows import print_dialog, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY
from tests.ui.test_decisions import fill
from tests.ui.touch import touch_app


def tick(ui, sheet, attend: int, approve: int) -> None:
    for i, (mode, vote) in enumerate(list(sheet.rows.values())[:attend]):
        ui.tap("到场", within=mode)
        ui.tap("赞成" if i < approve else "反对", within=vote)


def hold_joint(ui, matter, party: tuple[int, int], reps: tuple[int, int]) -> None:
    assert matter.ids.form_title.text == "登记：党员大会审议", matter.ids.form_title.text
    assert matter.joint_sheet is None
    fill(ui, matter._form, joint="合并召开")
    assert matter.joint_sheet is not None, "the representatives' sheet appears"
    assert "应到9人" in ui.texts(matter.sheet) and "应到15人" in ui.texts(matter.joint_sheet)
    fill(ui, matter._form, content="审议并表决修路方案", place="村委会会议室",
         form_="合并召开", township_attendees="张敏 组织委员", minutes="分别签到，分别表决",
         signatures="见签名页照片", plan_sent=(TODAY.replace(day=20)).isoformat())
    tick(ui, matter.sheet, *party)
    tick(ui, matter.joint_sheet, *reps)


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_joint_meeting_step_back_and_the_notice(tmp_path: Path, size: str) -> None:
    village, record, _party, _reps = seed_agreed_matter(tmp_path, authorised=True)
    app = station_app(village)
    app.print_service = NoPrintService()
    with touch_app(app, size, name=f"decision-joint-{size}") as ui:
        sign_in(ui, "李建国")
        ui.tap("村务决策")
        ui.tap("修建三组村组道路")
        matter = screen(ui.app, "decision")
        # the joint sitting: 6 of 9 party members (exactly 2/3), 9 of 15 representatives
        # (one short of 2/3): each part counted on its own
        hold_joint(ui, matter, party=(6, 5), reps=(9, 9))
        assert "实到6人" in matter.sheet.tally.text and "结果：通过" in matter.sheet.tally.text
        assert "实到9人" in matter.joint_sheet.tally.text
        assert "结果：未通过" in matter.joint_sheet.tally.text, matter.joint_sheet.tally.text
        ui.shot("joint-sheets", title("decision", "form_title"))
        ui.tap("保存这一步", within=matter.ids.form_buttons)
        assert not matter.ids.form_error.text, matter.ids.form_error.text
        assert "党员大会审议——已通过" in ui.app.message, ui.app.message
        assert "决议——未通过" in ui.app.message, ui.app.message
        assert matter.ids.form_title.text == "登记：村民代表会议或村民会议决议"
        timeline = ui.texts(matter.ids.timeline)
        assert "党员大会审议：已通过" in timeline and "决议：未通过" in timeline
        # 退回上一步: the confirmation asks for a reason before anything is written
        ui.tap("退回上一步（党员大会审议）", within=matter.ids.back_box)
        assert "确认退回" in ui.texts(matter.ids.back_box)
        ui.shot("step-back-confirm", lambda app: screen(app, "decision").ids.back_box
                .children[0].reason.children[-1])     # the label 退回的原因（必填）
        ui.tap("确认退回", within=matter.ids.back_box)
        assert "请写明退回的原因" in ui.texts(matter.ids.back_box)
        assert matter.ids.form_title.text == "登记：村民代表会议或村民会议决议"   # unchanged
        panel = matter.ids.back_box.children[0]
        ui.fill(panel.reason, "代表会议人数不足，和党员大会一起重新召开")
        ui.done_typing()
        ui.tap("确认退回", within=matter.ids.back_box)
        assert "已退回到“党员大会审议”" in ui.app.message, ui.app.message
        assert matter.ids.form_title.text == "登记：党员大会审议"
        timeline = ui.texts(matter.ids.timeline)
        assert "党员大会审议：已退回" in timeline
        assert "退回到“党员大会审议”" in timeline and "代表会议人数不足" in timeline
        ui.shot("stepped-back", title("decision", "form_title"))
        # held again with enough representatives: both parts pass
        hold_joint(ui, matter, party=(7, 7), reps=(12, 11))
        ui.tap("保存这一步", within=matter.ids.form_buttons)
        assert "党员大会审议——已通过" in ui.app.message and "决议——已通过" in ui.app.message
        assert matter.ids.form_title.text == "登记：决议公开"
        # 决议公开: the notice previewed from the form (what is missing first)
        ui.tap("预览公告", within=matter.ids.form_buttons)
        assert "打印公告前请先填写" in matter.ids.form_error.text
        fill(ui, matter._form, content="村民代表会议决议：修建三组水泥路，预算38万元",
             place="村务公开栏、村民微信群", period_start=TODAY.isoformat(),
             period_end=TODAY.replace(day=30).isoformat(), supervision_opinions="无")
        ui.tap("预览公告", within=matter.ids.form_buttons)
        dialog = print_dialog(ui)
        assert dialog.state == "none" and dialog.file_name.startswith("决议公开")
        ui.shot("notice-preview", lambda _app: dialog.ids.title)
        ui.tap("关闭", within=dialog)
        ui.tap("保存这一步", within=matter.ids.form_buttons)
        assert "决议公开——" in ui.app.message, ui.app.message
        assert "打印决议公开公告" in ui.texts(matter.ids.notice_buttons)
        ui.shot("notice-button", title("decision"))
        ui.tap("打印决议公开公告", within=matter.ids.notice_buttons)
        dialog = print_dialog(ui)
        assert Path(dialog.path).read_bytes()[:5] == b"%PDF-"
        ui.tap("关闭", within=dialog)


def test_a_ledger_entry_becomes_a_matter_and_each_shows_the_other(tmp_path: Path) -> None:
    from app.services.opinions import OpinionForm, Opinions
    from tests.ui.stations import cadre, make_station, unlocked
    path = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    station = unlocked(path)
    try:
        officer, ledger = cadre(station, "李建国"), Opinions(station, today=lambda: TODAY)
        entry = ledger.collect(officer, OpinionForm(
            "三组道路雨天泥泞，群众建议修水泥路", [{"name": "王秀英", "group": "三组"}]))["record"]
        ledger.sort(officer, entry, category="村务决策建议", route="decision")
        ledger.to_decision(officer, entry)
    finally:
        station.close()
    with touch_app(station_app(path), "tablet", name="decision-from-opinion") as ui:
        sign_in(ui, "李建国")
        ui.tap(screen(ui.app, "home").opinions_tile)
        [row] = list(screen(ui.app, "opinions").ids.rows.children)
        ui.tap(row)
        item = screen(ui.app, "opinion")
        assert "提交村务决策（四议两公开）" not in ui.texts(item.ids.actions)   # needs a matter
        ui.tap("立为村务决策事项", within=item.ids.actions)
        matters = screen(ui.app, "decisions")
        assert "从民意台账" in matters.ids.intro.text
        assert matters._form.value("title") == "三组道路雨天泥泞，群众建议修水泥路"
        assert matters._form.value("motion_source") == "党员群众建议"
        ui.shot("prefilled", title("decisions"))
        fill(ui, matters._form, kind="公益事业", needs_assessment="不需要")
        ui.tap("保存事项")
        matter = screen(ui.app, "decision")
        assert "来源：民意台账" in matter.ids.source_box.children[-1].text
        ui.shot("matter-source", lambda app: screen(app, "decision").ids.title)
        ui.tap("查看这条民意", within=matter.ids.source_box)
        item = screen(ui.app, "opinion")
        assert "未报备：下一步 村党支部会提议" in ui.texts(item.ids.facts)
        ui.tap("查看村务决策事项", within=item.ids.actions)
        assert screen(ui.app, "decision").ids.title.text == "三组道路雨天泥泞，群众建议修水泥路"
