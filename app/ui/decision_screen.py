"""村务决策 (issue #12): the matters of the village (or, at the town, of every village, with
the filings waiting for review first), 新建事项, and one matter: where it stands in
四议两公开, why it cannot go on (the 决策前论证备案 gate, in words that say what to do),
and the one form that moves it on: the town's review (同意 / 补正 / 不同意 with reasons);
at the village the record of the step now open (a meeting with its attendance ticked
person by person — 到场, 电话, 视频 or 缺席 — and each vote, the quorum and the vote
counted live against the roster; a 公开; the 实施), or, while the gate is closed, the
filing with the town.  The whole file prints as one PDF."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from app.domain.decisions.matters import ART24_ITEMS, KNOWN
from app.domain.decisions import meetings
from app.domain.decisions.joint import JOINT
from app.domain.decisions.procedure import FAILED, PASSED, step_before
from app.ui.decision_history import BackPanel, timeline
from app.services.errors import ServiceError
from app.ui.decision_steps import OPTION_LISTS, AttendanceSheet, step_spec
from app.ui.forms import Form
from app.ui.widgets import (
    BigButton,
    Body,
    ListRow,
    Page,
    Small,
    esc,
    red,
    station_service,
)

KINDS = [*ART24_ITEMS, *sorted(KNOWN - set(ART24_ITEMS))]
NEW = [("title", "事项名称（必填）", "text", True),
       ("motion_source", "动议事由", "choice:sources", True),
       ("reason", "为什么要办（必填）", "long", True),
       ("kind", "事项类别", "choice:kinds", True),
       ("money", "涉及金额（元，不涉及不填）", "int", False),
       ("options", "备选方案（每行一个）", "long", False),
       ("needs_assessment", "是否需要做社会稳定风险评估", "choice:yesno", True)]
FILING = [("legality", "合法性论证（必填）", "long", True),
          ("feasibility", "可行性论证（必填）", "long", True),
          ("consultation", "与利益关联方协商的情况（必填）", "long", True),
          ("options", "决策方案（每行一个；复杂的须有多个）", "long", True)]
REVIEW = [("result", "审核意见", "choice:results", True),
          ("text", "要补充的材料或不同意的理由（同意可不填）", "long", False)]
SEPARATE = "分开召开"
OPTIONS = {"joint": [SEPARATE, JOINT], "sources": ["党员群众建议", "村干部提议", "上级安排"], "kinds": KINDS,
           "yesno": ["需要", "不需要"], "results": ["同意", "补正", "不同意"], **OPTION_LISTS}


def _service(app):
    from app.services.decisions import VillageDecisions
    return station_service(app, "_decision_service", VillageDecisions)


class DecisionListScreen(Page):
    village = BooleanProperty(True)

    def show(self, opinion: str = "", **_params) -> None:
        self.village = self.app.station.level == "village"
        self.ids.error.text = ""
        self.ids.intro.text = (
            "重大事项先报镇党委备案（决策前论证备案），同意后按“四议两公开”办理：支部提议 → 两委商议 → "
            "党员大会审议 → 村民代表会议或村民会议决议 → 决议公开 → 实施 → 实施结果公开。")
        self.from_opinion, draft = "", {}
        if opinion and self.village:     # 民意台账 → 新建事项 (动议事由 党员群众建议)
            try:
                draft = _service(self.app).opinion_draft(opinion)
                self.from_opinion = opinion
            except ServiceError as exc:
                self.ids.error.text = exc.message
        if draft:
            self.ids.intro.text = (f"从民意台账{esc(draft['ledger_no'])}立项：动议事由为党员群众建议。"
                                   "保存后，台账里这条民意会显示这件事的办理情况。")
        if self.village:
            defaults = {"needs_assessment": "需要", **draft}
            self._form = Form(self.ids.new_fields, NEW, lambda n: OPTIONS.get(n, []),
                              lambda k: defaults.get(k, ""), lambda *_a: None)
        self.refresh()

    def refresh(self) -> None:
        box, svc = self.ids.rows, _service(self.app)
        box.clear_widgets()
        rows = svc.matters()
        waiting = [m for m in rows if m["status"] == "已报备"]
        self.ids.list_title.text = ("各村事项（待审核的备案在前）" if not self.village
                                    else "本村事项（受阻的在前）")
        if not self.village and waiting:
            box.add_widget(Small(text=f"待审核的备案 {len(waiting)} 件"))
        if not rows:
            box.add_widget(Body(text="还没有事项。" + ("在左边新建一件。" if self.village else "")))
        if not self.village:
            self._chart(svc, rows)
        for row in waiting + [m for m in rows if m not in waiting]:
            where = f"{esc(row['village_name'])} · " if not self.village else ""
            step = row["current_label"] or "已办结"
            problem = row["blocked"] or row["trouble"]
            box.add_widget(ListRow(
                title=esc(row["title"] or ""), record=row["record"], target="decision",
                tone="red" if problem else "plain",
                detail=f"{where}{esc(row['status_name'])} · 下一步：{esc(step)}"))

    def _chart(self, svc, rows) -> None:
        """The town's view: each village's matters by step, blocked ones and overdue
        村务公开 (Art 30) counted."""
        chart = self.ids.chart
        chart.clear_widgets()
        for summary in svc.by_village(rows).values():
            steps = " · ".join(f"{esc(label)}{n}件" for label, n in summary["steps"].items())
            text = f"[b]{esc(summary['name'])}[/b]：{steps}"
            if summary["blocked"]:
                text += " · " + red(f"受阻{summary['blocked']}件")
            if summary["overdue"]:
                text += " · " + red(f"村务公开逾期{summary['overdue']}项")
            chart.add_widget(Body(text=text))
        if not rows:
            chart.add_widget(Body(text="各村还没有报来事项。"))

    def create(self) -> None:
        form, ids, app = self._form, self.ids, self.app
        missing = form.missing()
        if missing:
            ids.error.text = "请填写：" + "、".join(missing)
            return
        kinds = [k for k in form.value("kind").split("、") if k]
        matter = {"title": form.value("title"), "reason": form.value("reason"), "kinds": kinds,
                  "money_yuan": form.value("money"), "options": form.value("options").splitlines(),
                  "needs_assessment": form.value("needs_assessment") != "不需要"}
        svc = _service(app)
        try:
            if self.from_opinion:
                record = svc.open_from_opinion(app.user, self.from_opinion, **matter)
            else:
                record = svc.open_matter(app.user, motion_source=form.value("motion_source"),
                                         **matter)
        except ServiceError as exc:
            ids.error.text = exc.message
            return
        self.from_opinion = ""
        app.say("事项已保存。下一步：支部提议、两委商议，并报镇党委备案。")
        app.go("decision", record=record)


class DecisionScreen(Page):
    record = StringProperty("")

    def show(self, record: str = "", **_params) -> None:
        self.record = record or self.record
        self.refresh()

    def refresh(self) -> None:
        if not self.record:
            return
        ids = self.ids
        try:
            view = _service(self.app).view(self.record)
        except ServiceError as exc:
            ids.title.text, ids.status.text = "村务决策", esc(exc.message)
            return
        m = view.matter
        ids.title.text = esc(m.opened.get("title") or "")
        art24 = " · 村民会议决定事项（组织法第二十四条）" if m.art24 else ""
        money = f" · 涉及{m.opened['money_yuan']}元" if m.opened.get("money_yuan") else ""
        ids.status.text = f"备案：{esc(m.status_name)}{art24}{money}"
        if view.state.blocked:
            ids.blocked.text = red("暂不能提交会议：" + esc(view.state.blocked))
        elif view.gate_message and not view.state.finished:
            ids.blocked.text = ("支部提议、两委商议可以先办；提交党员大会审议前：" +
                                red(esc(view.gate_message)))
        else:
            ids.blocked.text = ""
        steps = ids.steps
        steps.clear_widgets()
        for status in view.state.steps:
            mark = {PASSED: "✓", FAILED: "×"}.get(status.status, "○")   # the font has no ✗
            text = f"{mark} {esc(status.label)}：{esc(status.status)}"
            if status.reasons:
                text += "\n" + red(esc("；".join(status.reasons)))
            steps.add_widget(Body(text=text))
            if status.explanation:
                steps.add_widget(Small(text=esc(status.explanation)))
        self._source(view)
        timeline(ids.timeline, view)
        self._back_panel(view)
        self._notice_buttons(view)
        self._open_form(m.status, view)

    def _source(self, view) -> None:
        """The 民意台账 entry the matter came from, and a way to open it."""
        box = self.ids.source_box
        box.clear_widgets()
        source = _service(self.app).source_of(view)
        if source is None:
            return
        words = f"：{source['content'][:60]}" if source["content"] else "（这条民意没有同步到本机）"
        box.add_widget(Body(text=f"来源：民意台账{esc(source['ledger_no'])}{esc(words)}"))
        if source["content"]:
            button = BigButton(text="查看这条民意", kind="light", size_hint_x=None, width=dp(220))
            button.bind(on_release=lambda _b: self.app.go("opinion", record=source["record"]))
            box.add_widget(button)

    def _back_panel(self, view) -> None:
        box = self.ids.back_box
        box.clear_widgets()
        target = step_before(view.matter.step_list, view.state.current)
        if self.app.station.level != "village" or target is None:
            return
        current = view.step(view.state.current).label if view.state.current else ""
        box.add_widget(BackPanel(_service(self.app), self.app.user, self.record, target,
                                 current, self._stepped_back))

    def _stepped_back(self, message: str) -> None:
        self.app.say(message)
        self.app.refresh_status()
        self.refresh()

    def _open_form(self, status: str, view) -> None:
        ids, level = self.ids, self.app.station.level
        ids.form_error.text = ""
        ids.form_buttons.clear_widgets()
        spec, title, action = [], "下一步", ""
        self.mode, self.sheet, self.step_code = "", None, ""
        current = view.state.current
        self.joint_sheet, self.joint = None, None
        joint_note = ""
        if level == "village" and current and not view.state.blocked:
            step = view.step(current)
            spec, title, action = step_spec(step, first=current == view.matter.step_list[0].code), \
                f"登记：{step.label}", "保存这一步"
            self.mode, self.step_code = "step", current
            option = _service(self.app).joint_option(self.record)
            if option.allowed:
                self.joint = option.step
                spec.append(("joint", f"是否与{option.step.label}合并召开（党员会议与代表会议可合并进行）",
                             "choice:joint", True))
            elif option.step is not None:
                joint_note = "不能合并召开：" + option.reason
        elif level == "village" and status in ("draft", "补正", "不同意"):
            spec, title, action = FILING, "报镇党委备案（决策前论证备案）", "报镇党委备案"
            self.mode = "filing"
        elif level == "town" and status == "已报备":
            spec, title, action = REVIEW, "审核备案", "保存审核意见"
            self.mode = "review"
        ids.form_title.text = title
        today = self.app.today().isoformat()
        ids.form_box.clear_widgets()
        from kivy.uix.boxlayout import BoxLayout
        inner = BoxLayout(orientation="vertical", size_hint_y=None, spacing=8)
        inner.bind(minimum_height=inner.setter("height"))
        ids.form_box.add_widget(inner)
        self._form = Form(inner, spec, lambda n: OPTIONS.get(n, []),
                          lambda k: today if k in ("date", "period_start", "done_on") else
                          SEPARATE if k == "joint" else
                          str(view.matter.opened.get("motion_source") or "")
                          if k == "motion_source" else "",
                          lambda *_a: self._update_sheet(), app=self.app)
        if joint_note:
            inner.add_widget(Small(text=esc(joint_note)))
        if self.mode == "step" and view.step(current).kind == "vote":
            self.sheet = AttendanceSheet(_service(self.app), self.record, view.step(current),
                                         self._form)
            ids.form_box.add_widget(self.sheet)
        if not spec:
            ids.form_box.add_widget(Body(text="镇里审核备案后，村里按步骤召开会议、登记表决。"
                                         if level == "village" else "这件事没有待审核的备案。"))
            return
        button = BigButton(text=action)
        button.bind(on_release=lambda _b: self.submit())
        ids.form_buttons.add_widget(button)
        if self.mode == "step" and view.step(current).kind == "publicity":
            preview = BigButton(text="预览公告", kind="light")
            preview.bind(on_release=lambda _b: self.preview_notice())
            ids.form_buttons.add_widget(preview)

    def submit(self) -> None:
        svc, app, form, ids = _service(self.app), self.app, self._form, self.ids
        missing = form.missing()
        if missing:
            ids.form_error.text = "请填写：" + "、".join(missing)
            return
        v = form.value
        try:
            if self.mode == "step":
                self._save_step()
                return
            if app.station.level == "town":
                text = v("text")
                svc.review_filing(app.user, self.record, result=v("result"),
                                  asked=text if v("result") == "补正" else "",
                                  reasons=text if v("result") == "不同意" else "")
                app.say(f"审核意见已保存：{v('result')}。同步后村里就能看到。")
            else:
                svc.submit_filing(app.user, self.record, legality=v("legality"),
                                  feasibility=v("feasibility"), consultation=v("consultation"),
                                  options=v("options").splitlines())
                app.say("已报镇党委备案。镇里同意后才能提交会议。")
        except ServiceError as exc:
            ids.form_error.text = exc.message
            return
        app.refresh_status()
        self.refresh()

    def _update_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.refresh_people()
        wanted = self.joint is not None and self._form.value("joint") == JOINT
        if wanted and self.joint_sheet is None:
            # the representatives' part: its own roster, attendance, quorum and vote
            self.joint_sheet = AttendanceSheet(
                _service(self.app), self.record, self.joint, self._form,
                body=meetings.REPRESENTATIVES, heading=f"合并召开的{meetings.REPRESENTATIVES}")
            self.ids.form_box.add_widget(self.joint_sheet)
        elif not wanted and self.joint_sheet is not None:
            self.ids.form_box.remove_widget(self.joint_sheet)
            self.joint_sheet = None
        elif self.joint_sheet is not None:
            self.joint_sheet.refresh_people()

    def _save_step(self) -> None:
        from app.services.photos import attachment_from_file
        from app.ui.decision_steps import step_fields
        svc, app, form = _service(self.app), self.app, self._form
        fields, extra = step_fields(form)
        photos = [attachment_from_file(form.value("photo"))] if form.value("photo") else []
        if self.sheet is not None:
            extra.update(self.sheet.payload())
        extra.pop("joint", None)
        if self.joint_sheet is not None and self.joint is not None:
            extra["joint"] = {"step": self.joint.code, **self.joint_sheet.payload()}
        day = extra.pop("plan_day", "")
        if day:   # the plan reached every party member that day (送达回执 in the file)
            people = svc.view(self.record).context.people
            extra["plan_sent"] = {p.id: day for p in people if p.party}
        svc.record_step(app.user, self.record, self.step_code, fields, attachments=photos,
                        **extra)
        state = svc.view(self.record).state
        said = []
        for code in (self.step_code, *([self.joint.code] if "joint" in extra else [])):
            label = next(s.label for s in state.steps if s.code == code)
            outcome = next((h for h in reversed(state.history) if h.step == code), None)
            said.append(f"{label}——{outcome.status if outcome else '已登记'}")
        app.say("已保存：" + "；".join(said) + "。")
        app.refresh_status()
        self.refresh()

    def _notice_buttons(self, view) -> None:
        """打印 each 公开 already recorded (the notice for the board)."""
        box = self.ids.notice_buttons
        box.clear_widgets()
        for code, label in _service(self.app).notices(self.record):
            button = BigButton(text=f"打印{label}公告", kind="light")
            button.bind(on_release=lambda _b, c=code, n=label: self.print_notice(c, n))
            box.add_widget(button)

    def print_notice(self, step: str, label: str, fields=None) -> None:
        from app.services.printing import print_decision_notice
        from app.ui.print_dialog import print_paper
        svc = _service(self.app)
        print_paper(self.app, f"{label}公告",
                    lambda: print_decision_notice(svc, self.record, step, label, fields),
                    on_error=self._notice_error)

    def _notice_error(self, message: str) -> None:
        self.ids.form_error.text = message

    def preview_notice(self) -> None:
        """The notice from the 公开 form as filled so far, before the step is saved."""
        from app.ui.decision_steps import step_fields
        fields, _extra = step_fields(self._form)
        label = next(s.label for s in _service(self.app).view(self.record).matter.step_list
                     if s.code == self.step_code)
        self.ids.form_error.text = ""
        self.print_notice(self.step_code, label, fields)

    def print_file(self) -> None:
        from app.services.printing import print_decision_file
        from app.ui.print_dialog import print_paper
        svc = _service(self.app)
        print_paper(self.app, "一事一档", lambda: print_decision_file(svc, self.record))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
