"""本村事项 (issue #8 §3). At a village: the application for a matter of its own — the
whole one-time notice (conditions, procedure, materials, time limit with its basis) and
why it is needed — and the village's earlier applications with the town's answer. At the
town: the villages' applications, the newest first; one opened shows everything the
village wrote, and a cadre with the settings role approves it (it is then offered at that
village only) or refuses it with a reason.

Everything shown is built for the moment (no hidden parts): services in
app.services.local_matters decide and write."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from app.accounts import SETTINGS_ROLE, cadre_roles
from app.domain.service.local_matters import LOCAL_CATEGORIES
from app.services.errors import ServiceError
from app.services.local_matters import (LocalMatterForm, decide, proposal, proposals,
                                        propose, village_name)
from app.ui.forms import Form
from app.ui.widgets import BigButton, Body, Card, Field, Heading, ListRow, Page, Small, esc, red

SPEC = [("name", "事项名称", "text", True),
        ("category", "类别", "choice:categories", True),
        ("time_limit", "承诺时限（工作日，0 表示当场办结）", "int", True),
        ("time_limit_source", "时限的依据（例如 村民代表会议决定）", "text", True),
        ("conditions", "办理条件（每行一条）", "long", True),
        ("procedure", "办理程序（每行一步）", "long", True),
        ("materials", "要带的材料（每行一份；复印件写“，复印件”）", "long", False),
        ("legal_basis", "办理依据（每行一条，例如 村规民约第几条）", "long", True),
        ("fees", "收费", "text", True),
        ("reason", "为什么需要这个事项", "long", True)]
DECISION_NAMES = {"approved": "镇里已批准", "refused": "镇里未批准", "pending": "等镇里审批"}


class LocalMatterScreen(Page):
    record = StringProperty("")        # at the town: the application opened

    def show(self, record: str = "", **_params) -> None:
        self.record = record
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        body = self.ids.body
        body.clear_widgets()
        self.ids.others.clear_widgets()
        self.ids.error.text = ""
        if self.app.level == "village":
            self.ids.title.text = "申请本村事项"
            self._village(body)
        else:
            self.ids.title.text = "村里申请的事项"
            self._town(body)

    # the village -----------------------------------------------------------------------
    def _village(self, body) -> None:
        body.add_widget(Small(text="事项目录里没有、村里经常办的事，写清楚后提交，镇里批准后只在本村受理。"))
        card = Card(tone="white")
        body.add_widget(card)
        self.form = Form(card, SPEC, lambda _name: list(LOCAL_CATEGORIES),
                         lambda key: "免费" if key == "fees" else "", lambda *_: None)
        submit = BigButton(text="提交给镇里审批", font_size="24sp")
        submit.bind(on_release=lambda _b: self.submit())
        body.add_widget(submit)
        self._own_list(self.ids.others)

    def _own_list(self, body) -> None:
        mine = [p for p in proposals(self.app.station) if p.origin == self.app.station.node_id]
        if not mine:
            return
        body.add_widget(Heading(text="本村已申请的事项"))
        for item in mine:
            decision = item.decision or {}
            detail = DECISION_NAMES.get(item.status, item.status_name)
            if decision.get("reason"):
                detail += f"：{decision['reason']}"
            body.add_widget(ListRow(title=esc((item.matter or {}).get("name", "")),
                                    detail=esc(detail), target="",
                                    tone="red" if item.status == "refused" else "plain"))

    def submit(self) -> None:
        form, app = self.form, self.app
        missing = form.missing()
        if missing:
            self.ids.error.text = "请填写：" + "、".join(missing)
            return
        draft = LocalMatterForm(**{key: form.value(key) for key, *_ in SPEC})
        try:
            propose(app.station, app.user, draft, app.today())
        except ServiceError as exc:
            self.ids.error.text = exc.message
            return
        app.say(f"已提交“{draft.name.strip()}”，同步后镇里就能审批。")
        app.refresh_status()
        self.refresh()

    # the town --------------------------------------------------------------------------
    def _town(self, body) -> None:
        items = proposals(self.app.station)
        if self.record:
            self._review(body, proposal(self.app.station, self.record))
        body = self.ids.others
        pending = [p for p in items if p.status == "pending" and p.record != self.record]
        decided = [p for p in items if p.status != "pending" and p.record != self.record]
        for heading, group in ((f"等镇里审批（{len(pending)} 件）" if pending
                                else "没有等审批的申请", pending),
                               ("已审批" if decided else "", decided)):
            if heading:
                body.add_widget(Heading(text=heading))
            for item in group:
                name = (item.matter or {}).get("name", "")
                on = item.proposed_on or ""
                when = f"{int(on[5:7])}月{int(on[8:10])}日申请" if len(on) == 10 else "申请"
                detail = f"{when} · {item.status_name}"
                if item.decision:
                    detail += f"：{item.decision.get('reason', '')}"
                body.add_widget(ListRow(
                    title=f"{esc(village_name(self.app.station, item.origin))} · {esc(name)}",
                    detail=esc(detail), record=item.record, target="local_matter",
                    tone="red" if item.status == "pending" else "plain"))

    def _review(self, body, item) -> None:
        matter = item.matter or {}
        card = Card(tone="white")
        village = village_name(self.app.station, item.origin)
        card.add_widget(Heading(text=f"{esc(village)}申请：{esc(matter.get('name', ''))}"))
        days = matter.get("time_limit_working_days", 0)
        lines = [("类别", matter.get("category", "")),
                 ("承诺时限", "当场办结" if days == 0 else f"{days} 个工作日"),
                 ("时限依据", matter.get("time_limit_source", "").removeprefix("[local] ")),
                 ("办理条件", "；".join(matter.get("conditions", []))),
                 ("办理程序", " → ".join(matter.get("procedure", []))),
                 ("要带的材料", "；".join(f"{m['name']} {m['form']}"
                                     for m in matter.get("materials", [])) or "不用带材料"),
                 ("办理依据", "；".join(matter.get("legal_basis", []))),
                 ("收费", matter.get("fees", "")),
                 ("为什么需要", item.reason)]
        for label, value in lines:
            card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        body.add_widget(card)
        if item.status != "pending":
            decision = item.decision or {}
            body.add_widget(Body(text=f"{DECISION_NAMES[item.status]}：{esc(decision.get('reason', ''))}"))
            return
        if SETTINGS_ROLE not in cadre_roles(self.app.station.store, self.app.user.id):
            from app.services.townrules import settings_holders_hint
            body.add_widget(Body(text=red("只有有设置权限的干部（例如 便民服务中心主任）才能审批；"
                                          + settings_holders_hint(self.app.station))))
            return
        self.reason = Field(label="审批意见（批准或不批准都要写；不批准的写明村里要改什么）",
                            multiline=True, lines=2)
        body.add_widget(self.reason)
        for text, approve, kind in (("批准，加进事项目录", True, "primary"),
                                    ("不批准", False, "danger")):
            button = BigButton(text=text, kind=kind)
            button.bind(on_release=lambda _b, a=approve: self.decide(a))
            body.add_widget(button)

    def decide(self, approve: bool) -> None:
        app = self.app
        try:
            decide(app.station, app.user, self.record, approve, self.reason.text, app.today())
        except ServiceError as exc:
            self.ids.error.text = exc.message
            return
        app.say("已批准：这个事项只在申请的村受理，同步后村里就能选到。" if approve
                else "已不批准，同步后村里能看到理由。")
        app.refresh_status()
        self.record = ""
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
