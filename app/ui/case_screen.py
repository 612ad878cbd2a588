"""事项详情: one case — status, 首接责任人, deadline (red when overdue), the village's own
words when it was reported up (first, for the town), 催办 so far, the timeline of steps
(who, when, at which level, what), rejected events shown as such, and only the actions the
declaration allows at this station's level, each with a small form: the everyday ones too
(修改信息, 补齐材料, 撤件, 催办; app.services.casework), with 常用语 above the text boxes and
the 转办 summary started from the village's words.

Which buttons: Desk.actions (the gate of the case's declaration decides); the forms are
app.ui.case_forms on the shared action panel (app.ui.action_panel). Saving an action:
Desk.act / escalate / forward / correct / …, which check again and write one event or
nothing."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from app.domain import case_deadline, mask_id_number, overdue_alerts
from app.domain.service.state import LEVEL_NAMES
from app.services.directory import cadre_names, node_names
from app.services.errors import ServiceError
from app.services.printing import docs_available, print_letter, print_notice, print_receipt
from app.ui.case_forms import ACTION_LABELS, CaseForms
from app.ui.print_dialog import print_paper
from app.ui.style import GREEN_HEX
from app.ui.timeline import fill_timeline
from app.ui.widgets import BigButton, Body, Card, Heading, Page, Small, esc, red


class CaseActionButton(BigButton):
    """An action on the case: three to a row on a tablet, two on a phone."""


class CaseScreen(CaseForms, Page):
    record = StringProperty("")
    action = StringProperty("")
    can_print = BooleanProperty(False)

    def show(self, record: str = "", **params) -> None:
        self.can_print = docs_available()
        super().show(record, **params)

    # reading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        app = self.app
        try:
            state = app.desk.case(self.record)
        except ServiceError as exc:
            self.ids.title.text = "找不到这件事"
            self.ids.status.text = red(esc(exc.message))
            for key in ("facts", "actions", "timeline"):
                self.ids[key].clear_widgets()
            return
        self.state = state
        self._names, self._nodes = cadre_names(app.conn), node_names(app.conn)
        f = state.fields
        self.ids.title.text = esc(state.matter_name or f.get("summary") or "群众事项")
        rules = app.rules
        soon = int(rules.config.value("service.due_soon_working_days"))
        deadline = case_deadline(state, app.today(), rules.calendar, soon)
        status = f"[b]{esc(state.status_name)}[/b]"
        if deadline is not None:
            late = deadline.state in ("overdue", "due_soon", "closed_late")
            status += "　" + (red(esc(deadline.label)) if late else esc(deadline.label))
        if state.rejected or state.review_items:
            problems = [f"{len(state.rejected)} 步操作未生效" if state.rejected else "",
                        f"{len(state.review_items)} 处内容需要核对" if state.review_items else ""]
            status += "\n" + red("有" + "、".join(p for p in problems if p) + "，见下面的办理过程")
        self.ids.status.text = status
        self._facts(state, deadline)
        self._actions(state)
        self._timeline(state)

    def _facts(self, state, deadline) -> None:
        f, box = state.fields, self.ids.facts
        box.clear_widgets()
        self._village_words(state, box)
        self._notice(state, box)
        officer = state.first_officer or {}
        where = LEVEL_NAMES.get(state.level or "", "")
        if state.level == "county" and state.letter:
            where = str(state.letter.get("department") or where)
        if state.assignee and state.assignee.get("name"):
            where += f" · 承办人 {state.assignee['name']}"
        lines = [
            ("回执编号", state.receipt_no or ""),
            ("申请人", " ".join(str(x) for x in (f.get("applicant.name"), f.get("applicant.sex"))
                               if x)),
            ("联系电话", f.get("applicant.phone") or ""),
            ("身份证号", mask_id_number(str(f["applicant.id_number"]))
             if f.get("applicant.id_number") else ""),
            ("村民组/住址", " ".join(str(f[k]) for k in ("applicant.group", "applicant.address")
                                   if f.get(k))),
            ("首接责任人", f"{officer.get('name', '')}（{officer.get('post', '')}）"
             if officer else ""),
            ("现在由谁办", where),
            ("本环节负责人", (state.step_leader or {}).get("name", "")
             if state.status in ("escalated", "forwarded") else ""),
            ("受理站点", self._nodes.get(state.accepting_node or "", "") or ""),
            ("办理方式", state.mode or ""),
            ("受理日期", state.accepted_on.isoformat() if state.accepted_on else ""),
            ("承诺办结", (deadline.due.isoformat() if deadline else "") +
             ("（暂定）" if deadline and deadline.provisional else "")),
            ("群众诉求", f.get("summary") or ""),
        ]
        if state.withdrawal:
            lines.append(("撤件", f"{state.withdrawal.get('kind', '')}：{state.withdrawal.get('reason', '')}"))
        if state.urges:
            last = state.urges[-1]
            on = str(last.get("on") or "")
            when = f"{int(on[5:7])}月{int(on[8:10])}日" if len(on) == 10 else ""
            text = f"已催办 {len(state.urges)} 次，最近 {when}：{esc(last['note'])}"
            lines.append(("催办", red(text) if state.level == self.app.level else esc(text)))
        if state.reply:
            lines.append(("县直部门答复", state.reply.get("reply", "")))
        if state.result:
            lines.append(("办理结果", state.result))
        if state.rating:
            level = state.rating.get("level", "")
            reason = state.rating.get("reason")
            text = level + (f"（{reason}）" if reason else "")
            lines.append(("群众评价", red(esc(text)) if state.dissatisfied else text))
        for label, value in lines:
            if value:
                shown = value if value.startswith("[color") else esc(value)
                box.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{shown}"))
        alerts = overdue_alerts(state, self.app.today(), self.app.rules.calendar,
                                str(self.app.rules.config.value("service.overdue_notify_role")))
        for alert in alerts:
            box.add_widget(Body(text=red(esc(alert.message))))

    def _village_words(self, state, box) -> None:
        """What the village wrote when it reported the matter up, at the top: the town
        reads it first and starts its 转办函 from it (issue #8 §3)."""
        words = state.escalation
        if not words:
            return
        card = Card(tone="white")
        village = self._nodes.get(words.get("origin") or "", "") or "村里"
        who = self._names.get(words.get("author") or "", "") or (words.get("agent") or {}).get(
            "name", "")
        on = str(words.get("on") or "")
        card.add_widget(Heading(text=f"{esc(village)}上报时写的"))
        card.add_widget(Body(text=esc(words.get("summary", ""))))
        card.add_widget(Small(text=f"{esc(who)} · {on[5:7].lstrip('0')}月{on[8:].lstrip('0')}日上报"
                                   if on else esc(who)))
        box.add_widget(card)

    def _notice(self, state, box) -> None:
        """The one-time notice (一次性告知单) as it stands: red while materials are missing,
        green once 补齐材料 has brought them all (issue #8 §3)."""
        missing = state.missing_materials
        if missing:
            card = Card(tone="red")
            card.add_widget(Heading(text=red(f"一次性告知：还缺 {len(missing)} 份材料")))
            card.add_widget(Body(text="、".join(esc(m) for m in missing)))
            if self.app.level == state.accepting_level:
                card.add_widget(Small(text="群众补齐后，点“补齐材料”勾上送来的材料。"))
            box.add_widget(card)
        elif state.materials_complete_on:
            day = state.materials_complete_on
            card = Card(tone="green")
            card.add_widget(Heading(text=f"[color={GREEN_HEX}]一次性告知：材料已齐全[/color]"))
            card.add_widget(Small(text=f"{day.month}月{day.day}日补齐；告知单可以重新打印。"))
            box.add_widget(card)

    def _actions(self, state) -> None:
        box = self.ids.actions
        box.clear_widgets()
        allowed = self.app.desk.actions(state)
        self.add_action_buttons([kind for kind, _ in allowed], CaseActionButton,
                                lambda kind: "danger" if kind in (
                                    "svc.returned", "svc.reopened", "svc.withdrawn")
                                else "primary")
        if self.can_print and state.receipt_no:
            for text, handler in (("打印受理回执", self.print_receipt),
                                  ("打印告知单", self.print_notice)):
                button = CaseActionButton(text=text, kind="plain")
                button.bind(on_release=lambda _b, h=handler: h())
                box.add_widget(button)
            if state.letter:
                button = CaseActionButton(text="打印转办函", kind="plain")
                button.bind(on_release=lambda _b: self.print_letter())
                box.add_widget(button)
        where = LEVEL_NAMES.get(state.level or "", "")
        if state.level and state.level != self.app.level:
            self.ids.no_actions.text = (f"这件事现在由{where}办理，同步后会看到最新进度。"
                                        + ("本站还可以做上面这些事。" if allowed else ""))
        else:
            self.ids.no_actions.text = "" if allowed else "这件事已经办完，没有可做的操作。"

    def _timeline(self, state) -> None:
        fill_timeline(self.ids.timeline, state, self._names, self._nodes, ACTION_LABELS, LEVEL_NAMES)

    # printing ---------------------------------------------------------------------------------------
    def print_receipt(self) -> None:
        self._print(print_receipt, "受理回执")

    def print_notice(self) -> None:
        self._print(print_notice, "一次性告知单")

    def print_letter(self) -> None:
        self._print(print_letter, "转办函")

    def _print(self, make, what: str) -> None:
        print_paper(self.app, what, lambda: make(self.app.desk, self.record))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
