"""A man in the middle for tests: a proxy on 127.0.0.1 that forwards every request to a
real hub and hands each reply to a function the test sets, which may rewrite it (a
forged `hub_time`, a reply of the wrong shape). Everything else is real: the hub
process, the client, the bytes on loopback.

    with ReplyForger(hub) as mitm:
        mitm.rewrite = set_json_field("hub_time", forged_ms)
        sync_via(store, mitm.url)

Over HTTPS (the default, issue #11) the proxy answers with a certificate:

- `certificate="hub"`: the hub's own certificate and key. It stands for what a station
  cannot tell from its hub — the hub itself (or whoever stole its key) answering
  wrongly — so the tests of forged replies keep their meaning.
- `certificate="other"`: a certificate of its own, as a stranger on the village WiFi
  would have. A pinned station must refuse it before sending anything; `seen` keeps
  every request the proxy could read (tests/sync/test_mitm.py).

A pull reply is signed by the hub (issue #7 item 11): rewritten, it is refused whole by
the station. `ReplyForger(hub, sign_as=hub)` signs what it rewrote with that
hub's own key, for a test of what a hub itself might send (a wrong clock, a bad item).
"""
from __future__ import annotations

import json
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bench.procs import HubProcess
from sync.hub.tls import own_certificate, self_signed
from sync.keys import REPLY_SIGNATURE, SigningKey, reply_message
from sync.tls import pinned_context

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
    def __init__(self, target: HubProcess | str, certificate: str = "hub",
                 sign_as: HubProcess | None = None) -> None:
        hub = target if isinstance(target, HubProcess) else None
        self.target = (hub.url if hub else str(target)).rstrip("/")
        self.rewrite: Rewrite | None = None
        self.rewritten = 0
        self.key = _hub_key(sign_as) if sign_as is not None else None
        self.seen: list[bytes] = []        # every request line, header and body read
        self.requests: list[tuple[str, bytes]] = []   # (path, body) of each
        forger = self
        upstream_verify: Any = True
        if hub is not None and hub.cert:
            upstream_verify = pinned_context(hub.cert)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                forger.seen.append(self.requestline.encode() + b"\r\n" + bytes(self.headers)
                                   + body)
                forger.requests.append((self.path, body))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                if self.headers.get("content-encoding"):
                    headers["content-encoding"] = self.headers["content-encoding"]
                with httpx.Client(verify=upstream_verify) as upstream:
                    reply = upstream.request(self.command, forger.target + self.path,
                                             content=body, headers=headers, timeout=60.0)
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
        self.tls = self.target.startswith("https:")
        if self.tls:
            assert hub is not None, "an https hub is given as its HubProcess"
            self.server.socket = _tls_context(hub, certificate).wrap_socket(
                self.server.socket, server_side=True)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"

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


def _tls_context(hub: HubProcess, certificate: str) -> ssl.SSLContext:
    if certificate == "hub":
        store = hub.open()
        try:
            cert, key = own_certificate(store)
        finally:
            store.close()
    else:
        cert, key = self_signed("冒充的服务器", "")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        certfile, keyfile = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        certfile.write_text(cert, encoding="ascii")
        keyfile.write_text(key, encoding="ascii")
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


class Wiretap:
    """A passive listener on the link: relays TCP bytes to `port` unchanged and keeps a
    copy of everything in both directions (`captured`), as someone on the village WiFi
    would see it.

        with Wiretap(hub.port, scheme="https") as tap:
            sync_via(store, tap.url)
        assert b"13812345678" not in tap.captured
    """

    def __init__(self, port: int, scheme: str = "https") -> None:
        self.port, self.scheme = port, scheme
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._sockets: list[socket.socket] = []
        self._url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def url(self) -> str:
        return self._url

    @property
    def captured(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.port))
            self._sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                with self._lock:
                    self._chunks.append(chunk)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def __enter__(self) -> "Wiretap":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._listener.close()
        self._thread.join(timeout=5)
        for sock in self._sockets:
            sock.close()
