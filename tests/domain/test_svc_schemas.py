"""The svc.* payload schemas (schemas/svc/) agree with what the rules accept."""
from __future__ import annotations

import json
from pathlib import Path

import fastjsonschema
import pytest

from app.domain.service.flow import EVENT_TYPES
from app.domain.service.state import PLAIN_FIELDS
from app.domain.shared.receipt import parse_receipt
from tests.domain.builders import DISSATISFIED, payload_for

SVC_DIR = Path(__file__).resolve().parents[2] / "schemas" / "svc"


def _schema(kind: str) -> dict:
    return json.loads((SVC_DIR / f"{kind}.v1.json").read_text(encoding="utf-8"))


def test_there_is_one_schema_per_event_type():
    assert sorted(p.name for p in SVC_DIR.glob("*.json")) == sorted(f"{k}.v1.json" for k in EVENT_TYPES)
    for kind in EVENT_TYPES:
        schema = _schema(kind)
        assert (schema["x-event-type"], schema["x-version"], schema["x-kind"]) == (kind, 1, "svc_case")


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_test_payloads_satisfy_the_schemas(kind):
    fastjsonschema.compile(_schema(kind))(payload_for(kind))


def test_dissatisfied_rating_satisfies_its_schema():
    fastjsonschema.compile(_schema("svc.rated"))(payload_for("svc.rated", on="2025-10-01", **DISSATISFIED))


def test_updated_schema_allows_exactly_the_plain_fields():
    names = _schema("svc.updated")["properties"]["fields"]["propertyNames"]["enum"]
    assert set(names) == set(PLAIN_FIELDS)
    validate = fastjsonschema.compile(_schema("svc.updated"))
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        validate({"fields": {"status": "closed"}, "was": {}})


def test_receipt_pattern_in_schema_matches_a_real_receipt():
    validate = fastjsonschema.compile(_schema("svc.accepted"))
    payload = payload_for("svc.accepted")
    parse_receipt(payload["receipt_no"])
    validate(payload)
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        validate(dict(payload, receipt_no="XI003-250926-0007-12"))
