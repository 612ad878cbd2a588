"""Sealing reports (检举控告) for the discipline devices (纪委) of the town and the county,
on the device that receives them. One mechanism for every sealed report: the petition
screens' 检举控告, the supervision intake, their evidence files (issue #13 §1).

RULES.md §4 and §2: a complaint and the complainant's identity must never reach the
person or unit accused (信访工作条例 Art 46(五); 纪检监察机关处理检举控告工作规则 Art 47).
The sync scope policy (sync/policy.py) keeps the event from every non-discipline node;
this module makes sure that whatever copy does exist (the taking tablet, the hubs, a
backup) is ciphertext only. The envelope is HPKE (RFC 9180), app/seal_envelope.py;
envelopes of the older hand-assembled version 1 still open.

Keys
    Every station enrolled with the ``discipline`` role holds an X25519 key pair made on
    that device when it first announces itself; the public half goes out in its
    ``node.announced`` event (``seal_key``), a broadcast kind, so every station of the
    township learns it at its next sync. The private half is in the station's ``meta``
    table, inside the SQLCipher database (sync/db.py), whose key only a discipline
    officer's 密码 unwraps (app/keyring.py): a copied file yields nothing.

    Rotation (``rotate_seal_key``): a new pair is made and announced; the old private
    half is kept (``META_RETIRED``) so reports sealed to it stay readable. A second
    discipline device of the same town enrolls and announces its own key; stations seal
    to every announced key from then on (reports sealed before it joined stay readable
    on the first device only: nobody re-seals them).

Recipients: the latest ``node.announced`` of every node certified with the discipline
role by this station's own hub (its town) or by any hub above it (the county), taken
from the node's own announcement only, its certificate checked (sync.certs, issue #7).
With no key known yet, sealing refuses; it never falls back to plaintext.

Public surface: seal_for_discipline, seal_file, open_sealed, open_file, can_seal,
can_open, discipline_keys, ensure_seal_key, rotate_seal_key, SealError.
"""
from __future__ import annotations

import binascii
import hashlib
import json
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.seal_envelope import (
    KEY, NO_RECIPIENT, SealError, b64, key_id, open_bytes, open_text, public_raw, seal_bytes,
    seal_text, unb64)
from sync import log
from sync.db import transaction
from sync.policy import DISCIPLINE_ROLE

if TYPE_CHECKING:
    from sync.blobfiles import BlobFiles
    from sync.client import HubClient
    from sync.certs import Directory
    from sync.store import Store


class Station(Protocol):
    """What sealing needs of a station (app.station.Station, which calls this module at
    enrollment: it is not imported here, so the two do not import each other)."""

    @property
    def store(self) -> "Store": ...

    @property
    def blobs(self) -> "BlobFiles": ...

    @property
    def level(self) -> str: ...

    def identity(self) -> dict[str, Any]: ...

    def hub_id(self) -> str | None: ...

    def ancestors(self) -> list[str]: ...

    def hub_url(self) -> str | None: ...

    def hub_connection(self, url: str) -> "HubClient": ...

    def announce(self) -> None: ...


META_KEY = "seal_key_x25519"          # station meta: this device's current private key
META_RETIRED = "seal_keys_retired"    # station meta: earlier private keys (JSON list)
ANNOUNCE_FIELD = "seal_key"            # node.announced payload: the public key (base64)

NO_KEY_YET = NO_RECIPIENT
NOT_DISCIPLINE = "只有纪委（纪检监察）角色的设备才能查看检举控告的内容，本机不能打开"

__all__ = ["SealError", "key_id", "seal_for_discipline", "seal_file", "open_sealed",
           "open_file", "can_seal", "can_open", "discipline_keys", "ensure_seal_key",
           "rotate_seal_key", "sealed_events", "collect_public_reports"]


# keys ------------------------------------------------------------------------------------
def ensure_seal_key(store: "Store") -> str:
    """This device's sealing key pair: created on first call (kept in the encrypted
    station meta); returns the public key (base64) to announce."""
    raw = store.meta.get(META_KEY)
    if raw is None:
        private = X25519PrivateKey.generate()
        with transaction(store.conn):
            store.meta.set(META_KEY, b64(private.private_bytes_raw()))
        return b64(public_raw(private))
    return b64(public_raw(X25519PrivateKey.from_private_bytes(unb64(raw))))


def rotate_seal_key(station: "Station") -> str:
    """A new key pair for this discipline device, announced at once; the old private
    half is kept so that everything sealed to it still opens. Returns the new public key."""
    if DISCIPLINE_ROLE not in station.identity().get("roles", []):
        raise SealError(NOT_DISCIPLINE, "not_discipline")
    store = station.store
    with transaction(store.conn):
        current = store.meta.get(META_KEY)
        if current is not None:
            retired = _retired(store)
            store.meta.set(META_RETIRED, json.dumps(retired + [current]))
        store.meta.set(META_KEY, None)
    station.announce()           # makes and announces the new pair (ensure_seal_key)
    return ensure_seal_key(store)


def _retired(store: "Store") -> list[str]:
    raw = store.meta.get(META_RETIRED)
    return list(json.loads(raw)) if raw else []


def _private_keys(store: "Store") -> list[X25519PrivateKey]:
    """The current key first, then the retired ones, newest first."""
    current = store.meta.get(META_KEY)
    texts = ([current] if current else []) + list(reversed(_retired(store)))
    return [X25519PrivateKey.from_private_bytes(unb64(t)) for t in texts]


def discipline_keys(station: "Station") -> dict[str, str]:
    """node id → public key (base64) of every discipline device of this station's town
    and of the levels above it whose announcement has reached this device."""
    hubs = [h for h in [station.hub_id(), *station.ancestors()] if h]
    if not hubs:
        return {}
    return _keys_at(station.store.conn, list(dict.fromkeys(hubs)), station.store.directory)


def _keys_at(conn: sqlite3.Connection, hubs: list[str], directory: "Directory") -> dict[str, str]:
    keys: dict[str, str] = {}
    certified = directory.root is not None
    marks = ",".join("?" * len(hubs))
    for (node,) in conn.execute(f"SELECT id FROM nodes_dir WHERE hub IN ({marks}) ORDER BY id",
                                hubs):
        if certified:
            # A 纪委 device by its certificate: certified by this town's hub or the
            # county's with the discipline role (issue #7 item 1), whatever others announce.
            cert = directory.verified(node)
            if cert is None or cert.parent not in hubs or DISCIPLINE_ROLE not in cert.roles:
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
        return len(unb64(text)) == KEY
    except (binascii.Error, ValueError):
        return False


def can_seal(station: "Station") -> bool:
    """Is at least one discipline key known here (so a report can be taken)?"""
    return bool(discipline_keys(station))


def can_open(station: "Station") -> bool:
    """Does this device hold a discipline private key?"""
    return station.store.meta.get(META_KEY) is not None


def _recipients(station: "Station") -> list[bytes]:
    keys = discipline_keys(station)
    if not keys:
        raise SealError(NO_KEY_YET, "no_discipline_key")
    return [unb64(keys[node]) for node in sorted(keys)]


# the station API ---------------------------------------------------------------------------
def seal_for_discipline(station: "Station", plaintext: bytes) -> str:
    """Encrypt ``plaintext`` for every discipline key of this station's town and county;
    returns the base64 envelope for the event payload's ``sealed``. Raises SealError with
    NO_KEY_YET when no discipline key has reached this device (never plaintext)."""
    return seal_text(plaintext, _recipients(station))


def seal_file(station: "Station", data: bytes) -> bytes:
    """An evidence file sealed the same way (bytes, kept as an attachment)."""
    return seal_bytes(data, _recipients(station))


def open_sealed(station: "Station", sealed: str) -> bytes:
    """The plaintext of a sealed report, on a discipline device only; SealError otherwise."""
    return open_text(sealed, _discipline_privates(station))


def open_file(station: "Station", sha256: str) -> bytes:
    """An evidence file of a sealed report, opened on a discipline device. Taken from
    this device's attachments, else fetched from its hub (which hands it only to a node
    that may receive the report, sync/hub/blobs.py)."""
    privates = _discipline_privates(station)
    if not station.blobs.has(sha256):
        _fetch(station, sha256)
    return open_bytes(station.blobs.read(sha256), privates)


def _discipline_privates(station: "Station") -> list[X25519PrivateKey]:
    privates = _private_keys(station.store)
    if not privates:
        raise SealError(NOT_DISCIPLINE, "not_discipline")
    return privates


def _fetch(station: "Station", sha256: str) -> None:
    from sync.errors import Problem
    url = station.hub_url()
    if url is None:
        raise SealError("本机还没有登记，取不到证据附件", "no_hub")
    client = station.hub_connection(url)
    try:
        reply = client.call("GET", f"/v1/blobs/{sha256}")
    except Problem as exc:
        raise SealError(f"证据附件还取不到（{exc.message}），请稍后同步再看", "blob_missing") from exc
    finally:
        client.close()
    data = reply.body
    if not isinstance(data, (bytes, bytearray)):
        raise SealError("证据附件还取不到，请稍后同步再看", "blob_missing")
    if station.blobs.put(bytes(data)) != sha256:
        raise SealError("取到的证据附件与记录不符，请稍后重试", "blob_mismatch")


def sealed_events(station: "Station") -> list[dict[str, Any]]:
    """Every event of the confidential kind ``complaint`` held here (still sealed)."""
    rows = station.store.conn.execute(log.SELECT + " WHERE kind='complaint' ORDER BY hlc, origin,"
                                      " seq").fetchall()
    return [log.row_to_event(r) for r in rows]


def collect_public_reports(station: "Station") -> int:
    """On a town 纪委 device: take the reports citizens sent through the town's public
    page (sealed on arrival at the hub, app.hubext.reports) into this device's log as
    ``petition.accusation_sealed`` events, under the receipt numbers the citizens were
    given; the next push hands them to the hub, which then drops its copy. Returns how
    many were taken in. A report already taken in (a collect repeated after a failure
    before the push) is not written twice."""
    from app.domain.petition.sealed import EVENT_TYPE, sealed_payload
    from sync.ids import uuid7
    from sync.store import NewEvent
    url = station.hub_url()
    if url is None or station.level != "town" or DISCIPLINE_ROLE not in station.identity().get(
            "roles", []):
        return 0
    client = station.hub_connection(url)
    try:
        reply = client.call("POST", "/v1/public-reports", {})
    finally:
        client.close()
    items = reply.body.get("reports", []) if isinstance(reply.body, dict) else []
    held = {r for (r,) in station.store.conn.execute(
        "SELECT receipt_no FROM sealed_accusations WHERE receipt_no IS NOT NULL")}
    new = []
    for item in items:
        if item["receipt_no"] in held:
            continue
        try:
            attachments = [_keep_evidence(station, file) for file in item.get("evidence", [])]
        except SealError:
            continue          # damaged on the way: it stays claimed here, the next round retries
        payload = sealed_payload(item["sealed"], date.fromisoformat(item["received_on"]), "town",
                                 item["receipt_no"], attachments)
        new.append(NewEvent(EVENT_TYPE, uuid7(), payload, "public-page"))
    if new:
        station.store.append_many(new)
    return len(new)


def _keep_evidence(station: "Station", file: dict[str, Any]) -> dict[str, Any]:
    """A sealed evidence file of a report from the public page, kept as this device's
    attachment (still sealed; it uploads with the next sync like a tablet's evidence).
    The hub's answer is checked against the SHA-256 the sealed text lists."""
    data = unb64(str(file.get("data", "")))
    if hashlib.sha256(data).hexdigest() != file.get("sha256"):
        raise SealError("从服务器取到的证据附件不完整，请稍后再同步一次", "blob_mismatch")
    return station.store.add_blob(station.blobs, data)
