"""Opening a station's data for a command: with a cadre's 密码 from the terminal or from
``SANJI_PIN``. Shared by app.cli and app.cli_cadre (kept apart so the two do not import
each other)."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from app.accounts import AccountError

PIN_ENV = "SANJI_PIN"


def _pin() -> str:
    import getpass
    import os
    if os.environ.get(PIN_ENV):
        return os.environ[PIN_ENV]
    if not sys.stdin.isatty():
        raise AccountError(f"本机数据已加密，需要干部的密码：请在终端里运行并输入密码（脚本里可设环境变量 {PIN_ENV}）。")
    return getpass.getpass("干部的登录密码：")


def open_station_for(args: argparse.Namespace) -> Any:
    """A station opened with a cadre's 密码 (none needed before its first cadre)."""
    import time

    from app.keyring import Keyring
    from app.station import open_station, unlock_station
    keyring = Keyring.of(args.data)
    if not keyring.exists() or keyring.setup_key() is not None:
        return open_station(args.data)
    return unlock_station(args.data, _pin(), int(time.time() * 1000), args.cadre)
