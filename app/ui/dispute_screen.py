"""一起矛盾纠纷: status, 激化风险, the mediation deadline (red when overdue), who holds it, the
parties, the mediation sessions with their 调解笔录 and attached photos, the timeline; and
only the steps Disputes.actions allows here and now, each with a small form — 认领包案
(town), 登记调解 (with a photo or scan of the signed paper), 调解成功 (the agreement
screen) or 口头协议 (人民调解法 Art 28), 调解不成 with the routes its type allows, 延长调解期限
with both sides' consent, 上报, 交办镇里 (county), and the later 司法确认 (warned when
applied for after its 30 days) and 回访.

Every write goes through app.services.disputes, which checks it again."""
from __future__ import annotations

import io
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from app.domain.dispute.agreement import is_oral
from app.domain.dispute.ledger import ledger_row
from app.domain.dispute.state import (
    CONFIRMATION_STATUSES, LEVEL_NAMES, PERFORMANCE, RISK_LEVELS)
from app.services.directory import cadre_names, node_names
from app.services.disputes import ACTION_LABELS, CONSENT_HOW, REVISIT_METHODS  # noqa: F401 (kv)
from app.services.errors import ServiceError
from app.services.photos import attachment_from_file
from app.services.printing import print_agreement
from app.services.workflow import Attachment
from app.ui import style
from app.ui.action_panel import ActionPanel
from app.ui.print_dialog import print_paper
from app.ui.timeline import fill_timeline
from app.ui.widgets import BigButton, Body, Card, Page, Small, esc, red

ORAL = "oral_agreement"   # 调解成功 without paper (人民调解法 Art 28, 30)
LABELS = {**ACTION_LABELS, ORAL: "口头协议"}
# The form behind each step (app.ui.forms.Form): (key, label, kind, required); kind is
# "text", "long", "date", "choice:<options>", "photo" (a photo or scan: camera or the
# Chinese picker) or "consents" (this screen's own: one row per side).
FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "dispute.taken": [("note", "认领说明（选填，例如由谁具体跟进）", "text", False)],
    "dispute.session": [("on", "调解日期（年-月-日）", "date", True),
                        ("mediators", "调解员（几个人用顿号隔开）", "text", True),
                        ("attendees", "参加人员（当事人和其他到场的人）", "text", False),
                        ("place", "调解地点", "text", False),
                        ("record_text", "调解笔录（双方说了什么、调解员怎么调、结果如何）",
                         "long", True),
                        ("file", "签字笔录的照片或扫描件（选填）", "photo", False)],
    "dispute.failed": [("reason", "调解不成的原因", "long", True),
                       ("referral", "引导到哪里解决", "choice:referrals", True),
                       ("unit", "具体单位（选填，例如县人民法院）", "text", False),
                       ("note", "说明（选填）", "text", False)],
    "dispute.extended": [("new_due", "延长到（年-月-日）", "date", True),
                         ("reason", "延长的理由", "long", True),
                         # checked on save: each side must have chosen how it agreed
                         ("consents", "双方当事人都同意延长（每一方选同意的方式）", "consents",
                          False)],
    "dispute.escalated": [("reason", "为什么要上报（超出本级能力、涉及多村等）", "long", True),
                          ("leader", "包案领导（选填）", "text", False)],
    "dispute.risk_changed": [("risk", "激化风险调整为", "choice:risks", True),
                             ("reason", "调整的理由", "text", True)],
    "dispute.confirmation": [("status", "司法确认情况", "choice:confirmation", True),
                             ("court", "人民法院（选填）", "text", False),
                             ("note", "说明（选填）", "text", False)],
    "dispute.revisited": [("performance", "协议履行情况", "choice:performance", True),
                          ("method", "回访方式", "choice:revisit", False),
                          ("note", "回访情况", "text", False)],
    "dispute.assigned": [("town", "交办给哪个镇的矛盾调处化解中心", "choice:towns", True),
                         ("reason", "交办要求（需要镇里解决的问题、报结果的方式）", "long", True),
                         ("report_by", "要求报告结果的日期（选填，年-月-日）", "date", False)],
    ORAL: [("content", "双方口头达成的协议内容", "long", True),
           ("how", "怎么履行（例如 当面付清、自行清理）", "text", True),
           ("due", "履行期限（年-月-日）", "date", True),
           ("recorded_by", "记录协议内容的人民调解员", "text", True),
           ("effective_on", "达成协议的日期（口头协议当天生效）", "date", True)],
}
DONE = {"dispute.taken": "已认领包案，镇里首页不再提醒这起纠纷。",
        "dispute.session": "已登记这次调解。",
        "dispute.failed": "已登记调解不成和去向。",
        "dispute.extended": "调解期限已延长（双方同意已记录）。",
        "dispute.escalated": "已上报，同步后上级就能看到。",
        "dispute.assigned": "已交办镇里，同步后镇矛盾调处化解中心就能看到。",
        ORAL: "已登记口头协议（调解成功），到履行期限时记得回访。"}
# Steps taken less often: grey buttons after the blue ones.
SECONDARY = ("dispute.extended", "dispute.risk_changed", "dispute.failed", "dispute.escalated")


class DisputeActionButton(BigButton):
    """A step on the dispute: three to a row on a tablet, two on a phone."""


class ConsentRow(BoxLayout):
    """One side's consent to the extension: the name and how they agreed."""
    name = StringProperty("")


class DisputeScreen(ActionPanel, Page):
    FORMS, LABELS, DONE = FORMS, LABELS, DONE
    long_lines = 4
    record = StringProperty("")
    action = StringProperty("")
    can_print = BooleanProperty(False)

    # reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        app = self.app
        try:
            state = app.disputes.dispute(self.record)
        except ServiceError as exc:
            self.ids.title.text = "找不到这起纠纷"
            self.ids.status.text = red(esc(exc.message))
            for key in ("facts", "actions", "sessions", "timeline"):
                self.ids[key].clear_widgets()
            return
        self.state = state
        self.row = ledger_row(state, app.today(), app.rules.calendar, app.disputes.dispute_rules)
        self._names, self._nodes = cadre_names(app.conn), node_names(app.conn)
        self.ids.title.text = (f"{esc('、'.join(state.party_names))} · "
                               f"{esc(state.dispute_type or '')}纠纷")
        self._status(state)
        self._facts(state)
        self._actions(state)
        self._sessions(state)
        self._timeline(state)

    def _status(self, state) -> None:
        row = self.row
        parts = [f"[b]{esc(state.status_name)}[/b]"]
        if row.deadline:
            parts.append(red(esc(row.deadline)) if row.overdue else esc(row.deadline))
        lines = ["　".join(parts)]
        risk = f"激化风险{esc(state.risk or '')}"
        if state.risk == "高":
            risk = red(risk + ("，还没有人认领包案" if row.alert else ""))
        if state.status in ("registered", "mediating", "escalated"):
            risk += "　初信初访" if state.first_time else "　" + red("重复反映")
        lines.append(risk)
        if state.agreement:   # what is owed on the agreement now: 司法确认, 回访
            owed = [part for part in row.result.split("；")[1:] + row.revisit.split("；")
                    if "还剩" in part or "到期" in part or "超期" in part]
            lines += [red(esc(o)) if "超期" in o or "即将" in o or "今天" in o else esc(o)
                      for o in owed]
            if is_oral(state.agreement):
                lines.append("口头协议（人民调解法第二十八、三十条）")
            warning = self.app.disputes.confirmation_warning(self.record)
            if warning:
                lines.append(red(esc(warning)))
        self.ids.status.text = "\n".join(lines)

    def _facts(self, state) -> None:
        box, row = self.ids.facts, self.row
        box.clear_widgets()
        officer = state.first_officer or {}
        parties = []
        for p in state.parties:
            extra = " ".join(x for x in (p.phone, p.address) if x)
            parties.append(f"{p.name}（{p.role}）" + (f" {extra}" if extra else ""))
        lines = [
            ("台账编号", state.ledger_no or ""),
            ("纠纷类型", state.dispute_type or ""),
            ("发生在", state.village),
            ("受理时间", (state.received_at or "").replace("T", " ")),
            ("首问负责人", f"{officer.get('name', '')}（{officer.get('post', '')}）"
             if officer.get("name") else ""),
            ("责任单位/人", row.responsible.replace("村村调解室", "村调解室")),
            ("包案领导", row.leader),
            ("当事人", "\n".join(parties)),
            ("简要情况", state.summary),
            ("纠纷来源", state.source or ""),
            ("化解方式", state.method),
            ("化解结果", row.result),
            ("引导去向", " ".join(str(x) for x in (
                (state.referral or {}).get("unit"), (state.referral or {}).get("note")) if x)),
            ("回访", row.revisit),
        ]
        for label, value in lines:
            if value:
                box.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        if state.links:
            box.add_widget(Body(text=f"[color=4d4f59]关联的以前记录：[/color]{len(state.links)} 件（"
                                     + esc("；".join(str(link.get('why', ''))
                                                    for link in state.links)) + "）"))

    def _actions(self, state) -> None:
        box = self.ids.actions
        box.clear_widgets()
        allowed = self.app.disputes.actions(state)
        if any(kind == "dispute.agreed" for kind, _ in allowed):
            at = [kind for kind, _ in allowed].index("dispute.agreed")
            allowed.insert(at + 1, (ORAL, LABELS[ORAL]))
        allowed.sort(key=lambda item: item[0] in SECONDARY)
        self.add_action_buttons([kind for kind, _ in allowed], DisputeActionButton,
                                lambda kind: "plain" if kind in SECONDARY else "primary")
        if state.agreement and not is_oral(state.agreement):
            button = DisputeActionButton(text="打印协议书", kind="plain")
            button.bind(on_release=lambda _b: self.print_agreement())
            box.add_widget(button)
        where = LEVEL_NAMES.get(state.level or "", "")
        if state.level == "village" and state.village:
            where = state.village + where.removeprefix("村")
        if allowed and state.level and state.level != self.app.level and state.status in (
                "registered", "mediating"):
            self.ids.no_actions.text = (f"这起纠纷由{where}调解，本级跟进督促；"
                                        "需要本级调处时，由下级上报。")
            return
        self.ids.no_actions.text = "" if allowed else (
            f"这起纠纷现在由{where}调处，本站没有可做的操作；同步后会看到最新进展。"
            if state.level and state.level != self.app.level and state.status != "performed"
            else "这起纠纷已经办完，没有可做的操作。")

    def _sessions(self, state) -> None:
        box = self.ids.sessions
        box.clear_widgets()
        self.ids.sessions_title.text = f"调解记录（{len(state.sessions)} 次）" if state.sessions \
            else ""
        for number, session in enumerate(state.sessions, 1):
            card = Card(tone="white", padding=["12dp", "8dp"], spacing="4dp")
            who = "、".join(session.mediators)
            came = "、".join(session.attendees)
            card.add_widget(Small(text=f"第{number}次 · {session.on.month}月{session.on.day}日 · "
                                       f"{esc(LEVEL_NAMES.get(session.level, ''))} · 调解员 {esc(who)}"
                                       + (f" · 参加 {esc(came)}" if came else "")))
            card.add_widget(Body(text=esc(session.record_text)))
            for ref in session.attachments:
                card.add_widget(self._attachment(ref))
            box.add_widget(card)

    def _attachment(self, ref) -> BoxLayout:
        """An attached photo as a thumbnail with its name (a PDF scan: just the name)."""
        mime = str(ref.get("mime", ""))
        name = esc(ref.get("name") or "附件")
        row = BoxLayout(size_hint_y=None, height=dp(40), spacing=dp(12))
        if mime.startswith("image/"):
            try:
                data = self.app.disputes.attachment(ref)
                texture = CoreImage(io.BytesIO(data), ext=mime.split("/", 1)[1].replace(
                    "jpeg", "jpg")).texture
            except Exception:   # not on this tablet yet, or not an image Kivy can read
                texture = None
            if texture is not None:
                row.height = dp(120)
                row.add_widget(Image(texture=texture, size_hint_x=None,
                                     width=dp(120) * texture.width / max(1, texture.height),
                                     fit_mode="contain"))
        what = "照片" if mime.startswith("image/") else "扫描件" if mime == "application/pdf" \
            else "附件"
        row.add_widget(Small(text=f"{what}：{name}", pos_hint={"center_y": 0.5}))
        return row

    def _timeline(self, state) -> None:
        fill_timeline(self.ids.timeline, state, self._names, self._nodes, ACTION_LABELS, LEVEL_NAMES)

    # acting ---------------------------------------------------------------------------------
    def _options(self, key: str) -> list[str]:
        if key == "referrals":
            return self.app.disputes.referral_choices(self.record)
        if key == "towns":
            return [t["name"] for t in self.app.disputes.towns()]
        if key == "risks":
            return [r for r in RISK_LEVELS if r != self.state.risk]
        if key == "confirmation":
            return list(CONFIRMATION_STATUSES)
        if key == "performance":
            return list(PERFORMANCE)
        return list(REVISIT_METHODS)

    def _default(self, key: str) -> str:
        app = self.app
        if key in ("on", "effective_on"):
            return app.today().isoformat()
        if key in ("mediators", "recorded_by") and app.user:
            return app.user.name
        if key == "place":
            return {"village": "村调解室", "town": "镇矛盾调处化解中心",
                    "county": "县矛盾纠纷调处中心"}.get(app.level, "")
        if key == "attendees":
            return "、".join(self.state.party_names)
        return ""

    def open_form(self, kind: str) -> None:
        if kind == "dispute.agreed":
            self.app.go("agreement", record=self.record)
            return
        self.ids.form_ok.text = "认领" if kind == "dispute.taken" else "保存"
        super().open_form(kind)

    def form_title(self, kind: str) -> str:
        return LABELS[kind] + ("（包案领导：您本人）" if kind == "dispute.taken" else "")

    def custom_inputs(self):
        return {"consents": self._consents}

    def _consents(self, box, label: str, on_change) -> list[ConsentRow]:
        """One row per side: its name and how it agreed (签字, 口头, 书面)."""
        box.add_widget(Small(text=label, color=style.TEXT))
        rows = []
        for name in self.state.consenting_parties:
            row = ConsentRow(name=name)
            row.ids.how.bind(value=on_change)
            box.add_widget(row)
            rows.append(row)
        return rows

    def after_save(self, kind: str) -> None:
        warning = (self.app.disputes.confirmation_warning(self.record)
                   if kind == "dispute.confirmation" else None)
        if warning:
            self.app.say("已登记司法确认情况。" + warning, error=True, seconds=15)
        else:
            super().after_save(kind)

    def _attachments(self) -> list[Attachment]:
        path = self.value("file")
        return [attachment_from_file(path)] if path else []

    def _apply(self, kind: str) -> None:
        app, v, record = self.app, self.value, self.record
        svc, user = app.disputes, app.user
        if kind == "dispute.taken":
            svc.take(user, record, note=v("note"))
        elif kind == "dispute.session":
            svc.add_session(user, record, mediators=v("mediators"), record_text=v("record_text"),
                            attendees=v("attendees"), place=v("place"),
                            attachments=self._attachments(), on=v("on"))
        elif kind == "dispute.failed":
            svc.record_failure(user, record, reason=v("reason"), referral_to=v("referral"),
                               unit=v("unit"), note=v("note"))
        elif kind == "dispute.extended":
            consents = [{"name": row.name, "how": row.ids.how.value}
                        for row in self._inputs["consents"]]
            waiting = [c["name"] for c in consents if not c["how"]]
            if waiting:
                raise ServiceError("延长调解期限要双方当事人都同意：请选择" + "、".join(waiting)
                                   + "同意的方式（签字、口头或书面）；不同意的，不能延长。")
            svc.extend(user, record, new_due=v("new_due"), reason=v("reason"), consents=consents)
        elif kind == "dispute.escalated":
            svc.escalate(user, record, v("reason"), leader=v("leader") or None)
        elif kind == "dispute.risk_changed":
            svc.change_risk(user, record, v("risk"), v("reason"))
        elif kind == "dispute.confirmation":
            svc.record_confirmation(user, record, v("status"), court=v("court"), note=v("note"))
        elif kind == "dispute.revisited":
            svc.revisit(user, record, v("performance"), method=v("method"), note=v("note"))
        elif kind == "dispute.assigned":
            svc.assign(user, record, town=v("town"), reason=v("reason"),
                       report_by=v("report_by") or None)
        elif kind == ORAL:
            svc.record_oral_agreement(user, record, terms=[{
                "content": v("content"), "how": v("how"), "due": v("due")}],
                recorded_by=v("recorded_by"), effective_on=v("effective_on"))

    # printing ---------------------------------------------------------------------------------
    def print_agreement(self) -> None:
        app = self.app
        print_paper(app, "调解协议书", lambda: print_agreement(app.disputes, app.rules, self.record))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
