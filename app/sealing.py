"""Sealing 检举控告 for the town's discipline role (纪委), on the device that receives it.

RULES.md §4 and §2: a complaint and the complainant's identity must never reach the
person or unit accused (信访工作条例 Art 46(五); 纪检监察机关处理检举控告工作规则 Art 47).
DESIGN.md: confidential kinds never flow down *and* are encrypted on the device for
the discipline role's key.  The sync scope policy (sync/policy.py) keeps the event
away from every non-discipline node; this module makes sure that whatever copy does
exist (the filing tablet, the town hub, the county hub, a backup) is ciphertext only.

Keys
    Every station enrolled with the ``discipline`` role holds one X25519 key pair.  The
    private half is generated on that device when it first announces itself (at
    enrollment) and never leaves it; the public half goes out in its ``node.announced``
    event (``seal_key``), a broadcast kind, so every station of the township learns it
    at its next sync.

    At rest the private key sits in the station's SQLite ``meta`` table as plain
    base64, exactly like the node's Ed25519 signing key: it is protected only by the
    device itself (app-private storage, the OS's file encryption, the screen lock).
    Anyone who can copy station.sqlite off an unlocked, rooted or unencrypted device
    can open every complaint sealed to it.  Wrapping the key with a key derived from
    the discipline officer's PIN (or the Android Keystore) would close that gap and is
    not done here.

Envelope (version 1), base64 (standard alphabet) of::

    b"SJS" | 0x01 | ephemeral X25519 public key (32)
    | n (1) | n × ( key id (8) | wrapped content key (32 + 16 tag) )
    | nonce (12) | AES-256-GCM(content key, nonce, plaintext, aad = everything before nonce)

One random 256-bit content key per complaint; for every discipline key known for this
station's town it is wrapped with AES-256-GCM under HKDF-SHA256(X25519(ephemeral,
recipient), salt = ephemeral pub | recipient pub, info = "sanji seal v1 wrap").  A wrap
key is used exactly once (fresh ephemeral key per complaint), so its nonce is fixed.
The key id is the first 8 bytes of SHA-256 of the recipient's public key.  The whole
header is authenticated data of the content, so a changed, added or removed recipient
makes the complaint fail to open.

Which keys: the latest ``node.announced`` of every node certified by the same hub as
this station (its town) with the discipline role (sync.certs, issue #7), taken from the
node's own announcement only.  A key that
some other node publishes is useless to it anyway: the hub never hands a complaint to
a node without the discipline role.  With no key known yet, sealing refuses; it never
falls back to plaintext.

Public surface: seal_for_discipline, open_sealed, can_seal, can_open, discipline_keys,
ensure_seal_key, SealError.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sqlite3
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.services.errors import ServiceError
from sync import log
from sync.db import transaction
from sync.policy import DISCIPLINE_ROLE

if TYPE_CHECKING:
    from sync.certs import Directory
    from sync.store import Store


class Station(Protocol):
    """What sealing needs of a station (app.station.Station, which calls this module at
    enrollment: it is not imported here, so the two do not import each other)."""

    @property
    def store(self) -> "Store": ...

    def hub_id(self) -> str | None: ...

MAGIC = b"SJS"
VERSION = 1
META_KEY = "seal_key_x25519"        # station meta: this device's private key (base64)
ANNOUNCE_FIELD = "seal_key"          # node.announced payload: the public key (base64)
_KEY = 32
_KID = 8
_TAG = 16
_NONCE = 12
_WRAP_INFO = b"sanji seal v1 wrap"
_WRAP_NONCE = bytes(_NONCE)
_ENTRY = _KID + _KEY + _TAG
_PREFIX = len(MAGIC) + 1 + _KEY      # magic, version, ephemeral public key

NO_KEY_YET = "镇纪委的密钥还没有同步到本机，请先同步再登记检举控告"
NOT_DISCIPLINE = "只有镇纪委（纪检监察）角色的设备才能查看检举控告的内容，本机不能打开"
NOT_FOR_US = ("这份检举控告不是加密给本机纪委密钥的，本机打不开"
              "（可能是登记时本机的密钥还没有同步过去，或本机换过设备）")
DAMAGED = "这份检举控告密件已损坏或被改动，无法解密；请联系登记的站点重新提交"
NOT_SEALED = "这不是检举控告密件，无法解密"


class SealError(ServiceError):
    """Sealing or opening a 检举控告 failed; ``message`` is Chinese, fit to show as is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# keys ------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id(public_raw: bytes) -> bytes:
    return hashlib.sha256(public_raw).digest()[:_KID]


def _public_raw(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def ensure_seal_key(store: "Store") -> str:
    """This device's sealing key pair: created on first call (kept in the station meta,
    see the at-rest note above); returns the public key (base64) to announce."""
    raw = store.meta.get(META_KEY)
    if raw is None:
        private = X25519PrivateKey.generate()
        with transaction(store.conn):
            store.meta.set(META_KEY, _b64(private.private_bytes_raw()))
        return _b64(_public_raw(private))
    return _b64(_public_raw(X25519PrivateKey.from_private_bytes(_unb64(raw))))


def _private_key(store: "Store") -> X25519PrivateKey | None:
    raw = store.meta.get(META_KEY)
    return None if raw is None else X25519PrivateKey.from_private_bytes(_unb64(raw))


def discipline_keys(station: "Station") -> dict[str, str]:
    """node id → public key (base64) of every discipline station of this station's town
    that has announced one and whose announcement has reached this device."""
    hub = station.hub_id()
    if not hub:
        return {}
    return _keys_at(station.store.conn, hub, station.store.directory)


def _keys_at(conn: sqlite3.Connection, hub: str, directory: "Directory") -> dict[str, str]:
    keys: dict[str, str] = {}
    certified = directory.root is not None
    for (node,) in conn.execute("SELECT id FROM nodes_dir WHERE hub=? ORDER BY id", (hub,)):
        if certified:
            # The town's 纪委 device by its certificate: certified by this town's hub
            # with the discipline role (issue #7 item 1), whatever others announce.
            cert = directory.verified(node)
            if cert is None or cert.parent != hub or DISCIPLINE_ROLE not in cert.roles:
                continue
        latest: str | None = None
        for event in log.of_record(conn, node):
            # Only the node's own announcement speaks for its key; the latest one wins
            # (a re-announcement without a key withdraws it).
            if event["type"] == "node.announced" and event["origin"] == node:
                latest = event["payload"].get(ANNOUNCE_FIELD)
        if isinstance(latest, str) and _valid_public(latest):
            keys[node] = latest
    return keys


def _valid_public(text: str) -> bool:
    try:
        return len(_unb64(text)) == _KEY
    except (binascii.Error, ValueError):
        return False


def can_seal(station: "Station") -> bool:
    """Is at least one discipline key of this town known here (so 检举控告 can be filed)?"""
    return bool(discipline_keys(station))


def can_open(station: "Station") -> bool:
    """Does this device hold a discipline private key?"""
    return station.store.meta.get(META_KEY) is not None


# envelope ----------------------------------------------------------------------------------
def _wrap_key(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY, salt=ephemeral_pub + recipient_pub,
                info=_WRAP_INFO).derive(shared)


def seal_to(plaintext: bytes, recipients: list[bytes]) -> str:
    """Seal ``plaintext`` to raw X25519 public keys (1–255 of them); base64 envelope."""
    if not isinstance(plaintext, (bytes, bytearray)):
        raise TypeError("plaintext must be bytes")
    unique = list(dict.fromkeys(recipients))
    if not unique:
        raise SealError(NO_KEY_YET, "no_discipline_key")
    if len(unique) > 255:
        raise SealError("纪委密钥太多（超过 255 个），无法加密", "too_many_keys")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = _public_raw(ephemeral)
    content_key = AESGCM.generate_key(bit_length=256)
    prefix = MAGIC + bytes([VERSION]) + ephemeral_pub
    entries = []
    for recipient in unique:
        kid = key_id(recipient)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
        wrap = AESGCM(_wrap_key(shared, ephemeral_pub, recipient))
        entries.append(kid + wrap.encrypt(_WRAP_NONCE, content_key, prefix + kid))
    header = prefix + bytes([len(entries)]) + b"".join(entries)
    nonce = os.urandom(_NONCE)
    body = AESGCM(content_key).encrypt(nonce, bytes(plaintext), header)
    return _b64(header + nonce + body)


def _parse(sealed: str) -> tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes, bytes]:
    try:
        raw = _unb64(sealed) if isinstance(sealed, str) else b""
    except (binascii.Error, ValueError):
        raise SealError(NOT_SEALED, "not_sealed") from None
    if raw[:len(MAGIC)] != MAGIC or len(raw) < _PREFIX + 1:
        raise SealError(NOT_SEALED, "not_sealed")
    version = raw[len(MAGIC)]
    if version != VERSION:
        raise SealError(f"这份检举控告密件的格式版本（v{version}）本机不认识，请先升级应用",
                        "unknown_version")
    ephemeral_pub = raw[len(MAGIC) + 1:_PREFIX]
    count = raw[_PREFIX]
    end = _PREFIX + 1 + count * _ENTRY
    if count == 0 or len(raw) < end + _NONCE + _TAG:
        raise SealError(DAMAGED, "damaged")
    entries = [(raw[at:at + _KID], raw[at + _KID:at + _ENTRY])
               for at in range(_PREFIX + 1, end, _ENTRY)]
    return ephemeral_pub, raw[:end], entries, raw[end:end + _NONCE], raw[end + _NONCE:]


def open_with(sealed: str, private: X25519PrivateKey) -> bytes:
    """Open an envelope with one private key; SealError (Chinese) if it cannot."""
    ephemeral_pub, header, entries, nonce, body = _parse(sealed)
    own_pub = _public_raw(private)
    own_kid = key_id(own_pub)
    prefix = header[:_PREFIX]
    mine = [wrapped for kid, wrapped in entries if kid == own_kid]
    if not mine:
        raise SealError(NOT_FOR_US, "not_addressed")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
    except ValueError:
        raise SealError(DAMAGED, "damaged") from None
    wrap = AESGCM(_wrap_key(shared, ephemeral_pub, own_pub))
    for wrapped in mine:
        try:
            content_key = wrap.decrypt(_WRAP_NONCE, wrapped, prefix + own_kid)
            return AESGCM(content_key).decrypt(nonce, body, header)
        except InvalidTag:
            continue
    raise SealError(DAMAGED, "damaged")


# the station API ---------------------------------------------------------------------------
def seal_for_discipline(station: "Station", plaintext: bytes) -> str:
    """Encrypt ``plaintext`` for every discipline key of this station's town; returns the
    base64 envelope for the event payload's ``sealed``.  Raises SealError with
    NO_KEY_YET when no discipline key has reached this device (never plaintext)."""
    keys = discipline_keys(station)
    if not keys:
        raise SealError(NO_KEY_YET, "no_discipline_key")
    return seal_to(plaintext, [_unb64(keys[node]) for node in sorted(keys)])


def open_sealed(station: "Station", sealed: str) -> bytes:
    """The plaintext of a sealed 检举控告, on a discipline device only; SealError otherwise."""
    private = _private_key(station.store)
    if private is None:
        raise SealError(NOT_DISCIPLINE, "not_discipline")
    return open_with(sealed, private)


def sealed_events(station: "Station") -> list[dict[str, Any]]:
    """Every event of the confidential kind ``complaint`` held here (still sealed)."""
    rows = station.store.conn.execute(log.SELECT + " WHERE kind='complaint' ORDER BY hlc, origin,"
                                      " seq").fetchall()
    return [log.row_to_event(r) for r in rows]
