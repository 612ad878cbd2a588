"""镇里概况 for a period (本月, 上月, 本季度, 今年): by village, service cases (taken in,
finished on time, withdrawn, overdue, satisfaction), disputes and petitions, with bars
drawn on the Kivy canvas and 打印 to one A4 page. Numbers from app.services.overview."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from app.domain.shared.report_periods import PERIOD_KINDS
from app.services.overview import print_report, town_report
from app.ui import style
from app.ui.widgets import Body, Page, esc, red


class Bar(Widget):
    """One bar: ``fraction`` of the width filled with ``tint``."""
    fraction = NumericProperty(0.0)
    tint = ListProperty(list(style.PRIMARY))


class BarRow(BoxLayout):
    name = StringProperty("")
    value_text = StringProperty("")
    fraction = NumericProperty(0.0)
    tint = ListProperty(list(style.PRIMARY))


class BarChart(BoxLayout):
    """A titled horizontal bar chart: rows of (name, fraction 0..1, value text)."""
    title = StringProperty("")
    tint = ListProperty(list(style.PRIMARY))

    def show(self, rows: list[tuple[str, float, str]]) -> None:
        box = self.ids.rows
        box.clear_widgets()
        if not rows:
            box.add_widget(Body(text="还没有数据。"))
        for name, fraction, text in rows:
            box.add_widget(BarRow(name=name, fraction=max(0.0, min(1.0, fraction)),
                                  value_text=text, tint=self.tint))


def _rate(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def _day(iso: str | None) -> str:
    return f"{int(iso[5:7])}月{int(iso[8:10])}日" if iso else ""


class TownScreen(Page):
    """镇里概况 for a period (app.services.overview): 便民服务, 矛盾纠纷 and 信访 by village,
    the town's totals, two bar charts, and 打印 (one A4 page)."""
    period = StringProperty("本月")

    def show(self, period: str = "", **_params) -> None:
        self.ids.period.options = list(PERIOD_KINDS)
        self.ids.period.value = period or self.period or "本月"
        self.refresh()

    def pick_period(self, value: str) -> None:
        if value and value != self.period:
            self.period = value
            self.refresh()

    def refresh(self) -> None:
        app = self.app
        self.report = report = town_report(app.station, app.today(), self.period or "本月",
                                           app.disputes, app.petitions)
        total, places = report.total, report.places
        self.ids.range.text = f"统计期间：{report.period.range_text}（在办、超期按今天计）"
        overdue = red(f"超期 {total.overdue} 件") if total.overdue else "没有超期"
        self.ids.summary.text = (
            f"受理 {total.accepted} 件，办结 {total.closed} 件（按时 {_rate(total.on_time_rate)}），"
            f"在办 {total.active} 件，{overdue}；满意率 {_rate(total.satisfaction)}（{total.rated} 件已评价）")
        top = max([p.overdue for p in places] + [1])
        wide = not app.narrow      # a phone's bar row has room for the count only
        self.ids.overdue_chart.show([
            (p.name, p.overdue / top, f"{p.overdue} 件" + (f"，最早 {_day(p.oldest_overdue)}"
                                                          if p.oldest_overdue and wide else ""))
            for p in places])
        self.ids.rate_chart.show([
            (p.name, p.satisfaction or 0.0,
             (f"{_rate(p.satisfaction)}（{p.rated} 件）" if wide else _rate(p.satisfaction))
             if p.rated else "未评价")
            for p in places])
        self._table(self.ids.service_table, places, self._service_line)
        self._table(self.ids.dispute_table, places, self._dispute_line)
        self._table(self.ids.petition_table, places, self._petition_line)
        self.ids.dispute_total.text = (f"登记 {total.disputes} 起，调解成功 {total.settled} 起，"
                                       f"未结 {total.disputes_open} 起" +
                                       (red(f"，超期 {total.disputes_overdue} 起")
                                        if total.disputes_overdue else ""))
        self.ids.petition_total.text = (f"登记 {total.petitions} 件，答复 {total.answered} 件，"
                                        f"未结 {total.petitions_open} 件" +
                                        (red(f"，超期 {total.petitions_overdue} 件")
                                         if total.petitions_overdue else ""))

    @staticmethod
    def _table(box, places, line) -> None:
        box.clear_widgets()
        for place in places:
            box.add_widget(Body(text=f"[b]{esc(place.name)}[/b]：" + line(place)))

    @staticmethod
    def _service_line(p) -> str:
        over = red(f"超期 {p.overdue} 件（最早 {_day(p.oldest_overdue)}）") if p.overdue else "没有超期"
        return (f"受理 {p.accepted}，办结 {p.closed}（按时 {_rate(p.on_time_rate)}），"
                f"撤件 {p.withdrawn}，在办 {p.active}，{over}，满意率 {_rate(p.satisfaction)}")

    @staticmethod
    def _dispute_line(p) -> str:
        late = red(f"，超期 {p.disputes_overdue}") if p.disputes_overdue else ""
        risk = red(f"，高风险未结 {p.high_risk_open}") if p.high_risk_open else ""
        return (f"登记 {p.disputes}，调解成功 {p.settled}，调解不成 {p.failed}，"
                f"未结 {p.disputes_open}{risk}{late}")

    @staticmethod
    def _petition_line(p) -> str:
        late = red(f"，超期 {p.petitions_overdue}") if p.petitions_overdue else ""
        return f"登记 {p.petitions}，答复 {p.answered}，未结 {p.petitions_open}{late}"

    def print_report(self) -> None:
        """镇里概况 of the period shown, as one A4 page, through the 打印 dialog."""
        from app.ui.print_dialog import print_paper
        print_paper(self.app, f"镇里概况（{self.report.period.label}）",
                    lambda: print_report(self.app.station, self.report))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
