"""签到: choose your name, type your PIN. On a new tablet: add the first cadre.

A shared tablet has a per-device list of cadres (app.accounts); every event carries the
signed-in cadre as its author. The add form is also how a signed-in cadre adds a colleague.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from app.accounts import AccountError, Cadre, add_cadre, list_cadres, sign_in
from app.ui.widgets import BigButton, Page

PIN_MAX = 6


class CadreButton(BigButton):
    cadre = ObjectProperty(None)
    selected = BooleanProperty(False)


class SignInScreen(Page):
    adding = BooleanProperty(False)
    pin = StringProperty("")
    chosen = ObjectProperty(None, allownone=True)

    def show(self, add: bool = False, **_params) -> None:
        self.adding = add
        self.refresh()

    def refresh(self) -> None:
        cadres = list_cadres(self.app.station.store)
        first_run = not cadres
        self.adding = self.adding or first_run
        self.ids.add_title.text = "添加第一位干部" if first_run else "添加干部"
        self.ids.add_intro.text = (
            "这台平板还没有干部名单。请先添加您自己：姓名、职务和一个4到6位数字的PIN（登录密码）。"
            if first_run else "新干部用自己的PIN登录，以后办的每件事都记在他（她）名下。")
        cancel = self.ids.cancel_add
        cancel.opacity, cancel.disabled = (0, True) if first_run else (1, False)
        cancel.size_hint_x = 0 if first_run else 1   # no empty half row on a new tablet
        for field in ("name", "post", "pin1", "pin2"):
            self.ids[field].text = ""
            self.ids[field].error = ""
        self.ids.add_error.text = ""
        self._fill(cadres)

    def _fill(self, cadres: list[Cadre]) -> None:
        box = self.ids.cadres
        box.clear_widgets()
        if self.chosen is not None and self.chosen.id not in {c.id for c in cadres}:
            self.chosen = None
        for cadre in cadres:
            button = CadreButton(text=f"{cadre.name}\n[size=17sp]{cadre.post}[/size]",
                                 cadre=cadre, selected=self.chosen is not None
                                 and cadre.id == self.chosen.id)
            button.bind(on_release=lambda b: self.choose(b.cadre))
            box.add_widget(button)
        if len(cadres) == 1 and self.chosen is None:
            self.choose(cadres[0])
        self.pin = ""
        self.ids.pin_error.text = ""

    # PIN pad ------------------------------------------------------------------------------
    def choose(self, cadre: Cadre) -> None:
        self.chosen = cadre
        self.pin = ""
        self.ids.pin_error.text = ""
        for button in self.ids.cadres.children:
            button.selected = button.cadre.id == cadre.id

    def key(self, digit: str) -> None:
        self.ids.pin_error.text = ""
        if len(self.pin) < PIN_MAX:
            self.pin += digit

    def erase(self) -> None:
        self.pin = self.pin[:-1]

    def submit_pin(self) -> None:
        if self.chosen is None:
            self.ids.pin_error.text = "请先点您的名字，再输入PIN。"
            return
        if len(self.pin) < 4:
            self.ids.pin_error.text = "PIN 是4到6位数字，请输完再点“登录”。"
            return
        try:
            cadre = sign_in(self.app.station.store, self.chosen.id, self.pin, self.app.now_ms())
        except AccountError as exc:
            self.pin = ""
            self.ids.pin_error.text = str(exc)
            return
        self.pin = ""
        self.app.signed_in(cadre)

    # adding a cadre -------------------------------------------------------------------------
    def save_cadre(self) -> None:
        ids = self.ids
        ids.pin2.error = "" if ids.pin1.text == ids.pin2.text else "两次输入的PIN不一样，请重新输入。"
        if ids.pin2.error:
            return
        author = self.app.user.id if self.app.user else None
        try:
            cadre = add_cadre(self.app.station.store, ids.name.text, ids.post.text,
                              ids.pin1.text, author=author)
        except AccountError as exc:
            ids.add_error.text = str(exc)
            return
        self.app.refresh_status()
        if self.app.user is None:
            self.app.signed_in(cadre)
            self.app.say(f"已添加 {cadre.name}，并已登录。")
        else:
            self.adding = False
            self.app.say(f"已添加干部 {cadre.name}，请他（她）用自己的PIN登录。")
            self.app.go_home()

    def cancel_add(self) -> None:
        self.adding = False
        if self.app.user is not None:
            self.app.go_home()
        else:
            self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
