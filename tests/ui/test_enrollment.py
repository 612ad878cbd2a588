"""A new tablet against a real town hub process: the enrollment screen (a wrong code is
explained), the first cadre, then 同步 with its status in the top bar (issue #3 §1)."""
from __future__ import annotations

from pathlib import Path

from tests.support.hubs import HubProcess
from tests.ui.screens import press, run_screens, screen, window


def test_enroll_first_cadre_and_sync_with_a_real_hub(kivy_app, tmp_path: Path) -> None:
    from app.ui.main import SanjiApp

    hub = HubProcess(tmp_path / "town", "town")
    hub.init("新集镇")
    hub.start()
    try:
        _, code = hub.add_node("王湾村", "village")

        def bad_code(app):
            enroll = screen(app, "enroll")
            enroll.ids.url.text = hub.url
            enroll.ids.code.text = "1234"
            press(enroll.ids.go)
            assert "12位数字" in enroll.ids.code.error

        def enrolled(app):
            enroll = screen(app, "enroll")
            enroll.ids.code.text = code
            press(enroll.ids.go)
            enroll._thread.join(timeout=30)

        def first_cadre(app):
            assert app.enrolled and app.shell.screens.current == "signin"
            signin = screen(app, "signin")
            assert signin.adding and signin.ids.add_title.text == "添加第一位干部"
            signin.ids.name.text = "李建国"
            signin.ids.post.text = "村委委员"
            signin.ids.pin1.text = signin.ids.pin2.text = "258046"

        def saved(app):
            press(screen(app, "signin").ids.save_cadre)
            assert app.user is not None and app.shell.screens.current == "home"
            press(app.shell.ids.topbar.ids.sync_button)
            app._sync_thread.join(timeout=30)

        def synced(app):
            assert app.sync_error == "", app.sync_error
            assert app.sync_text.startswith("上次同步") and "全部已上传" in app.sync_text

        probe = lambda name, key: lambda app: screen(app, name).ids[key]  # noqa: E731
        with window(1280, 800):
            run_screens(kivy_app, SanjiApp(tmp_path / "station", sync_minutes=0), [
                ("bad-code", bad_code, probe("enroll", "title")),
                ("enrolled", enrolled, None),
                ("first-cadre", first_cadre, probe("signin", "add_title")),
                ("home", saved, probe("home", "hello")),
                ("synced", synced, None),
            ], name="enroll", start_probe=probe("enroll", "title"))
    finally:
        hub.stop()
