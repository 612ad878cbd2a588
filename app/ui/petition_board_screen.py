"""信访: the petitions in handling here with their days left — overdue first and red,
then 初信初访, then the fewest days left (Petitions.board) — or the whole 信访登记 register
with search; 登记信访, and 检举控告, which is filed sealed for the town's 纪委 and shows
here only as a line with no content or names."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from app.services.errors import ServiceError
from app.services.petitions import PetitionFilter
from app.ui.rows import row_size
from app.ui.widgets import Page, esc, nb, red

SHOWN = 200


class PetitionRow(ButtonBehavior, BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    record = StringProperty("")
    red = BooleanProperty(False)

    def on_release(self):
        if self.record:
            App.get_running_app().go("petition", record=self.record)


class PetitionBoardScreen(Page):
    mode = OptionProperty("board", options=["board", "register"])
    count_text = StringProperty("")
    sealed_text = StringProperty("")

    def show(self, mode: str = "board", **_params) -> None:
        self.mode = mode
        self.ids.search.text = ""
        self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.refresh()

    def refresh(self) -> None:
        svc = self.app.petitions
        text = self.ids.search.text.strip()
        try:
            if self.mode == "board" and not text:
                data = self._board()
            else:
                rows = svc.register_list(PetitionFilter(text=text, limit=SHOWN + 1))
                self.count_text = nb(f"共 {len(rows)} 件" if len(rows) <= SHOWN else
                                     f"显示最近 {SHOWN} 件（请输入姓名查找）")
                data = [self._register_row(r) for r in rows[:SHOWN]]
        except ServiceError as exc:
            data = []
            self.count_text = red(esc(exc.message))
        self.ids.rows.data = data
        sealed = svc.accusations()
        self.sealed_text = (nb(f"检举控告 {len(sealed)} 件：已加密转镇纪委，内容和姓名本机不显示。")
                            if sealed else "")

    def _board(self) -> list[dict]:
        svc = self.app.petitions
        rows = svc.board()
        names = {r["record"]: r["petitioners"] for r in
                 svc.register_list(PetitionFilter(status="open", limit=5000))}
        overdue = sum(1 for r in rows if r.overdue)
        self.count_text = nb(f"在办 {len(rows)} 件，" +
                             (red(f"超期 {overdue} 件") if overdue else "没有超期") +
                             "（超期、初信初访的排在前面）") if rows else "没有在办的信访事项。"
        out = []
        for row in rows:
            labels = "；".join(row.labels)
            parts = [esc(row.status), red(esc(labels)) if row.overdue else esc(labels)]
            if self.app.level != "village":
                parts.insert(0, esc(row.where))
            if row.first_time:
                parts.append("初信初访")
            detail = " · ".join(p for p in parts if p)
            out.append({"title": f"{esc(names.get(row.record) or '')} · {esc(row.title)}",
                        "detail": nb(detail), "record": row.record, "red": row.overdue,
                        "row_size": row_size(detail)})
        return out

    def _register_row(self, row: dict) -> dict:
        parts = [row.get("received_on") or "", f"{row.get('channel')}/{row.get('category')}",
                 esc(row.get("status_name") or "")]
        if row.get("village") and self.app.level != "village":
            parts.insert(1, esc(row["village"]))
        if row.get("first_time"):
            parts.append("初信初访")
        summary = (row.get("summary") or "")[:30]
        detail = " · ".join(p for p in parts if p)
        return {"title": f"{esc(row.get('petitioners') or '')} · {esc(summary)}",
                "detail": nb(detail), "record": row["record"], "red": False,
                "row_size": row_size(detail)}


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
