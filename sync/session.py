"""One sync round of a station: push own events, upload attachments, pull what is in
scope. The outcome is recorded so the app can always show last success, pending count
and the last error (DESIGN.md "Failure is visible"): a round that did nothing is never
reported as success.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync import log
from sync.batching import BatchSizer
from sync.blobfiles import BlobFiles
from sync.blobsync import upload_blob
from sync.client import Backoff, Credentials, HubClient
from sync.tls import Pin
from sync.db import transaction
from sync.errors import Problem, SyncError, TransportError
from sync.events import pulled as pulled_events, pulled_certs, to_push
from sync.store import RESYNC, Store

MAX_ROUNDS = 10_000


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
class Syncer:
    store: Store
    client: HubClient
    blobs: BlobFiles | None = None
    sizer: BatchSizer = field(default_factory=BatchSizer)
    backoff: Backoff = field(default_factory=Backoff)
    progress: Callable[[str, int, int], None] | None = None
    _hub_restored: bool = field(default=False, init=False)

    def run_round(self) -> RoundResult:
        result = RoundResult()
        self._record("last_attempt", int(time.time() * 1000))
        try:
            refused: Problem | None = None
            self.client.reach()          # no answer within a few seconds: say so, now
            try:
                result.pushed = self.push_all()
            except Problem as exc:
                if "accepted" not in exc.extra:
                    raise  # refused as a whole (token, size): a pull would be too
                # The hub kept what came before a refused event; answers must still
                # come down while the refusal is shown.
                refused = exc
            result.blobs = self.upload_blobs()
            result.pulled = self.pull_all()
            if self._hub_restored:
                result.pushed += self.refill()
            if refused is not None:
                raise refused
            result.ok = True
        except SyncError as exc:
            result.error = exc.message if isinstance(exc, (Problem, TransportError)) else str(exc)
            self._record("last_error", json.dumps(
                {"at": int(time.time() * 1000), "message": result.error,
                 "code": getattr(exc, "code", "transport")}, ensure_ascii=False))
            return result
        self._record("last_success", int(time.time() * 1000))
        self._record("last_error", None)
        self._record("last_summary", result.summary())
        return result

    def _record(self, key: str, value: object) -> None:
        with transaction(self.store.conn):
            self.store.meta.set(key, value)

    def _note(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    # push -------------------------------------------------------------------------------
    def push_all(self) -> int:
        total, pushed = self.store.pending_count(), 0
        for _ in range(MAX_ROUNDS):
            run = self.store.outbox_run(self.sizer.size)
            if run is None:
                return pushed
            body = {"runs": [{**run, "events": [to_push(e) for e in run["events"]]}]}
            started = time.monotonic()
            before = self.client.stats.bytes_up
            try:
                reply = self.backoff.run(lambda: self.client.call("POST", "/v1/push", body))
            except TransportError:
                self.sizer.failed()
                raise
            except Problem as exc:
                if exc.code == "seq_gap" and isinstance(exc.extra.get("expected"), int):
                    # The hub holds less than we thought (restored from a backup):
                    # rewind to its high-water mark and push again.
                    self.store.mark_pushed(exc.extra["expected"] - 1)
                    continue
                accepted = exc.extra.get("accepted", {})
                if isinstance(accepted, dict) and run["origin"] in accepted:
                    self.store.mark_pushed(int(accepted[run["origin"]]))
                raise
            self.sizer.succeeded(time.monotonic() - started, self.client.stats.bytes_up - before)
            self._learn_time(reply)
            through = int(reply.body["accepted"].get(run["origin"], run["from_seq"] - 1))
            pushed += max(0, through - run["from_seq"] + 1)
            self.store.mark_pushed(through)
            self._note("push", pushed, total)
            if through < run["head"]["seq"]:
                raise Problem(409, "partial", "服务器只接收了一部分数据，请稍后再同步。")
        raise Problem(500, "too_many_rounds", "推送轮数过多，已停止，请联系管理员。")

    # attachments ------------------------------------------------------------------------
    def upload_blobs(self) -> int:
        if self.blobs is None:
            return 0
        done = 0
        for sha, size in self.store.conn.execute(
                "SELECT sha256, size FROM blobs_out WHERE uploaded=0").fetchall():
            upload_blob(self.client, self.backoff, sha, self.blobs.read(sha))
            with transaction(self.store.conn):
                self.store.conn.execute("UPDATE blobs_out SET uploaded=1 WHERE sha256=?", (sha,))
            done += 1
        return done

    # pull -------------------------------------------------------------------------------
    def pull_all(self) -> int:
        pulled = 0
        have: dict[str, int] | None = None
        hub_key = self.store.hub_key()
        for _ in range(MAX_ROUNDS):
            cursor = self.store.pull_cursor()
            request: dict[str, Any] = {"cursor": cursor, "limit": self.sizer.size,
                                       "certs_after": self.store.certs_after()}
            if have is not None:
                request["have"] = have
            if self.store.meta.get(RESYNC):      # our own records, back from the hub
                request["own_after"] = log.head(self.store.conn, self.store.node_id or "")[0]
            # The reply must be signed by the hub this station enrolled with (issue #7).
            reply = self.backoff.run(lambda: self.client.call("POST", "/v1/pull", request,
                                                              signed_by=hub_key))
            body = reply.body
            self._learn_time(reply)
            if isinstance(body, dict) and body.get("reset") and have is None:
                self._hub_restored = True
                # The hub was restored from an old backup: start again from its beginning,
                # skipping what our per-origin high-water marks show we already hold.
                have = {o: s for o, s in self.store.conn.execute(
                    "SELECT origin, MAX(seq) FROM events GROUP BY origin")}
                self.store.reset_cursor()
                continue
            events, cursor = pulled_events(body)
            self.store.adopt_root(body.get("root"))
            certs, certs_through = pulled_certs(body)
            pulled += self.store.apply_pulled(events, cursor, certs, certs_through)
            self._note("pull", pulled, 0)
            if not body.get("more"):
                self.store.finish_resync()
                return pulled
        raise Problem(500, "too_many_rounds", "拉取轮数过多，已停止，请联系管理员。")

    def refill(self) -> int:
        """The hub was restored from a backup (its epoch changed): it may lack the end of
        our chain that it had acknowledged before. Ask how far it holds our chain, move
        the outbox back to there, and push the rest (issue #11, disaster drill (a))."""
        self._hub_restored = False
        origin = self.store.node_id or ""
        reply = self.backoff.run(lambda: self.client.call("GET", "/v1/heads"))
        heads = reply.body.get("heads") if isinstance(reply.body, dict) else None
        held = heads.get(origin, 0) if isinstance(heads, dict) else None
        if type(held) is not int or held >= self.store.pushed_through():
            return 0
        self.store.mark_pushed(held)
        return self.push_all()

    def _learn_time(self, reply: Any) -> None:
        """Learn the hub's time (sync.hlc decides whether it may be: never far ahead)."""
        hub_time = reply.body.get("hub_time") if isinstance(reply.body, dict) else None
        if hub_time is not None:
            self.store.learn_hub_time(hub_time, reply.sent_ms, reply.received_ms)
