"""The service matter catalog shipped with the app (RULES.md §1 一次性告知制, 服务承诺制).

    load_matters()    -> dict   matters.json: matters, phones, county departments
    matters_schema()  -> dict   matters.schema.json: the shape of that file; its
                                definitions/matter also checks catalog edit events

Catalog edit events (events/catalog.*.v1.json, kind "config") are applied by
``app.domain.service.catalog``.  Each call returns a fresh copy, so a caller may change it.
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


def load_matters() -> dict[str, Any]:
    return copy.deepcopy(_read("matters.json"))


def matters_schema() -> dict[str, Any]:
    return copy.deepcopy(_read("matters.schema.json"))
