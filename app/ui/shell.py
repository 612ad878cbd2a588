"""The frame around every screen: the top bar (首页, station, who is signed in, 换人), the
status strip under it (a message just said, the sync progress or error, or when the last
sync was; and the 同步 button), and the screens.

Nothing here changes size or appears over the page while a cadre works (issue #8 §1, the
layout never jumps under the finger, and no tap lands on something that just appeared):
the strip changes colour and words instead. Tapping the strip shows its line in full, over
the top of the page, until tapped again."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, ScreenManager

from app.ui.widgets import ShownBehavior


class TopBar(BoxLayout):
    pass


class BarButton(ShownBehavior, Button):
    pass


class SyncStrip(BoxLayout):
    tone = OptionProperty("plain", options=["plain", "ok", "error"])


class SyncStatus(ButtonBehavior, Label):
    """The status line; a tap shows it in full (DetailPanel)."""


class DetailPanel(ShownBehavior, ButtonBehavior, BoxLayout):
    """The status line in full, over the top of the page, until tapped."""


class Shell(FloatLayout):
    """Root widget: ``screens`` is the ScreenManager."""

    @property
    def screens(self) -> ScreenManager:
        return self.ids.screens

    def add_screens(self, screens) -> None:
        manager = self.screens
        manager.transition = NoTransition()
        for screen in screens:
            manager.add_widget(screen)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
