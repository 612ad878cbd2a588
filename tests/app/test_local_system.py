"""`sanji up --no-app` with real processes: it keeps its county and town hubs serving
until it is stopped, and stopping it (SIGTERM, Ctrl-C) stops them too; killed outright,
its hubs notice and stop on their own. No hub is ever left behind (issue #8 §4)."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from app.launch.hubs import prepare
from tests.support.hubs import ROOT, free_port

pytestmark = pytest.mark.slow
READY = "服务器运行中"


def running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; only its parent has not reaped it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def hub_children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(x) for x in task.read_text().split()]
    return [p for p in found if b"hub" in Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")]


def answers(port: int) -> bool:
    try:
        return httpx.get(f"https://127.0.0.1:{port}/v1/status", timeout=2.0,
                         verify=False).status_code == 200   # up? (public answer)
    except httpx.HTTPError:
        return False


@dataclass
class Up:
    proc: subprocess.Popen[str]
    ports: tuple[int, int]
    lines: "queue.Queue[str]" = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def read_until(self, text: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            try:
                self.seen.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"no {text!r} from sanji up; it said: {self.seen}") from None
            if self.seen[-1] == "" and self.proc.poll() is not None:
                raise AssertionError(f"sanji up ended: {self.seen}")

    def output(self) -> str:
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return "".join(self.seen)


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    root = tmp_path / "sanji-data"
    ports = (free_port(), free_port())
    prepare(root, *ports)        # enrolled once, so `sanji up` skips seeding the demo
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "up", "--no-app", "--data", str(root),
         "--county-port", str(ports[0]), "--town-port", str(ports[1])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    started = Up(proc, ports)
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            started.lines.put(line)
        started.lines.put("")
    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        started.read_until(READY)
        yield started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        reader.join(timeout=30)
        stdout.close()


def serving(up: Up) -> list[int]:
    hubs = hub_children(up.proc.pid)
    assert len(hubs) == 2, hubs
    assert all(answers(port) for port in up.ports)
    return hubs


def wait_gone(pids: list[int], ports: tuple[int, int], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while any(running(p) for p in pids) or any(answers(port) for port in ports):
        assert time.monotonic() < deadline, f"hubs still running: {pids}"
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_no_app_serves_until_stopped_and_its_hubs_stop_with_it(up: Up, sig: int) -> None:
    hubs = serving(up)
    time.sleep(1.0)                # still there a moment later: it does not just return
    assert up.proc.poll() is None and serving(up) == hubs
    up.proc.send_signal(sig)
    assert up.proc.wait(timeout=60) == 0
    assert "已停止：县、镇服务器已关闭。" in up.output()
    # sanji up waited for its hubs before it exited: none is left, nothing on the ports.
    assert not any(running(p) for p in hubs)
    assert not any(answers(port) for port in up.ports)


def test_hubs_stop_on_their_own_when_sanji_up_is_killed_outright(up: Up) -> None:
    hubs = serving(up)
    up.proc.kill()                 # SIGKILL: no clean-up code of sanji up runs
    up.proc.wait(timeout=30)
    wait_gone(hubs, up.ports)
