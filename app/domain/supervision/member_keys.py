"""Each 村务监督委员会 member signs their own inspections and opinions (issue #13 §3).

The town certifies the village *tablet* for the committee (role ``village_supervision``),
but the cadres who hold that tablet are the people the committee supervises.  So every
``supervisor.inspection_recorded`` / ``supervisor.opinion_sent`` also carries the
member's own Ed25519 signature (RFC 8032), made with a key that lives on the tablet
wrapped by the member's 密码 (app.services.member_keys), over the event's type, record,
origin and payload.  The public half counts only once the village's own town has
checked it in person — the member's tablet shows a short fingerprint, the town cadre
types it — and written ``supervisor.member_key_certified``.

Pure: events in, verdicts out (``levels``/``parents`` from certificates, as in
app.domain.supervision.oversight).  Checked at the first hub (app.authority) and in
every fold that applies an inspection or an opinion.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KEY_OFFERED = "supervisor.member_key_offered"
KEY_CERTIFIED = "supervisor.member_key_certified"
KEY_KIND = "member_key"
SIGNED_TYPES = frozenset({"supervisor.inspection_recorded", "supervisor.opinion_sent"})
_CONTEXT = b"sanji village supervision member signature v1|"
PUBLIC_KEY = re.compile(r"^[A-Za-z0-9+/]{43}=$")     # 32 bytes of Ed25519, base64

MISSING = "member_signature_missing"
BAD = "member_signature_bad"
UNKNOWN = "member_key_unknown"
MESSAGES = {
    MISSING: "这条监督记录没有监委会成员本人的签名，没有接收：请由成员本人用自己的密码登录后重新记录。",
    BAD: "这条监督记录的成员签名对不上（可能被改动或冒名），没有接收：请由成员本人重新记录。",
    UNKNOWN: "这位监委会成员的签名钥匙还没有经本镇核对认证，没有接收：请成员带平板到镇里核对指纹。",
}

# (village node id, roster member id) → every public key the own town certified for that
# member, oldest first (a renewed key, after a 忘记密码 reset, does not void what the old
# one signed)
KeyMap = Mapping[tuple[str, str], tuple[str, ...]]


# (public key base64, signature base64, signed bytes) → is it that key's signature?
# Ed25519 (RFC 8032) is computed outside the rules (app.services.member_keys.verify).
Verify = Callable[[str, str, bytes], bool]


@dataclass(frozen=True)
class MemberKeys:
    """The members' town-certified keys, and how a signature is checked."""

    keys: KeyMap = field(default_factory=dict)
    verify: Verify = field(default=lambda _key, _sig, _message: False)

    def problem(self, event: Mapping[str, Any]) -> str | None:
        return signature_problem(event, self.keys, self.verify)


def signed_bytes(kind: str, record: str, origin: str, payload: Mapping[str, Any]) -> bytes:
    """What the member signs: everything of the event but its signature and clock."""
    body = {k: v for k, v in payload.items() if k != "signature"}
    text = json.dumps({"type": kind, "record": record, "origin": origin, "payload": body},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _CONTEXT + text.encode("utf-8")


def signature_problem(event: Mapping[str, Any], keys: KeyMap, verify: Verify) -> str | None:
    """None if the event is signed by the town-certified key of the member it names,
    else the problem code (``MESSAGES``)."""
    payload = event["payload"]
    signature = payload.get("signature")
    if not isinstance(signature, str) or not signature:
        return MISSING
    member = payload.get("member")
    member_id = str(member.get("id")) if isinstance(member, Mapping) else ""
    publics = keys.get((str(event["origin"]), member_id))
    if not publics:
        return UNKNOWN
    message = signed_bytes(str(event["type"]), str(event["record"]), str(event["origin"]),
                           payload)
    return None if any(verify(public, signature, message) for public in publics) else BAD


def certified_keys(events: Iterable[Mapping[str, Any]], levels: Mapping[str, str],
                   parents: Mapping[str, str]) -> dict[tuple[str, str], tuple[str, ...]]:
    """The members' keys: each ``member_key_certified`` per (village, member) written by
    a town station of the village's own town, in certification order; any other is
    ignored (a neighbouring town, or a village, certifies nothing)."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for event in events:
        if event["type"] != KEY_CERTIFIED:
            continue
        origin, body = str(event["origin"]), event["payload"]
        village = str(body.get("village") or "")
        member = body.get("member")
        if not isinstance(member, Mapping) or levels.get(origin) != "town":
            continue
        town = parents.get(village)
        if not town or parents.get(origin) != town or not PUBLIC_KEY.match(str(body.get("key"))):
            continue
        found.setdefault((village, str(member.get("id"))), []).append(
            (int(event["hlc"]), str(body["key"])))
    return {slot: tuple(dict.fromkeys(key for _, key in sorted(keys)))
            for slot, keys in found.items()}
