"""常用语 above a text box: small buttons with the town's usual wording for that purpose
(app.domain.config.quick_phrases); a tap puts the phrase in the box — into an empty box as
it is, after what is there otherwise — and the cadre edits it to fit (issue #8 §3)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.stacklayout import StackLayout


def add_with_phrases(box, field, phrases: list[str]) -> None:
    """Put ``field`` (a widgets.Field) in ``box``, with its 常用语 above it when there are
    any; the field keeps its own label first, so the cadre reads what the box is for."""
    if phrases:
        from app.ui.widgets import Small
        box.add_widget(Small(text="常用语", color=(0.11, 0.11, 0.13, 1)))
        box.add_widget(PhraseRow(phrases=phrases, target=field))
        field.label = f"{field.label}（点上面的常用语，或直接写）"
    box.add_widget(field)


class PhraseButton(Button):
    phrase = StringProperty("")


class PhraseRow(StackLayout):
    """The phrases for ``target`` (a widgets.Field); empty list: no buttons, no room."""
    phrases = ListProperty([])
    target = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(phrases=self._build)
        self._build()

    def _build(self, *_):
        self.clear_widgets()
        for phrase in self.phrases:
            button = PhraseButton(text=phrase, phrase=phrase)
            button.bind(on_release=lambda b: self.use(b.phrase))
            self.add_widget(button)

    def use(self, phrase: str) -> None:
        if self.target is None:
            return
        text = self.target.text.strip()
        if not text:
            self.target.text = phrase
        elif phrase not in text:
            self.target.text = text.rstrip("。；，") + "；" + phrase


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
