"""Attachment upload and download on a hub: resumable, content-addressed, capped.

A blob is accepted only after an event that references it (issue #2 §3: "uploaded
after the event that references them"), so a hub never stores anonymous files.
HEAD tells how much is held (Upload-Offset); PATCH appends at that offset.
"""
from __future__ import annotations

import re
from typing import Mapping

from starlette.responses import Response

from sync.blobfiles import MAX_BLOB, BlobFiles
from sync.db import transaction
from sync.errors import Problem
from sync.hub.store import HubStore
from sync.nodes import Node

SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, hub: HubStore, files: BlobFiles) -> None:
        self.hub = hub
        self.files = files

    def referenced(self, sha: str) -> bool:
        return self.hub.conn.execute("SELECT 1 FROM blob_refs WHERE sha256=? LIMIT 1",
                                     (sha,)).fetchone() is not None

    def handle(self, node: Node, method: str, sha: str, headers: Mapping[str, str],
               body: bytes) -> Response:
        if not SHA_RE.match(sha):
            raise Problem(400, "bad_blob_id", "附件编号应为 64 位十六进制 SHA-256。")
        if method == "GET":
            return self.download(sha)
        if not self.referenced(sha):
            raise Problem(409, "blob_unreferenced", "请先同步引用这个附件的记录，再上传附件。")
        if self.files.has(sha):
            return Response(status_code=200 if method == "HEAD" else 204,
                            headers={"upload-offset": str(self.size(sha)),
                                     "upload-complete": "1"})
        if method == "HEAD":
            return Response(status_code=200, headers={
                "upload-offset": str(self.files.partial_size(sha)), "upload-complete": "0"})
        return self.append(sha, headers, body)

    def size(self, sha: str) -> int:
        return self.files.path(sha).stat().st_size

    def append(self, sha: str, headers: Mapping[str, str], body: bytes) -> Response:
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
            return Response(status_code=204, headers={"upload-offset": str(size),
                                                      "upload-complete": "1"})
        return Response(status_code=204, headers={"upload-offset": str(size),
                                                  "upload-complete": "0"})

    def download(self, sha: str) -> Response:
        if not self.files.has(sha):
            raise Problem(404, "blob_missing", "服务器上还没有这个附件，请稍后再同步。")
        return Response(self.files.read(sha), media_type="application/octet-stream")
