"""镇里设置 (town and county only): the matter catalog by category — each matter's time
limit in working days, changed with a required 依据, or 停办 — and the holiday list of a
year the calendar library does not cover (放假 and 调休上班 dates, one per line). The
changes are config events that sync down to every village (app.services.townrules)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.ui.widgets import Body, Card, Heading, ListRow, Page, esc, red

STATUTORY_LAST = 2026          # chinesecalendar covers 2004–2026


def parse_dates(text: str, year: int, what: str) -> list[date]:
    """One date per line (2027-01-01; 2027/1/1 and 2027.1.1 also read); blank lines skipped.
    Raises ValueError with a Chinese message naming the line that is wrong."""
    days = []
    for number, line in enumerate(text.splitlines(), 1):
        raw = line.strip().replace("／", "/").replace("－", "-")
        if not raw:
            continue
        parts = raw.replace("/", "-").replace(".", "-").replace("年", "-").replace(
            "月", "-").replace("日", "").split("-")
        try:
            y, m, d = (int(p) for p in parts)
            day = date(y, m, d)
        except (ValueError, TypeError):
            raise ValueError(f"{what}第 {number} 行“{raw}”不是日期，请按 {year}-10-01 的格式"
                             f"每行写一个日期。") from None
        if day.year != year:
            raise ValueError(f"{what}第 {number} 行 {day.isoformat()} 不在 {year} 年，请检查。")
        days.append(day)
    return days


class MatterRow(ListRow):
    code = StringProperty("")


class RulesScreen(Page):
    mode = OptionProperty("matters", options=["matters", "holidays"])
    code = StringProperty("")          # the matter being edited ('' = none picked)
    year = StringProperty("")

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

    # the matter catalog -------------------------------------------------------------------
    def refresh(self) -> None:
        if self.app.level not in ("town", "county"):
            self.ids.matters.clear_widgets()
            self.ids.matters.add_widget(Body(text=red("事项目录和节假日安排由镇里统一设置，"
                                                      "村里不能修改。")))
            return
        rules = self.rules()
        self._catalog(rules)
        self._fill_editor(rules)
        self._years(rules)

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
                row = MatterRow(title=esc(matter["name"]), code=matter["code"], target="",
                                detail=f"{limit} · {esc(matter['code'])} · 点这里修改或停办")
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
            ids.editor_note.text = "请在下面的事项目录里点一个事项，再来这里修改时限或停办。"
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

    # the holiday list ---------------------------------------------------------------------
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
        entry = self.rules().config.town_holidays().get(int(self.year)) \
            if self.year.isdigit() else None
        ids = self.ids
        ids.holidays.text = "\n".join((entry or {}).get("holidays", []))
        ids.workdays.text = "\n".join((entry or {}).get("workdays", []))
        ids.holiday_error.text = ""

    def save_holidays(self) -> None:
        ids, app = self.ids, self.app
        ids.holiday_error.text = ""
        if not (self.year.isdigit() and len(self.year) == 4):
            ids.holiday_error.text = "请先选择年份。"
            return
        year = int(self.year)
        if year <= STATUTORY_LAST:
            ids.holiday_error.text = (f"{year} 年的节假日系统已按国务院通知自带，不用录入；"
                                      f"请录入 {STATUTORY_LAST + 1} 年以后的。")
            return
        try:
            holidays = parse_dates(ids.holidays.text, year, "放假日期")
            workdays = parse_dates(ids.workdays.text, year, "调休上班日期")
        except ValueError as exc:
            ids.holiday_error.text = str(exc)
            return
        if not holidays:
            ids.holiday_error.text = "请至少录入一个放假日期（每行一个，如 2027-01-01）。"
            return
        if not ids.holiday_note.text.strip():
            ids.holiday_error.text = "请写明依据，例如《国务院办公厅关于2027年部分节假日安排的通知》。"
            return
        from app.services.townrules import set_holidays
        try:
            set_holidays(app.station, app.user, year, holidays, workdays, ids.holiday_note.text)
        except ServiceError as exc:
            ids.holiday_error.text = exc.message
            return
        app.say(f"已保存 {year} 年节假日安排：放假 {len(set(holidays))} 天，调休上班 "
                f"{len(set(workdays))} 天；同步后各村的到期日不再是“暂定”。")
        app.refresh_status()
        self.refresh()

    def year_options(self) -> list[str]:
        start = STATUTORY_LAST + 1
        return [str(y) for y in range(start, max(start, self.app.today().year + 1) + 3)]


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
