"""JSON Schema checks for documents the domain is handed (catalog, config values).

The schemas themselves live under ``schemas/`` (DESIGN.md: the contract); this module only
compiles them (once per distinct schema, fastjsonschema) and turns a failure into a short
description the caller wraps in its own Chinese message.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable

import fastjsonschema


@lru_cache(maxsize=64)
def _compiled(schema_text: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(json.loads(schema_text))


def schema_problem(schema: dict[str, Any], value: Any) -> str | None:
    """None if ``value`` satisfies ``schema``, else where and what is wrong."""
    validate = _compiled(json.dumps(schema, sort_keys=True, ensure_ascii=False))
    try:
        validate(value)
    except fastjsonschema.JsonSchemaValueException as exc:
        return f"{exc.name}: {exc.message}"
    return None
