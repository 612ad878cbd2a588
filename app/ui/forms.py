"""Small forms built from a spec, for the steps on a record (a petition's 受理, 不予受理,
答复 …): labelled fields, one-of-N choices (short ones as a row of buttons, long ones as a
list of full-width buttons), dates prefilled with today.

A spec item is (key, label, kind, required); kind: "text", "long", "date", "int",
"choice:<name>", "list:<name>" (long options, one per line), "photo" (a photo or scan
from the camera or the Chinese picker, app.ui.photo_picker; needs ``app``), or a kind of
the screen's own given in ``custom`` (a builder that adds its widgets to the box and
returns what ``inputs[key]`` should hold: a widget, or anything with a ``text``).
``phrases(key)``, if given, lists the 常用语 shown above a text box (app.ui.phrases)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.togglebutton import ToggleButton

from app.ui import style
from app.ui.phrases import add_with_phrases
from app.ui.widgets import ChoiceRow, Field, Small

Spec = Sequence[tuple[str, str, str, bool]]
# A screen's own kind of input: (box, label, on_change) -> what inputs[key] holds
Builder_ = Callable[[Any, str, Callable[..., None]], object]


class ListChoiceButton(ToggleButton):
    value = StringProperty("")


class ListChoice(BoxLayout):
    """One of N long options, each a full-width button that wraps its text."""
    options = ListProperty([])
    value = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(options=self._build)
        self._build()

    def _build(self, *_):
        self.clear_widgets()
        group = f"list-{id(self)}"
        for option in self.options:
            button = ListChoiceButton(text=option, value=option, group=group,
                                      state="down" if option == self.value else "normal")
            button.bind(on_release=self._picked)
            self.add_widget(button)

    def on_value(self, *_):
        for button in self.children:
            button.state = "down" if button.value == self.value else "normal"

    def _picked(self, button):
        self.value = button.value if button.state == "down" else ""


class Form:
    """The inputs of one open form: ``value(key)`` reads what was entered."""

    def __init__(self, box, spec: Spec, options: Callable[[str], list[str]],
                 default: Callable[[str], str], on_change: Callable[..., None],
                 app: Any = None, custom: Mapping[str, Builder_] | None = None,
                 long_lines: int = 3,
                 phrases: Callable[[str], list[str]] | None = None) -> None:
        self.spec = list(spec)
        self.inputs: dict[str, object] = {}
        box.clear_widgets()
        for key, label, kind, _required in self.spec:
            if custom and kind in custom:
                self.inputs[key] = custom[kind](box, label, on_change)
                continue
            if kind == "photo":
                from app.ui.photo_picker import PhotoField
                widget = PhotoField(app, label)
                widget.bind(path=on_change)
            elif kind.startswith(("choice:", "list:")):
                box.add_widget(Small(text=label, color=style.TEXT))
                name = kind.split(":", 1)[1]
                widget = (ChoiceRow if kind.startswith("choice:") else ListChoice)(
                    options=options(name))
                widget.value = default(key)
                widget.bind(value=on_change)
            else:
                widget = Field(label=label, multiline=kind == "long",
                               lines=long_lines if kind == "long" else 1,
                               hint="2026-12-31" if kind == "date" else "",
                               input_filter="int" if kind == "int" else None,
                               text=default(key))
                widget.bind(text=on_change)
                if phrases:
                    add_with_phrases(box, widget, phrases(key))
                    self.inputs[key] = widget
                    continue
            box.add_widget(widget)
            self.inputs[key] = widget

    def value(self, key: str) -> str:
        widget = self.inputs.get(key)
        if widget is None:
            return ""
        if isinstance(widget, (ChoiceRow, ListChoice)):
            return widget.value.strip()
        return str(getattr(widget, "path", None) or getattr(widget, "text", "")).strip()

    def missing(self) -> list[str]:
        return [label for key, label, _kind, required in self.spec
                if required and not self.value(key)]


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
