"""Enrolling a station (or a town hub) with its hub: one-time code → node id, token,
the hub's identity, the node's certificate with its chain, and the root key every
chain ends at, which is pinned here (issue #7). The node's Ed25519 key is generated
here and only its public half leaves the device."""
from __future__ import annotations

import json
from typing import Any

from sync.certs import Root
from sync.client import HubClient
from sync.db import transaction
from sync.errors import Problem
from sync.keys import SigningKey
from sync.store import RESYNC, Store


def enroll_station(store: Store, client: HubClient, code: str, name: str = "") -> dict[str, Any]:
    if store.node_id is not None:
        raise Problem(409, "already_enrolled", "本机已经登记过了；如需换到别的镇，请使用新的数据目录。")
    key = SigningKey.generate()
    reply = client.call("POST", "/v1/enroll", {"code": code, "pubkey": key.public_b64},
                        compress=False)
    body = reply.body
    identity = {"token": body["token"], "kind": body["kind"], "name": body["name"] or name,
                "short_code": body.get("short_code"),
                "roles": body.get("roles", []), "hub": body["hub"], "hub_url": client.base_url}
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
    reply = client.call("POST", "/v1/enroll", {"code": code, "pubkey": hub.key().public_b64,
                                               "node_id": hub.hub_id}, compress=False)
    body = reply.body
    upstream = {"url": client.base_url, "token": body["token"], "parent": body["hub"],
                "ancestors": body["hub"]["ancestors"], "root": _root_of(body).to_json()}
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
