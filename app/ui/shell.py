"""The frame around every screen: the top bar (首页, station, who is signed in, 换人), the
sync strip under it (status or the last error in red, and the 同步 button; always the same
height), the screens, and a message bar that lies over the bottom of the screen.

Nothing here changes size while a cadre works (issue #8 §1, the layout never jumps under
the finger): the strip turns red instead of appearing, and the message bar floats over the
page (a tap closes it; the pages keep room at their bottom so nothing stays under it)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty
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
    failed = BooleanProperty(False)


class SyncStatus(ButtonBehavior, Label):
    """The sync status line; a tap shows it (or the error) in full in the message bar."""


class MessageBar(ShownBehavior, ButtonBehavior, BoxLayout):
    """Green for done, red for a problem; lies over the bottom of the page; tap to close."""


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
