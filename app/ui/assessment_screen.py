"""年度考评 (百分制, issue #13 §4) on the town 纪委's tablet, in three parts:

* 考评方案 — the year's criteria (name, 分值, 计分依据: 评分人打分 or one of the data
  measures, 组织认定/群众评判, 比例/扣分), the assessors, the villages with their 党支部书记,
  the star bands and their source. Under the criteria the screen always says what the
  分值 add up to and what to change ("合计95分，还差5分"); saving checks everything again
  (app.services.assessment) and says in Chinese what is wrong.
* 评分 — one qualitative criterion and one named assessor at a time, a mark per village;
  what is still missing is listed.
* 结果 — the ranking with totals, both parts and stars; tapping a village shows its bar
  chart (app.ui.score_chart) and how every criterion was computed; export PDF and .xlsx.
Other town stations see the results only (the scheme and marks are the 纪委's to write).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty

from app.domain.supervision.measures import MEASURES
from app.domain.supervision.scheme import PARTS, QUALITATIVE, QUANTITATIVE
from app.services.assessment import Assessments
from app.services.errors import ServiceError
from app.ui.score_chart import ScoreChart
from app.ui.widgets import BigButton, Body, Card, ChoiceRow, Field, ListRow, Page, Small, esc, red

BY_ASSESSORS = "评分人打分"
MEASURE_OF = {m.label: code for code, m in MEASURES.items()}


def bases() -> list[str]:
    """评分人打分 and the measures this station can compute (a measure whose records are
    another module's appears once its reader is registered: assessment_data)."""
    from app.services.assessment_data import READERS
    return [BY_ASSESSORS, *(m.label for code, m in MEASURES.items() if code in READERS)]


class CriterionRow(Card):
    """One criterion of the scheme being edited."""

    def __init__(self, screen: AssessmentScreen, item: dict[str, Any], number: int) -> None:
        super().__init__(tone="white")
        self.screen, self.code = screen, str(item.get("code") or f"指标{number}")
        self.add_widget(Small(text=f"第{number}项"))
        self.name = Field(label="指标名称", text=str(item.get("name") or ""))
        self.weight = Field(label="分值", text=str(item.get("weight") or ""), input_type="number")
        self.weight.bind(text=lambda *_: screen.show_total())
        measure = MEASURES.get(str(item.get("measure") or ""))
        self.basis = ChoiceRow(options=bases(), value=measure.label if measure else BY_ASSESSORS)
        self.part = ChoiceRow(options=list(PARTS), value=str(item.get("part") or PARTS[0]))
        self.method = ChoiceRow(options=["比例", "扣分"], value=str(item.get("method") or "比例"))
        self.deduct = Field(label="每件扣几分", text=str(item.get("deduct") or ""))
        for widget in (self.name, self.weight):
            self.add_widget(widget)
        self.add_widget(Small(text="计分依据"))
        self.add_widget(self.basis)
        self.add_widget(Small(text="属于"))
        self.add_widget(self.part)
        self.method_label = Small(text="计分方法（比例：分值×达标比例；扣分：每件不达标扣分，扣完为止）")
        self.add_widget(self.method_label)
        self.add_widget(self.method)
        self.add_widget(self.deduct)
        remove = BigButton(text="删除这项指标", kind="plain", size_hint_x=None, width=dp(200))
        remove.bind(on_release=lambda _b: screen.remove_criterion(self))
        self.add_widget(remove)
        for row in (self.basis, self.method):
            row.bind(value=lambda *_: self._fold())
        self._fold()

    def _fold(self) -> None:
        computed = self.basis.value not in ("", BY_ASSESSORS)
        self.method_label.opacity = self.method.opacity = 1 if computed else 0
        self.method.disabled = not computed
        self.deduct.shown = computed and self.method.value == "扣分"

    def value(self) -> dict[str, Any]:
        computed = self.basis.value not in ("", BY_ASSESSORS)
        item: dict[str, Any] = {"code": self.code, "name": self.name.text.strip(),
                                "weight": self.weight.text.strip(),
                                "kind": QUANTITATIVE if computed else QUALITATIVE,
                                "part": self.part.value}
        if computed:
            item.update(measure=MEASURE_OF[self.basis.value], method=self.method.value or "比例",
                        deduct=self.deduct.text.strip())
        return item


class AssessmentScreen(Page):
    mode = StringProperty("results")       # scheme / marks / results
    year = NumericProperty(0)

    def show(self, **_params: Any) -> None:
        self.year = self.year or self.app.today().year
        self.refresh()

    @property
    def service(self) -> Assessments:
        return Assessments(self.app.station, today=self.app.today)

    def refresh(self) -> None:
        writes = self.service.may_write()
        self.ids.tabs.disabled = not writes
        self.ids.tabs.opacity = 1 if writes else 0
        self.ids.tabs.height = dp(56) if writes else 0
        if not writes:
            self.mode = "results"
        self.ids.tabs.value = {"scheme": "考评方案", "marks": "评分", "results": "结果"}[self.mode]
        self.ids.title.text = f"{self.year}年度考评（百分制）"
        {"scheme": self._scheme, "marks": self._marks, "results": self._results}[self.mode]()

    def pick(self, label: str) -> None:
        mode = {"考评方案": "scheme", "评分": "marks", "结果": "results"}.get(label)
        if mode and mode != self.mode:
            self.mode = mode
            self.refresh()

    # 考评方案 -------------------------------------------------------------------------
    def _scheme(self) -> None:
        doc = self.service.draft(int(self.year))
        self.doc = doc
        self.ids.scheme_error.text = ""
        self.ids.scheme_title.text = str(doc.get("title") or "")
        self.ids.scheme_basis.text = str(doc.get("basis") or "")
        box = self.ids.criteria
        box.clear_widgets()
        for i, item in enumerate(doc.get("criteria") or []):
            box.add_widget(CriterionRow(self, item, i + 1))
        self.ids.assessors.text = "、".join(a["name"] for a in doc.get("assessors") or [])
        units = self.ids.units
        units.clear_widgets()
        self.unit_fields = []
        for unit in doc.get("units") or []:
            field = Field(label=f"{unit['village']}的党支部书记", text=str(unit.get("secretary") or ""))
            self.unit_fields.append((unit["village"], field))
            units.add_widget(field)
        bands = self.ids.bands
        bands.clear_widgets()
        self.band_fields = []
        for band in doc.get("star_bands") or []:
            field = Field(label=f"{band['stars']}星：得分达到", text=f"{band['min']:g}", input_type="number")
            self.band_fields.append((int(band["stars"]), field))
            bands.add_widget(field)
        self.ids.star_source.text = str(doc.get("star_source") or "")
        self.show_total()

    def add_criterion(self) -> None:
        box = self.ids.criteria
        number = len(box.children) + 1
        codes = {row.code for row in box.children}
        code = next(f"指标{n}" for n in range(number, number + 100) if f"指标{n}" not in codes)
        box.add_widget(CriterionRow(self, {"code": code}, number))
        self.show_total()

    def remove_criterion(self, row: CriterionRow) -> None:
        self.ids.criteria.remove_widget(row)
        self.show_total()

    def _criteria(self) -> list[dict[str, Any]]:
        return [row.value() for row in reversed(self.ids.criteria.children)]

    def show_total(self) -> None:
        ok, text = Assessments.weights({"criteria": self._criteria()})
        self.ids.total.text = esc(text) if ok else red(esc(text))

    def save_scheme(self) -> None:
        try:
            bands = [{"stars": stars, "min": field.text.strip()} for stars, field in self.band_fields]
            doc = {**self.doc, "title": self.ids.scheme_title.text, "basis": self.ids.scheme_basis.text,
                   "criteria": self._criteria(),
                   "assessors": [{"name": n} for n in _names(self.ids.assessors.text)],
                   "units": [{"village": v, "secretary": f.text} for v, f in self.unit_fields],
                   "star_bands": bands, "star_source": self.ids.star_source.text}
            self.service.set_scheme(self.app.user, doc)
        except ServiceError as exc:
            self.ids.scheme_error.text = exc.message
            return
        except (ValueError, KeyError):
            self.ids.scheme_error.text = "星级分数线请填0到100之间的数字"
            return
        self.app.say("考评方案已保存，会同步到镇里和县里。")
        self.mode = "marks"
        self.refresh()

    # 评分 ------------------------------------------------------------------------------
    def _marks(self) -> None:
        self._building = True         # the choices set below must not rebuild the page again
        try:
            self._build_marks()
        finally:
            self._building = False

    def _build_marks(self) -> None:
        service = self.service
        year = service.scheme(int(self.year))
        self.ids.marks_error.text = ""
        box = self.ids.mark_rows
        box.clear_widgets()
        self.mark_fields = []
        if year is None:
            self.ids.marks_note.text = "还没有考评方案：请先在“考评方案”里制定。"
            self.ids.mark_criterion.options = self.ids.mark_assessor.options = []
            return
        self.scheme_now = year
        qualitative = [c for c in year.scheme.criteria if c.kind == QUALITATIVE]
        self.ids.mark_criterion.options = [c.name for c in qualitative]
        self.ids.mark_assessor.options = list(year.assessors)
        if not self.ids.mark_criterion.value and qualitative:
            self.ids.mark_criterion.value = qualitative[0].name
        if not self.ids.mark_assessor.value and year.assessors:
            self.ids.mark_assessor.value = year.assessors[0]
        outcome = service.outcome(int(self.year))
        missing = outcome.missing
        self.ids.marks_note.text = (f"还缺{len(missing)}项分数：" + esc("；".join(missing[:4]))
                                    + ("……" if len(missing) > 4 else "")) if missing else "所有评分人都已打分。"
        self.ids.marks_aside.text = red(esc("；".join(outcome.aside))) if outcome.aside else ""
        criterion = next((c for c in qualitative if c.name == self.ids.mark_criterion.value), None)
        if criterion is None:
            return
        given = {u: {m["assessor"]: m["score"] for m in codes.get(criterion.code, [])}
                 for u, codes in _marks_of(service, year).items()}
        for unit in year.units:
            field = Field(label=f"{unit.village}（满分{criterion.weight}分）", input_type="number",
                          text=given.get(unit.village, {}).get(self.ids.mark_assessor.value, ""))
            self.mark_fields.append((unit.village, field))
            box.add_widget(field)

    def mark_choice(self) -> None:
        if self.mode == "marks" and not getattr(self, "_building", False):
            self._marks()

    def save_marks(self) -> None:
        year = getattr(self, "scheme_now", None)
        if year is None:
            return
        criterion = next((c for c in year.scheme.criteria if c.name == self.ids.mark_criterion.value), None)
        try:
            if criterion is None:
                raise ServiceError("请先选择要打分的指标")
            self.service.give_marks(self.app.user, int(self.year), criterion.code,
                                    self.ids.mark_assessor.value,
                                    {v: f.text for v, f in self.mark_fields})
        except ServiceError as exc:
            self.ids.marks_error.text = exc.message
            return
        self.app.say(f"已保存{self.ids.mark_assessor.value}给“{criterion.name}”的评分。")
        self._marks()

    # 结果 ------------------------------------------------------------------------------
    def _results(self) -> None:
        service = self.service
        outcome = service.outcome(int(self.year))
        self.outcome = outcome
        box = self.ids.ranking
        box.clear_widgets()
        self.ids.export_note.text = ""
        if not outcome.results:
            self.ids.results_note.text = red(esc(outcome.problem or "还没有结果")) + (
                "\n" + esc("；".join(outcome.missing[:4])) if outcome.missing else "")
            self.ids.chart_title.text = ""
            self.ids.chart.clear_widgets()
            self.ids.explain.clear_widgets()
            return
        scheme = outcome.year
        assert scheme is not None
        decimals = service.rules.assessment_display_decimals
        self.ids.results_note.text = (f"{esc(scheme.payload['title'])}：{len(outcome.results)}个村，"
                                      f"评分人{len(scheme.assessors)}名。点一个村看它的得分图和计分说明。")
        for result in outcome.results:
            parts = "　".join(f"{p} {_fmt(result.score.parts[p], decimals)}" for p in PARTS)
            row = ListRow(title=f"第{result.rank}名　{esc(result.village)}　{result.total}分　"
                                f"{esc(result.star_label.split('（')[0])}",
                          detail=f"党支部书记：{esc(result.secretary or '未填')}　{parts}")
            row.bind(on_release=lambda _r, v=result.village: self.show_village(v))
            box.add_widget(row)
        self.show_village(outcome.results[0].village)

    def show_village(self, village: str) -> None:
        result = next(r for r in self.outcome.results if r.village == village)
        decimals = self.service.rules.assessment_display_decimals
        self.ids.chart_title.text = f"{esc(village)}：{result.total}分（第{result.rank}名）　{esc(result.star_label)}"
        self.ids.chart.show(result, decimals, narrow=self.app.narrow)
        box = self.ids.explain
        box.clear_widgets()
        for scored in result.score.criteria:
            box.add_widget(Body(text=esc(scored.text)))
        if result.score.note:
            box.add_widget(Small(text=esc(result.score.note)))

    def export(self, what: str) -> None:
        folder = Path(self.app.station.data) / "prints"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{int(self.year)}年度考评结果"
        try:
            if what == "pdf":
                path = self.service.export_pdf(int(self.year), folder / f"{name}.pdf")
            else:
                path = self.service.export_xlsx(int(self.year), folder / f"{name}.xlsx")
        except ServiceError as exc:
            self.ids.export_note.text = red(esc(exc.message))
            return
        self.ids.export_note.text = f"已导出：{esc(str(path))}"
        self.app.say(f"已导出 {path.name}，可以拷贝或打印。")


def _fmt(value: Any, decimals: int) -> str:
    from app.domain.supervision.scoring import shown
    return str(shown(value, decimals))


def _names(text: str) -> list[str]:
    for sep in "，,;；/ ":
        text = text.replace(sep, "、")
    return [n.strip() for n in text.split("、") if n.strip()]


def _marks_of(service: Assessments, year: Any) -> dict[str, dict[str, list[dict[str, Any]]]]:
    from app.domain.supervision.assessment_year import marks
    return {u: {c: list(m) for c, m in codes.items()}
            for u, codes in marks(service.events(), year).by_unit.items()}


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
__all__ = ["AssessmentScreen", "ScoreChart"]   # ScoreChart: used by the .kv rules
