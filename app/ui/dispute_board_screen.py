"""矛盾纠纷排查台账 / the town's dispute board: every dispute this station sees (a village
its own, the town all its villages'), 在办 first — overdue, then high-risk nobody has taken
(red), then by risk and deadline, as Disputes.board orders them — or the whole 台账
newest first with search; 登记纠纷 and the .xlsx export with the RULES.md columns."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from app.services.disputes import DisputeFilter
from app.services.errors import ServiceError
from app.ui.rows import row_size
from app.ui.widgets import Page, esc, nb, red

SHOWN = 200


class DisputeRow(ButtonBehavior, BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    record = StringProperty("")
    red = BooleanProperty(False)

    def on_release(self):
        App.get_running_app().go("dispute", record=self.record)


class DisputeBoardScreen(Page):
    mode = OptionProperty("board", options=["board", "ledger"])
    count_text = StringProperty("")

    def show(self, mode: str = "board", **_params) -> None:
        self.mode = mode
        self.ids.search.text = ""
        town = self.app.level != "village"
        self.ids.title.text = "全镇矛盾纠纷" if town else "矛盾纠纷"
        self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.refresh()

    def rows(self, limit: int = SHOWN + 1):
        svc = self.app.disputes
        text = self.ids.search.text.strip()
        if self.mode == "board" and not text:
            return svc.board()
        return svc.ledger(DisputeFilter(text=text, limit=limit))

    def refresh(self) -> None:
        try:
            rows = self.rows()
        except ServiceError as exc:
            self.ids.rows.data = []
            self.count_text = red(esc(exc.message))
            return
        more = len(rows) > SHOWN
        rows = rows[:SHOWN]
        if self.mode == "board" and not self.ids.search.text.strip():
            overdue = sum(1 for r in rows if r.overdue)
            alert = sum(1 for r in rows if r.alert)
            parts = [f"在办 {len(rows)} 起"]
            parts.append(red(f"超期 {overdue} 起") if overdue else "没有超期")
            if alert:
                parts.append(red(f"高风险未认领 {alert} 起"))
            self.count_text = nb("，".join(parts) + "（超期、高风险的排在前面）") if rows \
                else "没有在办的矛盾纠纷。"
        else:
            self.count_text = nb(f"共 {len(rows)} 起" if not more
                                 else f"显示最近 {SHOWN} 起（还有更多：请输入姓名或编号查找）")
        self.ids.rows.data = [self._row(r) for r in rows]

    def _row(self, row) -> dict:
        town = self.app.level != "village"
        risk = f"激化风险{row.risk}"
        if row.alert:
            risk = red(risk + ("，镇里未认领" if not town else "，未认领"))
        elif row.high_risk:
            risk = red(risk)
        parts = [esc(row.no)]
        if town and row.village:
            parts.append(esc(row.village))
        parts.append(risk)
        if row.deadline:
            parts.append(esc(row.progress.split("（", 1)[0]))
            parts.append(red(esc(row.deadline)) if row.overdue else esc(row.deadline))
        else:   # finished: the status, then the one thing owed soonest (回访 or 司法确认)
            parts.append(esc(row.progress.split("（", 1)[0]))
            owed = [x for x in row.revisit.split("；") if "期" in x and "履行" not in x] + \
                [x for x in row.result.split("；")[1:] if "还剩" in x or "到期" in x]
            if owed:
                urgent = row.overdue or "即将" in owed[0] or "今天" in owed[0]
                parts.append(red(esc(owed[0])) if urgent else esc(owed[0]))
        if row.leader:
            parts.append(f"包案 {esc(row.leader)}")
        names = "、".join(p.split("（", 1)[0] for p in row.parties.split("、"))
        detail = " · ".join(parts)
        return {"title": f"{esc(names)} · {esc(row.dispute_type)}纠纷", "detail": nb(detail),
                "record": row.record, "red": row.overdue or row.alert,
                "row_size": row_size(detail)}

    def export(self) -> None:
        app = self.app
        try:
            rows = app.disputes.ledger(DisputeFilter(text=self.ids.search.text.strip(),
                                                     limit=5000))
        except ServiceError as exc:
            app.say(exc.message, error=True)
            return
        folder = app.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"矛盾纠纷排查台账-{app.now():%Y%m%d-%H%M%S}.xlsx"
        title = f"{app.station.name} 矛盾纠纷排查台账（{app.today().isoformat()} 导出）"
        app.disputes.export_xlsx(rows, path, title)
        app.say(f"已导出 {len(rows)} 起：数据文件夹的 exports 里的 {path.name}"
                "（超期的行标红，高风险加粗）。可拷到电脑上用 Excel/WPS 打开。", seconds=15)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
