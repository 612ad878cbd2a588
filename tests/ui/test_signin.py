"""Signing in on a shared tablet, by touch (issue #8 §1): 密码 on screen, never "PIN";
忘记密码 vouched for by a colleague on the tablet (their 密码 opens the encrypted data), and
a tablet's only cadre told to call the town (which cannot open it); 大字 and the system's
130 % font keep the sign-in screen and the top bar readable; a tablet nobody touches signs
its cadre out after the town's idle time, with a warning a minute before.

Screenshots: test-artifacts/signin-*.png."""
from __future__ import annotations

from pathlib import Path

from kivy.metrics import Metrics

from app.accounts import AccountError, list_cadres
from app.accounts import sign_in as check_password
from app.station import unlock_station
from tests.ui.flows import current, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import PIN, make_station
from tests.ui.touch import touch_app

NEW = "468213"


def _password_works(data: Path, name: str, password: str) -> bool:
    try:
        check_password(data, _ids(data)[name], password, 0)
        return True
    except AccountError:
        return False


def _ids(data: Path) -> dict[str, str]:
    return {c.name: c.id for c in list_cadres(data)}


def test_a_colleague_vouches_for_a_forgotten_password(tmp_path: Path) -> None:
    data = make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"), ("王芳", "代办员")))
    with touch_app(station_app(data), "tablet", name="signin-colleague") as ui:
        signin = screen(ui.app, "signin")
        assert "PIN" not in ui.texts()
        ui.tap("忘记密码")                                    # no name yet: says what first
        assert "先点您的名字" in signin.ids.pin_error.text
        ui.tap("李建国", within=signin.ids.cadres)
        assert "请输入 李建国 的密码" in ui.texts()
        ui.tap("忘记密码")
        assert signin.resetting and "PIN" not in ui.texts()
        ui.shot("reset", title("signin", "reset_title"))
        ui.tap("王芳", within=signin.ids.helper)
        ui.fill("他（她）的密码", "139702")                     # the colleague mistypes
        ui.fill("新密码", NEW)
        ui.fill("再输一遍新密码", NEW)
        ui.tap("重设密码并登录")
        assert "帮您证明的干部：密码不对" in signin.ids.reset_error.text
        ui.fill("他（她）的密码", PIN)
        ui.tap("重设密码并登录")
        assert ui.app.user is not None and ui.app.user.name == "李建国"
        assert current(ui) == "home"
        ui.shot("reset-done", title("home", "hello"))
        ui.tap("换人")
        sign_in(ui, "李建国", NEW)
    assert _password_works(data, "李建国", NEW) and not _password_works(data, "李建国", PIN)
    station = unlock_station(data, PIN, 0, cadre="王芳")
    try:
        [(author,)] = station.store.conn.execute(
            "SELECT author FROM events WHERE type='cadre.password_reset'").fetchall()
        assert author == _ids(data)["王芳"]                   # the colleague answers for it
    finally:
        station.close()


def test_a_tablets_only_cadre_is_told_to_call_the_town(tmp_path: Path) -> None:
    data = make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"),))
    with touch_app(station_app(data), "phone", name="signin-alone") as ui:
        signin = screen(ui.app, "signin")
        ui.tap("忘记密码")                                    # the only cadre: already chosen
        assert "没有别的干部" in signin.ids.helper_hint.text
        assert "镇便民服务中心" in ui.texts() and "重新登记本机" in ui.texts()
        ui.tap("重设密码并登录")                              # nobody to vouch: says what to do
        assert "请选一位本站干部" in signin.ids.reset_error.text
        ui.shot("alone", title("signin", "reset_title"))
        ui.tap("取消")
        assert not signin.resetting
    assert _password_works(data, "李建国", PIN)


def test_large_text_and_the_systems_130_percent_keep_sign_in_readable(tmp_path: Path) -> None:
    data = make_station(tmp_path / "wangwan", name="王湾村",
                        cadres=(("李建国", "村委委员"), ("欧阳建华", "便民服务站代办员")))
    for size, system in (("tablet", 1.0), ("phone", 1.3)):
        with touch_app(station_app(data), size, fontscale=system,
                       name=f"signin-large-{size}") as ui:
            signin = screen(ui.app, "signin")
            if system == 1.0:
                ui.tap("字太小？点这里用大字")
            assert ui.app.large_text
            assert abs(Metrics.fontscale - system * 1.3) < 1e-6
            assert not ui.unreadable(), ui.unreadable()
            ui.shot("signin", title("signin", "pick_title"))
            ui.tap("欧阳建华", within=screen(ui.app, "signin").ids.cadres)
            ui.tap_keys("139702", within=screen(ui.app, "signin").ids.keypad)
            ui.tap("登录")
            assert "不对" in screen(ui.app, "signin").ids.pin_error.text
            assert not ui.unreadable(), ui.unreadable()
            ui.shot("wrong")
            sign_in(ui, "欧阳建华")
            assert not ui.unreadable(ui.app.shell.ids.topbar), ui.unreadable(
                ui.app.shell.ids.topbar)
            assert not ui.unreadable(ui.app.shell.ids.sync_strip)
            ui.tap("来访登记")                                 # a screen with 首页 in the bar
            assert not ui.unreadable(ui.app.shell.ids.topbar), ui.unreadable(
                ui.app.shell.ids.topbar)
            ui.shot("home", title("visits"))
            go_home(ui)
        assert signin is not None
    # the choice stays with the tablet: the next start is large again, and can go back
    with touch_app(station_app(data), "tablet", name="signin-large-again") as ui:
        assert ui.app.large_text
        ui.tap("改回标准字号")
        assert not ui.app.large_text and abs(Metrics.fontscale - 1.0) < 1e-6
        ui.shot("standard", title("signin", "pick_title"))


def test_an_untouched_tablet_signs_its_cadre_out(tmp_path: Path) -> None:
    data = make_station(tmp_path / "wangwan")
    with touch_app(station_app(data), "tablet", name="signin-idle") as ui:
        sign_in(ui, "李建国")
        ui.tap("来访登记")
        ui.fill("来访人姓名", "赵大爷")
        assert ui.app.idle_minutes() == 10                    # the town's default
        ui.advance(8 * 60)
        assert ui.app.user is not None
        ui.advance(60 + 5)                                    # a minute left: said
        assert "自动退出" in ui.app.message
        ui.shot("warning")
        ui.tap("来访登记", within=ui.app.shell.ids.screens)   # a touch: counting starts again
        assert not ui.app.message
        ui.advance(9 * 60)
        assert ui.app.user is not None
        ui.advance(60 + 5)
        ui.advance(5)
        assert ui.app.user is None and current(ui) == "signin"
        assert "已自动退出登录" in ui.app.message and "10 分钟" in ui.app.message
        ui.shot("signed-out", title("signin", "pick_title"))
