"""The frame around every screen: the top bar (station, who is signed in, sync status and
the 同步 button), a red strip with the last sync error, the screens, and a message line."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

import app.ui.widgets  # noqa: F401  (rules the .kv files use)


class TopBar(BoxLayout):
    pass


class MessageBar(BoxLayout):
    pass


class Shell(BoxLayout):
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
