"""The timeline of a workflow record (case, dispute): who did what, when, at which
level, and the steps that were kept but not applied (DESIGN.md "Conflicts": shown as
rejected, never dropped). One rendering for every detail screen."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.ui.widgets import Body, Card, Small, esc, red
from sync.hlc import wall_ms_of


def when(hlc: int, on: str | None = None) -> str:
    """When a step was done: its business date, with the time it was recorded that day
    (a step entered later, e.g. after the fact, says when it was entered)."""
    at = datetime.fromtimestamp(wall_ms_of(hlc) / 1000)
    recorded = f"{at.month}月{at.day}日 {at:%H:%M}"
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        day = None
    if day is None or day == at.date():
        return recorded
    return f"{day.month}月{day.day}日（{recorded} 录入）"


def fill_timeline(box: Any, state: Any, names: Mapping[str, str], nodes: Mapping[str, str],
                  labels: Mapping[str, str], level_names: Mapping[str, str]) -> None:
    """Replace ``box``'s children with the record's steps, rejected steps and review items."""
    box.clear_widgets()
    for step in state.steps:
        where = nodes.get(step.origin) or level_names.get(step.level, step.level)
        due = f"（承诺 {step.due.month}月{step.due.day}日前）" if step.due else ""
        card = Card(tone="white", padding=["12dp", "6dp"], spacing="2dp")
        card.add_widget(Small(text=f"{when(step.hlc, step.on)} · {esc(where)} · "
                                   f"{esc(names.get(step.author, ''))}"))
        card.add_widget(Body(text=esc(step.what) + esc(due)))
        box.add_widget(card)
    for rejected in state.rejected:
        label = labels.get(rejected.event_type, rejected.event_type)
        card = Card(tone="red", padding=["12dp", "6dp"], spacing="2dp")
        card.add_widget(Small(text=f"{when(rejected.hlc)} · {esc(nodes.get(rejected.origin, ''))}"
                                   f" · {esc(names.get(rejected.author, ''))}"))
        card.add_widget(Body(text=red(f"未生效的“{esc(label)}”：{esc(rejected.reason)}")))
        box.add_widget(card)
    for item in getattr(state, "review_items", ()):
        card = Card(tone="red", padding=["12dp", "6dp"])
        card.add_widget(Body(text=red("需要核对：") + esc(item.message)))
        box.add_widget(card)
