"""`sanji up`: a living system on one machine — a county hub, a town hub enrolled under
it, and a village station enrolled under the town, each with its own SQLite file.

The hubs run as child processes on 127.0.0.1; they stop when this command stops.
Re-running reuses the data directory (nothing is enrolled twice).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.station import open_station
from sync.client import HubClient
from sync.enroll import enroll_hub
from sync.hub import admin
from sync.hub.server import open_hub

COUNTY_PORT, TOWN_PORT = 8731, 8732


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_hub(data: Path, level: str, port: int, name: str, upstream: str | None = None,
              interval: float = 5.0) -> subprocess.Popen[bytes]:
    if not _port_free(port):
        raise SystemExit(f"端口 {port} 已被占用：请先关闭之前运行的 sanji up，或换一台机器。")
    cmd = [sys.executable, "-m", "app.cli", "hub", "--level", level, "--data", str(data),
           "--port", str(port), "--name", name, "--interval", str(interval)]
    if upstream:
        cmd += ["--upstream", upstream]
    with open(data.parent / f"{data.name}.log", "ab") as log:   # the child keeps its copy
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/v1/info", timeout=1.0)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise SystemExit(f"{name}服务器没有启动，请看日志 {data.parent / (data.name + '.log')}")
            time.sleep(0.1)
    raise SystemExit(f"{name}服务器启动超时。")


def prepare(root: Path, county_port: int = COUNTY_PORT, town_port: int = TOWN_PORT
            ) -> tuple[Path, Path, Path]:
    """Create and enroll everything once; returns (county dir, town dir, station dir)."""
    county_dir, town_dir, station_dir = root / "county", root / "town", root / "station"
    county = open_hub(county_dir, "county", "新县")
    town = open_hub(town_dir, "town", "新集镇")
    needs_town = not town.meta.get("upstream")
    station = open_station(station_dir)
    needs_station = station.store.node_id is None
    procs = []
    try:
        if needs_town:
            procs.append(start_hub(county_dir, "county", county_port, "新县"))
            _, code = admin.add_node(county, "新集镇", "town")
            with HubClient(f"http://127.0.0.1:{county_port}") as client:
                enroll_hub(town, client, code)
        if needs_station:
            procs.append(start_hub(town_dir, "town", town_port, "新集镇"))
            _, code = admin.add_node(town, "王湾村", "village")
            station.enroll(f"http://127.0.0.1:{town_port}", code)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        county.close()
        town.close()
        station.store.close()
    return county_dir, town_dir, station_dir


def run_up(root: Path, with_app: bool = True) -> int:
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    fresh = not (root / "station" / "station.sqlite").exists()
    county_dir, town_dir, station_dir = prepare(root)
    if fresh:
        # A new data dir gets the demo township, so every screen has something to show.
        from app.demo import DemoError, describe, run_demo
        try:
            print(describe(run_demo(root, say=print)))
        except DemoError as exc:   # the system still runs, just without the demo data
            print(f"演示数据没有生成：{exc}")
    county = start_hub(county_dir, "county", COUNTY_PORT, "新县")
    town = start_hub(town_dir, "town", TOWN_PORT, "新集镇",
                     upstream=f"http://127.0.0.1:{COUNTY_PORT}")
    try:
        station = open_station(station_dir)
        result = station.sync_once()
        print(f"县服务器 http://127.0.0.1:{COUNTY_PORT}  镇服务器 http://127.0.0.1:{TOWN_PORT}")
        print(f"村服务站数据 {station_dir}：{result.summary()}")
        if with_app and _has_display():
            from app.ui.main import run_app  # Kivy only when a screen is there
            run_app(station_dir)
        elif with_app:
            print("没有显示器：界面未打开。在有屏幕的电脑或平板上运行 sanji app --data "
                  f"{station_dir}。服务器继续运行，按 Ctrl-C 退出。")
            _wait_forever()
        return 0 if result.ok else 1
    finally:
        for proc in (town, county):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _wait_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
