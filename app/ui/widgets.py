"""Shared building blocks of every screen: text that wraps, big buttons, labelled inputs
with an error line, choice buttons, check rows, cards. Plain Kivy widgets; their look is in
widgets.kv, the colours and sizes in style.py."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, ObjectProperty,
                             OptionProperty, StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.stacklayout import StackLayout
from kivy.uix.togglebutton import ToggleButton
from kivy.utils import escape_markup


def esc(value: object) -> str:
    """User text inside a markup label (a name with "[" must not become markup)."""
    return escape_markup(str(value if value is not None else ""))


NBSP = "\u00a0"


def nb(text: str) -> str:
    """Kivy wraps lines only at ASCII spaces, moving the whole next run of Chinese (which
    has no spaces) down a line; with no-break spaces it breaks at the edge, as Chinese
    text should."""
    return text.replace(" ", NBSP)


def red(text: str) -> str:
    from app.ui.style import RED_HEX
    return f"[color={RED_HEX}]{text}[/color]"


class ShownBehavior:
    """Shown or not, for real (issue #8 §1): ``shown = False`` takes the widget out of
    reach, not just out of sight. Its children leave the widget tree (kept, and put back
    in the same order when shown again), it draws nothing (opacity 0), a touch on it goes
    on to whatever is drawn there, and a text box inside it that had the keyboard lets go.

    Why not ``height: 0; opacity: 0; disabled: True``: Kivy still offers touches to the
    children of a zero-height box, which keep their size and position, and a disabled
    widget under the finger swallows the touch — invisible fields then lie over the
    visible buttons. One mechanism for every screen: mix it into a widget class and let
    the kv rule collapse its size from ``shown`` (``Fold`` does this for a vertical box).

    While hidden, ``add_widget``/``remove_widget``/``clear_widgets`` work on the children
    put aside, so code that fills a hidden part (a form, a list) needs no special case."""
    shown = BooleanProperty(True)

    def __init__(self, **kwargs):
        self._put_aside: list = []      # children while hidden, in the order they were added
        super().__init__(**kwargs)

    def on_shown(self, _widget, shown: bool) -> None:
        self.opacity = 1 if shown else 0
        if shown:
            aside, self._put_aside = self._put_aside, []
            for child in aside:
                super().add_widget(child)
            return
        aside = list(reversed(self.children))          # children: the last added first
        for child in aside:
            _let_go_of_keyboard(child)
            super().remove_widget(child)
        self._put_aside.extend(aside)

    def add_widget(self, widget, *args, **kwargs):
        if self.shown:
            return super().add_widget(widget, *args, **kwargs)
        index = args[0] if args else kwargs.get("index", 0)
        self._put_aside.insert(len(self._put_aside) - index, widget)

    def remove_widget(self, widget, *args, **kwargs):
        if widget in self._put_aside:
            self._put_aside.remove(widget)
            return None
        return super().remove_widget(widget, *args, **kwargs)

    def clear_widgets(self, children=None):
        if children is None:
            self._put_aside.clear()
        else:
            for child in list(children):
                if child in self._put_aside:
                    self._put_aside.remove(child)
            children = [c for c in children if c in self.children]
        return super().clear_widgets(children)

    @property
    def content(self) -> list:
        """The children, shown or not, first added first."""
        return list(reversed(self.children)) if self.shown else list(self._put_aside)

    # A hidden widget is not there for the finger: the touch goes on to its siblings.
    def on_touch_down(self, touch):
        return super().on_touch_down(touch) if self.shown else False

    def on_touch_move(self, touch):
        return super().on_touch_move(touch) if self.shown else False

    def on_touch_up(self, touch):
        return super().on_touch_up(touch) if self.shown else False


def _let_go_of_keyboard(widget) -> None:
    for inner in widget.walk(restrict=True):
        if getattr(inner, "focus", False):
            inner.focus = False


class Fold(ShownBehavior, BoxLayout):
    """A part of a form that is shown or not (更多, a step's small form, the done view):
    a vertical box as tall as its children when ``shown``, nothing at all when not."""


class FoldGrid(ShownBehavior, GridLayout):
    """A grid that is shown or not (the ledger's filters); its kv rule sets the height."""


class Body(Label):
    """Wrapping text at body size; its height follows its content (Chinese-style wrap),
    and is at least ``keep_lines`` lines (0: nothing when empty) — measured with the same
    font, so a one-line message in a one-line room moves nothing."""
    keep_lines = NumericProperty(0)
    reserve = NumericProperty(0)         # the height of keep_lines lines of this font

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("keep_lines", self._measure)
        self.fbind("font_size", self._measure)
        self.fbind("line_height", self._measure)
        self._measure()

    def _measure(self, *_):
        self.reserve = _lines_height(int(self.keep_lines), self.font_size, self.line_height,
                                     self.font_name)

    def on_text(self, *_):
        if " " in self.text:
            self.text = nb(self.text)


_LINE_HEIGHTS: dict[tuple, float] = {}


def _lines_height(lines: int, font_size: float, line_height: float, font_name: str) -> float:
    """Height of ``lines`` lines of text as a markup Label draws them (cached)."""
    if lines <= 0:
        return 0
    key = (lines, round(font_size, 2), line_height, font_name)
    if key not in _LINE_HEIGHTS:
        probe = Label(text="\n".join(["国"] * lines), font_size=font_size, markup=True,
                      line_height=line_height, font_name=font_name, text_size=(1000, None))
        probe.texture_update()
        _LINE_HEIGHTS[key] = probe.texture_size[1]
    return _LINE_HEIGHTS[key]


class Small(Body):
    pass


class Heading(Body):
    pass


class Title(Body):
    pass


class ErrorText(Body):
    """A red line saying what is wrong and what to do; takes no room when empty."""


class OkText(Body):
    pass


class BigButton(ShownBehavior, Button):
    """A button at least 48 dp tall; ``shown = False`` hides it for real (ShownBehavior)."""
    kind = OptionProperty("primary", options=["primary", "plain", "danger", "light"])


class TileButton(BigButton):
    """A home-screen task: big label, optional second line."""
    note = StringProperty("")


class ChoiceButton(ToggleButton):
    value = StringProperty("")


class ChoiceRow(StackLayout):
    """One-of-N choice as big toggle buttons; ``value`` is the chosen option ('' = none)."""
    options = ListProperty([])
    value = StringProperty("")
    button_width = NumericProperty(0)   # 0: fit the text

    def __init__(self, **kwargs):
        super().__init__(**kwargs)   # kv rules and kwargs set options here
        self.bind(options=self._build)
        self._build()

    def _build(self, *_):
        self.clear_widgets()
        group = f"choice-{id(self)}"
        for option in self.options:
            button = ChoiceButton(text=option, value=option, group=group,
                                  state="down" if option == self.value else "normal")
            button.bind(on_release=self._picked)
            self.add_widget(button)

    def on_value(self, *_):
        for button in self.children:
            button.state = "down" if button.value == self.value else "normal"

    def _picked(self, button):
        self.value = button.value if button.state == "down" else ""


class Field(ShownBehavior, BoxLayout):
    """A labelled text input with a line under it for what is wrong (``error``, red) or
    what was understood (``ok``, green); the line keeps its room when empty, so a message
    never moves the fields below. ``on_done`` fires when the cursor leaves the box or
    Enter is pressed (the moment to check what was typed)."""
    __events__ = ("on_done",)
    label = StringProperty("")
    text = StringProperty("")
    hint = StringProperty("")
    error = StringProperty("")
    ok = StringProperty("")
    multiline = BooleanProperty(False)
    input_filter = ObjectProperty(None, allownone=True)
    input_type = StringProperty("text")
    lines = NumericProperty(1)
    password = BooleanProperty(False)

    def focus(self) -> None:
        self.ids.input.focus = True

    def on_done(self) -> None:
        pass


class CheckRow(ButtonBehavior, BoxLayout):
    """A material on the checklist: tap anywhere on the row to tick it."""
    text = StringProperty("")
    active = BooleanProperty(False)

    def on_release(self):
        self.active = not self.active


class Card(ShownBehavior, BoxLayout):
    tone = OptionProperty("plain", options=["plain", "red", "green", "white"])


class Columns(BoxLayout):
    """Side by side on a tablet, stacked on a phone (``app.narrow``); children keep their
    own heights and hang from the top, the row is as tall as the tallest one.
    ``phone_reversed``: on a phone the right column comes first (e.g. a case's actions
    above its long list of facts)."""
    narrow = BooleanProperty(False)
    phone_reversed = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(children=self._fit, narrow=self._fit, spacing=self._fit, padding=self._fit,
                  phone_reversed=self._fit)

    def add_widget(self, widget, *args, **kwargs):
        widget.pos_hint = {"top": 1}
        widget.bind(height=self._fit)
        self.__dict__.setdefault("_added", []).append(widget)
        return super().add_widget(widget, *args, **kwargs)

    def remove_widget(self, widget, *args, **kwargs):
        widget.unbind(height=self._fit)
        if widget in self.__dict__.get("_added", []):
            self._added.remove(widget)
        return super().remove_widget(widget, *args, **kwargs)

    def _fit(self, *_):
        self.orientation = "vertical" if self.narrow else "horizontal"
        added = self.__dict__.get("_added", [])
        want = list(reversed(added)) if self.narrow and self.phone_reversed else list(added)
        shown = list(reversed(self.children))     # children: the last added first
        if shown != want and set(shown) == set(want):
            for child in shown:
                super().remove_widget(child)
            for child in want:
                super().add_widget(child)
        heights = [child.height for child in self.children]
        pad = self.padding[1] + self.padding[3]
        if self.narrow:
            self.height = sum(heights) + self.spacing * max(0, len(heights) - 1) + pad
        else:
            self.height = max(heights, default=0) + pad


class Flow(StackLayout):
    pass


class ListRow(ButtonBehavior, BoxLayout):
    """A case, visit or person in a list: a bold first line, a detail line; tap to open."""
    title = StringProperty("")
    detail = StringProperty("")
    record = StringProperty("")
    tone = OptionProperty("plain", options=["plain", "red"])
    target = StringProperty("case")

    def on_release(self):
        if self.record and self.target:
            App.get_running_app().go(self.target, record=self.record)


class PageScroll(ScrollView):
    """A page that scrolls. When its content grows or shrinks (an error line below the
    button, a list filled in), what is on the screen stays where it is: Kivy keeps the
    scroll *fraction*, which would slide everything up or down under the finger (issue #8
    §1), so the distance from the content's top to the view's top is kept instead."""

    def add_widget(self, widget, *args, **kwargs):
        widget.fbind("height", self._keep_top)
        self.__dict__["_content_height"] = widget.height
        return super().add_widget(widget, *args, **kwargs)

    def remove_widget(self, widget, *args, **kwargs):
        widget.funbind("height", self._keep_top)
        return super().remove_widget(widget, *args, **kwargs)

    def _keep_top(self, content, height) -> None:
        before = self.__dict__.get("_content_height", height)
        self.__dict__["_content_height"] = height
        if before <= self.height or height <= self.height:
            return              # it did not scroll before, or does not now: nothing moves
        from_top = (1 - self.scroll_y) * (before - self.height)
        self.scroll_y = min(1.0, max(0.0, 1 - from_top / (height - self.height)))


class Page(Screen):
    """A screen: ``show(**params)`` when opened, ``refresh()`` to reload from the store."""

    @property
    def app(self):
        return App.get_running_app()

    def show(self, **params) -> None:
        self.refresh()

    def refresh(self) -> None:
        pass


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def station_service(app, name: str, make):
    """The app's one ``make(station, today=, now=)`` service for the open station, kept on
    the app as ``name`` and made again when another station is opened."""
    svc = getattr(app, name, None)
    if svc is None or svc.station is not app.station:
        svc = make(app.station, today=app.today, now=app.now)
        setattr(app, name, svc)
    return svc
