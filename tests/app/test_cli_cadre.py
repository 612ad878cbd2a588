"""`sanji cadre add|list` on a station's (encrypted) data directory."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.accounts import SETTINGS_ROLE, list_cadres
from app.cli import main
from tests.ui.stations import PIN, make_station, unlocked


def test_cadre_add_with_the_settings_role_and_list(tmp_path: Path, capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_station(tmp_path / "town", "新集镇便民服务中心", "town", "XJ900", ())
    assert main(["cadre", "add", "--data", str(data), "--name", "张敏", "--post",
                 "便民服务中心主任", "--pin", PIN, "--role", "settings"]) == 0
    assert main(["cadre", "add", "--data", str(data), "--name", "赵文博", "--post", "科员",
                 "--pin", PIN]) == 2                       # 张敏's 密码 is needed now
    assert "需要干部的密码" in capsys.readouterr().err
    monkeypatch.setenv("SANJI_PIN", PIN)                 # the operator types 张敏's 密码
    assert main(["cadre", "add", "--data", str(data), "--name", "赵文博", "--post", "科员",
                 "--pin", "111111"]) == 2
    assert "密码太容易被猜到" in capsys.readouterr().err
    assert main(["cadre", "add", "--data", str(data), "--name", "赵文博", "--post", "科员",
                 "--pin", "369147"]) == 0
    assert main(["cadre", "list", "--data", str(data), "--cadre", "张敏"]) == 0
    assert "张敏  便民服务中心主任  [设置权限]" in capsys.readouterr().out
    assert main(["cadre", "list", "--data", str(data), "--cadre", "张敏", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "cadres": [
        {"name": "张敏", "post": "便民服务中心主任", "roles": ["settings"]},
        {"name": "赵文博", "post": "科员", "roles": []}]}
    station = unlocked(data)
    try:
        assert [(c.name, c.roles) for c in list_cadres(station.store)] == [
            ("张敏", frozenset({SETTINGS_ROLE})), ("赵文博", frozenset())]
    finally:
        station.close()


def test_only_a_holders_password_gives_the_settings_role(tmp_path: Path, capsys,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_station(tmp_path / "village", cadres=(("李建国", "村委委员"),))
    monkeypatch.setenv("SANJI_PIN", PIN)
    assert main(["cadre", "add", "--data", str(data), "--name", "王芳", "--post", "代办员",
                 "--pin", "369147", "--role", "settings", "--cadre", "李建国"]) == 2
    assert "只有有设置权限的干部才能给别人开通设置权限" in capsys.readouterr().err
    station = unlocked(data)
    try:
        assert [c.name for c in list_cadres(station.store)] == ["李建国"]
    finally:
        station.close()


def test_cadre_add_on_a_directory_that_is_no_station_writes_nothing(tmp_path: Path, capsys):
    assert main(["cadre", "add", "--data", str(tmp_path / "none"), "--name", "张敏",
                 "--post", "主任", "--pin", PIN]) == 2
    assert "还不是服务站数据目录" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
