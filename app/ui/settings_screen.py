"""规则数值 (town and county edit, villages read): every configurable number with its
value, the shipped default, its source and — for a statutory number — the legal bound
(issue #10 item 3: a town may tighten the law, never loosen it).  Tapping a row opens its
editor at the top: a number, 是/否, or a set of choices, with the required 依据.  The
editor's widgets exist only while a row is picked (nothing hidden stays touchable).
Changes are checked by app.services.rule_settings before anything is written."""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.services.errors import ServiceError
from app.services.rule_settings import SettingRow, rejected, set_rule, settings
from app.ui import style
from app.ui.widgets import (
    BigButton, Body, Card, CheckRow, ChoiceRow, ErrorText, Field, Heading, ListRow, Page,
    Small, esc, red)

CHOICE_NAMES = {"legality": "合法性", "reasonableness": "合理性", "feasibility": "可行性",
                "controllability": "可控性"}


class SettingRowButton(ListRow):
    key = StringProperty("")


class SettingsScreen(Page):
    key = StringProperty("")          # the setting being edited ('' = none)

    def show(self, **_params) -> None:
        self.key = ""
        self.refresh()
        self.ids.scroll.scroll_y = 1

    @property
    def editable(self) -> bool:
        return self.app.level in ("town", "county")

    def refresh(self) -> None:
        self.rows = {row.key: row for row in settings(self.app.station)}
        self.ids.intro.text = (
            "法律规定的数值，镇里可以定得更严（例如期限更短），不能放宽；带“法定界限”的数值超出界限的不会生效。"
            + ("点一项可以修改，改动同步后全镇各村都按新数值执行。" if self.editable
               else "村里只能查看，需要修改请告诉镇里。"))
        self._rejected()
        self._editor()
        self._list()

    def _rejected(self) -> None:
        box = self.ids.rejected
        box.clear_widgets()
        problems = rejected(self.app.station)
        if not problems:
            return
        card = Card(tone="red")
        card.add_widget(Heading(text="没有生效的设置"))
        for _key, reason in problems:
            card.add_widget(Body(text=red(esc(reason))))
        box.add_widget(card)

    def _list(self) -> None:
        box = self.ids.groups
        box.clear_widgets()
        groups: dict[str, list[SettingRow]] = {}
        for row in self.rows.values():
            groups.setdefault(row.group, []).append(row)
        for group, rows in groups.items():
            card = Card()
            card.add_widget(Heading(text=esc(group)))
            for row in rows:
                detail = f"现在：{esc(row.value_text)}"
                if row.overridden:
                    detail += f"（镇里改过，默认 {esc(row.default_text)}）"
                if row.bound_text:
                    detail += f"\n[b]{esc(row.bound_text)}[/b]"
                detail += f"\n依据：{esc(row.source)}"
                button = SettingRowButton(title=esc(row.label), detail=detail, key=row.key,
                                          target="")
                if self.editable and row.kind != "fixed":
                    button.bind(on_release=lambda b: self.pick(b.key))
                card.add_widget(button)
            box.add_widget(card)

    # editing ---------------------------------------------------------------------------
    def pick(self, key: str) -> None:
        self.key = key
        self._editor()
        Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(self.ids.editor,
                                                                  animate=False), 0)

    def cancel(self) -> None:
        self.key = ""
        self._editor()

    def _editor(self) -> None:
        box = self.ids.editor
        box.clear_widgets()
        self.value_widget = self.note = self.error = None
        row = self.rows.get(self.key) if self.key else None
        if row is None:
            if self.editable:
                box.add_widget(Small(text="在下面的列表里点一项，就在这里修改。"))
            return
        card = Card(tone="white")
        card.add_widget(Heading(text=esc(row.label)))
        card.add_widget(Body(text=f"现在：{esc(row.value_text)}；默认：{esc(row.default_text)}"))
        if row.bound_text:
            card.add_widget(Body(text=f"[b]{esc(row.bound_text)}[/b]"))
        if row.kind in ("int", "number"):
            self.value_widget = Field(label="新的数值", text=row.value_text,
                                      input_filter="int" if row.kind == "int" else "float",
                                      input_type="number")
            card.add_widget(self.value_widget)
        elif row.kind == "bool":
            card.add_widget(Small(text="新的设置"))
            self.value_widget = ChoiceRow(options=["是", "否"], value=row.value_text)
            card.add_widget(self.value_widget)
        else:
            card.add_widget(Small(text="选中的项（点一下选中或取消）"))
            chosen = set(row.value_text.split("、"))
            self.value_widget = []
            for code in row.choices:
                name = CHOICE_NAMES.get(code, code)
                check = CheckRow(text=name, active=name in chosen)
                check.code = code
                self.value_widget.append(check)
                card.add_widget(check)
        self.note = Field(label="依据（必填）", hint="例如 镇党委会议纪要〔2027〕3号")
        card.add_widget(self.note)
        self.error = ErrorText()
        buttons = BoxLayout(size_hint_y=None, height=dp(style.TOUCH), spacing=dp(8))
        save = BigButton(text="保存")
        save.bind(on_release=lambda _b: self.save())
        cancel = BigButton(text="取消", kind="light")
        cancel.bind(on_release=lambda _b: self.cancel())
        buttons.add_widget(save)
        buttons.add_widget(cancel)
        self.save_button = save
        card.add_widget(buttons)
        card.add_widget(self.error)        # under the buttons: an error moves none of them
        box.add_widget(card)

    def _typed(self, row: SettingRow):
        widget = self.value_widget
        if row.kind == "choices":
            return [check.code for check in widget if check.active]
        if row.kind == "bool":
            return widget.value
        return widget.text

    def save(self) -> None:
        row = self.rows[self.key]
        try:
            set_rule(self.app.station, self.app.user, row.key, self._typed(row), self.note.text)
        except ServiceError as exc:
            self.error.text = exc.message
            return
        self.app.say(f"已修改“{row.label}”，同步后全镇各村按新数值执行。")
        self.app.refresh_status()
        self.key = ""
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
