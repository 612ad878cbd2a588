"""One sync round of a station: push own events, upload attachments, pull what is in
scope — the protocol of sync.replicate, over the station's store. The outcome is
recorded so the app can always show last success, pending count and the last error
(DESIGN.md "Failure is visible"): a round that did nothing is never reported as success.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync import log
from sync.batching import BatchSizer
from sync.blobfiles import BlobFiles
from sync.client import Backoff, Credentials, HubClient, Reply
from sync.db import transaction
from sync.errors import Problem, SyncError, TransportError
from sync.replicate import Counts, Outgoing, Replicator
from sync.store import RESYNC, Store
from sync.tls import Pin

@dataclass
class RoundResult:
    pushed: int = 0
    pulled: int = 0
    blobs: int = 0
    ok: bool = False
    error: str | None = None

    def summary(self) -> str:
        if not self.ok:
            return f"同步失败：{self.error}"
        return f"同步成功：上传 {self.pushed} 条，下载 {self.pulled} 条，附件 {self.blobs} 个"


def credentials_for(store: Store) -> Credentials:
    ident = store.identity()
    if not ident.get("token"):
        raise Problem(401, "not_enrolled", "本机还没有登记：请先输入服务器地址和登记码。")
    return Credentials(store.node_id or "", ident["token"], store.signing_key(),
                       store.next_request_counter, pin_of(ident))


def pin_of(ident: dict[str, Any]) -> Pin | None:
    """The hub certificate a station pinned at enrollment (sync.tls), if any."""
    cert = ident.get("hub_cert")
    return Pin(cert, str((ident.get("hub") or {}).get("name") or "")) if cert else None


@dataclass
class StationEnd:
    """The station's store as the local end of sync.replicate."""

    store: Store

    def outgoing(self, limit: int) -> Outgoing | None:
        run = self.store.outbox_run(limit)
        return None if run is None else Outgoing([run])

    def acknowledged(self, accepted: Mapping[str, int], certs: Sequence[dict[str, Any]]
                     ) -> None:
        through = accepted.get(self.store.node_id or "")
        if isinstance(through, int):
            self.store.mark_pushed(through)

    def set_aside(self, out: Outgoing) -> bool:
        return False      # a station's own events were checked when written

    def blobs_to_send(self) -> list[str]:
        return [sha for (sha,) in self.store.conn.execute(
            "SELECT sha256 FROM blobs_out WHERE uploaded=0")]

    def blob_sent(self, sha: str) -> None:
        with transaction(self.store.conn):
            self.store.conn.execute("UPDATE blobs_out SET uploaded=1 WHERE sha256=?", (sha,))

    def pull_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {"cursor": self.store.pull_cursor(),
                                   "certs_after": self.store.certs_after()}
        if self.store.meta.get(RESYNC):      # our own records, back from the hub
            request["own_after"] = log.head(self.store.conn, self.store.node_id or "")[0]
        return request

    def restart_pull(self) -> None:
        self.store.reset_cursor()

    def held_heads(self) -> dict[str, int]:
        return log.heads(self.store.conn)

    def apply(self, body: dict[str, Any], events: list[dict[str, Any]],
              cursor: dict[str, Any], certs: list[Any], certs_through: int | None) -> int:
        self.store.adopt_root(body.get("root"))
        return self.store.apply_pulled(events, cursor, certs, certs_through)

    def pull_finished(self) -> None:
        self.store.finish_resync()

    def rewind(self, heads: Mapping[str, int]) -> bool:
        held = heads.get(self.store.node_id or "", 0)
        if held >= self.store.pushed_through():
            return False
        self.store.mark_pushed(held)
        return True

    def learn_time(self, reply: Reply) -> None:
        """Learn the hub's time (sync.hlc decides whether it may be: never far ahead)."""
        hub_time = reply.body.get("hub_time") if isinstance(reply.body, dict) else None
        if hub_time is not None:
            self.store.learn_hub_time(hub_time, reply.sent_ms, reply.received_ms)


@dataclass
class Syncer:
    store: Store
    client: HubClient
    blobs: BlobFiles | None = None
    sizer: BatchSizer = field(default_factory=BatchSizer)
    backoff: Backoff = field(default_factory=Backoff)
    progress: Callable[[str, int, int], None] | None = None
    replicator: Replicator = field(init=False)

    def __post_init__(self) -> None:
        # The reply must be signed by the hub this station enrolled with (issue #7).
        self.replicator = Replicator(StationEnd(self.store), self.client, self.store.hub_key(),
                                     self.sizer, self.backoff, self.blobs, self.progress,
                                     self.store.pending_count)

    def run_round(self) -> RoundResult:
        self._record("last_attempt", self._now())
        counts = Counts()
        failed: SyncError | None = None
        try:
            self.client.reach()          # no answer within a few seconds: say so, now
            self.replicator.round(counts)
        except SyncError as exc:
            failed = exc
        result = RoundResult(counts.pushed, counts.pulled, counts.blobs)
        if failed is not None:
            result.error = failed.message if isinstance(failed, (Problem, TransportError)) \
                else str(failed)
            self._record("last_error", json.dumps(
                {"at": self._now(), "message": result.error,
                 "code": getattr(failed, "code", "transport")}, ensure_ascii=False))
            return result
        result.ok = True
        self._record("last_success", self._now())
        self._record("last_error", None)
        self._record("last_summary", result.summary())
        return result

    def push_all(self) -> int:
        return self.replicator.push_all()

    def pull_all(self) -> int:
        return self.replicator.pull_all()

    def _now(self) -> int:
        return self.store.clock.wall()

    def _record(self, key: str, value: object) -> None:
        with transaction(self.store.conn):
            self.store.meta.set(key, value)
