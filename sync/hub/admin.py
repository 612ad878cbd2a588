"""Enrolling, listing, revoking and authenticating a hub's child nodes.

A code is printed once by `sanji node add` and works once, for a limited time; only
its hash is stored. The token returned by enrollment is likewise stored as a hash.
Each request is signed with the node's key over a counter that must grow, so a
captured request cannot be replayed (issue #2 §4).
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any, Mapping

from sync import log
from sync.certs import HUB_ROLE
from sync.db import transaction
from sync.errors import Problem
from sync.hub.store import HubStore
from sync.ids import is_uuid, uuid7
from sync.keys import request_message, unb64, verify
from sync.hub import pairing
from sync.nodes import KINDS, Node, new_token, same_secret, secret_hash
from sync.pairing import normal_code

CODE_VALID_MS = 7 * 24 * 3600 * 1000
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud and typed without mix-ups


def add_node(hub: HubStore, name: str, kind: str, roles: tuple[str, ...] = ()
             ) -> tuple[str, str]:
    """Create a child node; returns (node_id, one-time enrollment code). A town added
    at a county is a town hub: the only kind of node that may certify others (its
    stations); every other node is a station, whatever its level."""
    name = name.strip()
    if kind not in KINDS:
        raise Problem(400, "bad_kind", f"节点类型只能是 {'/'.join(KINDS)}。")
    if not name or len(name) > 40:
        raise Problem(400, "bad_name", "请填写 1 到 40 个字的节点名称（例如 村名）。")
    roles = tuple(r for r in roles if r != HUB_ROLE)
    if hub.meta.get("level") == "county" and kind == "town":
        roles += (HUB_ROLE,)
    node_id = uuid7()
    with transaction(hub.conn):
        code = pairing.fresh_code(hub)
        hub.conn.execute(
            "INSERT INTO nodes(id, parent, kind, name, roles, direct, code_hash, code_expires,"
            " short_code) VALUES(?,?,?,?,?,1,?,?,?)",
            (node_id, hub.hub_id, kind, name, ",".join(roles), secret_hash(code),
             hub.now_ms() + CODE_VALID_MS, _next_short_code(hub, kind)))
        pairing.register(hub, node_id, code)
        _bump(hub)
    return node_id, code


def _next_short_code(hub: HubStore, kind: str) -> str:
    """A town hub under a county gets two letters; a station gets the hub's two letters
    and a 3-digit number (receipt numbers: app.domain.shared.receipt)."""
    used = {r[0] for r in hub.conn.execute("SELECT short_code FROM nodes WHERE direct=1"
                                           " AND short_code IS NOT NULL")}
    if hub.meta.get("level") == "county" and kind == "town":
        for first in LETTERS:
            for second in LETTERS:
                if first + second not in used and first + second != hub.prefix():
                    return first + second
        raise Problem(409, "codes_exhausted", "两位字母编码已用完。")
    for number in range(1, 1000):
        candidate = f"{hub.prefix()}{number:03d}"
        if candidate not in used:
            return candidate
    raise Problem(409, "codes_exhausted", "本服务器下的站点编码已用完（999 个）。")


def list_nodes(hub: HubStore) -> list[dict[str, Any]]:
    rows = hub.conn.execute(
        "SELECT id, parent, kind, name, roles, direct, enrolled_at, revoked FROM nodes"
        " ORDER BY direct DESC, kind, name").fetchall()
    return [dict(zip(("id", "parent", "kind", "name", "roles", "direct", "enrolled_at",
                      "revoked"), r)) for r in rows]


def revoke(hub: HubStore, node_id: str) -> None:
    with transaction(hub.conn):
        changed = hub.conn.execute("UPDATE nodes SET revoked=1, token_hash=NULL, code_hash=NULL"
                                   " WHERE id=? AND direct=1", (node_id,)).rowcount
        _bump(hub)
    if not changed:
        raise Problem(404, "unknown_node", f"没有直接登记在本服务器的节点 {node_id}。")


def replace_device(hub: HubStore, node_id: str) -> str:
    """A station's tablet is lost (or every 密码 of it forgotten): a new one-time code for
    the *same* node, so the new tablet continues its records, chain and receipt numbers
    (issue #11). The old tablet's token stops working at once; the new tablet's first
    sync brings back what the hub holds of its chain (`resume` in the enrollment reply,
    sync.store.RESYNC). What the old tablet never synced is lost."""
    with transaction(hub.conn):
        row = hub.conn.execute("SELECT kind, revoked FROM nodes WHERE id=? AND direct=1",
                               (node_id,)).fetchone()
        if row is None:
            raise Problem(404, "unknown_node", f"没有直接登记在本服务器的节点 {node_id}。")
        if row[1]:
            raise Problem(409, "revoked", "这个节点已经注销，不能换新设备：请用 node add 新建。")
        if hub.conn.execute("SELECT 1 FROM nodes WHERE parent=? LIMIT 1", (node_id,)).fetchone():
            # A hub below (a town with its villages) keeps its own key and data directory:
            # it is restored from its backup (sanji restore), not replaced.
            raise Problem(409, "not_a_station", "只能给服务站（平板、电脑）换新设备；"
                          "下级服务器请用备份恢复（sanji restore）。")
        code = pairing.fresh_code(hub)
        # The request counter starts again with the new device: its requests are signed
        # with its own new key, so none of the old one's can be replayed, and the old
        # tablet's counter (its clock in µs, maybe ahead) would refuse the new one's.
        hub.conn.execute("UPDATE nodes SET code_hash=?, code_expires=?, token_hash=NULL,"
                         " enrolled_at=NULL, last_counter=0 WHERE id=?",
                         (secret_hash(code), hub.now_ms() + CODE_VALID_MS, node_id))
        pairing.register(hub, node_id, code)
        _bump(hub)
    return code


def enroll(hub: HubStore, body: Mapping[str, Any], proven: str | None = None
           ) -> dict[str, Any]:
    """Enroll the node whose code `body` carries, or `proven`: the node whose code a
    SPAKE2 exchange proved the device knows (sync.hub.pairing; stations no longer send
    the code itself). A code sent as such enrolls a device once: sent again (replayed
    by whoever saw it on an --insecure link) it is refused, so the node's token stays."""
    code, pubkey, own_id = body.get("code"), body.get("pubkey"), body.get("node_id")
    if proven is not None:
        code = None
    elif not isinstance(code, str):
        raise Problem(400, "bad_request", "登记请求缺少登记码或公钥。")
    if not isinstance(pubkey, str):
        raise Problem(400, "bad_request", "登记请求缺少登记码或公钥。")
    try:
        if len(unb64(pubkey)) != 32:
            raise ValueError
    except ValueError as exc:
        raise Problem(400, "bad_pubkey", "公钥格式不对。") from exc
    with transaction(hub.conn):
        if code is not None:
            code = normal_code(code)
            row = next((r for r in hub.conn.execute(
                "SELECT id, code_hash, code_expires, revoked, enrolled_at, pubkey FROM nodes"
                " WHERE direct=1 AND code_hash=?", (secret_hash(code),))), None)
            ok = row is not None and same_secret(code, row[1])
        else:
            row = hub.conn.execute(
                "SELECT id, code_hash, code_expires, revoked, enrolled_at, pubkey FROM nodes"
                " WHERE direct=1 AND id=?", (proven,)).fetchone()
            ok = row is not None and row[1] is not None
        if not ok or row is None or row[3]:
            raise Problem(401, "bad_code", "登记码不对或已经用过：请向镇里管理员要一个新的登记码。")
        if row[2] < hub.now_ms():
            raise Problem(401, "code_expired", "登记码已过期（7天有效）：请向镇里管理员要一个新的。")
        if row[4] is not None and (row[5] != pubkey or code is not None):
            # Used already, by another device: a code enrolls one device only.
            raise Problem(401, "bad_code", "登记码不对或已经用过：请向镇里管理员要一个新的登记码。")
        # The same device asking again by a new exchange (its first reply was lost on a
        # bad link) gets a fresh token; the one it never received stops working.
        node_id = row[0]
        if own_id not in (None, "", node_id):
            _adopt_own_id(hub, node_id, own_id)
            node_id = own_id
        token = new_token()
        # sent_up=0: a replaced device's new key must reach the parent before its runs.
        hub.conn.execute("UPDATE nodes SET pubkey=?, token_hash=?, enrolled_at=?, sent_up=0"
                         " WHERE id=?", (pubkey, secret_hash(token), hub.now_ms(), node_id))
        _bump(hub)
        kind, name, roles, short_code = hub.conn.execute(
            "SELECT kind, name, roles, short_code FROM nodes WHERE id=?", (node_id,)).fetchone()
        cert = hub.certify(node_id)
    hub.tree.reload()
    return {"node_id": node_id, "token": token, "kind": kind, "name": name,
            "roles": [r for r in roles.split(",") if r], "hub": hub.identity(),
            "short_code": short_code, "resume": log.head(hub.conn, node_id)[0],
            "cert": cert.to_json(), "chain": hub.chain(), "root": hub.root().to_json(),
            "hub_time": hub.now_ms()}


def _adopt_own_id(hub: HubStore, node_id: str, own_id: object) -> None:
    """A hub enrolling upward keeps the id its own children already know; nothing else
    may choose its id (issue #7 item 7: a village code claiming the town hub's id)."""
    roles = hub.conn.execute("SELECT roles FROM nodes WHERE id=?", (node_id,)).fetchone()[0]
    if HUB_ROLE not in roles.split(","):
        raise Problem(403, "node_id_not_allowed", "只有镇服务器向县里登记时可以沿用自己的节点编号；"
                                                  "服务站请不带编号重新登记。")
    if not isinstance(own_id, str) or not is_uuid(own_id):
        raise Problem(400, "bad_request", "节点编号格式不对（应为 UUID）。")
    if own_id == hub.hub_id or own_id in hub.identity()["ancestors"] or hub.conn.execute(
            "SELECT 1 FROM nodes WHERE id=?", (own_id,)).fetchone() or hub.directory.get(own_id):
        raise Problem(409, "id_taken", "这个节点编号已经存在。")
    hub.conn.execute("UPDATE nodes SET id=? WHERE id=?", (own_id, node_id))


def _bump(hub: HubStore) -> None:
    hub.touch_nodes()


ADMIN_HEADER = "x-sanji-admin"


def status_token(db_key: bytes) -> str:
    """The hub operator's token for /v1/status and /v1/info in full: derived from the
    database key (so whoever holds the key file has it, and nothing is stored)."""
    return hmac.new(db_key, b"sanji hub status", hashlib.sha256).hexdigest()


def is_admin(db_key: bytes | None, headers: Mapping[str, str]) -> bool:
    given = headers.get(ADMIN_HEADER, "")
    return bool(db_key) and bool(given) and hmac.compare_digest(
        given.encode("ascii", "replace"), status_token(db_key or b"").encode("ascii"))


def refresh_tree(hub: HubStore) -> None:
    """Reload the cached node tree and certificates if another connection or process
    (the relay, the CLI) changed them (HubStore.reload_if_changed)."""
    hub.reload_if_changed()


def authenticate(hub: HubStore, headers: Mapping[str, str], method: str, path: str,
                 body: bytes) -> Node:
    auth = headers.get("authorization", "")
    node_id = headers.get("x-sanji-node", "")
    counter_text = headers.get("x-sanji-counter", "")
    signature = headers.get("x-sanji-signature", "")
    if not auth.startswith("Bearer ") or not node_id:
        raise Problem(401, "no_token", "缺少登录凭证：请先登记本机。")
    row = hub.conn.execute("SELECT token_hash, revoked, pubkey, last_counter FROM nodes"
                           " WHERE id=? AND direct=1", (node_id,)).fetchone()
    if row is None or not same_secret(auth[7:], row[0]):
        if row is not None and row[1]:
            raise Problem(401, "token_revoked", "本机的登记已被镇里注销：请联系管理员重新登记。")
        raise Problem(401, "bad_token", "登录凭证无效：请重新登记本机。")
    if not counter_text.isdigit() or len(counter_text) > 18:
        raise Problem(401, "bad_signature", "请求缺少签名计数。")
    counter = int(counter_text)
    if not verify(row[2], request_message(method, path, node_id, counter, body), signature):
        raise Problem(401, "bad_signature", "请求签名不对。")
    if counter <= row[3]:
        raise Problem(409, "replayed", "这个请求已经处理过（重放），已拒绝。")
    with transaction(hub.conn):
        hub.conn.execute("UPDATE nodes SET last_counter=? WHERE id=? AND last_counter<?",
                         (counter, node_id, counter))
    node = hub.tree.get(node_id)
    if node is None:
        hub.tree.reload()
        node = hub.tree.get(node_id)
    assert node is not None
    return node
