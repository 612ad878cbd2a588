"""社会稳定风险评估 in the station app, rendered offscreen: the town plans an assessment of
a land-expropriation project, records a 座谈 with many objecting, analyses, grades it 高,
writes the report and prints it; at the decision 实施 is disabled with the gate's reason,
and the meeting decides 暂缓实施.

Screenshots: test-artifacts/risk-<nn>-<screen>.png."""
from __future__ import annotations

from pathlib import Path

from app.domain.risk_grading import DIMENSIONS
from tests.ui.screens import (
    find_button, keep_without_printing, press, run_screens, screen, window)
from tests.ui.stations import NOW, TODAY, make_station
from tests.ui.test_disputes import ids, sign_in


def _app(data: Path):
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0)


def fill(form, **values):
    for key, value in values.items():
        widget = form.inputs[key]
        if hasattr(widget, "value"):
            widget.value = value
        else:
            widget.text = value


def plan(app):
    press(screen(app, "home").ids.risk_tile)
    risks = screen(app, "risks")
    press(risks.ids.create)
    assert "评估事项" in risks.ids.error.text
    fill(risks._form, matter="新集镇王湾村至李庄村道路拓宽征地", responsible_unit="新集镇人民政府",
         assessors="赵红梅、李建国", plan="走访沿线农户，召开座谈会，公示十日")
    press(risks.ids.create)
    assert app.shell.screens.current == "risk", risks.ids.error.text


def step(kind: str, **values):
    def run(app):
        risk = screen(app, "risk")
        press(find_button(risk.ids.actions, dict((k, n) for k, n in
                                                  __import__("app.ui.risk_screen", fromlist=["STEPS"]).STEPS)[kind]))
        fill(risk._form, **values)
        press(risk.ids.form_ok)
        assert not risk.action, risk.ids.form_error.text
    return run


def decision_form(app):
    risk = screen(app, "risk")
    press(risk.ids.print_button)
    keep_without_printing(app, "评估报告")
    press(find_button(risk.ids.actions, "集体决策"))
    buttons = {b.text: b for b in risk.decision_buttons.children}
    assert buttons["实施"].disabled and not buttons["暂缓实施"].disabled
    assert "不能实施" in " ".join(w.text for w in risk.ids.form_box.children
                               if hasattr(w, "text")).replace("\xa0", " ")
    press(buttons["暂缓实施"])
    fill(risk._form, meeting_name="镇党委会", attendees="王书记、赵红梅、李建国",
         reason="风险等级高，先做好群众工作后重新评估")


def decided(app):
    risk = screen(app, "risk")
    press(risk.ids.form_ok)
    assert not risk.action, risk.ids.form_error.text
    from app.ui.risk_screen import _service
    assert _service(app).assessment(risk.record).decision["decision"] == "暂缓实施"


def test_risk_assessment_steps(kivy_app, tmp_path: Path) -> None:
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "综治中心主任"),))
    analysis = {k: "基本符合" for k in DIMENSIONS}
    analysis.update({f"{k}_note": "经论证" for k in DIMENSIONS})
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("home", sign_in("赵红梅"), None),
            ("planned", plan, ids("risk", "actions_title")),
            ("opinions", step("risk.opinions_gathered", method="座谈", participants="40",
                              objecting="18", strongly_objecting="6",
                              summary="沿线农户对补偿标准意见大，六户表示坚决不同意"), None),
            ("analysed", step("risk.analysed", **analysis), None),
            ("graded", step("risk.graded", grade="高", reasons="反对比例高，有强烈反对",
                            measures="逐户做工作\n补偿标准公示"), None),
            ("reported", step("risk.reported", conclusion="风险等级高，暂不具备实施条件"), None),
            ("decision-form", decision_form, ids("risk", "actions_title")),
            ("decided", decided, ids("risk", "actions_title")),
        ], name="risk")
    assert list((town / "prints").glob("社会稳定风险评估报告-*.pdf"))
