"""Kivy keeps one class per name: every Widget subclass registers itself in the Factory
under its bare class name, and a kv rule ``<Name>`` applies to every class of that name.
Two screens each defining a ``Bar`` made the town screen build the assessment chart's bar
with the town's rule (AttributeError: 'Bar' object has no attribute 'tint'), depending on
which module was imported last. So class names in app/ui, and the dynamic classes its kv
files declare (``<Name@Base>``), are unique across the package."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
DYNAMIC = re.compile(r"^<([A-Za-z_][A-Za-z0-9_]*)@", re.MULTILINE)


def test_widget_and_kv_class_names_are_unique_in_app_ui() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for module in sorted(UI.glob("*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where[node.name].append(module.name)
    for kv in sorted(UI.glob("*.kv")):
        for name in DYNAMIC.findall(kv.read_text(encoding="utf-8")):
            where[name].append(kv.name)
    assert len(where) > 50, "the scan found too few classes: is app/ui where it was?"
    clashes = {name: places for name, places in where.items() if len(places) > 1}
    assert not clashes, f"class names defined more than once in app/ui: {clashes}"
