"""检举控告 petitions: sealed at intake, routed to discipline, and what anyone else sees.

RULES.md §2: 检举控告 goes to 纪检监察 (信访工作条例; issue #4 §2).  RULES.md §4: a
complaint and the complainant's identity must never reach the person or unit accused
(信访工作条例 Art 46(五); 纪检监察机关处理检举控告工作规则 Art 47).  DESIGN.md: confidential
kinds never flow down and are encrypted on the device for the discipline role's key.

So a 检举控告 is never a ``petition`` record.  At intake the app builds the plaintext
(``sealed_plaintext``), encrypts it for the discipline key (outside this pure layer),
and writes one ``petition.accusation_sealed`` event of the confidential kind
``complaint`` (the kind the supervision workflow owns, already confidential in
schemas/kinds.json, so the sync scope policy keeps it from every non-discipline node
without any new setting).  Its payload carries the ciphertext and only this metadata:

    category     always "检举控告"
    received_on  the date it arrived (no time of day: the hour narrows down who came)
    level        village / town / county where it arrived
    receipt_no   the public receipt number (回执编号) the reporter follows up with
                 (since issue #13; under the taking station's code, app.domain.authority)
    attachments  the evidence files, each sealed the same way and kept as an
                 attachment: only the sealed bytes' SHA-256 and size

Never the accused, the complainant, the channel, the village, the summary or the
receiving officer's notes: everything else is inside ``sealed``.  The event's author
(the receiving officer) is in the envelope, as for every event.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Mapping, Sequence

from app.domain.petition.state import CHANNELS, LEVELS, SEALED_CATEGORY, iso_date
from app.domain.errors import ReceiptError
from app.domain.shared.receipt import parse_receipt
from app.domain.workflow import OK, Verdict

EVENT_TYPE = "petition.accusation_sealed"
KIND = "complaint"
VISIBLE_FIELDS = ("category", "received_on", "level", "receipt_no")
PAYLOAD_FIELDS = frozenset(VISIBLE_FIELDS) | {"sealed", "attachments"}
# 监督对象 (RULES.md §4 "What is supervised"): asked at intake, kept inside the seal.
SUBJECTS = ("镇党委政府落实主体责任", "镇站所工作人员慢作为、不作为、乱作为",
            "村级组织及其成员滥用职权、侵害群众利益", "其他")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Ciphertext travels as base64 (standard or URL-safe); plain Chinese text never matches.
_CIPHERTEXT = re.compile(r"^[A-Za-z0-9+/_-]{16,}={0,2}$")
_LEVEL_SHORT = {"village": "村里", "town": "镇里", "county": "县里"}


def is_sealed_category(category: str) -> bool:
    """Does a petition of this category go the sealed way?"""
    return category == SEALED_CATEGORY


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def sealed_plaintext(*, content: str, accused: Sequence[Mapping[str, Any]], channel: str,
                     received_at: str, complainant: Mapping[str, Any] | None = None,
                     evidence: Sequence[Mapping[str, Any]] = (),
                     first_officer: Mapping[str, Any] | None = None,
                     subject: str | None = None) -> bytes:
    """The bytes to encrypt for the discipline key (canonical UTF-8 JSON).

    ``complainant`` None means anonymous (实名 is encouraged, not required).  Raises
    ValueError with a Chinese message if the accusation is not usable.
    """
    if not content.strip():
        raise ValueError("请填写检举控告的内容（反映的问题和事实）")
    if not any(_text(a, "name") or _text(a, "unit") for a in accused):
        raise ValueError("请填写被检举控告的人员或单位")
    if channel not in CHANNELS:
        raise ValueError("请选择信访形式：来信、来访、电话或网上")
    if subject is not None and subject not in SUBJECTS:
        raise ValueError("请选择反映的对象：" + "、".join(SUBJECTS))
    document = {"category": SEALED_CATEGORY, "content": content, "accused": [dict(a) for a in accused],
                "channel": channel, "received_at": received_at,
                "complainant": dict(complainant) if complainant else None,
                "evidence": [dict(e) for e in evidence],
                "first_officer": dict(first_officer) if first_officer else None}
    if subject is not None:
        document["subject"] = subject
    return json.dumps(document, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def sealed_payload(ciphertext: str, received_on: date, level: str,
                   receipt_no: str | None = None,
                   attachments: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The ``petition.accusation_sealed`` payload: ciphertext plus the visible metadata."""
    payload: dict[str, Any] = {"sealed": ciphertext, "category": SEALED_CATEGORY,
                               "received_on": received_on.isoformat(), "level": level}
    if receipt_no is not None:
        payload["receipt_no"] = receipt_no
    if attachments:
        payload["attachments"] = [{"sha256": a["sha256"], "size": a["size"]} for a in attachments]
    verdict = check_sealed_payload(payload)
    if not verdict.ok:
        raise ValueError(verdict.message)
    return payload


def check_sealed_payload(payload: Mapping[str, Any]) -> Verdict:
    """Does the payload carry nothing but the ciphertext and the permitted metadata?"""
    extra = sorted(set(payload) - PAYLOAD_FIELDS)
    if extra:
        return Verdict(False, "not_sealed", "检举控告只能以密封形式保存，除类别、收到日期、层级、回执编号和密封的证据附件外"
                                            f"不能有其他明文内容（多了：{'、'.join(extra)}）")
    if payload.get("category") != SEALED_CATEGORY:
        return Verdict(False, "bad_category", "密封记录只用于检举控告类事项")
    sealed = payload.get("sealed")
    if not isinstance(sealed, str) or not _CIPHERTEXT.match(sealed):
        return Verdict(False, "not_encrypted", "检举控告内容没有加密，不能保存；请重新提交（程序会自动加密）")
    if iso_date(payload.get("received_on")) is None:
        return Verdict(False, "bad_date", "收到日期不对，请重新选择")
    if payload.get("level") not in LEVELS:
        return Verdict(False, "bad_level", "收到层级不对（应为村、镇或县）")
    if "receipt_no" in payload and not _is_receipt(payload["receipt_no"]):
        return Verdict(False, "bad_receipt", "回执编号不对，请重新登记（程序会自动编号）")
    attachments = payload.get("attachments", [])
    if not isinstance(attachments, list) or not all(
            isinstance(a, Mapping) and set(a) == {"sha256", "size"}
            and isinstance(a["sha256"], str) and _SHA256.match(a["sha256"])
            and isinstance(a["size"], int) and a["size"] >= 0 for a in attachments):
        return Verdict(False, "not_sealed", "证据附件只能以密封形式保存（只有编号和大小），请重新提交")
    return OK


def _is_receipt(value: Any) -> bool:
    try:
        parse_receipt(value)
    except (ReceiptError, TypeError, AttributeError):
        return False
    return True


def visible_summary(payload: Mapping[str, Any]) -> dict[str, str]:
    """What a non-discipline user may see of a sealed accusation: the three fields only."""
    return {key: str(payload[key]) for key in VISIBLE_FIELDS if key in payload}


def display_line(payload: Mapping[str, Any]) -> str:
    """One line for registers and boards outside the discipline role: the receipt
    number, the date and 已密封 — nothing of the content (issue #13 §1)."""
    seen = visible_summary(payload)
    where = _LEVEL_SHORT.get(seen.get("level", ""), "")
    receipt = f"回执编号 {seen['receipt_no']} · " if seen.get("receipt_no") else ""
    return (f"检举控告（密件）· {receipt}{seen.get('received_on', '')} · {where}收到 · 已密封 — "
            "已转纪检监察机关，内容仅纪委可见")
