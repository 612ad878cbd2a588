"""The sealed-report envelope: HPKE (RFC 9180) to several recipients, and the older
hand-assembled envelope (version 1), which stays readable.

Version 2 (written since issue #13), bytes::

    b"SJS" | 0x02 | n (1) | n × ( key id (8) | HPKE enc (32) + HPKE ciphertext (32 + 16) )
    | nonce (12) | AES-256-GCM(content key, nonce, plaintext, aad = everything before nonce)

One random 256-bit content key per sealed item. For each recipient it is sealed with
HPKE base mode, single shot, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
AES-256-GCM (RFC 9180 §7: KEM 0x0020, KDF 0x0001, AEAD 0x0002), ``info`` =
``"sanji seal v2" | key id`` so a wrap cannot be moved to another recipient's slot.
The content is encrypted once (a 5 MB photo is not encrypted once per recipient) with
the whole header as associated data: a changed, added or removed recipient makes it
fail to open. The construction (HPKE key wrap to each recipient, one content AEAD) is
the multi-recipient pattern of RFC 9180 §9.7.1 / COSE; nothing here derives keys or
picks nonces by hand except the content nonce, which is random under a fresh key.

Version 1 (before issue #13): per recipient an AES-GCM wrap under
HKDF-SHA256(X25519(ephemeral, recipient)) — see ``_open_v1``. Opened, never written.

Text form: standard base64 of the bytes (event payloads); attachments keep the bytes.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.services.errors import ServiceError

MAGIC = b"SJS"
VERSION = 2
KEY = 32
KID = 8
TAG = 16
NONCE = 12
HPKE_INFO = b"sanji seal v2"
SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
WRAP = KEY + KEY + TAG                # HPKE enc (X25519 public key) + sealed content key
ENTRY = KID + WRAP
MAX_RECIPIENTS = 255

NO_RECIPIENT = "镇纪委的密钥还没有同步到本机，请先同步再登记检举控告"
NOT_FOR_US = ("这份检举控告不是加密给本机纪委密钥的，本机打不开"
              "（可能是登记时本机的密钥还没有同步过去，或本机是后来增加的纪委设备）")
DAMAGED = "这份检举控告密件已损坏或被改动，无法解密；请联系登记的站点重新提交"
NOT_SEALED = "这不是检举控告密件，无法解密"


class SealError(ServiceError):
    """Sealing or opening failed; ``message`` is Chinese, fit to show as is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def key_id(public_raw: bytes) -> bytes:
    """First 8 bytes of SHA-256 of the recipient's raw public key."""
    return hashlib.sha256(public_raw).digest()[:KID]


def public_raw(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# sealing (version 2) ---------------------------------------------------------------------
def seal_bytes(plaintext: bytes, recipients: Sequence[bytes]) -> bytes:
    """Seal ``plaintext`` to raw X25519 public keys (1–255 of them)."""
    if not isinstance(plaintext, (bytes, bytearray, memoryview)):
        raise TypeError("plaintext must be bytes")
    unique = list(dict.fromkeys(bytes(r) for r in recipients))
    if not unique:
        raise SealError(NO_RECIPIENT, "no_discipline_key")
    if len(unique) > MAX_RECIPIENTS:
        raise SealError("纪委密钥太多（超过 255 个），无法加密", "too_many_keys")
    content_key = AESGCM.generate_key(bit_length=256)
    entries = []
    for recipient in unique:
        kid = key_id(recipient)
        wrapped = SUITE.encrypt(content_key, X25519PublicKey.from_public_bytes(recipient),
                                info=HPKE_INFO + kid)
        entries.append(kid + wrapped)
    header = MAGIC + bytes([VERSION, len(entries)]) + b"".join(entries)
    nonce = os.urandom(NONCE)
    return header + nonce + AESGCM(content_key).encrypt(nonce, bytes(plaintext), header)


def seal_text(plaintext: bytes, recipients: Sequence[bytes]) -> str:
    """``seal_bytes`` as base64, for an event payload."""
    return b64(seal_bytes(plaintext, recipients))


# opening -----------------------------------------------------------------------------------
def open_bytes(raw: bytes, privates: Sequence[X25519PrivateKey]) -> bytes:
    """Open an envelope (either version) with any of ``privates`` (a device keeps its
    retired keys so that rotation leaves old reports readable)."""
    if raw[:len(MAGIC)] != MAGIC or len(raw) < len(MAGIC) + 2:
        raise SealError(NOT_SEALED, "not_sealed")
    version = raw[len(MAGIC)]
    if version == 1:
        return _open_v1(raw, privates)
    if version != VERSION:
        raise SealError(f"这份检举控告密件的格式版本（v{version}）本机不认识，请先升级应用",
                        "unknown_version")
    count = raw[len(MAGIC) + 1]
    start = len(MAGIC) + 2
    end = start + count * ENTRY
    if count == 0 or len(raw) < end + NONCE + TAG:
        raise SealError(DAMAGED, "damaged")
    header, nonce, body = raw[:end], raw[end:end + NONCE], raw[end + NONCE:]
    entries = [(raw[at:at + KID], raw[at + KID:at + ENTRY]) for at in range(start, end, ENTRY)]
    addressed = False
    for private in privates:
        kid = key_id(public_raw(private))
        for entry_kid, wrapped in entries:
            if entry_kid != kid:
                continue
            addressed = True
            try:
                content_key = SUITE.decrypt(wrapped, private, info=HPKE_INFO + kid)
                return AESGCM(content_key).decrypt(nonce, body, header)
            except (InvalidTag, ValueError):
                continue
    raise SealError(DAMAGED, "damaged") if addressed else SealError(NOT_FOR_US, "not_addressed")


def open_text(sealed: str, privates: Sequence[X25519PrivateKey]) -> bytes:
    try:
        raw = unb64(sealed) if isinstance(sealed, str) else b""
    except (binascii.Error, ValueError):
        raise SealError(NOT_SEALED, "not_sealed") from None
    return open_bytes(raw, privates)


# version 1 (read only) ---------------------------------------------------------------------
_V1_WRAP_INFO = b"sanji seal v1 wrap"
_V1_PREFIX = len(MAGIC) + 1 + KEY             # magic, version, ephemeral public key
_V1_ENTRY = KID + KEY + TAG


def _open_v1(raw: bytes, privates: Sequence[X25519PrivateKey]) -> bytes:
    if len(raw) < _V1_PREFIX + 1:
        raise SealError(DAMAGED, "damaged")
    ephemeral_pub = raw[len(MAGIC) + 1:_V1_PREFIX]
    count = raw[_V1_PREFIX]
    end = _V1_PREFIX + 1 + count * _V1_ENTRY
    if count == 0 or len(raw) < end + NONCE + TAG:
        raise SealError(DAMAGED, "damaged")
    header, nonce, body = raw[:end], raw[end:end + NONCE], raw[end + NONCE:]
    entries = [(raw[at:at + KID], raw[at + KID:at + _V1_ENTRY])
               for at in range(_V1_PREFIX + 1, end, _V1_ENTRY)]
    prefix = raw[:_V1_PREFIX]
    addressed = False
    for private in privates:
        own_pub = public_raw(private)
        kid = key_id(own_pub)
        mine = [wrapped for entry_kid, wrapped in entries if entry_kid == kid]
        if not mine:
            continue
        addressed = True
        try:
            shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        except ValueError:
            raise SealError(DAMAGED, "damaged") from None
        wrap_key = HKDF(algorithm=hashes.SHA256(), length=KEY, salt=ephemeral_pub + own_pub,
                        info=_V1_WRAP_INFO).derive(shared)
        for wrapped in mine:
            try:
                content_key = AESGCM(wrap_key).decrypt(bytes(NONCE), wrapped, prefix + kid)
                return AESGCM(content_key).decrypt(nonce, body, header)
            except InvalidTag:
                continue
    raise SealError(DAMAGED, "damaged") if addressed else SealError(NOT_FOR_US, "not_addressed")
