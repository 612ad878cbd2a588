"""Enrolling a station (or a town hub) with its hub: one-time code → node id, token,
the hub's identity and its TLS certificate, pinned (the code is proven by SPAKE2, never
sent: sync/pairing.py), the node's certificate with its chain, and the root key every
chain ends at, which is pinned here (issue #7). The node's Ed25519 key is generated
here and only its public half leaves the device."""
from __future__ import annotations

import json
from typing import Any

from spake2 import SPAKE2_B

from sync.certs import Root
from sync.client import HubClient
from sync.db import transaction
from sync.errors import Problem
from sync.keys import SigningKey, b64
from sync.pairing import (ID_HUB, ID_STATION, decode_message, hint_of, mac, normal_code,
                          password_of_code, same_mac)
from sync.store import RESYNC, Store
from sync.tls import Pin, WrongCertificate, fingerprint, is_https, peer_certificate


def enroll_station(store: Store, client: HubClient, code: str, name: str = "",
                   fingerprint: str = "") -> dict[str, Any]:
    """`fingerprint` (from the enrollment QR code: app.services.enroll_card): the hub
    must show exactly that certificate, checked before anything is sent."""
    if store.node_id is not None:
        raise Problem(409, "already_enrolled", "本机已经登记过了；如需换到别的镇，请使用新的数据目录。")
    key = SigningKey.generate()
    reply, cert = _call_enroll(client, {"code": code, "pubkey": key.public_b64}, fingerprint)
    body = reply.body
    identity = {"token": body["token"], "kind": body["kind"], "name": body["name"] or name,
                "short_code": body.get("short_code"),
                "roles": body.get("roles", []), "hub": body["hub"], "hub_url": client.base_url,
                "hub_cert": cert}
    store.set_identity(body["node_id"], key, identity, _root_of(body),
                       [body.get("cert"), *body.get("chain", [])])
    # First contact: the hub's time is taken whatever this device's date says (the
    # enrollment is where the hub is pinned; sync.hlc).
    store.learn_hub_time(body["hub_time"], reply.sent_ms, reply.received_ms,
                         first_contact=True)
    if isinstance(body.get("resume"), int) and body["resume"] > 0:
        # A new device for a node the hub already holds records of (a lost tablet
        # replaced): nothing is written until they are back (sync.store.RESYNC).
        with transaction(store.conn):
            store.meta.set(RESYNC, json.dumps({"replaced": body["resume"]}))
    return {"node_id": body["node_id"], **identity}


def enroll_hub(hub: Any, client: HubClient, code: str) -> dict[str, Any]:
    """A town hub enrolls towards its county, keeping its own id and key."""
    if hub.meta.get("upstream"):
        raise Problem(409, "already_enrolled", "这个服务器已经登记到上级了。")
    reply, cert = _call_enroll(client, {"code": code, "pubkey": hub.key().public_b64,
                                        "node_id": hub.hub_id})
    body = reply.body
    upstream = {"url": client.base_url, "token": body["token"], "parent": body["hub"],
                "ancestors": body["hub"]["ancestors"], "root": _root_of(body).to_json(),
                "cert": cert}
    with transaction(hub.conn):
        hub.meta.set("upstream", json.dumps(upstream, ensure_ascii=False))
        if body.get("short_code"):
            hub.meta.set("prefix", body["short_code"][:2])
        hub.directory.forget()
        hub.directory.admit([body.get("cert"), *body.get("chain", [])])
        hub.touch_nodes()
    return upstream


def _root_of(body: dict[str, Any]) -> Root:
    root = Root.from_json(body.get("root"))
    if root is None:
        raise Problem(502, "no_root", "上级服务器没有给出根证书：请把上级服务器升级到最新版本后再登记。")
    return root


def _call_enroll(client: HubClient, request: dict[str, Any], expected: str = ""
                 ) -> tuple[Any, str | None]:
    """Enroll by a SPAKE2 exchange with the code (sync/pairing.py) over a link pinned to
    the certificate the hub shows now, which the exchange proves; returns the reply and
    that certificate (None over plain HTTP), which the caller pins. The code itself is
    never sent. `expected`: the fingerprint from a QR code, checked first."""
    code = normal_code(request.pop("code"))
    if not is_https(client.base_url):
        if expected:
            raise Problem(400, "plain_http", f"二维码里有服务器证书，但地址 {client.base_url} 是不加密的 "
                          "http://：请用 https:// 开头的地址（照二维码）。")
        return _exchange(client, code, request, ""), None
    cert = client.pin.cert if client.pin else peer_certificate(client.base_url)
    if expected and fingerprint(cert) != expected.lower():
        raise WrongCertificate(client.base_url, "")
    pinned = HubClient(client.base_url, pin=Pin(cert), transport=client.transport,
                       timeout=client.timeout)
    try:
        return _exchange(pinned, code, request, fingerprint(cert)), cert
    finally:
        pinned.close()


def _exchange(client: HubClient, code: str, request: dict[str, Any], seen: str) -> Any:
    station = SPAKE2_B(password_of_code(code), idA=ID_HUB, idB=ID_STATION)
    msg_b = station.start()
    first = client.call("POST", "/v1/enroll/start", {"hint": hint_of(code), "msg": b64(msg_b)},
                        compress=False).body
    msg_a = decode_message(first.get("msg")) if isinstance(first, dict) else None
    if msg_a is None:
        raise Problem(502, "bad_reply", "服务器的登记回复不对：请核对服务器地址，或让镇里把服务器升级到最新版本。")
    try:
        key = station.finish(msg_a)
    except Exception as exc:    # spake2 raises plain errors on a bad element
        raise Problem(502, "bad_reply", "服务器的登记回复不对：请核对服务器地址。") from exc
    if not same_mac(first.get("confirm"), mac(key, b"hub", seen, msg_a, msg_b)):
        # Another code, or a hub that is not the one whose certificate this link shows
        # (a man in the middle): nothing more is sent.
        raise Problem(401, "bad_code", "登记没有成功：登记码不对、已经用过或已作废，也可能有人在冒充服务器"
                      "（本机没有发出登记码）。请核对登记码；仍不行请向镇里要一个新的登记码，"
                      "并确认连的是镇里给的网络和地址。")
    proof = mac(key, b"station", seen, msg_a, msg_b)
    return client.call("POST", "/v1/enroll", {**request, "session": first.get("session"),
                                              "proof": proof}, compress=False)
