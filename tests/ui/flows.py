"""Steps every touch flow shares (tests/ui/touch.py): the app under test, signing in by
tapping a name and the password keys, and small readers of what a screen shows."""
from __future__ import annotations

from pathlib import Path

from tests.ui.screens import screen
from tests.ui.stations import NOW, PIN, TODAY


def station_app(data: Path, **kwargs):
    """The station app on ``data`` at the tests' fixed day and time, no automatic sync."""
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0, **kwargs)


def title(name: str, key: str = "title"):
    """A probe for ui.shot: the label ``key`` of screen ``name`` (drawn in real glyphs?)."""
    return lambda app: screen(app, name).ids[key]


def sign_in(ui, name: str, password: str = PIN) -> None:
    """Tap the cadre's name, the password keys and 登录; the home screen follows."""
    signin = screen(ui.app, "signin")
    ui.tap(name, within=signin.ids.cadres)
    ui.tap_keys(password, within=signin.ids.keypad)
    ui.tap("登录", within=signin.ids.keypad)
    assert ui.app.user is not None and ui.app.user.name == name, signin.ids.pin_error.text
    assert ui.app.shell.screens.current == "home"


def go_home(ui) -> None:
    ui.tap("首页", within=ui.app.shell.ids.topbar)
    assert ui.app.shell.screens.current == "home"


def current(ui) -> str:
    return ui.app.shell.screens.current


def fill_form(ui, form, **values: str) -> None:
    """Fill an app.ui.forms.Form by touch: tap the choice in a choice row, type into a
    field (keys are the form's input keys; the widgets are found through the form only to
    aim the finger)."""
    for key, value in values.items():
        widget = form.inputs[key]
        if hasattr(widget, "value"):
            ui.tap(value, within=widget)
        else:
            ui.fill(widget, value)
    ui.done_typing()


def print_dialog(ui):
    """The 打印 dialog open over the app (app.ui.print_dialog), once it has asked the
    print service for its printers."""
    from app.ui.print_dialog import PrintDialog
    dialog = ui.until(lambda: next((w for w in ui.roots() if isinstance(w, PrintDialog)), None),
                      what="the print dialog")
    ui.until(lambda: dialog.state != "loading", what="the list of printers")
    return dialog


def keep_without_printing(ui, what: str) -> None:
    """In the 打印 dialog that just opened, 不打印，只保存 (关闭 where there is no print
    service): the PDF stays in prints/."""
    dialog = print_dialog(ui)
    ui.tap(dialog.ids.close_button)
    assert dialog not in ui.roots()
    assert what in ui.app.message and "已保存" in ui.app.message, ui.app.message
