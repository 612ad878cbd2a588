"""纪委办案 (issue #13 §2), on a discipline device only: the sealed reports this device can
open (检举控告 taken at any station or sent from a phone) waiting to be taken in, and the
cases with where each stands and its clocks; one case with its facts, its steps, the
steps allowed now (the declaration app.domain.supervision.case_flow.CASE decides) and a
form for the chosen one. Everything shown is opened in memory from sealed events
(app.services.discipline); nothing of it is stored in clear."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty

from app.domain.supervision.case_flow import SOURCES
from app.domain.supervision.cases import DISPOSALS, HANDLINGS
from app.services.discipline import DisciplineDesk
from app.services.errors import ServiceError
from app.ui.forms import Form
from app.ui.widgets import BigButton, Body, Card, ListRow, Page, Small, esc, red

TAKE = "take"
FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    TAKE: [("source", "线索来源", "choice:sources", True),
           ("name", "被反映人姓名", "text", False), ("unit", "单位", "text", False),
           ("post", "职务", "text", False), ("summary", "反映的主要问题", "long", True),
           ("received", "收到日期", "date", True)],
    "discipline.case_disposed": [("disposal", "处置方式", "choice:disposals", True),
                                 ("reason", "理由（予以了结、暂存待查时必填）", "text", False),
                                 ("on", "日期", "date", True)],
    "discipline.case_filed": [("basis", "立案依据（初核查明的问题）", "long", True),
                              ("on", "立案日期", "date", True)],
    "discipline.case_dismissed": [("reason", "了结理由", "long", True), ("on", "日期", "date", True)],
    "discipline.case_extended": [("days", "延长几天", "int", True),
                                 ("reason", "延长理由和批准人", "text", True),
                                 ("on", "日期", "date", True)],
    "discipline.case_investigated": [("substantiated", "问题是否查实", "choice:yesno", True),
                                     ("facts", "调查认定的事实", "long", True),
                                     ("on", "日期", "date", True)],
    "discipline.case_decided": [("handling", "处理方式", "list:handlings", True),
                                ("persons", "受处理人（姓名，多人用顿号隔开）", "text", True),
                                ("on", "处理日期", "date", True)],
    "discipline.review_recorded": [("kind", "审查的责任", "choice:reviews", True),
                                   ("subject", "责任主体（单位或领导）", "text", True),
                                   ("finding", "认定", "choice:findings", True),
                                   ("facts", "认定的事实", "long", True),
                                   ("handling", "问责方式（存在责任时选）", "list:forms", False),
                                   ("reason", "不予问责的理由（不存在责任时填）", "text", False),
                                   ("on", "日期", "date", True)],
    "discipline.case_concluded": [("on", "结案日期", "date", True)],
    "discipline.case_replied": [("content", "反馈的方式和内容", "long", True),
                                ("on", "日期", "date", True)],
    "discipline.case_revisited": [("result", "回访情况", "long", True), ("on", "日期", "date", True)],
    "discipline.case_shared": [("town", "协作的相邻乡镇纪委", "list:towns", True),
                               ("on", "日期", "date", True)],
}


def desk(app: Any) -> DisciplineDesk:
    return DisciplineDesk(app.station, today=app.today)


class DisciplineScreen(Page):
    """The list: reports to take in, then the cases."""

    def show(self, **_params) -> None:
        self.refresh()

    def refresh(self) -> None:
        try:
            service = desk(self.app)
        except ServiceError as exc:
            self.ids.summary.text = red(esc(exc.message))
            return
        reports = [r for r in service.reports() if not r["case"]]
        cases = service.cases()
        self.ids.summary.text = (f"待受理的检举控告 {len(reports)} 件，案件 {len(cases)} 件。"
                                 "内容只在本机打开时解密显示。")
        box = self.ids.reports
        box.clear_widgets()
        for report in reports:
            who = "、".join(a.get("name") or a.get("unit", "") for a in report.get("accused", []))
            row = ListRow(title=f"{esc(report['receipt_no'] or '（无回执编号）')}　"
                                f"{esc(report['received_on'])}　反映：{esc(who)}",
                          detail=esc(report.get("content", "")[:60]))
            row.bind(on_release=lambda _r, rep=report: self.app.go("discipline_case", report=rep["record"]))
            box.add_widget(row)
        if not reports:
            box.add_widget(Small(text="没有待受理的检举控告。"))
        box = self.ids.cases
        box.clear_widgets()
        if not cases:
            box.add_widget(Small(text="还没有案件。"))
        for state in cases:
            who = state.subject.get("name") or state.subject.get("unit", "")
            late = [c.label for c in service.clocks(state) if c.overdue]
            row = ListRow(title=f"{esc(who)}　{esc(state.status_name)}",
                          detail=f"收到 {esc(state.received)}" + ("　" + esc("；".join(late))
                                                                   if late else ""),
                          tone="red" if late else "plain")
            row.bind(on_release=lambda _r, s=state: self.app.go("discipline_case", record=s.record))
            box.add_widget(row)


class DisciplineCaseScreen(Page):
    record = StringProperty("")
    report = StringProperty("")
    action = StringProperty("")

    def show(self, record: str = "", report: str = "", **_params) -> None:
        self.record, self.report, self.action = record, report, ""
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        self.service = desk(self.app)
        for key in ("facts", "actions", "timeline"):
            self.ids[key].clear_widgets()
        if self.report and not self.record:
            self._report()
            return
        try:
            state = self.service.case(self.record)
        except ServiceError as exc:
            self.ids.status.text = red(esc(exc.message))
            return
        self.state = state
        self.ids.title.text = f"案件：{esc(state.subject.get('name') or state.subject.get('unit', ''))}"
        lines = [f"[b]{esc(state.status_name)}[/b]"]
        for clock in self.service.clocks(state):
            lines.append(red(esc(clock.label)) if clock.overdue else esc(clock.label))
        self.ids.status.text = "\n".join(lines)
        facts = [("回执编号", state.receipt_no), ("线索来源", state.source),
                 ("被反映人", " ".join(state.subject.values())), ("反映的问题", state.summary),
                 ("处置方式", state.disposal), ("了结理由", state.closed_reason),
                 ("调查认定", state.facts), ("处理", "、".join(state.handling)),
                 ("一案双查", "；".join(f"{r['kind']}：{r['finding']}" for r in state.reviews)),
                 ("协作乡镇", "、".join(self._town_name(t) for t in state.shared_with))]
        card = Card()
        for label, value in facts:
            if value:
                card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        self.ids.facts.add_widget(card)
        for kind, label in self.service.actions(state):
            self._button(kind, label)
        self.ids.no_actions.text = "" if self.ids.actions.children else "这件案件现在没有要办的步骤。"
        for step in state.steps:
            row = Card(tone="white", padding=["12dp", "6dp"], spacing="2dp")
            who = '县纪委' if step.level == 'county' else '镇纪委'
            row.add_widget(Small(text=f"{esc(step.on or '')} · {who}"))
            row.add_widget(Body(text=esc(step.what)))
            self.ids.timeline.add_widget(row)
        for refused in state.rejected:
            row = Card(tone="red", padding=["12dp", "6dp"])
            row.add_widget(Body(text=red("未生效：" + esc(refused.reason))))
            self.ids.timeline.add_widget(row)

    def _report(self) -> None:
        report = next((r for r in self.service.reports() if r["record"] == self.report), None)
        if report is None:
            self.ids.status.text = red("本机打不开这件检举控告（不是加密给本机的），或还没有同步到本机。")
            return
        self.report_data = report
        self.ids.title.text = f"检举控告 {esc(report['receipt_no'])}"
        self.ids.status.text = f"[b]待受理[/b]　收到 {esc(report['received_on'])}（{esc(report.get('channel', ''))}）"
        person = report.get("complainant") or {}
        facts = [("反映的是", report.get("subject") or ""),
                 ("被反映人", "；".join(" ".join(a.values()) for a in report.get("accused", []))),
                 ("内容", report.get("content", "")),
                 ("检举人", " ".join(person.values()) if person else "匿名"),
                 ("证据", "、".join(e.get("name", "") for e in report.get("evidence", [])))]
        card = Card()
        for label, value in facts:
            if value:
                card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        self.ids.facts.add_widget(card)
        self._button(TAKE, "受理为案件线索")

    def _button(self, kind: str, label: str) -> None:
        button = BigButton(text=label, size_hint_x=None, width=dp(200))
        button.bind(on_release=lambda _b: self.open_form(kind, label))
        self.ids.actions.add_widget(button)

    def _town_name(self, hub: str) -> str:
        return next((t["name"] for t in self._towns() if t["hub"] == hub), hub[:8])

    def _towns(self) -> list[dict[str, str]]:
        from app.services.directory import towns
        return [t for t in towns(self.app.conn) if t["hub"] != self.service.town]

    # forms --------------------------------------------------------------------------------
    def _options(self, name: str) -> list[str]:
        rules = self.service.rules
        return {"sources": list(SOURCES), "disposals": list(DISPOSALS),
                "handlings": list(HANDLINGS), "yesno": ["查实", "未查实"],
                "reviews": list(rules.double_check_reviews), "findings": ["存在责任", "不存在责任"],
                "forms": list(rules.accountability_forms),
                "towns": [t["name"] for t in self._towns()]}[name]

    def _default(self, key: str) -> str:
        if key in ("on", "received"):
            return (self.report_data["received_on"] if key == "received" and self.report
                    else self.app.today().isoformat())
        if self.report and not self.record:
            accused = (self.report_data.get("accused") or [{}])[0]
            return {"source": "检举控告", "name": accused.get("name", ""),
                    "unit": accused.get("unit", ""), "post": accused.get("post", ""),
                    "summary": self.report_data.get("content", "")[:200]}.get(key, "")
        return ""

    def open_form(self, kind: str, label: str) -> None:
        self.action = kind
        self.ids.form_title.text = label
        self.ids.form_error.text = ""
        self._form = Form(self.ids.form_fields, FORMS[kind], self._options, self._default,
                          lambda *_: setattr(self.ids.form_error, "text", ""), app=self.app)
        Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(
            self.ids.form_slot, padding=dp(16), animate=False) if self.action else None, 0.05)

    def cancel(self) -> None:
        self.action = ""

    def submit(self) -> None:
        missing = self._form.missing()
        if missing:
            self.ids.form_error.text = "请填写：" + "、".join(missing)
            return
        try:
            self._apply(self.action)
        except (ServiceError, ValueError) as exc:
            self.ids.form_error.text = getattr(exc, "message", str(exc))
            return
        self.app.say(f"已登记“{self.ids.form_title.text}”，已加密保存。")
        self.action = ""
        self.refresh()

    def _apply(self, kind: str) -> None:
        v, user = self._form.value, self.app.user
        if kind == TAKE:
            report = self.report_data
            state = self.service.open_case(user, {
                "received": v("received"), "source": v("source"), "report": report["record"],
                "receipt_no": report["receipt_no"],
                "named_reporter": bool((report.get("complainant") or {}).get("name")),
                "subject": {k: v(k) for k in ("name", "unit", "post") if v(k)},
                "summary": v("summary")})
            self.record, self.report = state.record, ""
            return
        body: dict[str, Any] = {key: v(key) for key, _l, _k, _r in FORMS[kind] if v(key)}
        if kind == "discipline.case_extended":
            body["days"] = int(v("days") or 0)
        if kind == "discipline.case_investigated":
            body["substantiated"] = v("substantiated") == "查实"
        if kind == "discipline.case_decided":
            body["handling"] = [v("handling")]
            body["persons"] = [{"name": n.strip()} for n in v("persons").split("、") if n.strip()]
        if kind == "discipline.review_recorded":
            body["handling"] = [v("handling")] if v("finding") == "存在责任" else ["不予问责"]
        if kind == "discipline.case_shared":
            body = {"on": v("on"), "towns": [t["hub"] for t in self._towns()
                                             if t["name"] == v("town")]}
        self.service.act(user, self.record, kind, body)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
