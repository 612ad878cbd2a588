"""Enrollment that pins the hub without sending the code (issue #11): SPAKE2.

The one-time code is 12 digits: 40 bits. Sent to whoever answers (even inside TLS to a
certificate seen for the first time) it is given away to a man in the middle; a proof
keyed with it (an HMAC over nonces and the certificate) would let him recover it
offline from one exchange, 10^12 tries being minutes of GPU time. A password-
authenticated key exchange gives him one guess per exchange instead, and the hub
voids a code after a few failed exchanges. SPAKE2 (Abdalla–Pointcheval 2005; the
`spake2` package, pure Python over Ed25519, by the author of magic-wormhole) it is.

    station (B)                                   hub (A)
    cert = the certificate this TLS link shows
    POST /v1/enroll/start {hint, msg_b}  ───────▶ pw from the code registered under hint
                                                  K = SPAKE2_A(pw) with msg_b
                          ◀─────── {session, msg_a, confirm = MAC(K, "hub", F_hub, …)}
    K = SPAKE2_B(pw) with msg_a
    confirm checked with F = fingerprint(cert):
    another certificate, or another code → refused, nothing sent
    POST /v1/enroll {session, proof = MAC(K, "station", F, …), pubkey} ─▶ checked, then
                          ◀─────── token, node id, …     the usual enrollment (sync.hub.admin)

`hint` is the code's first four digits, so the hub knows which code to run the exchange
with (the other 8 digits, 10^8, stay secret; `sanji node add` keeps hints of pending
codes distinct). pw is the code's SHA-256 as the hub already stores it. The station
pins `cert` only after the confirm checked: a man in the middle without the code cannot
produce it for his own certificate, and the real hub's confirm names the real one. A
session is used once, so a replayed exchange changes nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from sync.keys import b64, unb64
from sync.nodes import secret_hash

ID_HUB, ID_STATION = b"sanji hub", b"sanji station"
HINT_DIGITS = 4


def normal_code(code: str) -> str:
    """1234-5678-9012 whatever spaces or dashes were typed."""
    digits = re.sub(r"[\s\-－]", "", code)
    if len(digits) == 12 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    return code.strip()


def hint_of(code: str) -> str:
    return re.sub(r"\D", "", code)[:HINT_DIGITS]


def password(code_hash: str) -> bytes:
    """The SPAKE2 password: the code's hash (what the hub stores: sync.nodes)."""
    return code_hash.encode("ascii")


def password_of_code(code: str) -> bytes:
    return password(secret_hash(normal_code(code)))


def mac(key: bytes, role: bytes, fingerprint: str, msg_a: bytes, msg_b: bytes) -> str:
    """Key confirmation bound to the certificate fingerprint each side sees."""
    transcript = b"\0".join([b"sanji pairing v1", role, fingerprint.encode("ascii"),
                             msg_a, msg_b])
    return b64(hmac.new(key, transcript, hashlib.sha256).digest())


def same_mac(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode("ascii", "replace"),
                                                           expected.encode("ascii"))


def decode_message(value: object) -> bytes | None:
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        raw = unb64(value)
    except ValueError:
        return None
    return raw if 16 <= len(raw) <= 100 else None


__all__ = ["HINT_DIGITS", "ID_HUB", "ID_STATION", "decode_message", "hint_of", "mac",
           "normal_code", "password", "password_of_code", "same_mac"]
