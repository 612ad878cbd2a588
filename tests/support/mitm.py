"""A man in the middle for tests: an HTTP proxy on 127.0.0.1 that forwards every request
to a real hub and hands each reply to a function the test sets, which may rewrite it
(a forged `hub_time`, a reply of the wrong shape). Everything else is real: the hub
process, the client, the bytes on loopback.

    with ReplyForger(hub.url) as mitm:
        mitm.rewrite = set_json_field("hub_time", forged_ms)
        sync_via(store, mitm.url)

A pull reply is signed by the hub (issue #7 item 11): rewritten, it is refused whole by
the station. `ReplyForger(hub.url, sign_as=hub)` signs what it rewrote with that
hub's own key, for a test of what a hub itself might send (a wrong clock, a bad item).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from sync.keys import REPLY_SIGNATURE, SigningKey, reply_message
from tests.support.hubs import HubProcess

# (path, status, body) -> (status, body); body is the decoded reply body
Rewrite = Callable[[str, int, bytes], tuple[int, bytes]]
_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding",
        "keep-alive"}


def set_json_field(name: str, value: Any) -> Rewrite:
    """A rewrite that sets `name` in every JSON object reply that has it."""
    def rewrite(path: str, status: int, body: bytes) -> tuple[int, bytes]:
        try:
            data = json.loads(body)
        except ValueError:
            return status, body
        if isinstance(data, dict) and name in data:
            data[name] = value
            return status, json.dumps(data, ensure_ascii=False).encode("utf-8")
        return status, body
    return rewrite


def on_path(prefix: str, rewrite: Rewrite) -> Rewrite:
    """Apply `rewrite` only to replies of paths starting with `prefix`."""
    def only(path: str, status: int, body: bytes) -> tuple[int, bytes]:
        return rewrite(path, status, body) if path.startswith(prefix) else (status, body)
    return only


def _hub_key(hub: HubProcess) -> SigningKey:
    store = hub.open()            # its (encrypted) file, with its key file
    try:
        return store.key()
    finally:
        store.close()


class ReplyForger:
    def __init__(self, target_url: str, sign_as: HubProcess | None = None) -> None:
        self.target = target_url.rstrip("/")
        self.rewrite: Rewrite | None = None
        self.rewritten = 0
        self.key = _hub_key(sign_as) if sign_as is not None else None
        forger = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                if self.headers.get("content-encoding"):
                    headers["content-encoding"] = self.headers["content-encoding"]
                reply = httpx.request(self.command, forger.target + self.path, content=body,
                                      headers=headers, timeout=60.0)
                status, content = reply.status_code, reply.content
                sent = dict(reply.headers)
                if forger.rewrite is not None:
                    new_status, new_content = forger.rewrite(self.path, status, content)
                    if (new_status, new_content) != (status, content):
                        forger.rewritten += 1
                        if forger.key is not None and REPLY_SIGNATURE in sent:
                            sent[REPLY_SIGNATURE] = forger.key.sign(reply_message(
                                self.path, self.headers.get("x-sanji-node", ""),
                                int(self.headers.get("x-sanji-counter") or 0), new_content))
                    status, content = new_status, new_content
                self.send_response(status)
                for key, value in sent.items():
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "ReplyForger":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "ReplyForger":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
