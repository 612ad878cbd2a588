"""A town hub's link to its county: push its subtree's events up (origin signatures
kept), upload attachments, pull down what the county's scope policy grants the town —
the protocol of sync.replicate, over the hub's upstream side (sync.hub.upstream). Runs
on a schedule and on demand (after a child's push), in its own thread with its own
SQLite connection."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync import log as events_log
from sync.batching import BatchSizer
from sync.blobfiles import BlobFiles
from sync.client import Backoff, Credentials, HubClient, Reply
from sync.db import transaction
from sync.errors import Problem, SyncError
from sync.hub import quarantine
from sync.hub.store import HubStore
from sync.keys import next_counter
from sync.replicate import Outgoing, Replicator
from sync.tls import Pin

log = logging.getLogger("sanji.relay")
MAX_BACKOFF = 600.0     # seconds between relay rounds at most while they keep failing


@dataclass
class HubEnd:
    """A hub's upstream side as the local end of sync.replicate."""

    hub: HubStore

    def outgoing(self, limit: int) -> Outgoing | None:
        certs = self.hub.up_certs()
        runs = self.hub.up_runs(limit)
        return Outgoing(runs, certs) if runs or certs else None

    def acknowledged(self, accepted: Mapping[str, int], certs: Sequence[dict[str, Any]]
                     ) -> None:
        self.hub.mark_up(accepted, certs)

    def set_aside(self, out: Outgoing) -> bool:
        """A stored event cannot be encoded: set it aside (its origin's run now stops
        before it) and send the rest, rather than fail every round."""
        if not quarantine.set_aside(self.hub.conn, [e["id"] for r in out.runs
                                                    for e in r["events"]]):
            return False
        log.warning("quarantined unservable events before relaying")
        return True

    def blobs_to_send(self) -> list[str]:
        """Complete attachments the parent may take: it holds an event referencing them
        (it refuses unreferenced blobs)."""
        return [sha for (sha,) in self.hub.conn.execute(
            "SELECT b.sha256 FROM blobs b WHERE b.complete=1 AND b.sent_up=0 AND EXISTS("
            " SELECT 1 FROM blob_refs r JOIN events e ON e.rseq=r.rseq"
            " LEFT JOIN up_acked u ON u.origin=e.origin"
            " WHERE r.sha256=b.sha256 AND e.seq<=COALESCE(u.seq, 0))")]

    def blob_sent(self, sha: str) -> None:
        with transaction(self.hub.conn):
            self.hub.conn.execute("UPDATE blobs SET sent_up=1 WHERE sha256=?", (sha,))

    def pull_request(self) -> dict[str, Any]:
        return {"cursor": self.hub.up_cursor(), "certs_after": self.hub.up_certs_after()}

    def restart_pull(self) -> None:
        with transaction(self.hub.conn):
            self.hub.meta.set("up_cursor", None)
            self.hub.meta.set("up_certs_after", 0)

    def held_heads(self) -> dict[str, int]:
        return events_log.heads(self.hub.conn)

    def apply(self, body: dict[str, Any], events: list[dict[str, Any]],
              cursor: dict[str, Any], certs: list[Any], certs_through: int | None) -> int:
        return self.hub.apply_pulled(events, cursor, certs, certs_through, body.get("root"))

    def pull_finished(self) -> None:
        pass

    def rewind(self, heads: Mapping[str, int]) -> bool:
        return self.hub.rewind_up(heads)

    def learn_time(self, reply: Reply) -> None:
        pass      # a hub keeps its own clock: its parent's time is not adopted


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
        # Replies must be signed by the parent this hub enrolled with (issue #7).
        self.replicator = Replicator(HubEnd(hub), self.client, upstream["parent"]["pubkey"],
                                     BatchSizer(size=batch, low=batch, high=batch),
                                     self.backoff, blobs, pending=hub.pending_up)
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
        counts = self.replicator.round()
        with transaction(self.hub.conn):
            self.hub.meta.set("up_last_success", self.hub.now_ms())
            self.hub.meta.set("up_last_error", None)
            self.hub.meta.set("up_failures", 0)
            self.hub.meta.set("up_next_try", None)
        return {"pushed": counts.pushed, "pulled": counts.pulled}

    def push_all(self) -> int:
        return self.replicator.push_all()

    def pull_all(self) -> int:
        return self.replicator.pull_all()

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
            # A refusal in the catalogue's words (sync.problems), its code for the technician.
            message = f"{exc.title}（{exc.code}）" if isinstance(exc, Problem) else str(exc)
        else:
            log.exception("relay round failed (%d in a row)", self.failures)
            message = f"转发程序出错（{type(exc).__name__}），已记录，会自动重试。"
        now = self.hub.now_ms()
        try:
            with transaction(self.hub.conn):
                self.hub.meta.set("up_last_error", json.dumps(
                    {"at": now, "message": message}, ensure_ascii=False))
                self.hub.meta.set("up_failures", self.failures)
                self.hub.meta.set("up_next_try", now + int(delay * 1000))
        except Exception:  # noqa: BLE001 — the database itself may be what fails
            log.exception("could not record the relay failure")
