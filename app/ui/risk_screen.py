"""社会稳定风险评估: the list of assessments with 新建评估 (the 评估方案), and one
assessment step by step — 评估方案 → 征求意见 → 分析论证 → 确定风险等级 → 评估报告 →
集体决策 — each step a small form; at the decision 实施 is disabled, with the gate's
reason, when the grade or analysis does not allow it; the report printed as a PDF."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from app.domain.risk.flow import METHODS
from app.domain.risk.grading import DECISIONS, DIMENSIONS, FINDINGS, GRADES
from app.services.errors import ServiceError
from app.ui import style
from app.ui.forms import Form
from app.ui.widgets import Body, ChoiceButton, Heading, ListRow, Page, Small, esc, red, station_service

STEPS = (("plan", "评估方案"), ("risk.opinions_gathered", "征求意见"),
         ("risk.analysed", "分析论证"), ("risk.graded", "确定风险等级"),
         ("risk.reported", "形成评估报告"), ("risk.decided", "集体决策"))

PLAN = [("matter", "评估事项（必填）", "long", True),
        ("responsible_unit", "评估责任主体（必填）", "text", True),
        ("assessors", "评估小组成员（顿号隔开）", "text", True),
        ("plan", "评估方案（评估范围、方法、时间安排）", "long", True)]
FORMS = {
    "risk.opinions_gathered": [
        ("method", "征求意见方式", "choice:methods", True),
        ("participants", "参与人数", "int", True),
        ("supporting", "支持人数（可不填）", "int", False),
        ("objecting", "反对人数", "int", False),
        ("strongly_objecting", "强烈反对人数", "int", False),
        ("summary", "意见摘要（群众主要说了什么）", "long", True),
        ("photo", "问卷、座谈记录的照片或扫描件（选填）", "photo", False)],
    "risk.analysed": [item for key, name in DIMENSIONS.items() for item in (
        (key, f"{name}", "choice:findings", True),
        (f"{key}_note", f"{name}的理由（必填）", "text", True))],
    "risk.graded": [
        ("grade", "风险等级", "choice:grades", True),
        ("reasons", "定级理由", "long", True),
        ("measures", "风险防控措施（每行一条；低风险要实施必须有）", "long", False),
        ("below_suggestion_reason", "低于系统建议等级的理由（定得比建议低时必填）", "text", False)],
    "risk.reported": [
        ("conclusion", "评估结论", "long", True),
        ("report_no", "报告编号（不填自动编号）", "text", False)],
    "risk.decided": [
        ("meeting_name", "决策会议（如 镇党委会）", "text", True),
        ("meeting_on", "会议日期", "date", True),
        ("attendees", "参会人员（顿号隔开）", "text", True),
        ("reason", "决策理由", "long", True)],
}
OPTIONS = {"methods": list(METHODS), "findings": list(FINDINGS), "grades": list(GRADES)}


def _service(app):
    from app.services.risk import RiskAssessments
    return station_service(app, "_risk_service", RiskAssessments)


class RiskListScreen(Page):
    def show(self, **_params) -> None:
        self.ids.error.text = ""
        self._form = Form(self.ids.plan_fields, PLAN, lambda _n: [], lambda _k: "",
                          lambda *_a: None)
        self.refresh()

    def refresh(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        rows = _service(self.app).assessments()
        if not rows:
            box.add_widget(Body(text="还没有风险评估。重大决策、重大项目实施前，先在左边新建评估。"))
        for row in rows:
            state = _service(self.app).assessment(row["record"])
            grade = f" · 风险等级 {state.grade}" if state.grade else ""
            tone = "red" if state.grade == "高" else "plain"
            box.add_widget(ListRow(title=esc(state.matter), record=row["record"], target="risk",
                                   tone=tone, detail=f"{esc(state.status_name)}{grade} · "
                                                     f"{esc(row.get('planned_on') or '')}"))

    def create(self) -> None:
        form, ids, app = self._form, self.ids, self.app
        missing = form.missing()
        if missing:
            ids.error.text = "请填写：" + "、".join(missing)
            return
        try:
            record = _service(app).plan(app.user, matter=form.value("matter"),
                                        responsible_unit=form.value("responsible_unit"),
                                        assessors=form.value("assessors"),
                                        plan=form.value("plan"))
        except ServiceError as exc:
            ids.error.text = exc.message
            return
        app.say("评估方案已保存。下一步：征求意见。")
        app.go("risk", record=record)


class RiskScreen(Page):
    record = StringProperty("")
    action = StringProperty("")
    decision = StringProperty("")

    def show(self, record: str = "", **_params) -> None:
        self.record = record or self.record
        self.action = ""
        self.refresh()

    def refresh(self) -> None:
        if not self.record:
            return
        svc = _service(self.app)
        state = svc.assessment(self.record)
        ids = self.ids
        ids.title.text = esc(state.matter) or "风险评估"
        ids.status.text = f"现在：{esc(state.status_name)}" + \
            (f" · 风险等级 {red(state.grade) if state.grade == '高' else state.grade}"
             if state.grade else "") + (f" · 第{state.round}轮" if state.round > 1 else "")
        done = {"plan": state.plan is not None,
                "risk.opinions_gathered": bool(state.opinions),
                "risk.analysed": state.analysis is not None,
                "risk.graded": state.grade is not None,
                "risk.reported": state.report is not None,
                "risk.decided": state.decision is not None}
        ids.steps.text = "  →  ".join(("✓" if done[k] else "○") + f" {n}" for k, n in STEPS)
        sections = ids.sections
        sections.clear_widgets()
        for title, text in svc.sections(self.record):
            sections.add_widget(Heading(text=esc(title)))
            sections.add_widget(Body(text=esc(text) or "（还没有）"))
        actions = ids.actions
        actions.clear_widgets()
        from app.ui.widgets import BigButton
        available = svc.actions(state)
        for kind, label in available:
            button = BigButton(text=label, kind="primary" if kind == available[0][0] else "plain")
            button.bind(on_release=lambda _b, k=kind: self.open_form(k))
            actions.add_widget(button)
        if not available:
            actions.add_widget(Body(text="这项评估已经完成。"))
        ids.print_button.disabled = state.report is None
        if self.action:
            self.open_form(self.action)
        else:
            ids.form_box.clear_widgets()
            ids.form_error.text = ""

    def open_form(self, kind: str) -> None:
        svc, ids = _service(self.app), self.ids
        self.action = kind
        self.decision = ""
        ids.form_title.text = dict(STEPS)[kind]
        ids.form_error.text = ""
        box = ids.form_box
        box.clear_widgets()
        if kind == "risk.graded":
            hint = svc.suggestion(self.record)
            box.add_widget(Body(text=f"系统建议：{esc(hint.grade)}（{esc(hint.reason)}）"))
        if kind == "risk.decided":
            gate = svc.gate(self.record)
            box.add_widget(Small(text="决策结果", color=style.TEXT))
            from app.ui.widgets import Flow
            row = Flow()
            for choice in DECISIONS:
                button = ChoiceButton(text=choice, value=choice, group=f"decide-{id(self)}")
                button.disabled = choice == "实施" and not gate.allowed
                button.disabled_color = style.MUTED
                button.bind(on_release=lambda b: setattr(self, "decision",
                                                         b.value if b.state == "down" else ""))
                row.add_widget(button)
            self.decision_buttons = row
            box.add_widget(row)
            box.add_widget(Body(text=red("不能实施：" + esc(gate.message)) if not gate.allowed
                                else "可以实施：" + esc(gate.message)))
        from kivy.uix.boxlayout import BoxLayout
        inner = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
        inner.bind(minimum_height=inner.setter("height"))
        box.add_widget(inner)
        today = self.app.today().isoformat()
        self._form = Form(inner, FORMS[kind], lambda n: OPTIONS.get(n, []),
                          lambda k: today if k == "meeting_on" else "", lambda *_a: None,
                          app=self.app)

    def submit(self) -> None:
        svc, app, ids, form = _service(self.app), self.app, self.ids, self._form
        missing = form.missing()
        if self.action == "risk.decided" and not self.decision:
            missing.insert(0, "决策结果")
        if missing:
            ids.form_error.text = "请填写：" + "、".join(missing)
            return
        v, record, user = form.value, self.record, app.user

        def num(key: str) -> int:
            return int(v(key) or 0)
        try:
            if self.action == "risk.opinions_gathered":
                from app.services.photos import attachment_from_file
                photos = [attachment_from_file(v("photo"))] if v("photo") else []
                svc.gather_opinions(user, record, method=v("method"), participants=num("participants"),
                                    summary=v("summary"), objecting=num("objecting"),
                                    strongly_objecting=num("strongly_objecting"),
                                    supporting=int(v("supporting")) if v("supporting") else None,
                                    attachments=photos)
            elif self.action == "risk.analysed":
                svc.analyse(user, record, **{k: (v(k), v(f"{k}_note")) for k in DIMENSIONS})
            elif self.action == "risk.graded":
                svc.grade(user, record, grade=v("grade"), reasons=v("reasons"),
                          measures=v("measures").splitlines(),
                          below_suggestion_reason=v("below_suggestion_reason"))
            elif self.action == "risk.reported":
                svc.report(user, record, conclusion=v("conclusion"), report_no=v("report_no"))
            elif self.action == "risk.decided":
                svc.decide(user, record, decision=self.decision, meeting_name=v("meeting_name"),
                           meeting_on=v("meeting_on"), attendees=v("attendees"), reason=v("reason"))
        except ServiceError as exc:
            ids.form_error.text = exc.message
            return
        app.say(f"已保存：{dict(STEPS)[self.action]}。")
        app.refresh_status()
        self.action = ""
        self.refresh()

    def cancel(self) -> None:
        self.action = ""
        self.refresh()

    def print_report(self) -> None:
        from app.services.printing import print_risk_report
        from app.ui.print_dialog import print_paper
        svc = _service(self.app)
        print_paper(self.app, "评估报告", lambda: print_risk_report(svc, self.record))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
