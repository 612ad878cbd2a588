"""来访详情: one visit with everything the register holds, what it has become (a case, a
dispute, a petition — tap to open), and the ways on: 转为办事受理, 转为矛盾纠纷, 转为信访事项
(the intake form opens filled with the visit's words: issue #8 §3, no retyping) and 修改信息
(the change and its reason kept, app.services.frontdesk.amend_visit).

Only the station that logged the visit turns it into a record; each kind once. Nothing is
hidden on this screen: what is not offered is not built."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from app.domain.config import quick_phrases
from app.services.errors import ServiceError
from app.services.frontdesk import CONVERSIONS, amend_visit, visit
from app.ui.phrases import add_with_phrases
from app.ui.widgets import BigButton, Body, ChoiceRow, Field, ListRow, Page, Small, esc, red

FIELDS = (("name", "来访人"), ("sex", "性别"), ("age", "年龄"), ("phone", "联系电话"),
          ("address", "住址（村民组）"), ("visited_at", "来访时间"), ("place", "地点"),
          ("matter", "来访事由"), ("officer", "接待人"), ("opinion", "处理意见"),
          ("result", "处理结果"), ("remark", "备注"))
EDITABLE = ("name", "sex", "age", "phone", "address", "matter", "opinion", "result", "remark")
TARGETS = {"svc_case": ("case", "转为办事受理", "intake"),
           "dispute": ("dispute", "转为矛盾纠纷", "dispute_intake"),
           "petition": ("petition", "转为信访事项", "petition_intake")}


class VisitDetailScreen(Page):
    record = StringProperty("")
    editing = BooleanProperty(False)

    def show(self, record: str = "", **_params) -> None:
        if record:
            self.record = record
        self.editing = False
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        ids = self.ids
        for key in ("facts", "converted", "actions", "editor"):
            ids[key].clear_widgets()
        ids.error.text = ""
        try:
            self.row = visit(self.app.conn, self.record)
        except ServiceError as exc:
            ids.title.text = "找不到这条来访"
            ids.facts.add_widget(Body(text=red(esc(exc.message))))
            return
        row = self.row
        ids.title.text = f"来访：{esc(row['name'])}"
        for key, label in FIELDS:
            if row.get(key) not in (None, ""):
                ids.facts.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(row[key])}"))
        own = row["origin"] == self.app.station.node_id
        done = {item["kind"] for item in row["converted"]}
        for item in row["converted"]:
            target = TARGETS[item["kind"]][0]
            ids.converted.add_widget(ListRow(
                title=f"已转为{CONVERSIONS[item['kind']]}", detail=esc(
                    f"{item['label']} · {item['on']} · 点这里打开"),
                record=item["record"], target=target))
        if not own:
            ids.actions.add_widget(Small(text="这条来访是别的站点登记的，转办和修改请由登记的站点办理。"))
            return
        for kind, (_target, label, screen) in TARGETS.items():
            if kind in done:
                continue
            button = BigButton(text=label)
            button.bind(on_release=lambda _b, s=screen: self.app.go(s, from_visit=self.record))
            ids.actions.add_widget(button)
        edit = BigButton(text="修改信息", kind="plain")
        edit.bind(on_release=lambda _b: self.open_editor())
        ids.actions.add_widget(edit)

    # 修改信息 ------------------------------------------------------------------------------
    def open_editor(self) -> None:
        box, row = self.ids.editor, self.row
        box.clear_widgets()
        self.inputs: dict[str, object] = {}
        for key, label in FIELDS:
            if key not in EDITABLE:
                continue
            if key == "sex":
                box.add_widget(Small(text=label, color=(0.11, 0.11, 0.13, 1)))
                widget = ChoiceRow(options=["男", "女"])
                widget.value = str(row.get(key) or "")
            else:
                widget = Field(label=label, text=str(row.get(key) or ""),
                               multiline=key in ("matter", "opinion", "result"),
                               lines=2 if key in ("matter", "opinion", "result") else 1)
            box.add_widget(widget)
            self.inputs[key] = widget
        reason = Field(label="修改原因（必填）", multiline=True, lines=2)
        add_with_phrases(box, reason, quick_phrases(self.app.rules.config, "correct"))
        self.inputs["reason"] = reason
        for text, kind, handler in (("保存修改", "primary", self.save_edit),
                                    ("取消", "plain", self.refresh)):
            button = BigButton(text=text, kind=kind)
            button.bind(on_release=lambda _b, h=handler: h())
            box.add_widget(button)
        self.editing = True

    def _value(self, key: str) -> str:
        widget = self.inputs[key]
        return (widget.value if isinstance(widget, ChoiceRow) else widget.text).strip()

    def save_edit(self) -> None:
        app = self.app
        changes = {key: self._value(key) for key in EDITABLE}
        try:
            done = amend_visit(app.station.store, app.user, self.record, changes,
                               self._value("reason"), app.now())
        except ServiceError as exc:
            self.ids.error.text = "还不能保存：" + "；".join(exc.problems)
            return
        app.say("已修改来访信息。" if done else "没有改动任何内容。")
        app.refresh_status()
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
