"""矛盾纠纷排查 (village and town): one screening of a village — date, who screened, what
was found (one row per finding: summary, type, 激化风险, parties) or 未发现矛盾纠纷 — and
beside it the schedule (which villages are due) and the past screenings."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.domain.dispute.state import DISPUTE_TYPES, RISK_LEVELS
from app.services.errors import ServiceError
from app.ui.widgets import Body, ListRow, Page, esc, red

TYPE_OPTIONS = list(DISPUTE_TYPES)
RISK_OPTIONS = list(RISK_LEVELS)
SHOWN = 20


class FindingRow(BoxLayout):
    number = NumericProperty(1)
    removable = BooleanProperty(True)


class ScreeningScreen(Page):
    town_level = BooleanProperty(False)
    none_found = BooleanProperty(False)
    done_text = StringProperty("")

    def show(self, village: str = "", **_params) -> None:
        app = self.app
        self.town_level = app.level != "village"
        ids = self.ids
        ids.village.options = app.disputes.villages() if self.town_level else []
        ids.village.value = village
        ids.village_other.text = ""
        ids.on.text = app.today().isoformat()
        ids.screeners.text = app.user.name if app.user else ""
        ids.note.text = ""
        ids.error.text = ""
        self.none_found = False
        ids.findings.clear_widgets()
        self.add_finding()
        self.refresh()

    # findings rows ------------------------------------------------------------------------
    def rows(self) -> list[FindingRow]:
        return list(reversed(self.ids.findings.children))

    def add_finding(self) -> FindingRow:
        row = FindingRow()
        self.ids.findings.add_widget(row)
        self._renumber()
        return row

    def remove_finding(self, row: FindingRow) -> None:
        self.ids.findings.remove_widget(row)
        self._renumber()

    def _renumber(self) -> None:
        rows = self.rows()
        for number, row in enumerate(rows, 1):
            row.number = number
            row.removable = len(rows) > 1

    def village(self) -> str:
        if not self.town_level:
            return ""
        return self.ids.village_other.text.strip() or self.ids.village.value

    # saving -------------------------------------------------------------------------------
    def save(self) -> None:
        from app.services.disputes import ScreeningFinding, ScreeningForm
        ids, app = self.ids, self.app
        ids.error.text = ""
        if self.town_level and not self.village():
            ids.error.text = "请选择排查的是哪个村。"
            return
        findings = []
        if not self.none_found:
            filled = [r for r in self.rows() if r.ids.summary.text.strip()
                      or r.ids.parties.text.strip() or r.ids.dispute_type.value]
            if not filled:
                ids.error.text = "请填写排查发现的矛盾纠纷；没有发现的，请点“未发现矛盾纠纷”。"
                return
            for row in filled:
                if not row.ids.summary.text.strip():
                    ids.error.text = f"第 {row.number} 条：请写简要情况（谁和谁、因为什么事）。"
                    return
                if not row.ids.dispute_type.value or not row.ids.risk.value:
                    ids.error.text = f"第 {row.number} 条：请选择纠纷类型和激化风险。"
                    return
                findings.append(ScreeningFinding(row.ids.summary.text, row.ids.dispute_type.value,
                                                 row.ids.risk.value, row.ids.parties.text))
        form = ScreeningForm(screeners=ids.screeners.text, findings=findings,
                             none_found=self.none_found, village=self.village(),
                             on=ids.on.text.strip(), note=ids.note.text)
        try:
            app.disputes.record_screening(app.user, form)
        except ServiceError as exc:
            ids.error.text = exc.message
            return
        where = self.village() or app.station.name
        what = "未发现矛盾纠纷" if self.none_found else f"发现 {len(findings)} 条"
        high = [f for f in findings if f.risk == "高"]
        app.say(f"已保存 {where} {ids.on.text.strip()} 的排查：{what}。"
                + ("有高风险的，请到“登记纠纷”登记并上报。" if high else ""),
                seconds=12)
        app.refresh_status()
        self.show()

    # the schedule and past screenings ---------------------------------------------------------
    def refresh(self) -> None:
        app = self.app
        box = self.ids.schedule
        box.clear_widgets()
        try:
            due = app.disputes.screening_schedule()
        except ServiceError as exc:
            box.add_widget(Body(text=red(esc(exc.message))))
            due = []
        for item in due:
            late = item.status is None or item.status.state in ("overdue", "due_soon")
            text = esc(item.label)
            box.add_widget(Body(text=red(text) if late else text))
        if not due and not box.children:
            box.add_widget(Body(text="没有要排查的村。"))
        past = self.ids.past
        past.clear_widgets()
        screenings = app.disputes.screenings(limit=SHOWN)
        if not screenings:
            past.add_widget(Body(text="还没有排查记录。"))
        for s in screenings:
            if s.findings:
                high = sum(1 for f in s.findings if f.get("risk") == "高")
                found = f"发现 {len(s.findings)} 条" + (red(f"（高风险 {high} 条）") if high else "")
                detail = "；".join(esc(f.get("summary", "")) for f in s.findings[:2])
            else:
                found, detail = "未发现矛盾纠纷", ""
            where = f"{esc(s.village)} · " if self.town_level else ""
            past.add_widget(ListRow(
                title=f"{where}{s.on.isoformat()} · {found}", target="",
                detail=f"排查人员：{esc('、'.join(s.screeners))}" + (f" · {detail}" if detail else "")))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
