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
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
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


class Body(Label):
    """Wrapping text at body size; its height follows its content (Chinese-style wrap)."""

    def on_text(self, *_):
        if " " in self.text:
            self.text = nb(self.text)


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


class BigButton(Button):
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


class Field(BoxLayout):
    """A labelled text input with an error line under it; ``on_done`` fires when the
    cursor leaves it or Enter is pressed (the moment to check what was typed)."""
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


class Card(BoxLayout):
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
