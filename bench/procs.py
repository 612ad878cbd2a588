"""Real hub processes and link proxies on 127.0.0.1, for benchmarks and tests.

A hub runs as `python -m app.cli hub …` in its own process (uvicorn), so a benchmark
measures the real server stack and a test can `kill -9` it. A link proxy
(bench.linkproxy) runs in its own process too, so counting and shaping bytes costs the
measured processes nothing. tests/support/hubs.py re-exports HubProcess from here
(bench/ must not import tests/).
"""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

import httpx

from sync.db import connect
from sync.hub import admin
from sync.hub.dbkey import resolve
from sync.hub.admin import ADMIN_HEADER, status_token
from sync.hub.server import HubStore, open_hub
from sync.hub.tls import certificate_in_use
from sync.tls import Pin, pinned_context

ROOT = Path(__file__).resolve().parents[1]


def set_upstream_url(data: Path, url: str, key: bytes | None) -> None:
    """Point an enrolled town hub at `url` (what `sanji hub --upstream` does)."""
    from sync.db import transaction
    hub = open_hub(data, key=key)
    try:
        upstream = json.loads(hub.meta.get("upstream") or "{}")
        if upstream and upstream.get("url") != url:
            with transaction(hub.conn):
                hub.meta.set("upstream", json.dumps({**upstream, "url": url},
                                                    ensure_ascii=False))
    finally:
        hub.close()


def free_port() -> int:
    """A port nobody listens on now. Under pytest-xdist (CI runs the tests on several
    workers) each worker takes its ports from its own share of 20000-32767 (its index
    modulo the number of workers; below Linux's ephemeral range, which the kernel hands
    out for bind(0) and outgoing connections), so two workers never choose the same port
    in the moment between choosing it and the hub binding it. (Filtering bind(0)'s answers
    instead would never end: Linux gives bind(0) ports of one parity.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")            # "gw0", "gw1", …
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if workers <= 1 or not (worker.startswith("gw") and worker[2:].isdigit()):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    index = int(worker[2:]) % workers
    rng = random.SystemRandom()
    for _ in range(1000):
        port = 20000 + rng.randrange((32768 - 20000) // workers) * workers + index
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue                  # in use: another one of this worker's share
            return port
    raise RuntimeError(f"no free port in worker {worker}'s share of 20000-32767")


def spawn_server(cmd: list[str], url: str, log_path: Path, timeout: float = 30.0
                 ) -> subprocess.Popen[bytes]:
    """Start a server process (output to `log_path`) and wait until GET /v1/info answers."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log,
                                env={**os.environ, "PYTHONUNBUFFERED": "1",
                                     "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')}")
        try:   # is it up? (public info; the certificate is checked by the clients)
            httpx.get(url + "/v1/info", timeout=1.0, verify=False)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=30)
    raise RuntimeError("server did not start: " + log_path.read_text(errors="replace"))


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        proc.wait(timeout=30)


def spy_command(out: Path) -> list[str]:
    """Run a command under the py-spy sampling profiler (all threads, CPU only); install
    it by hand for local profiling (`pip install py-spy`), it is not a dependency."""
    return ["py-spy", "record", "--rate", "250", "--format", "raw", "--threads",
            "--output", str(out), "--"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(x) for x in task.read_text().split()]
    return found


@dataclass
class HubProcess:
    data: Path
    level: str
    port: int = field(default_factory=free_port)
    upstream: str | None = None
    interval: float = 0.5
    proc: subprocess.Popen[bytes] | None = None
    spy: Path | None = None   # record a py-spy profile (collapsed stacks) here
    extra_args: tuple[str, ...] = ()
    plain: bool = False       # an unencrypted database: the benchmarks' baseline only
    insecure: bool = False    # plain HTTP (`--insecure`), e.g. the benchmarks' baseline

    RUNNING: ClassVar[dict[str, "HubProcess"]] = {}   # by url, for helpers given a url

    @property
    def url(self) -> str:
        return f"{'http' if self.insecure else 'https'}://127.0.0.1:{self.port}"

    @property
    def cert(self) -> str | None:
        """The certificate this hub shows (PEM), None over plain HTTP."""
        if self.insecure:
            return None
        written = self.data / "tls" / "cert.pem"      # by its last start (public)
        if written.is_file() and "--cert" not in self.extra_args:
            return written.read_text(encoding="ascii")
        hub = self.open()
        try:
            return certificate_in_use(hub)
        finally:
            hub.close()

    @property
    def pin(self) -> Pin | None:
        cert = self.cert
        return Pin(cert, self.level) if cert else None

    def http(self, admin_view: bool = True, timeout: float = 30.0) -> httpx.Client:
        """An httpx client for raw requests to this hub: pinned to its certificate, and
        (`admin_view`) sending the operator's status token."""
        headers = {ADMIN_HEADER: status_token(self.key)} if admin_view and self.key else {}
        verify: Any = pinned_context(self.cert or "") if not self.insecure else True
        return httpx.Client(base_url=self.url, verify=verify, headers=headers, timeout=timeout)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        with self.http() as client:
            return client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        with self.http() as client:
            return client.post(path, **kwargs)

    def status(self) -> dict[str, Any]:
        """The hub's full /v1/status (as its operator sees it)."""
        body: dict[str, Any] = self.get("/v1/status", timeout=10.0).json()
        return body

    @property
    def key_file(self) -> Path:
        """The hub's database key, beside (never inside) its data directory."""
        return self.data.parent / f"{self.data.name}.key"

    @property
    def key(self) -> bytes | None:
        if self.plain:
            return None
        return resolve(self.data, self.key_file, {}, create=True)

    def db(self) -> sqlite3.Connection:
        """A plain connection to the hub's (encrypted) file, e.g. to read beside the
        running hub (WAL)."""
        return connect(self.data / "hub.sqlite", self.key)

    def open(self) -> HubStore:
        """The hub's store, opened in this process (as `sanji node add` would)."""
        return open_hub(self.data, key=self.key)

    def start(self) -> "HubProcess":
        cmd = [sys.executable, "-m", "app.cli", "hub", "--level", self.level,
               "--data", str(self.data), "--port", str(self.port),
               "--interval", str(self.interval), "--key-file", str(self.key_file),
               *self.extra_args]
        if self.plain:
            cmd = [sys.executable, "-m", "bench.plainhub", "--level", self.level,
                   "--data", str(self.data), "--port", str(self.port),
                   "--interval", str(self.interval)]
        if self.insecure:
            cmd.append("--insecure")
        if self.upstream:
            cmd += ["--upstream", self.upstream]
        if self.spy is not None:
            cmd = spy_command(self.spy) + cmd
        self.data.mkdir(parents=True, exist_ok=True)
        _ = self.key                          # an encrypted hub's key: made on first use
        self.proc = spawn_server(cmd, self.url, self.data.parent / f"{self.data.name}.log")
        HubProcess.RUNNING[self.url] = self
        return self

    @property
    def pid(self) -> int:
        """The hub's own process (under py-spy, the profiler's child)."""
        assert self.proc is not None
        if self.spy is not None:
            found = children(self.proc.pid)
            if found:
                return found[0]
        return self.proc.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def log_text(self) -> str:
        path = self.data.parent / f"{self.data.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def init(self, name: str = "") -> None:
        """Create the hub's identity without running it (so nodes can be added)."""
        open_hub(self.data, self.level, name or self.level, key=self.key).close()

    def add_node(self, name: str, kind: str, roles: tuple[str, ...] = ()) -> tuple[str, str]:
        hub = open_hub(self.data, self.level, key=self.key)
        try:
            return admin.add_node(hub, name, kind, roles)
        finally:
            hub.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.spy is not None and self.proc is not None:
            for child in children(self.proc.pid):   # the hub under py-spy, which then
                os.kill(child, sig)                  # writes its profile and exits
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        stop_process(self.proc, sig)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def restart(self) -> "HubProcess":
        self.stop()
        return self.start()


class LinkProcess:
    """`python -m bench.linkproxy --control` in a child process: a byte-counting,
    optionally bandwidth-limited pass-through to `target_port`."""

    def __init__(self, target_port: int, kbps: float | None = None,
                 scheme: str = "http") -> None:
        self.scheme = scheme        # bytes pass through: "https" to an HTTPS hub
        cmd = [sys.executable, "-m", "bench.linkproxy", "--listen", "127.0.0.1:0",
               "--target", f"127.0.0.1:{target_port}", "--control"]
        if kbps:
            cmd += ["--kbps", str(kbps)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1",
                                          "PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None
        self.port = int(self._stdout().readline())

    def _stdout(self) -> IO[str]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def command(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply: dict[str, Any] = json.loads(self._stdout().readline())
        return reply

    def stats(self) -> dict[str, Any]:
        return self.command("stats")

    def reset(self) -> None:
        self.command("reset")

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
