"""检举控告 is sealed: what its event reveals, and that it never becomes an open petition."""
from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import fastjsonschema
import pytest

from app.domain.dispute.links import Person, Prior, find_links
from app.domain.petition.sealed import (
    EVENT_TYPE, KIND, VISIBLE_FIELDS, check_sealed_payload, display_line, is_sealed_category,
    sealed_payload, sealed_plaintext, visible_summary)
from app.domain.shared.receipt import format_receipt
from schemas.registry import PayloadError, build_registry

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "petition" / "petition.accusation_sealed.v1.json"
ACCUSED = [{"name": "赵会计", "unit": "西李村村委会", "post": "村会计"}]
COMPLAINANT = {"name": "刘桂芳", "id_number": "41018119700202002X", "phone": "13900000003"}
CONTENT = "赵会计虚报冒领2025年修路补助款"
RECEIPT = format_receipt("XJ001", date(2026, 3, 2), 7)


def _cipher(plaintext: bytes) -> str:
    """Stand-in for encryption to the discipline key (the sync layer does the real one)."""
    return base64.b64encode(bytes(b ^ 0x5A for b in plaintext)).decode("ascii")


def _payload():
    plaintext = sealed_plaintext(content=CONTENT, accused=ACCUSED, channel="来访",
                                 received_at="2026-03-02T09:30", complainant=COMPLAINANT,
                                 first_officer={"name": "陈接访"})
    return sealed_payload(_cipher(plaintext), date(2026, 3, 2), "town")


def test_only_the_complaint_category_goes_the_sealed_way():
    assert is_sealed_category("检举控告")
    assert not is_sealed_category("申诉求决") and not is_sealed_category("建议意见")


def test_payload_carries_ciphertext_and_three_harmless_fields_only():
    payload = _payload()
    assert set(payload) == {"sealed", "category", "received_on", "level"}
    assert visible_summary(payload) == {"category": "检举控告", "received_on": "2026-03-02",
                                        "level": "town"}
    assert VISIBLE_FIELDS == ("category", "received_on", "level", "receipt_no")
    text = json.dumps(payload, ensure_ascii=False)
    for secret in ("赵会计", "刘桂芳", "西李村", "修路", "41018119700202002X", "来访", "陈接访"):
        assert secret not in text


def test_display_line_names_nobody():
    line = display_line(_payload())
    assert line == "检举控告（密件）· 2026-03-02 · 镇里收到 · 已密封 — 已转纪检监察机关，内容仅纪委可见"
    with_receipt = dict(_payload(), receipt_no=RECEIPT)
    assert display_line(with_receipt) == (f"检举控告（密件）· 回执编号 {RECEIPT} · 2026-03-02 · 镇里收到"
                                          " · 已密封 — 已转纪检监察机关，内容仅纪委可见")


def test_receipt_and_sealed_evidence_are_the_only_other_fields():
    """Issue #13: the receipt number (to follow up) and the sealed evidence files (their
    sealed bytes' hash and size) may stand beside the ciphertext; nothing else."""
    evidence = [{"sha256": "ab" * 32, "size": 5_000_000}]
    payload = sealed_payload(_payload()["sealed"], date(2026, 3, 2), "town", RECEIPT, evidence)
    assert check_sealed_payload(payload).ok
    build_registry().validate(EVENT_TYPE, 1, payload)
    assert visible_summary(payload)["receipt_no"] == RECEIPT
    for bad in ([{"sha256": "ab" * 32, "size": 1, "name": "赵会计的账本.jpg"}],
                [{"sha256": "赵会计", "size": 1}], [{"sha256": "ab" * 32, "size": -1}], "x"):
        verdict = check_sealed_payload(dict(payload, attachments=bad))
        assert (verdict.ok, verdict.code) == (False, "not_sealed"), bad
    assert check_sealed_payload(dict(payload, receipt_no="赵会计")).code == "bad_receipt"
    assert check_sealed_payload(dict(payload, receipt_no=RECEIPT[:-1] + "0")).code == "bad_receipt"
    with pytest.raises(PayloadError):
        build_registry().validate(EVENT_TYPE, 1, dict(payload, attachments=[
            {"sha256": "ab" * 32, "size": 1, "name": "账本.jpg"}]))


def test_event_type_is_of_the_confidential_complaint_kind():
    registry = build_registry()
    assert registry.kind_of(EVENT_TYPE, 1) == KIND == "complaint"
    assert KIND in registry.confidential_kinds()
    registry.validate(EVENT_TYPE, 1, _payload())


def test_any_plain_field_beside_the_ciphertext_is_refused_by_rule_and_schema():
    leaky = dict(_payload(), accused="赵会计")
    verdict = check_sealed_payload(leaky)
    assert (verdict.ok, verdict.code) == (False, "not_sealed")
    assert verdict.message == ("检举控告只能以密封形式保存，除类别、收到日期、层级、回执编号和密封的证据附件外"
                               "不能有其他明文内容（多了：accused）")
    with pytest.raises(PayloadError):
        build_registry().validate(EVENT_TYPE, 1, leaky)


def test_plaintext_in_the_sealed_field_is_refused():
    with pytest.raises(ValueError) as info:
        sealed_payload("赵会计虚报冒领补助款，请查处", date(2026, 3, 2), "town")
    assert str(info.value) == "检举控告内容没有加密，不能保存；请重新提交（程序会自动加密）"
    raw_json = '{"accused":"x"}'
    assert not check_sealed_payload({"sealed": raw_json, "category": "检举控告",
                                     "received_on": "2026-03-02", "level": "town"}).ok
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        fastjsonschema.compile(schema)({"sealed": "赵会计" * 10, "category": "检举控告",
                                        "received_on": "2026-03-02", "level": "town"})


def test_plaintext_keeps_everything_for_the_discipline_role_and_needs_content_and_accused():
    plaintext = json.loads(sealed_plaintext(content=CONTENT, accused=ACCUSED, channel="电话",
                                            received_at="2026-03-02T09:30"))
    assert plaintext["complainant"] is None  # anonymous is allowed
    assert plaintext["accused"] == ACCUSED and plaintext["channel"] == "电话"
    with pytest.raises(ValueError, match="请填写被检举控告的人员或单位"):
        sealed_plaintext(content=CONTENT, accused=[{"post": "会计"}], channel="来信",
                         received_at="2026-03-02")
    with pytest.raises(ValueError, match="请填写检举控告的内容"):
        sealed_plaintext(content=" ", accused=ACCUSED, channel="来信", received_at="2026-03-02")


def test_metadata_must_be_a_date_and_a_level():
    payload = _payload()
    assert check_sealed_payload(dict(payload, received_on="2026-03-02T09:30")).code == "bad_date"
    assert check_sealed_payload(dict(payload, level="西李村")).code == "bad_level"
    assert check_sealed_payload(dict(payload, category="申诉求决")).code == "bad_category"


def test_a_sealed_accusation_is_never_offered_as_a_link_at_intake():
    prior = Prior("cmp-1", "petition", date(2026, 1, 1), (Person("刘桂芳", "41018119700202002X"),),
                  "", "西李村", "town", "", True, sealed=True)
    assert find_links([Person("刘桂芳", "41018119700202002X")], "任何内容", "西李村", [prior]) == []
