"""Hub processes of a system on one machine (`sanji up`, the demo): a county hub, a town
hub enrolled under it, and a village station enrolled under the town, each with its own
SQLite file (`prepare`), and starting and stopping the hubs.

The hubs run as child processes on 127.0.0.1; they stop when this command stops:
on Ctrl-C, on SIGTERM (a service manager's stop), when the app window closes, and —
should this process be killed outright — on their own within a second, because each
hub watches that its parent is still there (`sanji hub --parent-pid`).
Re-running reuses the data directory (nothing is enrolled twice).

The hubs' database keys are files in `keys/` beside the hubs' directories (outside each
hub's data directory, as sync/hub/dbkey.py requires); a real server keeps its key
somewhere safer than next to the data (README "Keys").
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.keyring import Keyring
from app.station import open_station
from sync.client import HubClient
from sync.enroll import enroll_hub
from sync.hub import admin
from sync.hub.dbkey import resolve
from sync.hub.server import HubStore, open_hub

COUNTY_PORT, TOWN_PORT = 8731, 8732
KEYS = "keys"


def key_file(data: Path) -> Path:
    """Where `sanji up` keeps the key of the hub whose directory is `data`."""
    return data.parent / KEYS / f"{data.name}.key"


def open_local_hub(data: Path, level: str | None = None, name: str | None = None
                   ) -> HubStore:
    """A hub of the `sanji up` layout, its key file made on first use."""
    key = resolve(data, key_file(data), {}, create=not data.exists() or level is not None)
    return open_hub(data, level, name, key=key)


def local_url(port: int) -> str:
    """A hub of `sanji up` on this machine: HTTPS with its own certificate (issue #11)."""
    return f"https://127.0.0.1:{port}"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Stopped(Exception):
    """SIGTERM or SIGHUP arrived: unwind, so every `finally` stops its hubs."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Python's default SIGTERM ends the process on the spot, skipping `finally` blocks,
    and would leave the hubs running as orphans; raise Stopped instead."""
    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)
    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def stop_processes(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process, then wait for each (SIGKILL after 30 s). Further signals
    are ignored meanwhile, so a second Ctrl-C or SIGTERM cannot cut the clean-up short."""
    procs = [p for p in procs if p.poll() is None]
    if not procs:
        return
    watched = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    main = threading.current_thread() is threading.main_thread()
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in watched} if main else {}
    try:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def exit_with_parent(parent_pid: int, poll: float = 0.5) -> None:
    """In a hub started by `sanji up`: SIGTERM ourselves (uvicorn then shuts down
    cleanly) once the parent is gone — it was killed without a chance to stop us."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll)
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def start_hub(data: Path, level: str, port: int, name: str, upstream: str | None = None,
              interval: float = 5.0) -> subprocess.Popen[bytes]:
    if not port_free(port):
        raise SystemExit(f"端口 {port} 已被占用：请先关闭之前运行的 sanji up，或换一台机器。")
    cmd = [sys.executable, "-m", "app.cli", "hub", "--level", level, "--data", str(data),
           "--port", str(port), "--name", name, "--interval", str(interval),
           "--parent-pid", str(os.getpid()), "--key-file", str(key_file(data))]
    if upstream:
        cmd += ["--upstream", upstream]
    with open(data.parent / f"{data.name}.log", "ab") as log:   # the child keeps its copy
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        _wait_until_serving(proc, local_url(port), name,
                            data.parent / f"{data.name}.log")
    except BaseException:         # not serving, or we are being stopped: take it down too
        stop_processes([proc])
        raise
    return proc


def _wait_until_serving(proc: subprocess.Popen[bytes], url: str, name: str, log: Path
                        ) -> None:
    for _ in range(300):
        try:
            httpx.get(url + "/v1/info", timeout=1.0, verify=False)   # up yet? (public)
            return
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit(f"{name}服务器没有启动，请看日志 {log}") from None
            time.sleep(0.1)
    raise SystemExit(f"{name}服务器启动超时。")


def prepare(root: Path, county_port: int = COUNTY_PORT, town_port: int = TOWN_PORT
            ) -> tuple[Path, Path, Path]:
    """Create and enroll everything once; returns (county dir, town dir, station dir)."""
    county_dir, town_dir, station_dir = root / "county", root / "town", root / "station"
    county = open_local_hub(county_dir, "county", "新县")
    town = open_local_hub(town_dir, "town", "新集镇")
    needs_town = not town.meta.get("upstream")
    if Keyring.of(station_dir).holders():     # cadres there: enrolled long ago (and locked)
        station = None
        needs_station = False
    else:
        station = open_station(station_dir)
        needs_station = station.store.node_id is None
    procs = []
    try:
        if needs_town:
            procs.append(start_hub(county_dir, "county", county_port, "新县"))
            _, code = admin.add_node(county, "新集镇", "town")
            with HubClient(local_url(county_port)) as client:
                enroll_hub(town, client, code)
        if needs_station and station is not None:
            procs.append(start_hub(town_dir, "town", town_port, "新集镇"))
            # 王湾村's tablet is also its 村务监督委员会's (issue #13 §3: members sign in on it)
            _, code = admin.add_node(town, "王湾村", "village", ("village_supervision",))
            station.enroll(local_url(town_port), code)
    finally:
        stop_processes(procs)
        county.close()
        town.close()
        if station is not None:
            station.close()
    return county_dir, town_dir, station_dir
