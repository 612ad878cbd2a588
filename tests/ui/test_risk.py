"""社会稳定风险评估 in the station app, by touch: the town plans an assessment of a
land-expropriation project, records a 座谈 with many objecting, analyses, grades it 高,
writes the report and prints it; at the decision 实施 is disabled with the gate's reason,
and the meeting decides 暂缓实施.

Screenshots: test-artifacts/risk-<nn>-<screen>.png."""
from __future__ import annotations

from pathlib import Path

from app.domain.risk.grading import DIMENSIONS
from app.ui.risk_screen import STEPS
from tests.ui.flows import current, fill_form, keep_without_printing, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station
from tests.ui.touch import touch_app


def plan(ui) -> None:
    ui.tap("风险评估")
    risks = screen(ui.app, "risks")
    ui.tap("保存评估方案")
    assert "评估事项" in risks.ids.error.text
    fill_form(ui, risks._form, matter="新集镇王湾村至李庄村道路拓宽征地",
              responsible_unit="新集镇人民政府", assessors="赵红梅、李建国",
              plan="走访沿线农户，召开座谈会，公示十日")
    ui.shot("plan", title("risks"))
    ui.tap("保存评估方案")
    assert current(ui) == "risk", risks.ids.error.text
    ui.shot("planned", title("risk", "actions_title"))


def step(ui, kind: str, shot: str, **values) -> None:
    risk = screen(ui.app, "risk")
    ui.tap(dict(STEPS)[kind], within=risk.ids.actions)
    fill_form(ui, risk._form, **values)
    ui.tap("保存", within=risk.ids.form_ok.parent)
    assert not risk.action, risk.ids.form_error.text
    ui.shot(shot, title("risk", "actions_title"))


def decide(ui) -> None:
    risk = screen(ui.app, "risk")
    ui.tap("打印评估报告")
    keep_without_printing(ui, "评估报告")
    ui.tap("集体决策", within=risk.ids.actions)
    buttons = {b.text: b for b in risk.decision_buttons.children}
    assert buttons["实施"].disabled and not buttons["暂缓实施"].disabled
    assert "不能实施" in ui.texts(risk.ids.form_box)
    ui.tap("暂缓实施", within=risk.decision_buttons)
    fill_form(ui, risk._form, meeting_name="镇党委会", attendees="王书记、赵红梅、李建国",
              reason="风险等级高，先做好群众工作后重新评估")
    ui.shot("decision-form", title("risk", "actions_title"))
    ui.tap("保存", within=risk.ids.form_ok.parent)
    assert not risk.action, risk.ids.form_error.text
    from app.ui.risk_screen import _service
    assert _service(ui.app).assessment(risk.record).decision["decision"] == "暂缓实施"
    ui.shot("decided", title("risk", "actions_title"))


def test_risk_assessment_steps(tmp_path: Path) -> None:
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "综治中心主任"),))
    analysis = {k: "基本符合" for k in DIMENSIONS}
    analysis.update({f"{k}_note": "经论证" for k in DIMENSIONS})
    with touch_app(station_app(town), "tablet", name="risk") as ui:
        sign_in(ui, "赵红梅")
        plan(ui)
        step(ui, "risk.opinions_gathered", "opinions", method="座谈", participants="40",
             objecting="18", strongly_objecting="6",
             summary="沿线农户对补偿标准意见大，六户表示坚决不同意")
        step(ui, "risk.analysed", "analysed", **analysis)
        step(ui, "risk.graded", "graded", grade="高", reasons="反对比例高，有强烈反对",
             measures="逐户做工作\n补偿标准公示")
        step(ui, "risk.reported", "reported", conclusion="风险等级高，暂不具备实施条件")
        decide(ui)
    assert list((town / "prints").glob("社会稳定风险评估报告-*.pdf"))
