"""The push/pull protocol, written once: a station's sync round with its hub
(sync.session) and a hub's relay to its parent (sync.hub.relay) both run a Replicator
over their own `Local` end (the station's store, the hub's upstream side).

A round: push what the parent lacks, upload the attachments it may now hold, pull what
its scope policy grants, and — when a pull showed the parent was restored from a backup
(its epoch changed) — ask how far it holds our side's chains and push the rest again.

Push: runs of events (and, from a hub, certificates of its subtree), batch by batch
until nothing is left. The parent acknowledges per origin (`accepted`). A refused run
comes back as a Problem that still says what was accepted; a `seq_gap` (the parent holds
less than we thought: restored) names, per origin, the seq it expects — we rewind there
and push again, whether it is the reply's own code or one of its `problems` (a push of
several runs). A gap that does not move us is a refusal like any other.

Pull: pages of the parent's feed with its signature checked against the key pinned at
enrollment (issue #7), applied through the node's own `apply`; a `reset` reply (new
epoch) restarts from the beginning with our per-origin high-water marks (`have`).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from sync.batching import BatchSizer
from sync.blobfiles import BlobFiles
from sync.blobsync import upload_blob
from sync.client import Backoff, HubClient, Reply
from sync.errors import Problem, TransportError
from sync.events import pulled as pulled_events, pulled_certs, to_push

MAX_ROUNDS = 10_000     # requests in one push or pull at most (a loop that never ends is a bug)


@dataclass
class Outgoing:
    """One push: runs of events (sync.store.Store.outbox_run's form) and certificates."""

    runs: list[dict[str, Any]]
    certs: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"runs": [{**r, "events": [to_push(e) for e in r["events"]]}
                                         for r in self.runs]}
        if self.certs:
            body["nodes"] = self.certs
        return body


class Local(Protocol):
    """The local end of a link to a parent hub."""

    def outgoing(self, limit: int) -> Outgoing | None:
        """What to push next (at most `limit` events); None when the parent has all."""

    def acknowledged(self, accepted: Mapping[str, int], certs: Sequence[dict[str, Any]]
                     ) -> None:
        """The parent holds these origins through these seqs (it may be less than
        before: restored) and these certificates."""

    def set_aside(self, out: Outgoing) -> bool:
        """A stored event of `out` cannot be encoded: keep it aside so the rest can go
        (True), or False if this node cannot."""

    def blobs_to_send(self) -> list[str]: ...

    def blob_sent(self, sha: str) -> None: ...

    def pull_request(self) -> dict[str, Any]:
        """cursor, certs_after and whatever else this node asks a pull for."""

    def restart_pull(self) -> None:
        """The parent's feed began again (new epoch): forget the cursors."""

    def held_heads(self) -> dict[str, int]:
        """Per origin, the highest seq held (the `have` of a pull after a reset)."""

    def apply(self, body: dict[str, Any], events: list[dict[str, Any]],
              cursor: dict[str, Any], certs: list[Any], certs_through: int | None) -> int:
        """Keep one pulled page (signature already checked); how many events were new."""

    def pull_finished(self) -> None: ...

    def rewind(self, heads: Mapping[str, int]) -> bool:
        """The parent says how far it holds our side's chains (GET /v1/heads): move the
        outbox back where it holds less than it acknowledged. True if it moved."""

    def learn_time(self, reply: Reply) -> None: ...


@dataclass
class Counts:
    pushed: int = 0
    pulled: int = 0
    blobs: int = 0


@dataclass
class Replicator:
    local: Local
    client: HubClient
    parent_key: str | None               # the parent's public key pinned at enrollment
    sizer: BatchSizer = field(default_factory=BatchSizer)
    backoff: Backoff = field(default_factory=Backoff)
    blobs: BlobFiles | None = None
    progress: Callable[[str, int, int], None] | None = None
    pending: Callable[[], int] = lambda: 0       # events left to push, for progress
    parent_restored: bool = field(default=False, init=False)

    def round(self, counts: Counts | None = None) -> Counts:
        """Push, upload, pull, refill, counting into `counts` (so what was done is known
        when a refusal is raised). A push refused in part (the parent kept what came
        before the refused event) still lets the parent's answers come down, then the
        refusal is raised; one refused as a whole (token, size) is raised at once."""
        counts, refused = counts or Counts(), None
        try:
            counts.pushed = self.push_all()
        except Problem as exc:
            if "accepted" not in exc.extra:
                raise
            refused = exc
        counts.blobs = self.upload_blobs()
        counts.pulled = self.pull_all()
        if self.parent_restored:
            counts.pushed += self.refill()
        if refused is not None:
            raise refused
        return counts

    # push ---------------------------------------------------------------------------------
    def push_all(self) -> int:
        total, pushed = self.pending(), 0
        for _ in range(MAX_ROUNDS):
            out = self.local.outgoing(self.sizer.size)
            if out is None:
                return pushed
            started, before = time.monotonic(), self.client.stats.bytes_up
            try:
                body = out.body()
                reply = self.backoff.run(partial(self.client.call, "POST", "/v1/push", body))
            except TransportError:
                self.sizer.failed()
                raise
            except (TypeError, ValueError):   # what jsoncodec cannot write: TypeError
                if not self.local.set_aside(out):
                    raise
                continue
            except Problem as exc:
                if self._refused(exc, out):
                    raise
                continue
            self.sizer.succeeded(time.monotonic() - started,
                                 self.client.stats.bytes_up - before)
            self.local.learn_time(reply)
            said = reply.body.get("accepted") if isinstance(reply.body, dict) else None
            if not isinstance(said, dict):
                raise Problem(502, "bad_reply", "服务器对推送的回复缺少“已接收”的记录，已忽略：请稍后再同步。")
            accepted = acknowledgements(said)
            self.local.acknowledged(accepted, out.certs)
            short = False
            for run in out.runs:
                through = int(accepted.get(run["origin"], run["from_seq"] - 1))
                pushed += max(0, through - run["from_seq"] + 1)
                short = short or through < run["head"]["seq"]
            self._note("push", pushed, total)
            if short:
                raise Problem(409, "partial", "服务器只接收了一部分数据，请稍后再同步。")
        raise Problem(500, "too_many_rounds", "推送轮数过多，已停止，请联系管理员。")

    def _refused(self, exc: Problem, out: Outgoing) -> bool:
        """Record what a refusing reply still accepted, rewind where the parent asked
        (seq_gap); True if the refusal stands (raise it), False to push again."""
        accepted = acknowledgements(exc.extra.get("accepted"))
        gaps = seq_gaps(exc)
        starts = {run["origin"]: run["from_seq"] for run in out.runs}
        for origin, expected in gaps.items():
            accepted[origin] = expected - 1
        # Certificates count as delivered only if the parent processed the push.
        self.local.acknowledged(accepted, out.certs if "accepted" in exc.extra else [])
        # Pushing again helps only if a gap moved some run's start.
        return not any(starts.get(origin) != expected for origin, expected in gaps.items())

    # attachments --------------------------------------------------------------------------
    def upload_blobs(self) -> int:
        if self.blobs is None:
            return 0
        done = 0
        for sha in self.local.blobs_to_send():
            upload_blob(self.client, self.backoff, sha, self.blobs.read(sha))
            self.local.blob_sent(sha)
            done += 1
        return done

    # pull ---------------------------------------------------------------------------------
    def pull_all(self) -> int:
        pulled = 0
        have: dict[str, int] | None = None
        for _ in range(MAX_ROUNDS):
            request = {**self.local.pull_request(), "limit": self.sizer.size}
            if have is not None:
                request["have"] = have
            reply = self.backoff.run(partial(self.client.call, "POST", "/v1/pull", request,
                                             signed_by=self.parent_key))
            body = reply.body
            self.local.learn_time(reply)
            if isinstance(body, dict) and body.get("reset") and have is None:
                # The parent was restored from an old backup: start again from its
                # beginning, skipping what our high-water marks show we already hold.
                self.parent_restored = True
                have = self.local.held_heads()
                self.local.restart_pull()
                continue
            events, cursor = pulled_events(body)
            certs, certs_through = pulled_certs(body)
            pulled += self.local.apply(body, events, cursor, certs, certs_through)
            self._note("pull", pulled, 0)
            if not body.get("more"):
                self.local.pull_finished()
                return pulled
        raise Problem(500, "too_many_rounds", "拉取轮数过多，已停止，请联系管理员。")

    def refill(self) -> int:
        """The parent was restored from a backup (its epoch changed): it may lack the end
        of our side's chains that it had acknowledged. Ask how far it holds them, move
        the outbox back to there, and push the rest (issue #11, disaster drill (a))."""
        self.parent_restored = False
        reply = self.backoff.run(lambda: self.client.call("GET", "/v1/heads"))
        heads = reply.body.get("heads") if isinstance(reply.body, dict) else None
        if not isinstance(heads, dict) or not all(
                isinstance(o, str) and type(s) is int for o, s in heads.items()):
            return 0
        return self.push_all() if self.local.rewind(heads) else 0

    def _note(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


def seq_gaps(exc: Problem) -> dict[str, int]:
    """Per origin, the seq the parent expects next, from a refusal's own code or from
    its `problems` (one per refused run)."""
    listed = exc.extra.get("problems")
    found = [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []
    if exc.code == "seq_gap":
        found.append({"code": "seq_gap", **exc.extra})
    return {p["origin"]: p["expected"] for p in found
            if p.get("code") == "seq_gap" and isinstance(p.get("origin"), str)
            and type(p.get("expected")) is int}


def acknowledgements(value: object) -> dict[str, int]:
    """A reply's `accepted` (origin → seq held through), what is well formed of it."""
    if not isinstance(value, dict):
        return {}
    return {o: s for o, s in value.items() if isinstance(o, str) and type(s) is int}
