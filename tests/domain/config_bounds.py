"""Shared checks for a family of config keys (``decisions.*``, ``supervision.*``): every key
is read by its rules dataclass, every statutory key has a legal bound and a test case, and
each bound keeps the default, refuses the looser values and keeps a stricter one.

``cases`` has the shape of the law branch's tests/domain/test_legal_bounds.py:
key: (values that loosen the law, a value that keeps or tightens it).
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping

from app.domain.schema_check import schema_problem


def family(defaults: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k: v for k, v in defaults["values"].items() if k.startswith(prefix)}


def check_read_by(entries: Mapping[str, Any], prefix: str, rules_class: type) -> None:
    assert set(entries) == {f"{prefix}{f.name}" for f in fields(rules_class)}


def check_statutory_bounded(entries: Mapping[str, Any], cases: Mapping[str, Any]) -> None:
    law = {k for k, e in entries.items() if e["source"].startswith("[law]")}
    bounded = {k for k, e in entries.items() if "legal_bound" in e}
    assert law <= bounded
    assert bounded == set(cases)


def check_case(entry: Mapping[str, Any], case: tuple[list[Any], Any]) -> None:
    bound = entry["legal_bound"]["schema"]
    loose, strict = case
    assert schema_problem(bound, entry["value"]) is None
    assert schema_problem(entry["value_schema"], strict) is None
    assert schema_problem(bound, strict) is None
    for value in loose:
        assert schema_problem(entry["value_schema"], value) is None, value   # well-formed …
        assert schema_problem(bound, value) is not None, value               # … but too loose
