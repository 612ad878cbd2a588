"""Real hub processes on 127.0.0.1 for tests and benchmarks (issue #2 §5)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sync.hub import admin
from sync.hub.server import open_hub

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class HubProcess:
    data: Path
    level: str
    port: int = field(default_factory=free_port)
    upstream: str | None = None
    interval: float = 0.5
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HubProcess":
        cmd = [sys.executable, "-m", "app.cli", "hub", "--level", self.level, "--data",
               str(self.data), "--port", str(self.port), "--interval", str(self.interval)]
        if self.upstream:
            cmd += ["--upstream", self.upstream]
        log = open(self.data.parent / f"{self.data.name}.log", "ab")
        self.data.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log_text()}")
            try:
                httpx.get(self.url + "/v1/info", timeout=1.0)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("hub did not start: " + self.log_text())

    def log_text(self) -> str:
        path = self.data.parent / f"{self.data.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def init(self, name: str = "") -> None:
        """Create the hub's identity without running it (so nodes can be added)."""
        open_hub(self.data, self.level, name or self.level).close()

    def add_node(self, name: str, kind: str, roles: tuple[str, ...] = ()) -> tuple[str, str]:
        hub = open_hub(self.data, self.level)
        try:
            return admin.add_node(hub, name, kind, roles)
        finally:
            hub.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def restart(self) -> "HubProcess":
        self.stop()
        return self.start()
