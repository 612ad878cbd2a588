"""A village's assessment as a bar chart (issue #13 §4), drawn on the Kivy canvas (no
plotting library on the tablet): one bar per criterion, its track the full weight, its fill
the points scored (blue: 组织认定, green: 群众评判), the figures beside it in words, so the
chart says the same as the table without colour."""
from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp, sp
from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from app.ui import style
from app.ui.widgets import Small

PART_COLOURS = {"组织认定": style.PRIMARY, "群众评判": style.GREEN}


class ScoreBar(Widget):
    """A track (the weight) and a fill (``share`` of it)."""
    share = NumericProperty(0.0)
    colour = ColorProperty(style.PRIMARY)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, share=self._draw, colour=self._draw)

    def _draw(self, *_args: Any) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(*style.PLAIN)
            Rectangle(pos=self.pos, size=self.size)
            Color(*self.colour)
            Rectangle(pos=self.pos, size=(self.width * max(0.0, min(1.0, self.share)), self.height))


class ScoreChart(BoxLayout):
    """``show(result, decimals)``: app.services.assessment.Result of one village."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("spacing", dp(6))
        super().__init__(**kwargs)
        self.bind(minimum_height=self.setter("height"))

    def show(self, result: Any, decimals: int, narrow: bool = False) -> None:
        from app.domain.supervision.scheme import show
        from app.domain.supervision.scoring import shown
        self.clear_widgets()
        for scored in result.score.criteria:
            criterion = scored.criterion
            share = float(scored.points / criterion.weight) if criterion.weight else 0.0
            row = BoxLayout(orientation="vertical" if narrow else "horizontal",
                            size_hint_y=None, height=dp(64) if narrow else dp(32), spacing=dp(8))
            name = Small(text=f"{criterion.name}（{criterion.part}）", size_hint_x=1 if narrow else 0.3)
            row.add_widget(name)
            line = BoxLayout(spacing=dp(8))
            bar = ScoreBar(share=share, colour=PART_COLOURS.get(criterion.part, style.PRIMARY),
                      size_hint_y=None, height=dp(20), pos_hint={"center_y": 0.5})
            line.add_widget(bar)
            figure = Small(text=f"{shown(scored.points, decimals)} / {show(criterion.weight)}分",
                           size_hint_x=None, width=sp(130))
            line.add_widget(figure)
            row.add_widget(line)
            self.add_widget(row)
        legend = Small(text="蓝色：组织认定　绿色：群众评判　灰色：该项满分")
        self.add_widget(legend)
