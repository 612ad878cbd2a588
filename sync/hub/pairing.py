"""The hub's side of SPAKE2 enrollment (sync/pairing.py says why and how).

Codes are registered under their hint (first four digits) in the hub's meta table when
`sanji node add` / `node replace` make them; hints of codes still pending are kept
distinct, so a hint names one code. Exchanges in progress live in memory (one hub
process serves both requests) for two minutes and are used once. Every exchange
started counts against its code; after MAX_TRIES without a proof the code is void
(a guesser gets a handful of guesses of 10^8, then nothing).
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from spake2 import SPAKE2_A

from sync.db import transaction
from sync.errors import Problem
from sync.hub.store import HubStore
from sync.hub.tls import certificate_in_use
from sync.keys import b64
from sync.nodes import new_code
from sync.pairing import ID_HUB, ID_STATION, decode_message, hint_of, mac, password, same_mac
from sync.tls import fingerprint

HINT_KEY, TRIES_KEY = "pairing_hint:", "pairing_tries:"
MAX_TRIES = 5
SESSION_S = 120.0
MAX_SESSIONS = 1000
BAD = "登记没有成功：登记码不对、已经用过或已作废，也可能有人在冒充服务器。请核对登记码；仍不行请向镇里要一个新的登记码。"


def fresh_code(hub: HubStore) -> str:
    """A new code whose hint no pending code has (inside the caller's transaction)."""
    taken = pending_hints(hub)
    for _ in range(1000):
        code = new_code()
        if hint_of(code) not in taken:
            return code
    raise Problem(409, "codes_exhausted", "待登记的登记码太多了：请先注销不用的节点。")


def register(hub: HubStore, node_id: str, code: str) -> None:
    """Remember which node a code's hint names (inside the caller's transaction)."""
    hub.meta.set(HINT_KEY + node_id, hint_of(code))
    hub.meta.set(TRIES_KEY + node_id, None)


def pending_hints(hub: HubStore) -> set[str]:
    return {hint for _, hint in _pending(hub)}


def _pending(hub: HubStore) -> list[tuple[str, str]]:
    """(node id, hint) of the codes that still work."""
    rows = hub.conn.execute(
        "SELECT n.id, m.value FROM meta m JOIN nodes n ON m.key = ? || n.id"
        " WHERE n.code_hash IS NOT NULL AND n.revoked = 0 AND n.code_expires >= ?",
        (HINT_KEY, hub.now_ms())).fetchall()
    return [(r[0], r[1]) for r in rows]


@dataclass
class Session:
    node_id: str | None        # None: no such code (the exchange runs all the same)
    key: bytes
    fingerprint: str
    msg_a: bytes
    msg_b: bytes
    expires: float


class Pairings:
    """Exchanges in progress at one hub process."""

    def __init__(self, hub: HubStore) -> None:
        self.hub = hub
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, body: dict[str, Any], tls: bool) -> dict[str, Any]:
        """`tls`: the request came over HTTPS (the station sees this hub's certificate);
        over plain HTTP (`--insecure`) there is none to bind."""
        hint, msg_b = body.get("hint"), decode_message(body.get("msg"))
        if not isinstance(hint, str) or not hint.isdigit() or len(hint) != 4 or msg_b is None:
            raise Problem(400, "bad_request", "登记请求格式不对：请把本机的程序升级到最新版本。")
        node_id, code_hash = self._code_for(hint)
        # An unknown hint runs the exchange with a random password: the answer looks
        # the same, so it says nothing about which codes exist.
        side = SPAKE2_A(password(code_hash or secrets.token_hex(32)), idA=ID_HUB,
                        idB=ID_STATION)
        msg_a = side.start()
        try:
            key = side.finish(msg_b)
        except Exception as exc:   # spake2 raises plain errors on a bad element
            raise Problem(400, "bad_request", "登记请求格式不对。") from exc
        own = fingerprint(certificate_in_use(self.hub)) if tls else ""
        session_id = secrets.token_urlsafe(18)
        with self._lock:
            self._forget_expired()
            self._sessions[session_id] = Session(node_id, key, own, msg_a, msg_b,
                                                 time.monotonic() + SESSION_S)
        return {"session": session_id, "msg": b64(msg_a),
                "confirm": mac(key, b"hub", own, msg_a, msg_b)}

    def finish(self, body: dict[str, Any]) -> str:
        """The node whose code the station proved it knows (the session is used up)."""
        session_id = body.get("session")
        with self._lock:
            session = self._sessions.pop(session_id, None) if isinstance(session_id, str) \
                else None
        if session is None or session.expires < time.monotonic():
            raise Problem(401, "bad_session", "登记超时或已经用过：请重新点“登记”。")
        expected = mac(session.key, b"station", session.fingerprint, session.msg_a,
                       session.msg_b)
        if session.node_id is None or not same_mac(body.get("proof"), expected):
            raise Problem(401, "bad_code", BAD)
        with transaction(self.hub.conn):
            self.hub.meta.set(TRIES_KEY + session.node_id, None)
        return session.node_id

    def _code_for(self, hint: str) -> tuple[str | None, str | None]:
        found = [node for node, h in _pending(self.hub) if h == hint]
        if not found:
            return None, None
        node_id = found[0]
        with transaction(self.hub.conn):
            tries = int(self.hub.meta.get(TRIES_KEY + node_id) or 0) + 1
            self.hub.meta.set(TRIES_KEY + node_id, tries)
            if tries > MAX_TRIES:
                # Too many exchanges without a proof: someone is guessing. The code is
                # void; the town makes a new one (sanji node replace / node add).
                self.hub.conn.execute("UPDATE nodes SET code_hash=NULL WHERE id=?",
                                      (node_id,))
                self.hub.meta.set(HINT_KEY + node_id, None)
                return None, None
        row = self.hub.conn.execute("SELECT code_hash FROM nodes WHERE id=?",
                                    (node_id,)).fetchone()
        return node_id, row[0]

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if s.expires < now]:
            del self._sessions[key]
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.pop(next(iter(self._sessions)))


__all__ = ["BAD", "MAX_TRIES", "Pairings", "fresh_code", "register"]
