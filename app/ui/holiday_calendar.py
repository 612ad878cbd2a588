"""A month calendar for a year's holiday arrangement (issue #8 §3: holidays entered on a
calendar, not typed as dates). The statutory holidays are marked (dark red, 节) and do not
change; a tap on a weekday marks it 放假 (red, 休) or back; a tap on a Saturday or Sunday
marks it 调休上班 (blue, 班) or back (app.domain.shared.holiday_marks). The arrows move a month;
``marks`` is what the town will save."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from app.domain.shared.holiday_marks import (OFF, STATUTORY, WEEKDAY_NAMES, WORK, HolidayMarks,
                                       month_grid)


class DayButton(Button):
    day = ObjectProperty(None, allownone=True)
    mark = StringProperty("")          # 放假 / 调休上班 / ""
    weekend = ObjectProperty(False)


class HolidayCalendar(BoxLayout):
    """``marks``: a HolidayMarks; ``month``: the month shown (1–12)."""
    marks = ObjectProperty(None, allownone=True)
    month = NumericProperty(1)
    title = StringProperty("")

    def on_marks(self, *_):
        self._build()

    def on_month(self, *_):
        self._build()

    def step(self, months: int) -> None:
        self.month = (self.month - 1 + months) % 12 + 1

    def _build(self) -> None:
        grid = self.ids.days
        grid.clear_widgets()
        if self.marks is None:
            self.title = ""
            return
        year = self.marks.year
        self.title = f"{year}年{self.month}月"
        for name in WEEKDAY_NAMES:
            grid.add_widget(DayButton(text=name, disabled=True, weekend=name in "六日"))
        for week in month_grid(year, self.month):
            for day in week:
                if day is None:
                    grid.add_widget(DayButton(text="", disabled=True))
                    continue
                mark = self.marks.mark(day)
                label = _label(mark)
                button = DayButton(day=day, mark=mark, weekend=day.weekday() >= 5,
                                   text=f"{day.day} [b]{label}[/b]" if label else str(day.day),
                                   disabled=mark == STATUTORY)
                if mark != STATUTORY:
                    button.bind(on_release=self._tapped)
                grid.add_widget(button)

    def _tapped(self, button: DayButton) -> None:
        self.marks = self.marks.toggle(button.day)


def _label(mark: str) -> str:
    return {OFF: "休", WORK: "班", STATUTORY: "节"}.get(mark, "")


def marked_text(marks: HolidayMarks) -> str:
    """The marks month by month, as the notice would list them."""
    festivals: dict[str, list] = {}
    for day, name in sorted(marks.statutory.items()):
        festivals.setdefault(name, []).append(day)
    lines = ["法定：" + "；".join(f"{name} " + "、".join(f"{d.month}月{d.day}日" for d in days)
                                 for name, days in festivals.items())]
    for month, holidays, workdays in marks.by_month():
        parts = []
        if holidays:
            parts.append("放假 " + "、".join(f"{d.day}日" for d in holidays))
        if workdays:
            parts.append("调休上班 " + "、".join(f"{d.day}日" for d in workdays))
        lines.append(f"{month}月：" + "；".join(parts))
    return "\n".join(lines)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
