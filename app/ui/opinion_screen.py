"""双联三解的民意台账: the list (all, still to do, late: the people waiting past the day
they should have heard back) with 记录民意 — what a cadre heard on a 联系 visit, from whom
— and one item: what was heard, where it went (the record it became and how that
stands), and only the steps Opinions.actions allows here now: 梳理民情, 交办转办 (into a
service case, a dispute, a petition or a village-decision proposal, each through its
own intake), 反馈结果.  Forms exist only while open (nothing hidden stays touchable)."""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.domain.config import satisfaction_choices
from app.domain.dispute.state import DISPUTE_TYPES, RISK_LEVELS
from app.domain.opinion.flow import ANSWER_METHODS, CATEGORIES, ROUTES, VISITS
from app.services.errors import ServiceError
from app.services.opinions import ACTION_LABELS, OpinionForm, Opinions
from app.ui import style
from app.ui.forms import Form
from app.ui.widgets import BigButton, Body, Card, ErrorText, Heading, ListRow, Page, Small, esc, red

LABELS = ACTION_LABELS
NEW = "new"
FORMS = {
    NEW: [("name", "反映情况的群众姓名", "text", True), ("phone", "联系电话（选填）", "text", False),
          ("group", "村民组（选填）", "text", False),
          ("how", "怎么听到的", "choice:visits", True),
          ("content", "群众反映的情况和诉求（原话记下来）", "long", True)],
    "opinion.sorted": [("category", "类别", "choice:categories", True),
                       ("route", "怎么办", "list:routes", True),
                       ("note", "说明（选填）", "text", False)],
    "case": [("matter", "办什么事（从事项目录里选）", "list:matters", True),
             ("phone", "申请人电话（受理要用）", "text", True)],
    "dispute": [("dispute_type", "纠纷类型", "choice:types", True),
                ("other_party", "另一方当事人", "text", True),
                ("risk", "激化风险", "choice:risks", True)],
    "petition": [("category", "信访类别", "choice:petition_categories", True)],
    "decision": [("unit", "提交给（例如 村两委）", "text", True)],
    "opinion.answered": [("method", "怎么反馈的", "choice:methods", True),
                         ("answer", "向群众反馈了什么", "long", True),
                         ("level", "群众满意吗（选填）", "choice:ratings", False),
                         ("reason", "不满意的原因（不满意时必填）", "text", False)],
}


class FormCard:
    """A form in a card with its error line and 保存/取消, built into ``slot`` when opened
    and removed when closed."""

    def __init__(self, slot, title: str, spec, options, default, save, cancel) -> None:
        slot.clear_widgets()
        self.card = Card(tone="white")
        self.card.add_widget(Heading(text=esc(title)))
        fields = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(style.GAP))
        fields.bind(minimum_height=fields.setter("height"))
        self.card.add_widget(fields)
        self.error = ErrorText()
        self.form = Form(fields, spec, options, default, self.clear)
        buttons = BoxLayout(size_hint_y=None, height=dp(style.TOUCH), spacing=dp(style.GAP))
        self.save_button = BigButton(text="保存")
        self.save_button.bind(on_release=lambda _b: save())
        cancel_button = BigButton(text="取消", kind="light")
        cancel_button.bind(on_release=lambda _b: cancel())
        buttons.add_widget(self.save_button)
        buttons.add_widget(cancel_button)
        self.card.add_widget(buttons)
        self.card.add_widget(self.error)    # under the buttons: an error moves none of them
        slot.add_widget(self.card)

    def clear(self, *_):
        self.error.text = ""


def opinions(app) -> Opinions:
    if getattr(app, "_opinions", None) is None:
        app._opinions = Opinions(app.station, today=app.today)
    return app._opinions


class OpinionRow(ListRow):
    pass


class OpinionListScreen(Page):
    mode = OptionProperty("open", options=["open", "late", "all"])
    writing = BooleanProperty(False)

    def show(self, **_params) -> None:
        self.cancel()
        self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.refresh()

    def refresh(self) -> None:
        svc = opinions(self.app)
        rows = svc.ledger(status="" if self.mode == "all" else "open")
        if self.mode == "late":
            rows = [r for r in rows if r["late"]]
        box = self.ids.rows
        box.clear_widgets()
        if not rows:
            box.add_widget(Body(text="没有要处理的民意。" if self.mode != "all" else "台账里还没有记录。"))
        for row in rows:
            where = f" → {esc(row['target_status'])}" if row.get("target_status") else ""
            late = red("　已过反馈日期") if row["late"] else ""
            item = OpinionRow(
                title=f"{esc(row['ledger_no'])} · {esc(row['people'])} · {esc(row['status_name'])}",
                detail=f"{esc(row['collected_on'])} {esc(row['cadre'] or '')}"
                       f"{esc(row['visit'] or '')}听到：{esc((row['content'] or '')[:40])}{where}{late}",
                record=row["record"], target="opinion", tone="red" if row["late"] else "plain")
            box.add_widget(item)

    def start(self) -> None:
        """记录民意: the form is built now and removed when saved or cancelled."""
        self.writing = True
        self.card = FormCard(self.ids.new_slot, "记录民意", FORMS[NEW], lambda _n: list(VISITS),
                             lambda key: "入户走访" if key == "how" else "", self.save, self.cancel)

    def cancel(self) -> None:
        self.writing = False
        self.card = None
        self.ids.new_slot.clear_widgets()

    def save(self) -> None:
        card = self.card
        missing = card.form.missing()
        if missing:
            card.error.text = "请填写：" + "、".join(missing)
            return
        v = card.form.value
        try:
            event = opinions(self.app).collect(self.app.user, OpinionForm(
                v("content"), [{"name": v("name"), "phone": v("phone"), "group": v("group")}],
                how=v("how")))
        except ServiceError as exc:
            card.error.text = exc.message
            return
        self.cancel()
        self.app.say(f"已记入民意台账（{event['payload']['ledger_no']}），请尽快梳理、交办。")
        self.app.refresh_status()
        self.refresh()


class OpinionScreen(Page):
    record = StringProperty("")
    action = StringProperty("")

    def show(self, record: str = "", **_params) -> None:
        if record:
            self.record = record
        self.cancel()
        self.refresh()

    def refresh(self) -> None:
        svc = opinions(self.app)
        try:
            state = svc.item(self.record)
        except ServiceError as exc:
            self.ids.title.text = "找不到这条民意"
            self.ids.facts.clear_widgets()
            self.ids.facts.add_widget(Body(text=red(esc(exc.message))))
            return
        self.state = state
        self.ids.title.text = f"民意台账 {esc(state.ledger_no)}"
        late = red("　已过反馈日期，请尽快向群众反馈") if svc.is_late(state) else ""
        self.ids.status.text = f"[b]{esc(state.status_name)}[/b]{late}"
        self._facts(state)
        self._actions(state)

    def _facts(self, state) -> None:
        box = self.ids.facts
        box.clear_widgets()
        card = Card()
        cadre = state.cadre or {}
        people = "、".join(" ".join(str(p.get(k, "")) for k in ("name", "group", "phone")
                                   if p.get(k)) for p in state.people)
        row = next((r for r in opinions(self.app).ledger() if r["record"] == state.record), {})
        lines = [("听到的", f"{state.collected_on} {cadre.get('name', '')}"
                           f"（{cadre.get('post', '')}）{(state.visit or {}).get('how', '')}"),
                 ("群众", people), ("村", state.village), ("反映的情况", state.content),
                 ("类别", state.category or ""), ("怎么办", ROUTES.get(state.route or "", "")),
                 ("交办给", state.unit),
                 ("办理情况", row.get("target_status", "")),
                 ("反馈期限", f"{state.due}前" if state.due else ""),
                 ("反馈结果", (state.answer or {}).get("answer", ""))]
        for label, value in lines:
            if value:
                card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        box.add_widget(card)
        for step in state.steps:
            box.add_widget(Small(text=f"{esc(step.on or '')} · {esc(step.what)}"))
        for rejected in state.rejected:
            box.add_widget(Body(text=red(f"未生效：{esc(rejected.reason)}")))

    def _actions(self, state) -> None:
        box = self.ids.actions
        box.clear_widgets()
        allowed = opinions(self.app).actions(state)
        allowed = self._decision_buttons(box, state, allowed)
        for kind, label in allowed:
            if kind == "opinion.routed":
                label = ROUTES.get(state.route or "", label)
            button = BigButton(text=label, size_hint_x=None, width=dp(240))
            button.bind(on_release=lambda _b, k=kind: self.open_form(k))
            box.add_widget(button)
        self.ids.no_actions.text = "" if allowed else (
            "这条民意已经反馈群众，台账办结。" if state.status == "answered" else
            "等办理有了结果再反馈群众；办理情况见上面。")

    def _decision_buttons(self, box, state, allowed):
        """民意台账 → 村务决策 (issue #12): an entry waiting for a decision is made a matter
        from the decisions screen (the link is written both ways there); one that became a
        matter opens it.  The bare re-route is not offered: it needs the matter's record."""
        village = self.app.station.level == "village"
        if state.awaiting_decision and village:
            button = BigButton(text="立为村务决策事项", size_hint_x=None, width=dp(240))
            button.bind(on_release=lambda _b: self.app.go("decisions", opinion=state.record))
            box.add_widget(button)
        if state.awaiting_decision:
            return [(k, label) for k, label in allowed if k != "opinion.routed"]
        if state.route == "decision" and state.target:
            button = BigButton(text="查看村务决策事项", kind="light", size_hint_x=None,
                               width=dp(240))
            button.bind(on_release=lambda _b: self.app.go("decision", record=state.target))
            box.add_widget(button)
        return allowed

    # forms --------------------------------------------------------------------------------
    def _spec_key(self, kind: str) -> str:
        return (self.state.route or "case") if kind == "opinion.routed" else kind

    def open_form(self, kind: str) -> None:
        self.action = kind
        label = LABELS[kind] if kind != "opinion.routed" else ROUTES.get(self.state.route or "")
        self.card = FormCard(self.ids.form_slot, label or "", FORMS[self._spec_key(kind)],
                             self._options, self._default, self.submit, self.cancel)
        Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(self.card.card,
                                                                  animate=False), 0.05)

    def cancel(self) -> None:
        self.action = ""
        self.card = None
        self.ids.form_slot.clear_widgets()

    def _options(self, name: str) -> list[str]:
        app = self.app
        if name == "matters":
            return [f"{m['name']}（{m['code']}）" for m in app.rules.catalog.active_matters()]
        if name == "ratings":
            return [c["label"] for c in satisfaction_choices(app.rules.config)]
        return {"categories": list(CATEGORIES), "routes": list(ROUTES.values()),
                "types": list(DISPUTE_TYPES), "risks": list(RISK_LEVELS),
                "petition_categories": ["申诉求决", "建议意见"],
                "methods": list(ANSWER_METHODS)}[name]

    def _default(self, key: str) -> str:
        first = self.state.people[0] if self.state.people else {}
        return {"phone": str(first.get("phone", "")), "risk": "低", "unit": "村两委",
                "category": "申诉求决" if self.action == "opinion.routed" else "",
                "method": "上门"}.get(key, "")

    def submit(self) -> None:
        missing = self.card.form.missing()
        if missing:
            self.card.error.text = "请填写：" + "、".join(missing)
            return
        try:
            done = self._apply(self.action)
        except ServiceError as exc:
            self.card.error.text = exc.message
            return
        self.cancel()
        self.app.say(done)
        self.app.refresh_status()
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def _apply(self, kind: str) -> str:
        svc, user, record, v = opinions(self.app), self.app.user, self.record, self.card.form.value
        if kind == "opinion.sorted":
            route = next(code for code, name in ROUTES.items() if name == v("route"))
            svc.sort(user, record, category=v("category"), route=route, note=v("note"))
            return "已梳理，请按定下的办法交办转办。"
        if kind == "opinion.answered":
            svc.answer(user, record, method=v("method"), answer=v("answer"), level=v("level"),
                       reason=v("reason"))
            return "已反馈群众，这条民意办结。"
        route = self.state.route
        if route == "case":
            code = v("matter").rsplit("（", 1)[-1].rstrip("）")
            svc.to_case(user, record, matter_code=code, phone=v("phone"))
            return "已转为便民服务事项并受理，回执在便民服务台账里。"
        if route == "dispute":
            svc.to_dispute(user, record, dispute_type=v("dispute_type"),
                           other_party=v("other_party"), risk=v("risk"))
            return "已转为矛盾纠纷登记，请安排调解。"
        if route == "petition":
            svc.to_petition(user, record, category=v("category"))
            return "已转为信访事项登记。"
        svc.to_decision(user, record, unit=v("unit"))
        return "已提交村务决策，决策有了结果再反馈群众。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
