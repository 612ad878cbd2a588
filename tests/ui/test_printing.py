"""打印 from the app reaches a printer (issue #8 §2): a cadre at 王湾村 opens a matter, taps
打印受理回执, picks a printer of a real CUPS server (cups-pdf queues), asks for two copies
and prints; the queue writes that paper, twice over, and the PDF stays in prints/.

At tablet and phone size, by touch (tests/ui/touch.py), with screenshots of the dialog
(swept like every state). The dialog's slow calls (lpstat, lp) run in place here rather
than on a thread, so each step sees their answer on the next frame; everything else is the
app as a cadre uses it.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from app.services.printers import CupsCommands
from tests.support.cups import (  # noqa: F401  (cups: the fixture)
    PdfQueue, PrivateCups, cups, printed_as_sent)
from tests.ui.flows import print_dialog, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app

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


def open_case(ui, applicant: str) -> None:
    """From the home screen, through the ledger, to the matter."""
    sign_in(ui, "李建国")
    ui.tap("台账查询")
    ui.tap(applicant)
    ui.shot("case", title("case", "actions_title"))


def tap_print(ui) -> None:
    ui.tap("打印受理回执", within=screen(ui.app, "case").ids.actions)


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_a_receipt_printed_from_the_case_screen_comes_out_of_the_printer(
        cups, office, village, size, tmp_path) -> None:
    path, record, receipt_no = village
    app = station_app(path)
    app.print_service = CupsCommands(server=cups.server)
    with touch_app(app, size, name=f"printing-{size}") as ui:
        open_case(ui, "赵文堃")
        tap_print(ui)
        dialog = print_dialog(ui)
        assert dialog.state == "ready", dialog.status_text
        assert dialog.ids.printers.value == "便民服务站打印机"       # the default queue first
        ui.shot("print-dialog", lambda _app: dialog.ids.title)
        ui.tap(dialog.ids.more)                                     # 2 copies
        assert dialog.copies == 2 and dialog.ids.copies.text == "2"
        ui.shot("two-copies")
        ui.tap(dialog.ids.print_button)
        ui.until(lambda: dialog not in ui.roots(), what="the job sent")
        assert "受理回执已送到打印机“便民服务站打印机”，共 2 份" in ui.app.message, \
            ui.app.message
        ui.shot("printed")
    saved = path / "prints" / f"受理回执-{receipt_no}.pdf"
    assert saved.is_file()
    jobs = subprocess.run(["lpstat", "-h", cups.server, "-W", "all", "-o", office.name],
                          capture_output=True, text=True, check=True).stdout.split()
    job_id = next(word for word in jobs if word.startswith(office.name + "-"))
    out = office.wait_for_pdf(job_id)
    assert printed_as_sent(saved, out, tmp_path) < 1.5
    line = cups.page_log(job_id)
    assert " total 2 " in line and receipt_no in line, line


def test_without_a_printer_the_dialog_says_so_and_keeps_the_pdf(village) -> None:
    from app.services.printers import NoPrintService
    path, record, receipt_no = village
    app = station_app(path)
    app.print_service = NoPrintService()
    with touch_app(app, "tablet", name="printing-none") as ui:
        open_case(ui, "赵文堃")
        tap_print(ui)
        dialog = print_dialog(ui)
        assert dialog.state == "none" and "没有可用的打印服务" in dialog.status_text
        assert dialog.ids.print_button.disabled and dialog.ids.close_button.text == "关闭"
        ui.shot("no-printer", lambda _app: dialog.ids.title)
        ui.tap("关闭", within=dialog)
        assert "受理回执已保存" in ui.app.message
    assert (path / "prints" / f"受理回执-{receipt_no}.pdf").is_file()


def test_a_paper_the_town_has_not_set_up_is_not_made_and_says_what_to_set(tmp_path) -> None:
    path = make_station(tmp_path / "bare")        # no town settings synced down
    station = unlocked(path)
    try:
        Desk(station, today=lambda: TODAY).intake(cadre(station, "李建国"), IntakeForm(
            name="赵文堃", phone="13869025817", matter_code="SB-005",
            summary="打印缴费证明", materials_present=["居民身份证"]))
    finally:
        station.close()
    with touch_app(station_app(path), "tablet", name="printing-unset") as ui:
        open_case(ui, "赵文堃")
        tap_print(ui)
        message = ui.app.message
        assert ui.app.message_is_error and "受理回执还不能打印" in message, message
        assert "群众查询办理进度的网址" in message and "镇便民服务中心" in message
        assert "请联系镇便民服务中心在“镇里设置 → 文书和电话”里填写" in message
        from app.ui.print_dialog import PrintDialog
        assert not [w for w in ui.roots() if isinstance(w, PrintDialog)]
        ui.shot("refused")
    assert not (path / "prints").exists() or not list((path / "prints").iterdir())
