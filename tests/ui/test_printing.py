"""打印 from the app reaches a printer (issue #8 §2): a cadre at 王湾村 opens a matter, taps
打印受理回执, picks a printer of a real CUPS server (cups-pdf queues), asks for two copies
and prints; the queue writes that paper, twice over, and the PDF stays in prints/.

At tablet and phone size, with screenshots of the dialog.  The dialog's slow calls (lpstat,
lp) run in place here rather than on a thread, so each step sees their answer on the next
frame; everything else is the app as a cadre uses it.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from app.services.printers import CupsCommands
from tests.support.cups import (  # noqa: F401  (cups: the fixture)
    PdfQueue, PrivateCups, cups, printed_as_sent)
from tests.ui.conftest import ARTIFACTS_DIR as ARTIFACTS
from tests.ui.screens import (
    find_button, print_dialog, press, run_screens, screen, shoot_over, window)
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.test_disputes import _app, ids, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def office(cups: PrivateCups) -> PdfQueue:
    return cups.add_pdf_queue("便民服务站打印机", default=True)


@pytest.fixture
def village(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """王湾村 with one accepted matter, the town's paper settings synced down to it."""
    from app.ui.print_dialog import PrintDialog
    monkeypatch.setattr(PrintDialog, "worker", staticmethod(lambda work, *args: work(*args)))
    town_path = make_station(tmp_path / "town", "新集镇便民服务中心", "town", "XJ009",
                             (("张敏", "便民服务中心主任"),))
    path = make_station(tmp_path / "village")
    town, station = unlocked(town_path), unlocked(path)
    try:
        carry(town, station)
        taken = Desk(station, today=lambda: TODAY).intake(cadre(station, "李建国"), IntakeForm(
            name="赵文堃", phone="13869025817", matter_code="SB-005", group="王湾村三组",
            summary="打印本人城乡居民养老保险缴费证明", materials_present=["居民身份证"]))
    finally:
        town.close()
        station.close()
    return path, taken.record, taken.receipt_no


def open_case(record: str):
    def step(app):
        app.go("case", record=record)
    return step


def tap_print(app):
    press(find_button(screen(app, "case").ids.actions, "打印受理回执"))


def shoot_dialog(app, name: str) -> Path:
    dialog = print_dialog()
    return shoot_over(app, dialog, ARTIFACTS / f"{name}.png", dialog.ids.title)


def dialog_ready(app):
    dialog = print_dialog()
    assert dialog.state == "ready", dialog.status_text
    assert dialog.ids.printers.value == "便民服务站打印机"       # the default queue first
    press(dialog.ids.more)                                       # 2 copies
    assert dialog.copies == 2 and dialog.ids.copies.text == "2"


def window_size() -> str:
    from kivy.core.window import Window
    return f"{Window.width}x{Window.height}"


def printed(app):
    shoot_dialog(app, f"printing-dialog-{window_size()}")
    press(print_dialog().ids.print_button)


def gone(app):
    from kivy.core.window import Window

    from app.ui.print_dialog import PrintDialog
    assert not [w for w in Window.children if isinstance(w, PrintDialog)]
    assert "受理回执已送到打印机“便民服务站打印机”，共 2 份" in app.message, app.message


@pytest.mark.parametrize("size", [(1280, 800), (720, 1280)], ids=["tablet", "phone"])
def test_a_receipt_printed_from_the_case_screen_comes_out_of_the_printer(
        kivy_app, cups, office, village, size, tmp_path) -> None:
    path, record, receipt_no = village
    app = _app(path)
    app.print_service = CupsCommands(server=cups.server)
    with window(*size):
        run_screens(kivy_app, app, [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("case", open_case(record), ids("case", "actions_title")),
            ("print-dialog", tap_print, None),
            ("two-copies", dialog_ready, None),
            ("printing", printed, None),
            ("printed", gone, None),
        ], name=f"printing-{size[0]}x{size[1]}", start_probe=ids("signin", "pick_title"))
    saved = path / "prints" / f"受理回执-{receipt_no}.pdf"
    assert saved.is_file()
    jobs = subprocess.run(["lpstat", "-h", cups.server, "-W", "all", "-o", office.name],
                          capture_output=True, text=True, check=True).stdout.split()
    job_id = next(word for word in jobs if word.startswith(office.name + "-"))
    out = office.wait_for_pdf(job_id)
    assert printed_as_sent(saved, out, tmp_path) < 1.5
    line = cups.page_log(job_id)
    assert " total 2 " in line and receipt_no in line, line


def test_without_a_printer_the_dialog_says_so_and_keeps_the_pdf(kivy_app, village) -> None:
    from app.services.printers import NoPrintService
    path, record, receipt_no = village
    app = _app(path)
    app.print_service = NoPrintService()

    def no_printer(app):
        dialog = print_dialog()
        assert dialog.state == "none" and "没有可用的打印服务" in dialog.status_text
        assert dialog.ids.print_button.disabled and dialog.ids.close_button.text == "关闭"
        press(dialog.ids.close_button)
        assert "受理回执已保存" in app.message

    def shown(app):
        shoot_dialog(app, "printing-dialog-no-printer")

    with window(1280, 800):
        run_screens(kivy_app, app, [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("case", open_case(record), ids("case", "actions_title")),
            ("print-dialog", tap_print, None),
            ("no-printer-shown", shown, None),
            ("no-printer", no_printer, None),
        ], name="printing-none", start_probe=ids("signin", "pick_title"))
    assert (path / "prints" / f"受理回执-{receipt_no}.pdf").is_file()


def test_a_paper_the_town_has_not_set_up_is_not_made_and_says_what_to_set(
        kivy_app, tmp_path) -> None:
    path = make_station(tmp_path / "bare")        # no town settings synced down
    station = unlocked(path)
    try:
        taken = Desk(station, today=lambda: TODAY).intake(cadre(station, "李建国"), IntakeForm(
            name="赵文堃", phone="13869025817", matter_code="SB-005",
            summary="打印缴费证明", materials_present=["居民身份证"]))
    finally:
        station.close()
    app = _app(path)

    def refused(app):
        message = app.message
        assert app.message_is_error and "受理回执还不能打印" in message, message
        assert "群众查询办理进度的网址" in message and "镇便民服务中心" in message
        assert "请联系镇便民服务中心在“镇里设置 → 文书和电话”里填写" in message
        from kivy.core.window import Window

        from app.ui.print_dialog import PrintDialog
        assert not [w for w in Window.children if isinstance(w, PrintDialog)]

    with window(1280, 800):
        run_screens(kivy_app, app, [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("case", open_case(taken.record), ids("case", "actions_title")),
            ("refused", lambda app: (tap_print(app), refused(app)), None),
        ], name="printing-unset", start_probe=ids("signin", "pick_title"))
    assert not (path / "prints").exists() or not list((path / "prints").iterdir())


