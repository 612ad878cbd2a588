"""A 村务监督委员会 member's own signing key on the village tablet (issue #13 §3).

Made when the member's account is opened (app.services.oversight.open_member_account):
an Ed25519 key pair whose private half is kept only wrapped (AES-256-GCM) under a key
derived from the member's own 密码 with the keyring's Argon2id (app.keyring.KdfParams,
the same parameters that guard the station's database key).  The village's other
cadres open the station's database with their own 密码, but not this wrap: they can
read the public half and the ciphertext, never sign in the member's name.

The member unlocks it by typing their 密码 (``unwrap``), or once at sign-in for the
session (``unlock_session``; forgotten at sign-out, ``lock_session``).  Stored in the
station's (encrypted) meta under ``supervisor_key:<cadre id>``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                          PrivateFormat, PublicFormat)

from app import keyring
from app.domain.supervision.member_keys import MemberKeys
from app.keyring import KdfParams

META_KEY = "supervisor_key:"
_AAD = b"sanji supervision member key v1|"
# cadre id → the unlocked private key, for the member signed in now (this process only)
_SESSION: dict[str, Ed25519PrivateKey] = {}


FINGERPRINT_DIGITS = 16      # ~53 bits: a key forged to match costs ~2^52 key pairs


def fingerprint(public_b64: str) -> str:
    """What the member's tablet shows and the town cadre types: 16 digits in fours."""
    digest = hashlib.sha256(b"sanji member key|" + public_b64.encode("ascii")).digest()
    digits = str(int.from_bytes(digest[:8], "big") % 10 ** FINGERPRINT_DIGITS)
    digits = digits.zfill(FINGERPRINT_DIGITS)
    return " ".join(digits[i:i + 4] for i in range(0, FINGERPRINT_DIGITS, 4))


def same_fingerprint(typed: str, public_b64: str) -> bool:
    return "".join(ch for ch in typed if ch.isdigit()) == fingerprint(public_b64).replace(" ", "")


def verify(public_b64: str, signature_b64: str, message: bytes) -> bool:
    """Is `signature_b64` the Ed25519 signature of `message` by `public_b64`? (the
    rules' ``Verify``, app.domain.supervision.member_keys)"""
    try:
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(public_b64.encode("ascii"), validate=True))
        public.verify(base64.b64decode(signature_b64.encode("ascii"), validate=True), message)
    except (binascii.Error, UnicodeEncodeError, ValueError, InvalidSignature):
        return False
    return True


def member_keys(keys: Mapping[tuple[str, str], tuple[str, ...]]) -> MemberKeys:
    return MemberKeys(dict(keys), verify)


class MemberKeyError(ValueError):
    """A refusal with a Chinese message that says what to do."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def new_wrapped(cadre_id: str, pin: str) -> dict[str, Any]:
    """A new key pair: the public half in clear, the private half wrapped by `pin`."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kdf = keyring.KDF
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapped = AESGCM(kdf.derive(pin, salt)).encrypt(nonce, raw, _AAD + cadre_id.encode())
    return {"public": _b64(public),
            "kdf": {"alg": "argon2id", "memory_kib": kdf.memory_kib,
                    "iterations": kdf.iterations, "lanes": kdf.lanes, "salt": _b64(salt)},
            "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def encode(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True)


def decode(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    body = json.loads(text)
    return body if isinstance(body, dict) else None


def unwrap(cadre_id: str, entry: dict[str, Any], pin: str) -> Ed25519PrivateKey:
    kdf = entry["kdf"]
    params = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
    try:
        raw = AESGCM(params.derive(pin, base64.b64decode(kdf["salt"]))).decrypt(
            base64.b64decode(entry["nonce"]), base64.b64decode(entry["wrapped"]),
            _AAD + cadre_id.encode())
    except InvalidTag:
        raise MemberKeyError("密码不对：请监委会成员本人输入自己的登录密码再提交。") from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def unlock_session(cadre_id: str, entry: dict[str, Any], pin: str) -> None:
    _SESSION[cadre_id] = unwrap(cadre_id, entry, pin)


def lock_session(cadre_id: str | None = None) -> None:
    if cadre_id is None:
        _SESSION.clear()
    else:
        _SESSION.pop(cadre_id, None)


def session_key(cadre_id: str) -> Ed25519PrivateKey | None:
    return _SESSION.get(cadre_id)


def sign(private: Ed25519PrivateKey, message: bytes) -> str:
    return _b64(private.sign(message))


def unlock_at_sign_in(meta_get: Callable[[str], str | None], cadre_id: str, pin: str) -> bool:
    """At any cadre's sign-in: a member's key is unlocked for the session with the
    密码 just typed (nothing to do for other cadres: True). False if the wrap does not
    open with the right 密码: a colleague reset it (忘记密码), and the key is lost to
    everyone — app.services.oversight.member_sign_in makes a new one."""
    entry = decode(meta_get(META_KEY + cadre_id))
    if entry is None:
        return True
    try:
        unlock_session(cadre_id, entry, pin)
    except MemberKeyError:
        lock_session(cadre_id)
        return False
    return True
