"""The steps of a record screen (a case, a dispute, a petition): one button per step the
record's service allows here and now (``Workflow.actions``: the gate of the workflow's
declaration decides), the small form behind it (``app.ui.forms.Form``, built from the
screen's spec), and saving it — a missing field, or the service's refusal (ServiceError,
in Chinese), shows under the form and nothing is written.

A screen mixes ``ActionPanel`` in before ``Page`` and declares ``FORMS`` (event type ->
form spec), ``LABELS`` (button labels), ``DONE`` (what to say after saving) and
``_options``, ``_default`` and ``_apply``.  Its kv has the ids ``actions``, ``form_slot``,
``form_title``, ``form_fields``, ``form_ok``, ``form_error`` and ``scroll``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp

from app.domain.errors import DomainError
from app.services.errors import ServiceError
from app.ui.forms import Builder_, Form, Spec


class ActionPanel:
    FORMS: Mapping[str, Spec] = {}
    LABELS: Mapping[str, str] = {}
    DONE: Mapping[str, str] = {}
    long_lines = 3  # lines of a "long" field
    ids: Any
    app: Any
    action: str
    record: str

    def show(self, record: str = "", **_params: Any) -> None:
        if record:
            self.record = record
        self.action = ""
        self.refresh()  # type: ignore[attr-defined]  # the screen's
        self.ids.scroll.scroll_y = 1

    # the buttons ------------------------------------------------------------------------
    def add_action_buttons(self, kinds: Iterable[str], button: Callable[..., Any],
                           tone: Callable[[str], str]) -> None:
        """One ``button(text=, kind=tone(kind))`` per step, opening its form."""
        for kind in kinds:
            widget = button(text=self.LABELS[kind], kind=tone(kind))
            widget.action = kind
            widget.bind(on_release=lambda b: self.open_form(b.action))
            self.ids.actions.add_widget(widget)

    # the form ---------------------------------------------------------------------------
    def open_form(self, kind: str) -> None:
        self.action = kind
        self.ids.form_title.text = self.form_title(kind)
        self.ids.form_error.text = ""
        self._form = Form(self.ids.form_fields, self.form_spec(kind), self._options,
                          self._default, self._clear_error, app=self.app,
                          custom=self.custom_inputs(), long_lines=self.long_lines,
                          phrases=self.phrases)
        Clock.schedule_once(self._scroll_to_form, 0.05)

    def form_spec(self, kind: str) -> Spec:
        """The form of ``kind`` (a screen may build one from the record, e.g. 修改信息)."""
        return self.FORMS[kind]

    def phrases(self, key: str) -> list[str]:
        """常用语 above the text box ``key`` of the open form (none by default)."""
        return []

    def form_title(self, kind: str) -> str:
        return self.LABELS[kind]

    def custom_inputs(self) -> Mapping[str, Builder_]:
        return {}

    @property
    def _inputs(self) -> dict[str, object]:
        return self._form.inputs

    def value(self, key: str) -> str:
        return self._form.value(key)

    def _scroll_to_form(self, _dt: float) -> None:
        if self.action:   # on a phone the form is below the record's facts: bring it up
            self.ids.scroll.scroll_to(self.ids.form_slot, padding=dp(16), animate=False)

    def _clear_error(self, *_args: Any) -> None:
        self.ids.form_error.text = ""

    def cancel(self) -> None:
        self.action = ""

    def submit(self) -> None:
        kind = self.action
        missing = self._form.missing()
        if missing:
            self.ids.form_error.text = "请填写：" + "、".join(missing)
            return
        try:
            self._apply(kind)
        except (ServiceError, DomainError) as exc:
            self.ids.form_error.text = exc.message
            return
        self.action = ""
        self.after_save(kind)
        self.app.refresh_status()
        self.refresh()  # type: ignore[attr-defined]  # the screen's
        self.ids.scroll.scroll_y = 1

    def after_save(self, kind: str) -> None:
        self.app.say(self.DONE.get(kind, f"已登记“{self.LABELS[kind]}”。"))

    # the screen's part ------------------------------------------------------------------
    def _options(self, name: str) -> list[str]:
        raise NotImplementedError

    def _default(self, key: str) -> str:
        return ""

    def _apply(self, kind: str) -> None:
        raise NotImplementedError
