"""签到: choose your name, type your 密码. On a new tablet: add the first cadre.

A shared tablet has a per-device list of cadres (app.accounts); every event carries the
signed-in cadre as its author. The add form is also how a signed-in cadre adds a colleague.
The 密码 unlocks the station's encrypted database (app/keyring.py): the names come from
the keyring, so this screen works before anything is unlocked, and it shows how many
records the town has not received yet (they would be lost if every 密码 were forgotten).
忘记密码: another cadre of this tablet types their own 密码, which opens the data, and the
forgotten one is set anew (app.password_reset); the town cannot, it never has the key.
大字 makes every text bigger on this tablet.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from app.accounts import PIN_MAX, PIN_MIN, AccountError, Cadre, add_cadre, list_cadres, sign_in
from app.keyring import Keyring
from app.password_reset import reset_by_colleague
from app.ui.widgets import BigButton, Page


class CadreButton(BigButton):
    cadre = ObjectProperty(None)
    selected = BooleanProperty(False)


class SignInScreen(Page):
    adding = BooleanProperty(False)
    resetting = BooleanProperty(False)
    pin = StringProperty("")
    chosen = ObjectProperty(None, allownone=True)

    def show(self, add: bool = False, **_params) -> None:
        self.adding = add
        self.resetting = False
        self.refresh()

    def refresh(self) -> None:
        cadres = list_cadres(self.app.data_dir)
        first_run = not cadres
        self.adding = self.adding or first_run
        self.ids.add_title.text = "添加第一位干部" if first_run else "添加干部"
        self.ids.add_intro.text = (
            f"这台平板还没有干部名单。请先添加您自己：姓名、职务和一个{PIN_MIN}位以上数字的登录密码。"
            "本机的数据用各位干部的密码加密保管，请记住密码。"
            if first_run else "新干部用自己的密码登录，以后办的每件事都记在他（她）名下。")
        cancel = self.ids.cancel_add
        cancel.shown = not first_run
        cancel.size_hint_x = 0 if first_run else 1   # no empty half row on a new tablet
        for field in ("name", "post", "pin1", "pin2", "helper_pin", "new1", "new2"):
            self.ids[field].text = ""
            self.ids[field].error = ""
        self.ids.add_error.text = self.ids.reset_error.text = ""
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
        self.ids.unsynced.text = unsynced_note(Keyring.of(self.app.data_dir))

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
            self.ids.pin_error.text = "请先点您的名字，再输入密码。"
            return
        if len(self.pin) < PIN_MIN:
            self.ids.pin_error.text = f"密码至少{PIN_MIN}位数字，请输完再点“登录”。"
            return
        try:
            cadre, key = sign_in(self.app.data_dir, self.chosen.id, self.pin, self.app.now_ms())
        except AccountError as exc:
            self.pin = ""
            self.ids.pin_error.text = str(exc)
            return
        pin, self.pin = self.pin, ""
        self.app.unlocked(cadre, key)
        if self.app.station is not None:     # a 监委会 member's signing key, for the session
            from app.services.oversight import member_sign_in
            member_sign_in(self.app.station, cadre, pin)

    # adding a cadre -------------------------------------------------------------------------
    def save_cadre(self) -> None:
        ids = self.ids
        ids.pin2.error = "" if ids.pin1.text == ids.pin2.text else "两次输入的密码不一样，请重新输入。"
        if ids.pin2.error:
            return
        author = self.app.user.id if self.app.user else None
        if self.app.station is None:
            ids.add_error.text = "请先登录，再添加干部。"
            return
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
            self.app.say(f"已添加干部 {cadre.name}，请他（她）用自己的密码登录。")
            self.app.go_home()

    def cancel_add(self) -> None:
        self.adding = False
        if self.app.user is not None:
            self.app.go_home()
        else:
            self.refresh()


    # 忘记密码 -------------------------------------------------------------------------------
    def start_reset(self) -> None:
        if self.chosen is None:
            self.ids.pin_error.text = "请先点您的名字，再点“忘记密码”。"
            return
        others = [c.name for c in list_cadres(self.app.data_dir) if c.id != self.chosen.id]
        ids = self.ids
        ids.helper.options = others
        ids.helper.value = ""
        ids.helper_hint.text = ("帮您证明的干部" if others else
                                "这台平板上没有别的干部：请看下面，打电话给镇里。")
        for field in ("helper_pin", "new1", "new2"):
            ids[field].text = ids[field].error = ""
        ids.reset_error.text = ""
        self.pin = ""
        self.resetting = True

    def cancel_reset(self) -> None:
        self.resetting = False
        self.ids.reset_error.text = ""

    def reset_password(self) -> None:
        ids, app = self.ids, self.app
        ids.new2.error = "" if ids.new1.text == ids.new2.text else "两次输入的新密码不一样，请重新输入。"
        if ids.new2.error:
            return
        helper = next((c for c in list_cadres(app.data_dir) if c.name == ids.helper.value), None)
        if helper is None or not ids.helper_pin.text:
            ids.reset_error.text = "请选一位本站干部，并请他（她）输入自己的密码。"
            return
        try:
            helper, key = sign_in(app.data_dir, helper.id, ids.helper_pin.text, app.now_ms())
        except AccountError as exc:
            ids.reset_error.text = f"帮您证明的干部：{exc}"
            ids.helper_pin.text = ""
            return
        app.open_with(key)
        try:
            cadre = reset_by_colleague(app.station.store, self.chosen.id, helper, ids.new1.text)
        except AccountError as exc:
            ids.reset_error.text = str(exc)
            return
        self.resetting = False
        app.unlocked(cadre, key)
        app.say(f"{cadre.name} 的密码已重设，已登录。以后请用新密码。")


def unsynced_note(keyring: Keyring) -> str:
    """What the sign-in screen says about records the town has not received yet."""
    note = keyring.unsynced() if keyring.exists() else None
    if not note or note[0] <= 0:
        return ""
    from datetime import datetime
    at = datetime.fromtimestamp(note[1] / 1000)
    return (f"本机有 {note[0]} 条记录还没有同步到镇里（{at.month}月{at.day}日 {at:%H:%M} 时）。"
            "登录后请尽快同步：万一本站所有干部都忘了密码，这些记录会丢失。")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
