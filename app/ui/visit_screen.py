"""来访登记: the visit register, fast — name and matter, everything else folded away.
Saving clears the form and puts the cursor back on the name, ready for the next visitor.
A visit in the list opens its detail, where it becomes a case, a dispute or a petition."""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty

from app.services.errors import ServiceError
from app.services.frontdesk import CONVERSIONS, VisitForm, log_visit, recent_visits
from app.ui.widgets import Body, ListRow, Page, esc

OPTIONAL = ("age", "phone", "address", "opinion", "result", "remark")


class VisitScreen(Page):
    more = BooleanProperty(False)

    def show(self, **_params) -> None:
        self.clear()
        self.refresh()
        Clock.schedule_once(lambda _dt: self.ids.name.focus(), 0.1)

    def refresh(self) -> None:
        box = self.ids.recent
        box.clear_widgets()
        visits = recent_visits(self.app.conn, limit=12, origin=self.app.station.node_id)
        if not visits:
            box.add_widget(Body(text="还没有来访记录。"))
        for visit in visits:
            result = f" · {esc(visit['result'])}" if visit.get("result") else ""
            became = "、".join(f"已转{CONVERSIONS[c['kind']]}" for c in visit["converted"])
            box.add_widget(ListRow(title=f"{esc(visit['name'])} · {esc(visit['matter'])}",
                                   detail=f"{visit['visited_at']} · 接待 {esc(visit['officer'])}"
                                          f"{result}" + (f" · {became}" if became else
                                                         " · 点开可转办"),
                                   record=visit["record"], target="visit"))

    def clear(self) -> None:
        for key in ("name", "matter", *OPTIONAL):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.ids.sex.value = ""
        self.ids.error.text = ""
        self.more = False

    def save(self) -> None:
        ids = self.ids
        form = VisitForm(name=ids.name.text, matter=ids.matter.text, sex=ids.sex.value,
                         **{key: ids[key].text for key in OPTIONAL})
        ids.name.error = "" if form.name.strip() else "请填写来访人姓名。"
        ids.matter.error = "" if form.matter.strip() else "请填写来访事由。"
        try:
            log_visit(self.app.station.store, self.app.user, form, self.app.now())
        except ServiceError as exc:
            ids.error.text = "；".join(exc.problems)
            if any(key in " ".join(exc.problems) for key in ("年龄", "电话", "性别")):
                self.more = True
            return
        self.app.say(f"已登记 {form.name.strip()} 的来访。")
        self.app.refresh_status()
        self.clear()
        self.refresh()
        Clock.schedule_once(lambda _dt: ids.name.focus(), 0.1)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
