"""镇里概况: each village's overdue cases (count, oldest) and satisfaction rate, as a
table and as bars drawn on the Kivy canvas. Numbers from ledger.town_overview."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from app.services.ledger import town_overview
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


class TownScreen(Page):
    def refresh(self) -> None:
        lines = [line for line in town_overview(self.app.conn, self.app.today())
                 if line.active or line.rated or line.overdue]
        overdue = sum(line.overdue for line in lines)
        rated = sum(line.rated for line in lines)
        satisfied = sum(line.satisfied for line in lines)
        rate = f"{satisfied / rated:.0%}" if rated else "还没有评价"
        self.ids.summary.text = (f"全镇在办 {sum(line.active for line in lines)} 件，"
                                 + (red(f"超期 {overdue} 件") if overdue else "没有超期")
                                 + f"；群众满意率 {rate}（{rated} 件已评价）")
        top = max([line.overdue for line in lines] + [1])
        self.ids.overdue_chart.show([
            (line.village, line.overdue / top,
             f"{line.overdue} 件" + (f"，最早 {line.oldest_overdue[5:]}" if line.oldest_overdue else ""))
            for line in lines])
        self.ids.rate_chart.show([
            (line.village, line.satisfaction_rate or 0.0,
             f"{line.satisfaction_rate:.0%}（{line.rated} 件）" if line.rated else "未评价")
            for line in lines])
        table = self.ids.table
        table.clear_widgets()
        for line in lines:
            oldest = f"，最早超期 {line.oldest_overdue}" if line.oldest_overdue else ""
            rate_text = f"满意率 {line.satisfaction_rate:.0%}" if line.rated else "还没有评价"
            over = red(f"超期 {line.overdue} 件{oldest}") if line.overdue else "没有超期"
            table.add_widget(Body(text=f"[b]{esc(line.village)}[/b]：在办 {line.active} 件，"
                                       f"{over}，{rate_text}"))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
