"""The matter's timeline and 退回上一步 (issue #12 §3: "a step that fails is recorded as
failed, never quietly passed; the matter can go back a step").

* ``timeline(box, view)``: every record of the matter in order — each step record with
  its date and verdict (已通过 / 未通过 / 记录不完整 / 不予登记 / 已退回), and each 退回 with
  the step it reopened and the reason given.
* ``BackPanel``: the 退回上一步 button; a tap opens the confirmation — what going back
  does, a reason (required), 确认退回 / 取消 — and only 确认退回 writes
  (``VillageDecisions.step_back``).
"""
from __future__ import annotations

from typing import Any, Callable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from app.domain.decisions.procedure import BACK, FAILED, INCOMPLETE, REFUSED, WITHDRAWN
from app.services.errors import ServiceError
from app.ui import style
from app.ui.widgets import BigButton, Body, ErrorText, Field, Small, esc, red

# marks the bundled fonts draw (no ✗ or ↩ in Sanji Sans)
MARKS = {BACK: "←", FAILED: "×", INCOMPLETE: "…", REFUSED: "×", WITHDRAWN: "○"}


def _day(record: dict[str, Any]) -> str:
    return str(record.get("on") or (record.get("fields") or {}).get("date") or "")


def timeline(box: Any, view: Any) -> None:
    """办理记录: one line per outcome of the matter's history, oldest first."""
    box.clear_widgets()
    records = {str(r["id"]): r for r in view.matter.records}
    labels = {s.code: s.label for s in view.matter.step_list}
    if not view.state.history:
        box.add_widget(Small(text="还没有办理记录。"))
        return
    for item in view.state.history:
        record = records.get(item.record, {})
        label = labels.get(item.step, item.step)
        mark = MARKS.get(item.status, "✓")
        if item.status == BACK:
            text = (f"{mark} {esc(_day(record))} 退回到“{esc(label)}”"
                    f"（{esc((record.get('officer') or {}).get('name', ''))}）："
                    + red("原因：" + esc(item.message)))
        else:
            text = f"{mark} {esc(_day(record))} {esc(label)}：{esc(item.status)}"
            if item.status in (FAILED, INCOMPLETE, REFUSED) and item.message:
                text += "\n" + red(esc(item.message.splitlines()[0]))
        box.add_widget(Body(text=text))


class BackPanel(BoxLayout):
    """退回上一步 with its confirmation; ``on_done(message)`` after a 退回 is saved."""

    def __init__(self, service: Any, user: Any, record: str, target: Any, current_label: str,
                 on_done: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=dp(8), **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.service, self.user, self.record, self.target = service, user, record, target
        self.current_label, self.on_done = current_label, on_done
        self.reason: Field | None = None
        self.confirm_button: BigButton | None = None
        self.error = ErrorText(text="")
        self.closed()

    def closed(self) -> None:
        self.clear_widgets()
        self.reason = None
        button = BigButton(text=f"退回上一步（{self.target.label}）", kind="light")
        button.bind(on_release=lambda _b: self.opened())
        self.add_widget(button)

    def opened(self) -> None:
        self.clear_widgets()
        now = f"“{self.current_label}”及以后" if self.current_label else "办结状态"
        self.add_widget(Small(
            text=f"退回后，“{esc(self.target.label)}”要重新办理（{esc(now)}的步骤也要重新办理）。"
                 "已通过的记录标为“已退回”，但都留在一事一档里。", color=style.TEXT))
        self.reason = Field(label="退回的原因（必填）", multiline=True, lines=2)
        self.add_widget(self.reason)
        row = BoxLayout(size_hint_y=None, height=dp(style.TOUCH), spacing=dp(style.GAP))
        confirm = self.confirm_button = BigButton(text="确认退回")
        confirm.bind(on_release=lambda _b: self.confirm())
        cancel = BigButton(text="取消", kind="light")
        cancel.bind(on_release=lambda _b: self.closed())
        row.add_widget(confirm)
        row.add_widget(cancel)
        self.add_widget(row)
        self.error.text = ""
        self.add_widget(self.error)

    def confirm(self) -> None:
        reason = self.reason.text.strip() if self.reason is not None else ""
        if not reason:
            self.error.text = "请写明退回的原因（例如：党员大会的记录有误，需要重新召开），再点“确认退回”"
            return
        try:
            self.service.step_back(self.user, self.record,
                                   back_to=self.target.code, reason=reason)
        except ServiceError as exc:
            self.error.text = exc.message
            return
        self.on_done(f"已退回到“{self.target.label}”，请重新办理这一步。")
