"""`sanji up`: prepare a system on one machine (app.launch.hubs), seed the demo township
into a new data directory (app.launch.demo), then serve until stopped — the app window
closes, Ctrl-C, or SIGTERM; the hubs stop with it."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from app.accounts import AccountError
from app.keyring import Keyring
from app.launch.demo import DemoError, describe, run_demo
from app.launch.demo_township import PIN
from app.launch.hubs import (COUNTY_PORT, TOWN_PORT, Stopped, local_url, prepare, start_hub,
                             stop_on_signals, stop_processes)
from app.station import unlock_station
from sync.session import RoundResult


def run_up(root: Path, with_app: bool = True,
           ports: tuple[int, int] = (COUNTY_PORT, TOWN_PORT)) -> int:
    """Prepare (once), seed the demo (once), then serve until stopped: the app window
    closes, Ctrl-C, or SIGTERM; the hubs stop with it."""
    try:
        with stop_on_signals():
            return _run_up(root.resolve(), with_app, *ports)
    except (Stopped, KeyboardInterrupt):
        print("已停止：县、镇服务器已关闭。", flush=True)
        return 0


def _run_up(root: Path, with_app: bool, county_port: int, town_port: int) -> int:
    root.mkdir(parents=True, exist_ok=True)
    fresh = not (root / "station" / "station.sqlite").exists()
    county_dir, town_dir, station_dir = prepare(root, county_port, town_port)
    if fresh:
        # A new data dir gets the demo township, so every screen has something to show.
        try:
            print(describe(run_demo(root, county_port, town_port, say=print)))
        except DemoError as exc:   # the system still runs, just without the demo data
            print(f"演示数据没有生成：{exc}")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(start_hub(county_dir, "county", county_port, "新县"))
        procs.append(start_hub(town_dir, "town", town_port, "新集镇",
                               upstream=local_url(county_port)))
        result = _first_sync(station_dir)
        print(f"县服务器 {local_url(county_port)}  镇服务器 {local_url(town_port)}（HTTPS，"
              "各自的证书在数据目录的 tls/ 里）")
        print(f"村服务站数据 {station_dir}：{result.summary()}", flush=True)
        if with_app and _has_display():
            from app.ui.main import run_app  # Kivy only when a screen is there
            run_app(station_dir)
            return 0 if result.ok else 1
        if with_app:
            print("没有显示器：界面未打开。在有屏幕的电脑或平板上运行 sanji app --data "
                  f"{station_dir}。")
        print("服务器运行中，按 Ctrl-C 退出（或向本进程发送 SIGTERM）。", flush=True)
        while True:
            time.sleep(3600)
    finally:
        stop_processes(reversed(procs))


def _first_sync(station_dir: Path) -> RoundResult:
    """One round for the village station, opened with the demo 密码 (a cadre who has
    changed theirs syncs from the app instead)."""
    try:
        station = unlock_station(station_dir, PIN, int(time.time() * 1000),
                                 cadre=_first_cadre(station_dir))
    except AccountError:
        return RoundResult(ok=False, error="演示密码打不开本站（密码改过）：请在界面里登录后同步。")
    try:
        return station.sync_once()
    finally:
        station.close()


def _first_cadre(station_dir: Path) -> str | None:
    holders = Keyring.of(station_dir).holders()
    return holders[0].id if holders else None


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
