"""The small forms behind a case's action buttons (CaseScreen's part of the shared action
panel, app.ui.action_panel): one spec per action (FORMS; 修改信息 lists the correctable
fields filled with what the case says now), 常用语 above the text boxes (PHRASES,
service.quick_phrases), the 转办 summary started from the village's words, and saving
through the Desk — which checks again and writes one event or nothing (app.services.desk,
app.services.casework)."""
from __future__ import annotations

from datetime import date

from typing import Any

from app.domain.config import quick_phrases, rating_payload, satisfaction_choices
from app.domain.service.flow import SERVICE_CASE
from app.domain.service.state import PLAIN_FIELDS, WITHDRAW_KINDS
from app.services.casework import CORRECTABLE, URGE_METHODS
from app.services.directory import station_cadres
from app.services.errors import ServiceError
from app.ui import style
from app.ui.action_panel import ActionPanel
from app.ui.forms import Builder_, Spec
from app.ui.widgets import CheckRow, Small, esc

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
    "svc.materials_supplied": [("materials", "群众这次补交的材料（打勾）", "check:missing", True),
                               ("note", "说明（选填）", "text", False)],
    "svc.urged": [("method", "怎么催的", "choice:urge_methods", True),
                  ("note", "催办内容（催问什么、请什么时候答复）", "long", True)],
    "svc.withdrawn": [("reason_kind", "撤件原因", "choice:withdraw_kinds", True),
                      ("reason", "写明理由（要告诉群众）", "long", True)],
    # 修改信息: the correctable fields, filled with what the case says now (CaseScreen._spec).
    "svc.updated": [("reason", "修改原因", "long", True)],
}
# Which 常用语 (service.quick_phrases) go above which text box.
PHRASES = {("svc.done_at_once", "result"): "done_at_once", ("svc.closed", "result"): "result",
           ("svc.closed", "reason"): "refuse", ("svc.escalated", "summary"): "escalate",
           ("svc.replied", "reply"): "reply", ("svc.returned", "reason"): "return",
           ("svc.extended", "reason"): "extend", ("svc.fed_back", "note"): "feedback",
           ("svc.urged", "note"): "urge", ("svc.withdrawn", "reason"): "withdraw",
           ("svc.updated", "reason"): "correct", ("svc.revisited", "note"): "feedback"}
# 修改信息 fields shown as a choice instead of a text box.
CHOICE_FIELDS = {"applicant.sex": "sexes"}
DONE_MESSAGES = {"svc.escalated": "已上报镇，同步后镇里就能看到。",
                 "svc.forwarded": "已转办，转办函可以打印。", "svc.replied": "已回复，同步后镇里就能看到。",
                 "svc.returned": "已退回，同步后下级就能看到。",
                 "svc.updated": "已修改，改前改后都记在办理过程里。",
                 "svc.withdrawn": "已撤件，这件事不再计算办理时限。",
                 "svc.urged": "已催办，同步后对方就能看到。"}



class _Ticked:
    """The 补齐材料 check rows: ``text`` is the ticked materials, one per line."""

    def __init__(self, rows: list[CheckRow]) -> None:
        self.rows = rows

    @property
    def text(self) -> str:
        return "\n".join(row.material for row in self.rows if row.active)


class CaseForms(ActionPanel):
    """CaseScreen's forms on the action panel: needs ``app``, ``state``, ``record``,
    ``ids``, ``action`` and ``refresh``."""
    FORMS, LABELS, DONE = FORMS, ACTION_LABELS, DONE_MESSAGES
    state: Any

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
        if key == "urge_methods":
            return list(URGE_METHODS)
        if key == "withdraw_kinds":
            return list(WITHDRAW_KINDS)
        if key == "sexes":
            return ["男", "女"]
        return METHODS

    def form_spec(self, kind: str) -> Spec:
        """The form of ``kind``; 修改信息 lists the correctable fields first."""
        if kind != "svc.updated":
            return FORMS[kind]
        fields = [(name, PLAIN_FIELDS[name],
                   f"choice:{CHOICE_FIELDS[name]}" if name in CHOICE_FIELDS else
                   "long" if name == "summary" else "text",
                   name in ("applicant.name", "applicant.phone", "summary"))
                  for name in CORRECTABLE]
        return fields + FORMS[kind]

    def phrases(self, key: str) -> list[str]:
        return quick_phrases(self.app.rules.config, PHRASES.get((self.action, key), ""))

    def custom_inputs(self) -> dict[str, Builder_]:
        return {"check:missing": self._missing_rows}

    def _missing_rows(self, box: Any, label: str, on_change: Any) -> _Ticked:
        box.add_widget(Small(text=label, color=style.TEXT))
        rows = []
        for material in self.state.missing_materials:
            row = CheckRow(text=esc(material))
            row.material = material
            row.bind(active=on_change)
            box.add_widget(row)
            rows.append(row)
        return _Ticked(rows)

    def _default(self, key: str) -> str:
        """What a form's box holds when it opens."""
        kind, state = self.action, self.state
        if kind == "svc.updated" and key in PLAIN_FIELDS:
            return str(state.fields.get(key) or "")
        if kind == "svc.replied" and key == "department" and state.letter:
            return str(state.letter.get("department", ""))
        if kind == "svc.forwarded" and key == "summary":
            return self.app.desk.forward_draft(self.record)
        if kind == "svc.urged" and key == "method":
            return "电话"
        return ""

    def after_save(self, kind: str) -> None:
        if kind != "svc.materials_supplied":
            super().after_save(kind)
            return
        left = self.app.desk.case(self.record).missing_materials
        self.app.say(f"已登记补交的材料，还缺：{'、'.join(left)}。" if left else
                     "材料已齐全，一次性告知单可以重新打印。")

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
        if kind == "svc.updated":
            changes = {name: self.value(name) for name in CORRECTABLE}
            if desk.correct(user, record, changes, v("reason")) is None:
                raise ServiceError("没有改动任何内容；要改的地方改好后再点“确定”。")
            return
        if kind == "svc.materials_supplied":
            desk.supply_materials(user, record, v("materials").splitlines(), v("note"))
            return
        if kind == "svc.withdrawn":
            desk.withdraw(user, record, v("reason_kind"), v("reason"))
            return
        if kind == "svc.urged":
            desk.urge(user, record, v("note"), v("method") or "电话")
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
            payload = {key: v(key) for key, *_ in self.form_spec(kind) if v(key)}
        desk.act(user, record, kind, payload)
