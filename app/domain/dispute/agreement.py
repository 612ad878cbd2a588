"""The 调解协议书 (mediation agreement): what it must state and when it takes effect.

人民调解法 Art 29 (RULES.md §2): the agreement states
    (一) the parties' basic details (当事人的基本情况),
    (二) the main facts of the dispute, the disputed points and each side's responsibility
         (纠纷的主要事实、争议事项以及各方当事人的责任),
    (三) the agreed terms, and how and when they are performed
         (当事人达成调解协议的内容，履行的方式、期限);
and it takes effect when every party has signed, sealed or fingerprinted it and the
mediator has signed it and the committee's seal is on it (Art 29 ¶2).  So ``effective_on``
is the date the last of those happened; an agreement without all of them is not in
force and cannot be recorded as the outcome.

Parties' basic details: name, role and address (住所) are required — what a court asks
for in a 司法确认 application; sex, age, ID number, phone, ethnicity and occupation are
optional.  Every party of the dispute on either side (申请人, 被申请人 or 当事人; not a
第三人 or 代理人) must appear in the agreement, and every party listed must have signed.

An oral agreement (``form`` 口头) is lawful too: Art 28 — when the parties find no paper
necessary they may agree orally, and the mediator records what was agreed; Art 30 — it
takes effect the day the parties reach it.  Its record names both sides, the terms (what,
how, by when) and the mediator who recorded them; no signatures or seal are asked for.
A court confirms written agreements (the application must enclose the 调解协议书), so the
司法确认 reminder of an oral agreement says to put it in writing first if the parties want it
(mediation_clocks).

The payload stores the agreement as entered (``agreement`` of ``dispute.agreed``); the
document module renders it as PDF from the same mapping.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from app.domain.dispute.state import CONSENTING_ROLES, Party
from app.domain.workflow import iso_date

# Art 29 (一): required per party; labels for messages.
PARTY_REQUIRED = {"name": "姓名", "role": "身份（申请人/被申请人等）", "address": "住址"}
# Art 29 (二)
CONTENT_REQUIRED = {"facts": "纠纷的主要事实", "disputed_points": "争议事项",
                    "responsibilities": "各方当事人的责任"}
# Art 29 (三), per term
TERM_REQUIRED = {"content": "协议内容", "how": "履行方式", "due": "履行期限"}


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


ORAL = "口头"


def is_oral(agreement: Mapping[str, Any] | None) -> bool:
    return agreement is not None and agreement.get("form") == ORAL


def _oral_problems(agreement: Mapping[str, Any], dispute_parties: Sequence[Party]) -> list[str]:
    """Art 28, 30: both sides named, the terms with how and when, who recorded them."""
    problems: list[str] = []
    if not _text(agreement, "no"):
        problems.append("协议编号")
    listed = agreement.get("parties")
    parties: list[Any] = listed if isinstance(listed, list) else []
    if len(parties) < 2:
        problems.append("至少两方当事人")
    named = {_text(p, "name") for p in parties}
    for party in dispute_parties:
        if party.role in CONSENTING_ROLES and party.name not in named:
            problems.append(f"当事人{party.name}（{party.role}）没有列入协议")
    problems.extend(_term_problems(agreement, "口头协议的内容及履行方式、期限"))
    if not _text(agreement, "recorded_by"):
        problems.append("记录协议内容的人民调解员（人民调解法第二十八条）")
    if iso_date(agreement.get("effective_on")) is None:
        problems.append("达成协议的日期（口头协议自达成之日起生效，人民调解法第三十条）")
    return problems


def agreement_problems(agreement: Mapping[str, Any],
                       dispute_parties: Sequence[Party] = ()) -> list[str]:
    """What the agreement still lacks (Chinese, one item each); empty if complete."""
    if is_oral(agreement):
        return _oral_problems(agreement, dispute_parties)
    problems: list[str] = []
    if not _text(agreement, "no"):
        problems.append("协议书编号")
    parties = agreement.get("parties")
    if not isinstance(parties, list) or len(parties) < 2:
        problems.append("至少两方当事人的基本情况")
        parties = parties if isinstance(parties, list) else []
    for index, party in enumerate(parties, 1):
        name = _text(party, "name") or f"第{index}位当事人"
        missing = [label for key, label in PARTY_REQUIRED.items() if not _text(party, key)]
        if missing:
            problems.append(f"{name}的{'、'.join(missing)}")
    named = {_text(p, "name") for p in parties}
    for party in dispute_parties:
        if party.role in CONSENTING_ROLES and party.name not in named:
            problems.append(f"当事人{party.name}（{party.role}）没有列入协议书")
    for key, label in CONTENT_REQUIRED.items():
        if not _text(agreement, key):
            problems.append(label)
    problems.extend(_term_problems(agreement, "协议内容及履行方式、期限"))
    problems.extend(_signature_problems(agreement, parties))
    return problems


def _term_problems(agreement: Mapping[str, Any], none: str) -> list[str]:
    """Art 29 (三) / Art 28: each agreed term says what, how and by when (a real date)."""
    terms = agreement.get("terms")
    if not isinstance(terms, list) or not terms:
        return [none]
    problems = []
    for index, term in enumerate(terms, 1):
        missing = [label for key, label in TERM_REQUIRED.items() if not _text(term, key)]
        if missing:
            problems.append(f"第{index}项协议的{'、'.join(missing)}")
        elif iso_date(term.get("due")) is None:
            problems.append(f"第{index}项协议的履行期限不是有效日期")
    return problems


def _signature_problems(agreement: Mapping[str, Any], parties: Iterable[Any]) -> list[str]:
    """Art 29 ¶2: every party signs, the mediator signs, the committee seals."""
    problems = []
    signatures = agreement.get("signatures")
    signatures = signatures if isinstance(signatures, Mapping) else {}
    signed = {name.strip() for name in signatures.get("parties", []) if isinstance(name, str)}
    unsigned = [_text(p, "name") for p in parties
                if _text(p, "name") and _text(p, "name") not in signed]
    if unsigned:
        problems.append(f"{'、'.join(unsigned)}的签名（盖章或按指印）")
    if not _text(signatures, "mediator"):
        problems.append("人民调解员签名")
    if signatures.get("seal") is not True:
        problems.append("人民调解委员会印章")
    if iso_date(agreement.get("effective_on")) is None:
        problems.append("生效日期（各方签名、调解员签名并盖章之日）")
    return problems


def effective_on(agreement: Mapping[str, Any]) -> date | None:
    """The date the agreement took effect (Art 29 ¶2), if it is complete."""
    return iso_date(agreement.get("effective_on"))


def performance_dues(agreement: Mapping[str, Any]) -> list[date]:
    """Distinct performance deadlines of the agreed terms, earliest first."""
    dues = {iso_date(term.get("due")) for term in agreement.get("terms") or []
            if isinstance(term, Mapping)}
    return sorted(d for d in dues if d is not None)


def terms_due_on(agreement: Mapping[str, Any], day: date) -> list[str]:
    """The contents of the terms that must be performed by ``day``."""
    return [str(term.get("content", "")) for term in agreement.get("terms") or []
            if isinstance(term, Mapping) and iso_date(term.get("due")) == day]
