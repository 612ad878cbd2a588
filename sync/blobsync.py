"""Resumable attachment upload, shared by stations (to their hub) and hubs (to their
parent): ask how much the receiver holds (HEAD → Upload-Offset), send the rest in
chunks (PATCH). The same bytes twice cost one HEAD."""
from __future__ import annotations

from functools import partial

from sync.client import Backoff, HubClient
from sync.errors import Problem

CHUNK = 256 * 1024


def upload_blob(client: HubClient, backoff: Backoff, sha: str, data: bytes) -> None:
    path = f"/v1/blobs/{sha}"
    size = len(data)
    for _ in range(size // CHUNK + 3):
        head = backoff.run(lambda: client.call("HEAD", path))
        if head.headers.get("upload-complete") == "1":
            return
        offset = int(head.headers.get("upload-offset", "0"))
        backoff.run(partial(client.call, "PATCH", path, raw=data[offset:offset + CHUNK],
                            headers={"upload-offset": str(offset), "upload-length": str(size)}))
    raise Problem(500, "upload_stuck", "附件上传没有进展，请稍后再试。")
