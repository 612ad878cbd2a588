"""`sanji cadre add|list` on a station's data directory."""
from __future__ import annotations

import json
from pathlib import Path

from app.accounts import SETTINGS_ROLE, list_cadres
from app.cli import main
from app.station import open_station
from tests.ui.stations import make_station


def test_cadre_add_with_the_settings_role_and_list(tmp_path: Path, capsys) -> None:
    data = make_station(tmp_path / "town", "新集镇便民服务中心", "town", "XJ900", ())
    assert main(["cadre", "add", "--data", str(data), "--name", "张敏", "--post",
                 "便民服务中心主任", "--pin", "2580", "--role", "settings"]) == 0
    assert main(["cadre", "add", "--data", str(data), "--name", "赵文博", "--post", "科员",
                 "--pin", "1111"]) == 2
    assert "PIN 太容易被猜到" in capsys.readouterr().err
    assert main(["cadre", "list", "--data", str(data)]) == 0
    assert "张敏  便民服务中心主任  [设置权限]" in capsys.readouterr().out
    assert main(["cadre", "list", "--data", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "cadres": [
        {"name": "张敏", "post": "便民服务中心主任", "roles": ["settings"]}]}
    station = open_station(data)
    try:
        assert [(c.name, c.roles) for c in list_cadres(station.store)] == [
            ("张敏", frozenset({SETTINGS_ROLE}))]
    finally:
        station.close()


def test_cadre_add_on_a_directory_that_is_no_station_writes_nothing(tmp_path: Path, capsys):
    assert main(["cadre", "add", "--data", str(tmp_path / "none"), "--name", "张敏",
                 "--post", "主任", "--pin", "2580"]) == 2
    assert "还不是服务站数据目录" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
