"""Chinese line breaking in every Kivy label and button (issue #8 §3: lines began with "。"
or "）").

Kivy breaks a run of Chinese wherever the width runs out, with no rule about punctuation.
After Kivy lays a label out, we read the lines it made; where one breaks the rules
(app.linebreak: no closing punctuation at a line's start, no opening one at its end) a
hard break is put earlier in the text given to the layout, and the label is laid out
again — only the drawn text changes, never the widget's ``text``. Installed once for the
``Label`` class (``Button`` and every label of the app derive from it), so screens need
nothing of their own.
"""
from __future__ import annotations

from kivy.core.text.markup import MarkupLabel
from kivy.uix.label import Label

from app.linebreak import first_fix, insert_break, plain_text

MAX_FIXES = 12      # per layout; each fix moves one break, a label has few lines
_original = Label.texture_update


def _lines(core) -> list[tuple[str, bool]]:
    return [("".join(word.text for word in line.words), bool(line.is_last_line))
            for line in core._cached_lines]


def texture_update(self: Label, *largs) -> None:
    if not isinstance(self._label, MarkupLabel):
        self._label.text = self.text          # drop the breaks of an earlier layout
    _original(self, *largs)
    core = self._label
    if self.text_size[0] is None or self.shorten or not self.texture_size[0]:
        return
    markup = isinstance(core, MarkupLabel)
    changed = False
    for _ in range(MAX_FIXES):
        source = core.text
        at = first_fix(plain_text(source) if markup else source, _lines(core))
        if at is None:
            break
        core.text = insert_break(source, at, markup)
        core.refresh()
        changed = True
    if changed and core.texture is not None:
        if markup:
            core.texture.bind()
            self.refs, self.anchors = core.refs, core.anchors
        self.texture = core.texture
        self.texture_size = list(core.texture.size)


def install() -> None:
    """Apply the rules to every Label (idempotent)."""
    if Label.texture_update is not texture_update:
        Label.texture_update = texture_update
