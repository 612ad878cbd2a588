"""使用说明: the help of the task on the screen it was opened from (app.help_topics), in
big type with numbered steps; ← 返回 goes back to that screen as it was."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from app.help_topics import topic_for
from app.ui.widgets import Body, Card, Heading, Page, esc


class HelpScreen(Page):
    topic = StringProperty("home")

    def show(self, topic: str = "home", **_params) -> None:
        self.topic = topic
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        topic = topic_for(self.topic)
        self.ids.title.text = f"使用说明：{esc(topic.title)}"
        self.ids.purpose.text = esc(topic.purpose)
        box = self.ids.sections
        box.clear_widgets()
        for heading, lines in topic.sections:
            card = Card()
            card.add_widget(Heading(text=esc(heading)))
            numbered = len(lines) > 1
            for number, line in enumerate(lines, 1):
                card.add_widget(Body(text=(f"{number}. " if numbered else "") + esc(line)))
            box.add_widget(card)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
