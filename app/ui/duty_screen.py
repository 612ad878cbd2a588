"""带班坐班: today's roster, check-in and check-out, and scheduling who is on duty.

RULES.md §1: a window is never unattended; who is on duty is recorded and shown. A cadre
checks in and out for their own shift (the signed-in cadre is the author)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from app.accounts import list_cadres
from app.services.errors import ServiceError
from app.domain.duty import DutyLine
from app.services.frontdesk import (ROLES, SHIFTS, check_in, check_out, duty_board,
                                      schedule_duty)
from app.ui.widgets import BigButton, Body, Page, esc, red


class DutyScreen(Page):
    def show(self, **_params) -> None:
        ids = self.ids
        ids.day.text = self.app.today().isoformat()
        ids.day.error = ""
        ids.shift.value = ids.shift.value or "全天"
        ids.role.value = ids.role.value or "坐班"
        ids.error.text = ""
        self.refresh()

    def refresh(self) -> None:
        app = self.app
        cadres = list_cadres(app.station.store)
        self.ids.who.options = [c.name for c in cadres]
        if app.user and not self.ids.who.value:
            self.ids.who.value = app.user.name
        now = app.now()
        self.ids.roster_title.text = f"今天（{now.month}月{now.day}日）的值班"
        box = self.ids.roster
        box.clear_widgets()
        lines = duty_board(app.conn, now, app.station.node_id)
        if not lines:
            box.add_widget(Body(text=red("今天还没有排班。请在下面排班，窗口不能无人值守。")))
        for line in lines:
            box.add_widget(self._row(line))

    def _row(self, line: DutyLine) -> BoxLayout:
        """One roster entry, in the words of the home screen's 现在值班 card."""
        app, entry = self.app, line.entry
        row = BoxLayout(size_hint_y=None, spacing=dp(12))
        state = red(esc(line.label)) if line.urgent else esc(line.label)
        when = "" if entry["date"] == app.now().date().isoformat() else "（昨晚）"
        badge = "　[b]现在值班[/b]" if line.now else ""
        label = Body(text=f"[b]{esc(entry['cadre_name'])}[/b]　{entry['role']} · "
                          f"{entry['shift']}{when}{badge}\n{state}", pos_hint={"center_y": 0.5})
        row.add_widget(label)

        def fit(*_):
            row.height = max(dp(64), label.height + dp(12))
        label.bind(height=fit)
        fit()
        mine = app.user is not None and entry["cadre"] == app.user.id
        if mine and not entry["checked_in_at"]:
            button = BigButton(text="签到", size_hint_x=None, width=dp(112),
                               pos_hint={"center_y": 0.5})
            button.bind(on_release=lambda _b: self.check(entry["record"], "in"))
            row.add_widget(button)
        elif mine and not entry["checked_out_at"]:
            button = BigButton(text="签退", kind="plain", size_hint_x=None, width=dp(112),
                               pos_hint={"center_y": 0.5})
            button.bind(on_release=lambda _b: self.check(entry["record"], "out"))
            row.add_widget(button)
        return row

    def check(self, record: str, which: str) -> None:
        app = self.app
        try:
            if which == "in":
                check_in(app.station.store, app.user, record, app.now())
            else:
                check_out(app.station.store, app.user, record, app.now())
        except ServiceError as exc:
            app.say(exc.message, error=True)
            return
        app.say("已签到，现在您在岗。" if which == "in" else "已签退。")
        app.refresh_status()
        self.refresh()

    def schedule(self) -> None:
        app, ids = self.app, self.ids
        try:
            day = date.fromisoformat(ids.day.text.strip())
        except ValueError:
            ids.day.error = "日期请写成 2026-11-27 这样（年-月-日）。"
            return
        ids.day.error = ""
        cadre = next((c for c in list_cadres(app.station.store) if c.name == ids.who.value), None)
        if cadre is None:
            ids.error.text = "请点选值班干部的名字。"
            return
        try:
            schedule_duty(app.station.store, app.user, day, cadre, ids.shift.value, ids.role.value)
        except ServiceError as exc:
            ids.error.text = exc.message
            return
        ids.error.text = ""
        app.say(f"已排班：{cadre.name} {day.month}月{day.day}日 {ids.shift.value}{ids.role.value}。")
        app.refresh_status()
        self.refresh()


SHIFT_OPTIONS = list(SHIFTS)
ROLE_OPTIONS = list(ROLES)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
