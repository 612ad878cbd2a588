"""Node certificates: who a node is, fixed by the hub that created it (issue #7).

A certificate binds a node id to its parent, kind (village / town / county), name,
roles, station code and public key, signed by the parent hub when the node enrolls
(`sanji node add`, then `/v1/enroll`). Certificates chain: a village's is signed by its
town hub, the town hub's by the county hub, whose key every node pins at enrollment
(the root). Level and roles are read from certificates only, never from what a node
announces about itself (DESIGN.md "Authority").

A chain is valid (Directory.verified) when every link holds:
- the issuer (the parent) is the root, or a node whose own certificate is valid and
  carries the `hub` role: only hubs certify nodes, a village certifies nothing;
- a node's kind is no higher than its issuer's (a town hub certifies villages and
  town stations, never a county); the `hub` role only for a kind below the issuer's;
- the signature verifies with the issuer's key.

Every file (hub or station) keeps the certificates it knows in one table, each with
the position it was stored at (`cseq`), so a hub hands its children only what they
have not seen (`since`).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sync.db import run_script
from sync.errors import Problem
from sync.keys import SigningKey, verify
from sync.nodes import KINDS

HUB_ROLE = "hub"
RANK = {kind: rank for rank, kind in enumerate(KINDS)}
MAX_TEXT = 64

CERTS_DDL = """
CREATE TABLE IF NOT EXISTS certs(
  id TEXT PRIMARY KEY,
  parent TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  pubkey TEXT NOT NULL,
  roles TEXT NOT NULL DEFAULT '',
  short_code TEXT,
  sig TEXT NOT NULL,
  cseq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS certs_cseq ON certs(cseq);
CREATE INDEX IF NOT EXISTS certs_parent ON certs(parent)
"""


@dataclass(frozen=True)
class Cert:
    id: str
    parent: str
    kind: str
    name: str
    pubkey: str
    roles: tuple[str, ...]
    short_code: str | None
    sig: str

    @property
    def is_hub(self) -> bool:
        return HUB_ROLE in self.roles

    def message(self) -> bytes:
        return cert_message(self.id, self.parent, self.kind, self.name, self.pubkey,
                            self.roles, self.short_code)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "parent": self.parent, "kind": self.kind, "name": self.name,
                "pubkey": self.pubkey, "roles": list(self.roles),
                "short_code": self.short_code, "sig": self.sig}

    @classmethod
    def from_json(cls, value: object) -> "Cert":
        """A certificate from the wire; raises a 422 Problem if its shape is wrong (its
        signature is checked by the directory, against the chain)."""
        if not isinstance(value, dict):
            raise Problem(422, "bad_cert", "节点证书格式不对。")
        texts = [value.get(k) for k in ("id", "parent", "kind", "name", "pubkey", "sig")]
        roles, short_code = value.get("roles", []), value.get("short_code")
        if not all(isinstance(t, str) and 0 < len(t) <= 128 for t in texts) \
                or not isinstance(roles, list) or len(roles) > 8 \
                or not all(isinstance(r, str) and 0 < len(r) <= 32 and "," not in r
                           for r in roles) \
                or not (short_code is None or isinstance(short_code, str)
                        and 0 < len(short_code) <= 16) \
                or value.get("kind") not in RANK:
            raise Problem(422, "bad_cert", "节点证书缺少字段或格式不对。",
                          node=value.get("id") if isinstance(value.get("id"), str) else None)
        return cls(value["id"], value["parent"], value["kind"], value["name"],
                   value["pubkey"], tuple(sorted(set(roles))), short_code, value["sig"])


@dataclass(frozen=True)
class Root:
    """The top hub every chain ends at: its key is pinned at enrollment."""

    id: str
    pubkey: str
    level: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "pubkey": self.pubkey, "level": self.level}

    @classmethod
    def from_json(cls, value: object) -> "Root | None":
        if not isinstance(value, dict):
            return None
        parts = [value.get(k) for k in ("id", "pubkey", "level")]
        if not all(isinstance(p, str) and p for p in parts) or value["level"] not in RANK:
            return None
        return cls(value["id"], value["pubkey"], value["level"])

    def as_cert(self) -> Cert:
        return Cert(self.id, "", self.level, "", self.pubkey, (HUB_ROLE,), None, "")


def cert_message(node_id: str, parent: str, kind: str, name: str, pubkey: str,
                 roles: Iterable[str], short_code: str | None) -> bytes:
    """What a hub signs to certify a node (one line per field; roles sorted)."""
    return "\n".join(["sanji-cert/1", node_id, parent, kind, name, pubkey,
                      ",".join(sorted(set(roles))), short_code or ""]).encode("utf-8")


def issue(key: SigningKey, node_id: str, parent: str, kind: str, name: str, pubkey: str,
          roles: Iterable[str] = (), short_code: str | None = None) -> Cert:
    roles = tuple(sorted(set(roles)))
    return Cert(node_id, parent, kind, name, pubkey, roles, short_code,
                key.sign(cert_message(node_id, parent, kind, name, pubkey, roles, short_code)))


def may_issue(issuer: Cert, cert: Cert) -> bool:
    """The structural rule of one link: a hub issues, never above its own kind, and a
    hub-role node only below it."""
    if not issuer.is_hub or RANK[cert.kind] > RANK[issuer.kind]:
        return False
    return not cert.is_hub or RANK[cert.kind] < RANK[issuer.kind]


_COLUMNS = "id, parent, kind, name, pubkey, roles, short_code, sig"


def _row_to_cert(row: tuple[Any, ...]) -> Cert:
    return Cert(row[0], row[1], row[2], row[3], row[4],
                tuple(r for r in row[5].split(",") if r), row[6], row[7])


class Directory:
    """The certificates one file holds, verified lazily against the root's key.

    `root` is read through a callable because a station pins it after opening (at
    enrollment, or from its hub's first signed reply after an upgrade)."""

    def __init__(self, conn: sqlite3.Connection, root: Callable[[], Root | None]) -> None:
        self.conn = conn
        self._root = root
        self._certs: dict[str, Cert] | None = None
        self._verified: dict[str, Cert | None] = {}

    # reading ------------------------------------------------------------------------------
    @property
    def root(self) -> Root | None:
        return self._root()

    def _all(self) -> dict[str, Cert]:
        if self._certs is None:
            self._certs = {r[0]: _row_to_cert(r) for r in
                           self.conn.execute(f"SELECT {_COLUMNS} FROM certs")}
        return self._certs

    def get(self, node_id: str) -> Cert | None:
        """The stored certificate, verified or not."""
        return self._all().get(node_id)

    def verified(self, node_id: str) -> Cert | None:
        """The node's certificate if its chain to the pinned root holds; the root itself
        as a pseudo-certificate; else None."""
        if node_id in self._verified:
            return self._verified[node_id]
        root = self.root
        result: Cert | None = None
        if root is not None and node_id == root.id:
            result = root.as_cert()
        else:
            cert = self._all().get(node_id)
            if cert is not None and root is not None:
                self._verified[node_id] = None       # a loop in the chain ends here
                issuer = self.verified(cert.parent)
                if issuer is not None and may_issue(issuer, cert) \
                        and verify(issuer.pubkey, cert.message(), cert.sig):
                    result = cert
        self._verified[node_id] = result
        return result

    def level(self, node_id: str) -> str | None:
        cert = self.verified(node_id)
        return cert.kind if cert else None

    def lineage(self, node_id: str) -> list[str]:
        """The node and its certified ancestors up to the root ([] if unverified)."""
        out: list[str] = []
        cert = self.verified(node_id)
        while cert is not None and cert.id not in out:
            out.append(cert.id)
            cert = self.verified(cert.parent) if cert.parent else None
        return out

    def levels(self) -> dict[str, str]:
        """node id → certified level, for every node whose chain holds."""
        return {node: cert.kind for node in list(self._all())
                if (cert := self.verified(node)) is not None}

    def since(self, cseq: int, limit: int = 1000) -> tuple[list[dict[str, Any]], int, bool]:
        """Certificates stored after position `cseq`: (certs, last position, more?)."""
        rows = self.conn.execute(f"SELECT {_COLUMNS}, cseq FROM certs WHERE cseq>?"
                                 " ORDER BY cseq LIMIT ?", (cseq, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1][-1] if rows else cseq
        return [_row_to_cert(r).to_json() for r in rows], last, more

    def through(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(cseq), 0) FROM certs").fetchone()[0])

    # writing ------------------------------------------------------------------------------
    def store(self, cert: Cert) -> bool:
        """Keep a certificate (inside the caller's transaction); True if it is new or
        changed. A node keeps the parent it was first certified under: a certificate
        that moves it is refused (one town cannot take over another's village)."""
        held = self.get(cert.id)
        if held == cert:
            return False
        root = self.root
        if root is not None and cert.id == root.id:
            raise Problem(403, "foreign_node", "不能为根服务器颁发证书。", node=cert.id)
        if held is not None and held.parent != cert.parent and self.verified(cert.id):
            raise Problem(403, "foreign_node", "这个节点已属于别的上级，不能改挂。", node=cert.id)
        cseq = self.through() + 1
        self.conn.execute(
            f"INSERT OR REPLACE INTO certs({_COLUMNS}, cseq) VALUES(?,?,?,?,?,?,?,?,?)",
            (cert.id, cert.parent, cert.kind, cert.name, cert.pubkey, ",".join(cert.roles),
             cert.short_code, cert.sig, cseq))
        self.forget()
        return True

    def admit(self, items: Iterable[object]) -> tuple[list[str], list[Problem]]:
        """Store certificates received from a trusted link (a signed pull reply, an
        enrollment reply); ids stored or changed, and problems with the others. A
        certificate whose chain does not (yet) hold is kept but not trusted."""
        changed, problems = [], []
        for item in items:
            try:
                cert = Cert.from_json(item)
                if self.store(cert):
                    changed.append(cert.id)
            except Problem as exc:
                problems.append(exc)
        return changed, problems

    def forget(self) -> None:
        """Drop cached certificates and verdicts (after the table or the root changed)."""
        self._certs = None
        self._verified = {}


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, CERTS_DDL)
