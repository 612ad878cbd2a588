"""The 百分制 assessment on the town 纪委's tablet, by touch (issue #13 §4; tests/ui/touch.py):
the 纪委 writes the year's scheme — the screen says what the 分值 add up to and what to
change, and refuses to save until they make 100 —, the two named assessors mark each
village on the qualitative criteria, then the results show the ranking, the stars and a
village's bar chart with how each criterion was computed, and export a PDF read back.
The same results on a phone. A village's case overdue at its station is counted in the
computed criterion (the events carried to the 纪委's tablet as a pull would)."""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from tests.ui.flows import sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import carry, cadre, make_station, unlocked
from tests.ui.touch import touch_app

OCTOBER = date(2026, 10, 9)


@pytest.fixture
def jiwei(tmp_path: Path) -> Path:
    """新集镇纪委's tablet, holding 王湾村's and 李庄村's records: 王湾村 took two
    applications in October that are still open after their promised date."""
    path = make_station(tmp_path / "jiwei", name="新集镇纪委", kind="town", short_code="XJ099",
                        cadres=(("周正", "镇纪委书记"),), roles=("discipline",))
    wangwan = make_station(tmp_path / "wangwan", cadres=(("王振华", "村党支部书记"),))
    lizhuang = make_station(tmp_path / "lizhuang", name="李庄村", short_code="XJ002",
                            cadres=(("李卫东", "村党支部书记"),))
    d, w, li = unlocked(path), unlocked(wangwan), unlocked(lizhuang)
    try:
        me = cadre(w, "王振华")
        desk = Desk(w, today=lambda: OCTOBER)
        for name, phone in (("王桂兰", "13938761520"), ("陈玉兰", "13912345670")):
            desk.intake(me, IntakeForm(name=name, phone=phone, matter_code="FL-001",
                                       summary="申请高龄津贴", materials_present=[
                                           "高龄津贴申请表", "居民身份证", "户口簿", "代办人居民身份证"]))
        carry(w, d)
        carry(li, d)
    finally:
        for station in (d, w, li):
            station.close()
    return path


def fill_row(ui, row, name: str, weight: str, basis: str = "", part: str = "") -> None:
    ui.fill("指标名称", name, within=row)
    ui.fill("分值", weight, within=row)
    if basis:
        ui.tap(basis, within=row.basis)
    if part:
        ui.tap(part, within=row.part)
    ui.done_typing()


def test_the_jiwei_sets_the_scheme_scores_and_reads_the_results(jiwei: Path) -> None:
    with touch_app(station_app(jiwei), "tablet", name="assessment") as ui:
        sign_in(ui, "周正")
        ui.tap("年度考评")
        page = screen(ui.app, "assessment")
        assert "2026年度还没有考评方案" in ui.texts()
        ui.tap("考评方案", within=page.ids.tabs)
        villages = [v for v, _ in page.unit_fields]
        assert villages == ["王湾村", "李庄村"]
        for _ in range(3):
            ui.tap("＋ 增加一项指标")
        rows = list(reversed(page.ids.criteria.children))
        fill_row(ui, rows[0], "便民服务按期办结", "40", basis="便民服务办件按期办结率")
        fill_row(ui, rows[1], "廉洁自律", "30")
        fill_row(ui, rows[2], "群众民主测评", "20", part="群众评判")
        assert "各项分值合计90分，还差10分：请加到合计100分" in ui.texts()
        ui.fill("评分人", "周正、马长顺")
        ui.done_typing()
        ui.tap("保存考评方案")
        assert "各项指标分值合计应为100分，现在合计90分（少10分），请调整分值" in page.ids.scheme_error.text
        assert page.service.scheme(2026) is None             # nothing was written
        ui.shot("scheme-short", title("assessment", "scheme_head"))
        fill_row(ui, rows[2], "群众民主测评", "30")
        assert "各项分值合计100分" in ui.texts()
        ui.tap("保存考评方案")
        assert page.mode == "marks", page.ids.scheme_error.text
        saved = page.service.scheme(2026)
        assert saved is not None and [c.weight for c in saved.scheme.criteria] == [40, 30, 30]
        assert [(u.village, u.secretary) for u in saved.units] == [("王湾村", "王振华"), ("李庄村", "李卫东")]
        # marks: 2 assessors × 2 qualitative criteria × 2 villages
        marks = {("廉洁自律", "周正"): ("28", "25"), ("廉洁自律", "马长顺"): ("26", "24.5"),
                 ("群众民主测评", "周正"): ("27", "29"), ("群众民主测评", "马长顺"): ("25", "28")}
        ui.fill("王湾村（满分30分）", "31")
        ui.done_typing()
        ui.tap("保存评分")
        assert page.ids.marks_error.text == "王湾村的分数应在0到30之间，最多两位小数"
        for (criterion, assessor), (a, b) in marks.items():
            ui.tap(criterion, within=page.ids.mark_criterion)
            ui.tap(assessor, within=page.ids.mark_assessor)
            ui.fill("王湾村（满分30分）", a)
            ui.fill("李庄村（满分30分）", b)
            ui.done_typing()
            ui.tap("保存评分")
            assert not page.ids.marks_error.text, page.ids.marks_error.text
        assert "所有评分人都已打分" in ui.texts()
        ui.shot("marks", title("assessment", "marks_head"))
        ui.tap("结果", within=page.ids.tabs)
        # 王湾村: 2 cases overdue → 0/2 of 40; (28+26)/2 = 27; (27+25)/2 = 26 → 53.00
        # 李庄村: no case this year → 40 (满分); 24.75; 28.5 → 93.25
        ranking = [(r.rank, r.village, r.total) for r in page.outcome.results]
        assert ranking == [(1, "李庄村", "93.25"), (2, "王湾村", "53.00")]
        assert "第1名　李庄村　93.25分　★★★★" in ui.texts()
        ui.tap(page.ids.ranking.children[0])                 # 王湾村, the last row
        assert "便民服务办件按期办结率：共2件，其中按期办结0件、超期2件；0/2（0.00%）× 分值40分 = 0.00分" \
            in ui.texts()
        assert "数据来源：本机便民服务台账（当年受理、有承诺期限的办件）2条记录" in page.outcome.results[1] \
            .score.criteria[0].text
        assert "王湾村：53.00分（第2名）" in ui.texts()
        ui.shot("results", title("assessment", "results_head"))
        ui.tap("导出PDF（存档、打印）")
        pdf = Path(ui.app.station.data) / "prints" / "2026年度考评结果.pdf"
        assert pdf.exists(), page.ids.export_note.text
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout.replace(" ", "")
        for expected in ("李庄村", "93.25", "李卫东", "超期2件", "评分人：周正、马长顺"):
            assert expected in text, expected
        ui.tap("导出Excel表格")
        assert (pdf.parent / "2026年度考评结果.xlsx").exists()


def test_the_results_on_a_phone_and_a_town_station_without_the_role(jiwei: Path, tmp_path: Path) -> None:
    """The 纪委 sets a scheme through the service; on a phone the results read top to
    bottom; the town's service centre (no 纪委 role) has no tile and could not write."""
    from app.services.assessment import Assessments
    from app.services.errors import ServiceError
    station = unlocked(jiwei)
    try:
        desk = Assessments(station, today=lambda: date(2026, 11, 27))
        doc = desk.draft(2026)
        doc.update(criteria=[
            {"code": "办件", "name": "便民服务按期办结", "weight": "60", "kind": "定量", "part": "组织认定",
             "measure": "service_on_time"},
            {"code": "测评", "name": "群众民主测评", "weight": "40", "kind": "定性", "part": "群众评判"}],
            assessors=[{"name": "马长顺"}])
        desk.set_scheme(cadre(station, "周正"), doc)
        desk.give_marks(cadre(station, "周正"), 2026, "测评", "马长顺", {"王湾村": "30", "李庄村": "36"})
    finally:
        station.close()
    with touch_app(station_app(jiwei), "phone", name="assessment-phone") as ui:
        sign_in(ui, "周正")
        ui.tap("年度考评")
        page = screen(ui.app, "assessment")
        assert [r.village for r in page.outcome.results] == ["李庄村", "王湾村"]
        ui.shot("results-phone", title("assessment", "results_head"))
    center = make_station(tmp_path / "center", name="新集镇便民服务中心", kind="town",
                          short_code="XJ005", cadres=(("张敏", "便民服务中心主任"),))
    with touch_app(station_app(center), "tablet", name="assessment-center") as ui:
        sign_in(ui, "张敏")
        assert "年度考评" not in ui.texts()
        with pytest.raises(ServiceError):
            Assessments(ui.app.station).set_scheme(cadre(ui.app.station, "张敏"), doc)
