"""A town hub's link to its county: push its subtree's events up (origin signatures
kept), upload attachments, pull down what the county's scope policy grants the town.
Runs on a schedule and on demand (after a child's push), in its own thread with its
own SQLite connection."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from sync.blobfiles import BlobFiles
from sync.blobsync import upload_blob
from sync.client import Backoff, Credentials, HubClient
from sync.tls import Pin
from sync.db import transaction
from sync.errors import Problem, SyncError
from sync.events import pulled as pulled_events, pulled_certs, to_push
from sync.hub import quarantine
from sync.hub.store import HubStore
from sync.keys import next_counter

log = logging.getLogger("sanji.relay")
MAX_BACKOFF = 600.0     # seconds between relay rounds at most while they keep failing


class Relay:
    def __init__(self, hub: HubStore, interval: float = 60.0, batch: int = 500,
                 client: HubClient | None = None, blobs: BlobFiles | None = None) -> None:
        self.hub = hub
        self.blobs = blobs
        self.interval = interval
        self.batch = batch
        upstream = json.loads(hub.meta.get("upstream") or "{}")
        if not upstream:
            raise Problem(409, "no_upstream", "这个服务器还没有登记到上级。")
        parent = str((upstream.get("parent") or {}).get("name") or "")
        creds = Credentials(hub.hub_id, upstream["token"], hub.key(), self._next_counter,
                            Pin(upstream["cert"], parent) if upstream.get("cert") else None)
        self.client = client or HubClient(upstream["url"], creds)
        if self.client.credentials is None:
            self.client.credentials = creds
        self.backoff = Backoff(attempts=4, cap=10.0)
        self.failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _next_counter(self) -> int:
        with transaction(self.hub.conn):
            counter = next_counter(int(self.hub.meta.get("up_counter", "0") or 0),
                                   self.hub.now_ms())
            self.hub.meta.set("up_counter", counter)
        return counter

    # one round ----------------------------------------------------------------------------
    def run_round(self) -> dict[str, int]:
        self.hub.tree.reload()
        self.hub.directory.forget()   # the API's connection may have stored certificates
        try:
            pushed = self.push_all()
        except Problem as exc:
            if "accepted" not in exc.extra:
                raise  # refused as a whole (token, size): a pull would be refused too
            # Some runs were refused (the parent recorded why; the error is shown), but
            # the parent's answers must still come down to every other village.
            self.pull_all()
            raise
        self.upload_blobs()
        pulled = self.pull_all()
        with transaction(self.hub.conn):
            self.hub.meta.set("up_last_success", int(time.time() * 1000))
            self.hub.meta.set("up_last_error", None)
            self.hub.meta.set("up_failures", 0)
            self.hub.meta.set("up_next_try", None)
        return {"pushed": pushed, "pulled": pulled}

    def push_all(self) -> int:
        pushed = 0
        for _ in range(100_000):
            certs = self.hub.up_certs()
            runs = self.hub.up_runs(self.batch)
            if not runs and not certs:
                return pushed
            body = {"nodes": certs, "runs": [{**r, "events": [to_push(e) for e in r["events"]]}
                                             for r in runs]}
            try:
                reply = self.backoff.run(lambda: self.client.call("POST", "/v1/push", body))
                accepted = reply.body["accepted"]
            except (TypeError, ValueError):   # what jsoncodec.dumps cannot write: TypeError
                # A stored event cannot be encoded: set it aside (its origin's run now
                # stops before it) and send the rest, rather than fail every round.
                if not quarantine.set_aside(self.hub.conn, [e["id"] for r in runs
                                                            for e in r["events"]]):
                    raise
                log.warning("quarantined unservable events before relaying")
                continue
            except Problem as exc:
                accepted = exc.extra.get("accepted") or {}
                gaps = {p.get("origin"): p.get("expected") for p in exc.extra.get("problems", [])
                        if p.get("code") == "seq_gap"}
                if not gaps and exc.code == "seq_gap":
                    gaps = {exc.extra.get("origin"): exc.extra.get("expected")}
                for origin, expected in gaps.items():
                    if isinstance(origin, str) and isinstance(expected, int):
                        accepted[origin] = expected - 1   # parent restored: rewind
                # Certificates count as delivered only if the parent processed the push.
                self.hub.mark_up(accepted, certs if "accepted" in exc.extra else [])
                if gaps:
                    continue
                raise
            self.hub.mark_up(accepted, certs)
            pushed += sum(len(r["events"]) for r in runs)
        return pushed

    def upload_blobs(self) -> int:
        """Send complete attachments up once the parent holds an event referencing them
        (it refuses unreferenced blobs)."""
        if self.blobs is None:
            return 0
        rows = self.hub.conn.execute(
            "SELECT b.sha256 FROM blobs b WHERE b.complete=1 AND b.sent_up=0 AND EXISTS("
            " SELECT 1 FROM blob_refs r JOIN events e ON e.rseq=r.rseq"
            " LEFT JOIN up_acked u ON u.origin=e.origin"
            " WHERE r.sha256=b.sha256 AND e.seq<=COALESCE(u.seq, 0))").fetchall()
        for (sha,) in rows:
            upload_blob(self.client, self.backoff, sha, self.blobs.read(sha))
            with transaction(self.hub.conn):
                self.hub.conn.execute("UPDATE blobs SET sent_up=1 WHERE sha256=?", (sha,))
        return len(rows)

    def pull_all(self) -> int:
        pulled, have = 0, None
        parent_key = json.loads(self.hub.meta.get("upstream") or "{}")["parent"]["pubkey"]
        for _ in range(100_000):
            request: dict[str, Any] = {"cursor": self.hub.up_cursor(), "limit": self.batch,
                                       "certs_after": self.hub.up_certs_after()}
            if have is not None:
                request["have"] = have
            # The reply must be signed by the parent this hub enrolled with (issue #7).
            body = self.backoff.run(lambda: self.client.call(
                "POST", "/v1/pull", request, signed_by=parent_key)).body
            if isinstance(body, dict) and body.get("reset") and have is None:
                have = {o: s for o, s in self.hub.conn.execute(
                    "SELECT origin, MAX(seq) FROM events GROUP BY origin")}
                with transaction(self.hub.conn):
                    self.hub.meta.set("up_cursor", None)
                    self.hub.meta.set("up_certs_after", 0)
                continue
            events, cursor = pulled_events(body)
            certs, certs_through = pulled_certs(body)
            pulled += self.hub.apply_pulled(events, cursor, certs, certs_through,
                                            body.get("root"))
            if not body.get("more"):
                return pulled
        return pulled

    # background ---------------------------------------------------------------------------
    def poke(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sanji-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        """Rounds until stopped. Whatever a round raises, the loop goes on (issue #7
        item 6: a relay thread that died on one event left its town cut off while its
        status looked healthy): the error and the count of failures in a row go to the
        status, and the next try waits longer each time (capped; a child's push does
        not cut a back-off short, a success ends it)."""
        while not self._stop.is_set():
            delay = self.interval
            try:
                self.run_round()
                self.failures = 0
            except Exception as exc:  # noqa: BLE001 — any exception: report, back off, retry
                # Some runs refused by the parent while the rest went through is not a
                # failed round: it is reported, and the next round comes on time.
                partial = isinstance(exc, Problem) and "accepted" in exc.extra
                self.failures = 0 if partial else self.failures + 1
                if not partial:
                    delay = self.retry_delay()
                self._report(exc, delay)
            if self.failures:
                self._stop.wait(delay)
            else:
                self._wake.wait(delay)
            self._wake.clear()

    def retry_delay(self) -> float:
        """Exponential back-off, jittered, after `failures` failed rounds in a row."""
        ceiling = max(self.interval, min(MAX_BACKOFF, self.interval * 2 ** self.failures))
        return self.backoff.rng.uniform(self.interval, ceiling)

    def _report(self, exc: Exception, delay: float) -> None:
        if isinstance(exc, SyncError):
            log.warning("relay round failed (%d in a row): %s", self.failures, exc)
            message = str(exc)
        else:
            log.exception("relay round failed (%d in a row)", self.failures)
            message = f"转发程序出错（{type(exc).__name__}），已记录，会自动重试。"
        now = int(time.time() * 1000)
        try:
            with transaction(self.hub.conn):
                self.hub.meta.set("up_last_error", json.dumps(
                    {"at": now, "message": message}, ensure_ascii=False))
                self.hub.meta.set("up_failures", self.failures)
                self.hub.meta.set("up_next_try", now + int(delay * 1000))
        except Exception:  # noqa: BLE001 — the database itself may be what fails
            log.exception("could not record the relay failure")
