"""Attachment upload and download on a hub: resumable, content-addressed, capped, scoped.

A blob is accepted only after an event that references it (issue #2 §3: "uploaded
after the event that references them"), so a hub never stores anonymous files.
HEAD tells how much is held (Upload-Offset); PATCH appends at that offset.

Attachments are photos of mediation agreements and ID cards (issue #7 item 10), so:
- a node may *read* a blob if the scope policy would hand it an event referencing it
  (its scope holds that record), or if its own subtree uploaded those bytes;
- a node may *upload* a blob if its own subtree wrote an event referencing it. That is
  only a claim, so until it has sent the bytes itself it is told nothing about what
  the hub holds: HEAD shows no complete file, GET answers 404. A tablet that writes a
  reference to another village's photo by its sha gets nothing from it;
- to anyone else a blob does not exist: every method answers exactly as it does for a
  sha that nothing references, so probing a sha tells nothing.
Partial uploads that stop growing expire (sync.blobfiles.PARTIAL_TTL_S), checked on
each request for that sha and for all of them at start and at most hourly.
"""
from __future__ import annotations

import re
import time
from typing import Mapping

from starlette.responses import Response

from sync.blobfiles import MAX_BLOB, BlobFiles
from sync.db import transaction
from sync.errors import Problem
from sync.hub.store import HubStore
from sync.nodes import Node
from sync.policy import Audience

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
SWEEP_EVERY_S = 3600.0


def unreferenced() -> Problem:
    return Problem(409, "blob_unreferenced", "请先同步引用这个附件的记录，再上传附件。")


def missing() -> Problem:
    return Problem(404, "blob_missing", "服务器上还没有这个附件，请稍后再同步。")


class BlobStore:
    def __init__(self, hub: HubStore, files: BlobFiles) -> None:
        self.hub = hub
        self.files = files
        self.swept_at = time.monotonic()
        files.expire_partials()

    def access(self, node: Node, sha: str) -> str | None:
        """"read", "upload" or None (see the module docstring)."""
        refs = self.hub.conn.execute(
            "SELECT e.origin, e.kind, r.creator, r.owner FROM blob_refs b"
            " JOIN events e ON e.rseq=b.rseq JOIN records r ON r.record=e.record"
            " WHERE b.sha256=?", (sha,)).fetchall()
        if not refs:
            return None
        subtree, scope = self.hub.scopes(node)
        holders = {row[0] for row in self.hub.conn.execute(
            "SELECT node FROM blob_holders WHERE sha256=?", (sha,))}
        if holders & subtree or any(self.hub.policy.may_pull(
                node, subtree, origin, kind, Audience(creator, owner), scope)
                for origin, kind, creator, owner in refs):
            return "read"
        if any(origin in subtree for origin, _, _, _ in refs):
            return "upload"
        return None

    def handle(self, node: Node, method: str, sha: str, headers: Mapping[str, str],
               body: bytes) -> Response:
        if not SHA_RE.match(sha):
            raise Problem(400, "bad_blob_id", "附件编号应为 64 位十六进制 SHA-256。")
        self._sweep(sha)
        access = self.access(node, sha)
        if access is None:
            # Absent and not-yours answer alike (GET 404, HEAD/PATCH 409).
            raise missing() if method == "GET" else unreferenced()
        if method == "GET":
            if access != "read":
                raise missing()
            return self.download(sha)
        if access == "read" and self.files.has(sha):
            return Response(status_code=200 if method == "HEAD" else 204,
                            headers={"upload-offset": str(self.size(sha)),
                                     "upload-complete": "1"})
        if method == "HEAD":
            return Response(status_code=200, headers={
                "upload-offset": str(self.files.partial_size(sha)), "upload-complete": "0"})
        return self.append(node, sha, headers, body)

    def _sweep(self, sha: str) -> None:
        self.files.expire_partial(sha)
        if time.monotonic() - self.swept_at > SWEEP_EVERY_S:
            self.swept_at = time.monotonic()
            self.files.expire_partials()

    def size(self, sha: str) -> int:
        return self.files.size(sha)

    def append(self, node: Node, sha: str, headers: Mapping[str, str], body: bytes
               ) -> Response:
        try:
            offset = int(headers.get("upload-offset", ""))
            total = int(headers.get("upload-length", ""))
        except ValueError as exc:
            raise Problem(400, "bad_request", "缺少 Upload-Offset 或 Upload-Length。") from exc
        if total > MAX_BLOB:
            raise Problem(413, "blob_too_large",
                          f"附件太大（上限 {MAX_BLOB // 1024 // 1024} MB）：请压缩照片或分页扫描后再上传。")
        if offset + len(body) > total or offset < 0:
            raise Problem(400, "bad_request", "上传的数据超出声明的长度。")
        try:
            size = self.files.append(sha, offset, body)
        except ValueError as exc:
            raise Problem(409, "offset_mismatch", "上传位置不对，请从服务器给出的位置继续。",
                          offset=exc.args[0]) from exc
        if size == total:
            if not self.files.finish(sha):
                raise Problem(422, "blob_hash_mismatch", "附件内容与编号不符（传输出错），请重新上传。")
            with transaction(self.hub.conn):
                self.hub.conn.execute("INSERT OR IGNORE INTO blobs(sha256, size, complete)"
                                      " VALUES(?,?,1)", (sha, total))
                self.hub.conn.execute("INSERT OR IGNORE INTO blob_holders(sha256, node)"
                                      " VALUES(?,?)", (sha, node.id))
            return Response(status_code=204, headers={"upload-offset": str(size),
                                                      "upload-complete": "1"})
        return Response(status_code=204, headers={"upload-offset": str(size),
                                                  "upload-complete": "0"})

    def download(self, sha: str) -> Response:
        if not self.files.has(sha):
            raise missing()
        return Response(self.files.read(sha), media_type="application/octet-stream")
