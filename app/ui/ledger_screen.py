"""台账: every case this station can see, with filters (status, matter, overdue, officer,
dates), Chinese full-text search, and the monthly .xlsx into the data folder's exports/.

Deadline labels come from the domain (deadline_status), overdue rows are red."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from app.domain import deadline_status
from app.domain.service.state import STATUS_NAMES
from app.services.errors import ServiceError
from app.services.ledger import LedgerFilter, export_xlsx, is_overdue, ledger
from app.ui.widgets import Page, esc, red

ALL_STATUSES = "全部状态"
ACTIVE = "在办（未办结）"
ALL_MATTERS = "全部事项"
STATUS_CHOICES = [ALL_STATUSES, ACTIVE] + [name for code, name in STATUS_NAMES.items()
                                            if code != "new"]
SHOWN = 200


class LedgerRow(ButtonBehavior, BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    record = StringProperty("")
    red = BooleanProperty(False)

    def on_release(self):
        from kivy.app import App
        App.get_running_app().go("case", record=self.record)


class LedgerScreen(Page):
    filters_open = BooleanProperty(True)
    count_text = StringProperty("")
    _matter_codes: dict[str, str] = {}

    def show(self, status: str = "", overdue: bool = False, **_params) -> None:
        ids = self.ids
        ids.search.text = ""
        ids.officer.text = ""
        ids.date_from.text = ""
        ids.date_to.text = ""
        ids.date_from.error = ids.date_to.error = ""
        ids.status.text = STATUS_NAMES.get(status, ACTIVE if status == "active" else ALL_STATUSES)
        matters = self.app.rules.catalog.doc["matters"]
        self._matter_codes = {m["name"]: m["code"] for m in matters}
        ids.matter.values = [ALL_MATTERS] + [m["name"] for m in matters]
        ids.matter.text = ALL_MATTERS
        ids.overdue.state = "down" if overdue else "normal"
        self.filters_open = not self.app.narrow
        self.refresh()

    def _date(self, field) -> date | None:
        text = field.text.strip()
        if not text:
            field.error = ""
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            field.error = "日期请写成 2026-11-01 这样（年-月-日）。"
            raise
        field.error = ""
        return value

    def current_filter(self, limit: int = SHOWN) -> LedgerFilter:
        ids = self.ids
        status_code = next((code for code, name in STATUS_NAMES.items()
                            if name == ids.status.text), "")
        if ids.status.text == ACTIVE:
            status_code = "active"
        return LedgerFilter(
            text=ids.search.text, status=status_code,
            matter_code=self._matter_codes.get(ids.matter.text, ""),
            overdue_only=ids.overdue.state == "down", officer=ids.officer.text,
            date_from=self._date(ids.date_from), date_to=self._date(ids.date_to), limit=limit)

    def refresh(self) -> None:
        app = self.app
        try:
            rows = ledger(app.conn, self.current_filter(SHOWN + 1), app.today())
        except ValueError as exc:  # a bad date (field says what) or ServiceError
            message = exc.message if isinstance(exc, ServiceError) else "有日期写得不对，请改正后再查。"
            self.ids.rows.data = []
            self.count_text = red(esc(message))
            return
        more = len(rows) > SHOWN
        rows = rows[:SHOWN]
        self.count_text = (f"共 {len(rows)} 件" if not more
                           else f"显示最近 {SHOWN} 件（还有更多：请加条件缩小范围）")
        self.ids.rows.data = [self._row(row) for row in rows]

    def _row(self, row: dict) -> dict:
        app = self.app
        today = app.today()
        overdue = is_overdue(row, today)
        if row["status"] in ("accepted", "in_progress", "escalated", "forwarded", "replied",
                             "returned") and row["due"]:
            soon = int(app.rules.config.value("service.due_soon_working_days"))
            status = deadline_status(date.fromisoformat(row["due"]), today, app.rules.calendar,
                                     soon)
            due = status.label
            flagged = status.state in ("overdue", "due_soon")
        else:
            due, flagged = (f"{row['closed_on']} 办结" if row.get("closed_on") else ""), False
        parts = [row["receipt_no"] or "", row["status_name"] or ""]
        if app.level != "village" and row.get("village"):
            parts.insert(1, esc(row["village"]))
        parts.append(f"首接 {esc(row['first_officer'] or '')}")
        if row.get("rating"):
            rating = esc(row["rating"])
            parts.append(red(f"评价 {rating}") if row.get("dissatisfied") else f"评价 {rating}")
        detail = " · ".join(p for p in parts if p)
        if due:
            detail += " · " + (red(esc(due)) if flagged else esc(due))
        title = f"{esc(row['applicant'] or '（未填姓名）')} · {esc(row['matter_name'] or row['summary'] or '')}"
        return {"title": title, "detail": detail, "record": row["record"], "red": overdue}

    def clear_filters(self) -> None:
        self.show()

    def export(self) -> None:
        app = self.app
        try:
            rows = ledger(app.conn, self.current_filter(5000), app.today())
        except ValueError:
            app.say("有日期写得不对，请改正后再导出。", error=True)
            return
        folder = app.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = app.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"台账-{stamp}.xlsx"
        title = f"{app.station.name} 便民服务台账（{app.today().isoformat()} 导出）"
        export_xlsx(rows, path, title, app.today())
        # The file's name and its folder, not the whole path: a cadre copies it from the
        # data folder's exports/, and a long path filled a phone's screen.
        app.say(f"已导出 {len(rows)} 件：数据文件夹的 exports 里的 {path.name}（超期的行标红）。"
                "可拷到电脑上用 Excel/WPS 打开。", seconds=15)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
