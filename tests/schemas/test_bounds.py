"""Every event schema bounds every part of its payload (issue #7 item 6), and the real
content the app writes — every rule default, every catalog matter — still fits."""
from __future__ import annotations

import json
from typing import Any

import pytest

from schemas import PayloadError, load_registry
from schemas.bounds import MAX_PAYLOAD_CHARS, MAX_PAYLOAD_DEPTH, bounds, too_deep
from schemas.registry import SCHEMA_DIR

REGISTRY = load_registry()
KEYS = sorted(REGISTRY.schemas)


def uses_free_values(schema: dict[str, Any]) -> bool:
    """Whether it refers to the shared bounded value (whose definitions the registry adds
    to every schema)."""
    own = {k: v for k, v in schema.items() if k != "definitions"}
    return "#/definitions/json_value" in json.dumps(own)


@pytest.mark.parametrize("key", KEYS, ids=[f"{t}.v{v}" for t, v in KEYS])
def test_every_event_schema_is_bounded(key: tuple[str, int]) -> None:
    found = bounds(REGISTRY.schemas[key])
    assert found.loose == [], found.loose
    assert found.depth <= MAX_PAYLOAD_DEPTH, found.depth
    if not uses_free_values(REGISTRY.schemas[key]):
        # Its largest valid payload fits the size cap, so the cap refuses nothing the
        # schema allows; the shared bounded value is kept in size by the cap itself.
        assert found.chars <= MAX_PAYLOAD_CHARS, found.chars


def test_only_town_rules_and_the_catalog_carry_free_values() -> None:
    free = {t for (t, _), schema in REGISTRY.schemas.items() if uses_free_values(schema)}
    assert free == {"config.set", "catalog.department_set", "catalog.matter_added",
                    "catalog.matter_changed", "catalog.phone_set"}


@pytest.mark.parametrize("schema, where", [
    ({"type": "object", "properties": {"v": {}}}, "$.v"),
    ({"type": "object", "properties": {"s": {"type": "string"}},
      "additionalProperties": False}, "$.s"),
    ({"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}},
      "additionalProperties": False}, "$.n"),
    ({"type": "array", "items": {"type": "null"}}, "$"),
    ({"type": "object", "maxProperties": 3, "additionalProperties": {"type": "null"}}, "$"),
    ({"type": "object", "properties": {"p": {"type": "string", "pattern": "^a+$"}},
      "additionalProperties": False}, "$.p"),
    ({"definitions": {"x": {"type": "array", "maxItems": 2, "items": {"$ref": "#/definitions/x"}}},
      "$ref": "#/definitions/x"}, "$[]"),
])
def test_what_is_left_open_is_named(schema: dict[str, Any], where: str) -> None:
    found = bounds(schema)
    assert found.loose and found.loose[0].startswith(where), found.loose


def test_bounds_of_a_closed_schema() -> None:
    schema = {"type": "object", "additionalProperties": False, "properties": {
        "a": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 4}},
        "b": {"enum": ["男", "女"]}}}
    found = bounds(schema)
    assert found.loose == [] and found.depth == 2
    widest = {"a": ["xxxx"] * 3, "b": "男"}
    assert len(json.dumps(widest, ensure_ascii=False, separators=(",", ":"))) <= found.chars


def nested(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def test_too_deep_counts_containers() -> None:
    assert not too_deep(nested(8), 8) and too_deep(nested(9), 8)
    assert not too_deep({"a": 1, "b": "x"}, 1) and too_deep({"a": {"b": 1}}, 1)
    assert not too_deep("a scalar", 0)
    assert too_deep(nested(100_000), 64)               # no recursion, no RecursionError


def test_every_rule_default_and_catalog_matter_is_still_a_valid_payload() -> None:
    defaults = json.loads((SCHEMA_DIR / "config" / "defaults.json").read_text("utf-8"))
    for key, entry in defaults["values"].items():
        REGISTRY.validate("config.set", 1, {"key": key, "value": entry["value"], "note": "x"})
    REGISTRY.validate("config.set", 1, {"key": "calendar.holidays.2027", "value": {
        "holidays": [f"2027-10-0{d}" for d in range(1, 9)], "workdays": ["2027-09-26"]}})
    catalog = json.loads((SCHEMA_DIR / "catalog" / "matters.json").read_text("utf-8"))
    for matter in catalog["matters"]:
        REGISTRY.validate("catalog.matter_added", 1, {"matter": matter})
        REGISTRY.validate("catalog.matter_changed", 1, {
            "code": matter["code"], "fields": dict(matter), "was": dict(matter), "reason": "x"})
    for key, phone in catalog["phones"].items():
        REGISTRY.validate("catalog.phone_set", 1, {"key": key, "phone": phone})
    for key, department in catalog["departments"].items():
        REGISTRY.validate("catalog.department_set", 1, {"key": key, "department": department})


def test_a_rule_value_nested_too_deep_is_refused_in_chinese() -> None:
    with pytest.raises(PayloadError) as caught:
        REGISTRY.validate("config.set", 1, {"key": "a.b", "value": nested(6)})
    assert caught.value.code == "schema_invalid" and "config.set" in caught.value.message
    REGISTRY.validate("config.set", 1, {"key": "a.b", "value": nested(4)})
