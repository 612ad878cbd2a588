"""事项详情: one case — status, 首接责任人, deadline (red when overdue), the timeline of
steps (who, when, at which level, what), rejected events shown as such, and only the
actions the declaration allows at this station's level, each with a small form.

Which buttons: Desk.actions (the gate of the case's declaration decides); the form and
saving are the shared action panel (app.ui.action_panel). Saving an action: Desk.act /
escalate / forward, which check again and write one event or nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from app.domain import case_deadline, mask_id_number, overdue_alerts
from app.domain.config import rating_payload, satisfaction_choices
from app.domain.service.flow import SERVICE_CASE
from app.domain.service.state import LEVEL_NAMES
from app.services.directory import cadre_names, node_names, station_cadres
from app.services.errors import ServiceError
from app.services.printing import docs_available, print_letter, print_notice, print_receipt
from app.ui.action_panel import ActionPanel
from app.ui.print_dialog import print_paper
from app.ui.timeline import fill_timeline
from app.ui.widgets import BigButton, Body, Page, esc, red

ACTION_LABELS = SERVICE_CASE.labels
METHODS = ["当面", "电话", "短信", "上门", "其他"]
OUTCOMES = {"已解决，办结": "resolved", "不予办理（写明理由）": "refused"}

# The small form behind each action: (key, label, kind, required); kind is "text",
# "long" (several lines), "choice:<options key>" or "date".
FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "svc.started": [("note", "说明（选填）", "text", False)],
    "svc.done_at_once": [("result", "办理结果", "long", True)],
    "svc.escalated": [("summary", "需要镇里解决的问题", "long", True)],
    "svc.assigned": [("assignee", "交给谁办（承办人）", "choice:cadres", True),
                     ("note", "交办意见（选填）", "text", False)],
    "svc.forwarded": [("department", "转给哪个县直部门", "choice:departments", True),
                      ("summary", "反映事项摘要（写进转办函）", "long", True)],
    "svc.replied": [("reply", "答复内容", "long", True),
                    ("department", "答复部门", "text", False)],
    "svc.returned": [("reason", "退回理由（下级据此补正）", "long", True)],
    "svc.extended": [("new_due", "延期到（年-月-日）", "date", True),
                     ("reason", "延期理由（要告知群众）", "long", True)],
    "svc.closed": [("outcome", "办理结论", "choice:outcomes", True),
                   ("result", "办理结果", "long", True),
                   ("reason", "不予办理的理由（选“不予办理”时必填）", "text", False)],
    "svc.fed_back": [("method", "怎么告诉群众的", "choice:methods", True),
                     ("note", "说明（选填）", "text", False)],
    "svc.rated": [("level", "群众评价", "choice:ratings", True),
                  ("reason", "不满意的原因（选“不满意”时必填）", "text", False)],
    "svc.revisited": [("method", "回访方式", "choice:methods", True),
                      ("note", "回访情况", "text", False)],
    "svc.reopened": [("reason", "重新办理的原因（群众不满意的地方）", "long", True)],
}
DONE_MESSAGES = {"svc.escalated": "已上报镇，同步后镇里就能看到。",
                 "svc.forwarded": "已转办，转办函可以打印。", "svc.replied": "已回复，同步后镇里就能看到。",
                 "svc.returned": "已退回，同步后下级就能看到。"}


class CaseActionButton(BigButton):
    """An action on the case: three to a row on a tablet, two on a phone."""


class CaseScreen(ActionPanel, Page):
    FORMS, LABELS, DONE = FORMS, ACTION_LABELS, DONE_MESSAGES
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
        missing = f.get("materials_missing") or []
        if missing:
            lines.append(("还缺材料", red("、".join(esc(m) for m in missing))))
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

    def _actions(self, state) -> None:
        box = self.ids.actions
        box.clear_widgets()
        allowed = self.app.desk.actions(state)
        self.add_action_buttons([kind for kind, _ in allowed], CaseActionButton,
                                lambda kind: "danger" if kind in ("svc.returned", "svc.reopened")
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
        self.ids.no_actions.text = "" if allowed else (
            f"这件事现在由{where}办理，本站没有可做的操作；同步后会看到最新进度。"
            if state.level and state.level != self.app.level else "这件事已经办完，没有可做的操作。")

    def _timeline(self, state) -> None:
        fill_timeline(self.ids.timeline, state, self._names, self._nodes, ACTION_LABELS, LEVEL_NAMES)

    # acting ---------------------------------------------------------------------------------------
    def _options(self, key: str) -> list[str]:
        app = self.app
        if key == "cadres":
            return [c["name"] for c in station_cadres(app.conn, app.station.node_id)]
        if key == "departments":
            return [d["name"] for d in app.rules.catalog.doc["departments"].values()]
        if key == "outcomes":
            return list(OUTCOMES)
        if key == "ratings":
            return [level["label"] for level in satisfaction_choices(app.rules.config)]
        return METHODS

    def _default(self, key: str) -> str:
        if self.action == "svc.replied" and key == "department" and self.state.letter:
            return str(self.state.letter.get("department", ""))
        return ""

    def _apply(self, kind: str) -> None:
        app, desk, record, v = self.app, self.app.desk, self.record, self.value
        user = app.user
        if kind == "svc.escalated":
            desk.escalate(user, record, v("summary"))
            return
        if kind == "svc.forwarded":
            departments = app.rules.catalog.doc["departments"]
            key = next(k for k, d in departments.items() if d["name"] == v("department"))
            desk.forward(user, record, key, v("summary"))
            return
        payload: dict = {}
        if kind == "svc.rated":
            payload = rating_payload(app.rules.config, v("level"), v("reason"))
        elif kind == "svc.assigned":
            chosen = next((c for c in station_cadres(app.conn, app.station.node_id)
                           if c["name"] == v("assignee")), {"name": v("assignee")})
            payload = {"assignee": chosen}
            if v("note"):
                payload["note"] = v("note")
        elif kind == "svc.closed":
            payload = {"outcome": OUTCOMES[v("outcome")], "result": v("result")}
            if v("reason"):
                payload["reason"] = v("reason")
        elif kind == "svc.extended":
            try:
                date.fromisoformat(v("new_due"))
            except ValueError as exc:
                raise ServiceError("延期日期请写成 2026-12-31 这样（年-月-日）。") from exc
            payload = {"new_due": v("new_due"), "reason": v("reason")}
        elif kind == "svc.replied":
            payload = {"reply": v("reply"), "replier": {"id": user.id, "name": user.name,
                                                        "post": user.post}}
            if v("department"):
                payload["department"] = v("department")
        else:
            payload = {key: v(key) for key, *_ in self.FORMS[kind] if v(key)}
        desk.act(user, record, kind, payload)

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
