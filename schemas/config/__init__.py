"""Rule defaults shipped with the app (RULES.md: configurable defaults, kept under schemas/).

    load_defaults()    -> dict   defaults.json: every configurable value with its source
    defaults_schema()  -> dict   defaults.schema.json: the shape of that file

Town overrides travel as ``config.set`` events; ``app.domain.config`` merges them.
Each call returns a fresh copy, so a caller may change what it gets.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any


@lru_cache(maxsize=None)
def _read(name: str) -> Any:
    return json.loads(files(__name__).joinpath(name).read_text(encoding="utf-8"))


def load_defaults() -> dict[str, Any]:
    return copy.deepcopy(_read("defaults.json"))


def defaults_schema() -> dict[str, Any]:
    return copy.deepcopy(_read("defaults.schema.json"))
