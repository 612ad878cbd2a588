"""A new tablet against a real town hub process, by touch (issue #3 §1, issue #8 §1): the
enrollment screen (a wrong code is explained), the first cadre, then 同步 with its status
in the strip under the top bar."""
from __future__ import annotations

from pathlib import Path

from tests.support.hubs import HubProcess
from tests.ui.flows import current, title
from tests.ui.screens import screen
from tests.ui.stations import PIN
from tests.ui.touch import touch_app


def test_enroll_first_cadre_and_sync_with_a_real_hub(tmp_path: Path) -> None:
    from app.ui.main import SanjiApp

    hub = HubProcess(tmp_path / "town", "town")
    hub.init("新集镇")
    hub.start()
    try:
        _, code = hub.add_node("王湾村", "village")
        app = SanjiApp(tmp_path / "station", sync_minutes=0)
        with touch_app(app, "tablet", name="enroll") as ui:
            enroll = screen(app, "enroll")
            ui.shot("start", title("enroll"))
            ui.fill("服务器地址", hub.url)
            ui.fill("登记码", "1234")
            ui.tap("登记")
            assert "12位数字" in enroll.ids.code.error
            ui.shot("bad-code", title("enroll"))
            ui.fill("登记码", code)
            ui.tap("登记")
            ui.until(lambda: app.enrolled and current(ui) == "signin", timeout=30,
                     what="enrollment with the hub")
            signin = screen(app, "signin")
            assert signin.adding and signin.ids.add_title.text == "添加第一位干部"
            ui.fill("姓名", "李建国")
            ui.fill("职务", "村委委员")
            ui.fill(signin.ids.pin1, PIN)
            ui.fill(signin.ids.pin2, PIN)
            ui.done_typing()
            ui.shot("first-cadre", title("signin", "add_title"))
            ui.tap("保存")
            assert app.user is not None and current(ui) == "home"
            ui.shot("home", title("home", "hello"))
            ui.tap("同步")
            ui.until(lambda: not app.syncing, timeout=30, what="the sync round")
            assert app.sync_error == "", app.sync_error
            assert app.sync_text.startswith("上次同步") and "全部已上传" in app.sync_text
            ui.advance(10)                       # the round's message gives way to the status
            assert "全部已上传" in ui.texts(app.shell.ids.sync_strip)
            ui.shot("synced")
    finally:
        hub.stop()
