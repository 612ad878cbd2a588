"""镇里设置 (town and county only): the matter catalog by category — each matter's time
limit in working days, changed with a required 依据, or 停办 — the holiday arrangement of a
year the calendar library does not cover, entered by tapping days on a calendar (放假 and
调休上班), who on this tablet holds the settings role (设置权限), and the way to the
villages' own matters waiting for approval. The changes are config events that sync down
to every village (app.services.townrules).

Only a cadre with the settings role (e.g. the 中心主任) changes anything here (issue #8 §3);
the others read it, and are told whom to ask. Only the open tab is in the widget tree, and
the editor's fields only while a cadre who may is editing (Folds)."""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from app.accounts import ROLE_NAMES, SETTINGS_ROLE, AccountError, cadre_roles, list_cadres, set_role
from app.domain.shared.holiday_marks import HolidayMarks, marks_from_lists
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.services.townrules import settings_holders_hint
from app.ui.holiday_calendar import HolidayCalendar, marked_text  # noqa: F401  (kv)
from app.ui.widgets import BigButton, Body, Card, Heading, ListRow, Page, esc, red

STATUTORY_LAST = 2026          # chinesecalendar covers 2004–2026


class MatterRow(ListRow):
    code = StringProperty("")


class RulesScreen(Page):
    mode = OptionProperty("matters", options=["matters", "holidays", "roles"])
    code = StringProperty("")          # the matter being edited ('' = none picked)
    year = StringProperty("")
    can_edit = BooleanProperty(False)  # the signed-in cadre holds the settings role

    def show(self, mode: str = "matters", **_params) -> None:
        self.mode = mode
        self.code = ""
        self.year = ""
        self.ids.year_choice.options = self.year_options()
        self.ids.year_choice.value = ""
        self.ids.year_choice.value = str(max(self.app.today().year + 1, STATUTORY_LAST + 1))
        self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.refresh()

    def rules(self):
        return load_rules(self.app.conn)

    def refresh(self) -> None:
        app = self.app
        if app.level not in ("town", "county"):
            self.ids.matters.clear_widgets()
            self.ids.matters.add_widget(Body(text=red("事项目录和节假日安排由镇里统一设置，"
                                                      "村里不能修改。")))
            self.mode = "matters"
            return
        self.can_edit = SETTINGS_ROLE in cadre_roles(app.station.store, app.user.id)
        self.ids.who_can.text = "" if self.can_edit else red(
            "您可以查看，不能修改：只有有设置权限的干部（例如 便民服务中心主任）才能修改镇里设置；"
            + settings_holders_hint(app.station))
        rules = self.rules()
        self._catalog(rules)
        self._fill_editor(rules)
        self._years(rules)
        self._roles()

    # the matter catalog -------------------------------------------------------------------
    def _catalog(self, rules) -> None:
        box = self.ids.matters
        box.clear_widgets()
        groups: dict[str, list] = {}
        for matter in rules.catalog.active_matters():
            groups.setdefault(matter["category"], []).append(matter)
        for category, matters in groups.items():
            card = Card()
            card.add_widget(Heading(text=f"{esc(category)}（{len(matters)} 项）"))
            for matter in matters:
                days = matter["time_limit_working_days"]
                limit = "当场办结" if days == 0 else f"办理时限 {days} 个工作日"
                where = f" · {esc(matter['proposed_by'])}本村事项" if matter.get("proposed_by") else ""
                hint = " · 点这里修改或停办" if self.can_edit else ""
                row = MatterRow(title=esc(matter["name"]), code=matter["code"], target="",
                                detail=f"{limit} · {esc(matter['code'])}{where}{hint}")
                if self.can_edit:
                    row.bind(on_release=lambda r: self.pick(r.code))
                card.add_widget(row)
            box.add_widget(card)

    def pick(self, code: str) -> None:
        self.code = code
        ids = self.ids
        ids.reason.text = ""
        ids.reason.error = ids.days.error = ""
        ids.matter_error.text = ""
        self._fill_editor(self.rules(), days=True)
        Clock.schedule_once(lambda _dt: ids.scroll.scroll_to(ids.editor, animate=False), 0)

    def _fill_editor(self, rules, days: bool = False) -> None:
        matter = rules.catalog.matter(self.code) if self.code else None
        ids = self.ids
        if matter is None or matter.get("retired"):
            self.code = ""
            ids.editor_title.text = "修改办理时限"
            ids.editor_note.text = ("请在下面的事项目录里点一个事项，再来这里修改时限或停办。"
                                    if self.can_edit else "下面是全镇的事项目录和办理时限。")
            return
        ids.editor_title.text = esc(matter["name"])
        ids.editor_note.text = (f"{esc(matter['category'])} · {esc(matter['code'])} · 现在的时限："
                                f"{matter['time_limit_working_days']} 个工作日")
        if days:
            ids.days.text = str(matter["time_limit_working_days"])

    def save_limit(self) -> None:
        ids, app = self.ids, self.app
        ids.days.error = ids.reason.error = ids.matter_error.text = ""
        if not self.code:
            ids.matter_error.text = "请先在事项目录里点一个事项。"
            return
        text = ids.days.text.strip()
        if not text.isdigit():
            ids.days.error = "请填写工作日天数（数字，0 表示当场办结）。"
            return
        if not ids.reason.text.strip():
            ids.reason.error = "请写明依据，例如 县政府文件的文号。"
            return
        from app.services.townrules import set_time_limit
        try:
            set_time_limit(app.station, app.user, self.code, int(text), ids.reason.text)
        except ServiceError as exc:
            ids.matter_error.text = exc.message
            return
        name = ids.editor_title.text
        app.say(f"已把“{name}”的办理时限改为 {int(text)} 个工作日，同步后各村按新时限计算。")
        app.refresh_status()
        ids.reason.text = ""
        self.refresh()

    def retire(self) -> None:
        ids, app = self.ids, self.app
        ids.days.error = ids.reason.error = ids.matter_error.text = ""
        if not self.code:
            ids.matter_error.text = "请先在事项目录里点一个事项。"
            return
        if not ids.reason.text.strip():
            ids.reason.error = "停办也要写明依据（原因），例如 上级通知的文号。"
            return
        from app.services.townrules import retire_matter
        try:
            retire_matter(app.station, app.user, self.code, ids.reason.text)
        except ServiceError as exc:
            ids.matter_error.text = exc.message
            return
        app.say(f"“{ids.editor_title.text}”已停办：受理办事里不再出现，已受理的照常办完。")
        app.refresh_status()
        self.code = ""
        ids.reason.text = ""
        self.refresh()

    def cancel_edit(self) -> None:
        self.code = ""
        self.refresh()

    # the holiday calendar -----------------------------------------------------------------
    def _years(self, rules) -> None:
        town = rules.config.town_holidays()
        listed = sorted(int(y) for y in town)
        lines = [f"{STATUTORY_LAST}年及以前：按国务院通知（系统自带）"]
        complete = [y for y in listed if rules.calendar.source(y) == "town"]
        if complete:
            lines.append("镇里已录入：" + "、".join(f"{y}年" for y in complete))
        missing = [y for y in range(STATUTORY_LAST + 1, self.app.today().year + 3)
                   if y not in complete]
        self.ids.covered.text = "；".join(lines) + "。"
        partial = [f"{y}年（已录入一部分，还缺{rules.calendar.missing_holidays(y)[0]:%m月%d日}等法定节假日）"
                   if y in listed else f"{y}年" for y in missing]
        # A year is final only with every statutory holiday in it (全国年节及纪念日放假办法
        # Art 2); until then the statutory days are off anyway, 调休 is not known.
        self.ids.uncovered.text = red(
            "、".join(partial) + "还没有录入完整：这些年份的到期日已按法定节假日推算，但调休安排"
            "还不知道，显示为“暂定”，请收到国务院通知后把全部放假和调休上班日期录入。") if missing else ""

    def pick_year(self, text: str) -> None:
        self.year = text.strip()
        if not self.year.isdigit():
            return
        year = int(self.year)
        entry = self.rules().config.town_holidays().get(year) or {}
        from datetime import date as _date
        marks = marks_from_lists(year, [_date.fromisoformat(d) for d in entry.get("holidays", [])],
                                 [_date.fromisoformat(d) for d in entry.get("workdays", [])])
        calendar = self.ids.calendar
        calendar.month = 1
        calendar.marks = marks
        self.ids.holiday_note.text = ""
        self.ids.holiday_error.text = ""

    def on_marks(self, marks: HolidayMarks | None) -> None:
        """The calendar changed: say what is marked, month by month."""
        ids = self.ids
        ids.holiday_error.text = ""
        if marks is None:
            ids.marked.text = ""
            return
        listed = marked_text(marks)
        ids.marked.text = marks.summary() + ("\n" + listed if listed else "")

    def save_holidays(self) -> None:
        ids, app = self.ids, self.app
        ids.holiday_error.text = ""
        marks = ids.calendar.marks
        if marks is None:
            ids.holiday_error.text = "请先选择年份。"
            return
        if marks.year <= STATUTORY_LAST:
            ids.holiday_error.text = (f"{marks.year} 年的节假日系统已按国务院通知自带，不用录入；"
                                      f"请录入 {STATUTORY_LAST + 1} 年以后的。")
            return
        if not ids.holiday_note.text.strip():
            ids.holiday_error.text = "请写明依据，例如《国务院办公厅关于2027年部分节假日安排的通知》。"
            return
        from app.services.townrules import set_holidays
        try:
            set_holidays(app.station, app.user, marks.year, marks.all_holidays(),
                         sorted(marks.workdays), ids.holiday_note.text)
        except ServiceError as exc:
            ids.holiday_error.text = exc.message
            return
        app.say(f"已保存 {marks.year} 年节假日安排：法定节假日 {len(marks.statutory)} 天，另放假 "
                f"{len(marks.holidays)} 个工作日，调休上班 {len(marks.workdays)} 天；同步后各村的"
                "到期日不再是“暂定”。")
        app.refresh_status()
        self.refresh()

    def year_options(self) -> list[str]:
        start = STATUTORY_LAST + 1
        return [str(y) for y in range(start, max(start, self.app.today().year + 1) + 3)]

    # who may change the settings ------------------------------------------------------------
    def _roles(self) -> None:
        box = self.ids.roles
        box.clear_widgets()
        app = self.app
        for cadre in list_cadres(app.station.store):
            holds = SETTINGS_ROLE in cadre.roles
            row = Card(tone="white", orientation="horizontal", spacing="12dp")
            row.add_widget(Body(text=f"[b]{esc(cadre.name)}[/b]（{esc(cadre.post)}）\n"
                                     + ("有" if holds else "没有") + ROLE_NAMES[SETTINGS_ROLE][:4]))
            if self.can_edit:
                button = BigButton(text="取消权限" if holds else "开通权限",
                                   kind="plain" if holds else "primary",
                                   size_hint_x=None, width="150dp")
                button.bind(on_release=lambda _b, c=cadre, h=holds: self.toggle_role(c, not h))
                row.add_widget(button)
            box.add_widget(row)

    def toggle_role(self, cadre, grant: bool) -> None:
        app = self.app
        try:
            set_role(app.station.store, app.user, cadre.id, SETTINGS_ROLE, grant)
        except AccountError as exc:
            app.say(str(exc), error=True)
            return
        app.say(f"已给{cadre.name}开通设置权限。" if grant else f"已取消{cadre.name}的设置权限。")
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
