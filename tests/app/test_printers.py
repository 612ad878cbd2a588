"""Printing through CUPS (app.services.printers) against a real cupsd with cups-pdf queues.

The queue's PDF is ghostscript's re-rendering of ours (its text is not extractable), so
the test compares the pages as images: what came out of the queue is the page we sent.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.docs import Document, Fields, Field, Text, render
from app.services.printers import (
    CupsCommands, NoPrintService, PrintError, check_copies, lp_error_text, parse_printers,
    system_print_service)
from tests.support.cups import (  # noqa: F401  (cups: the fixture)
    PdfQueue, PrivateCups, cups, difference, page_image, printed_as_sent)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def office(cups: PrivateCups) -> PdfQueue:
    return cups.add_pdf_queue("便民服务中心打印机", default=True)


@pytest.fixture(scope="module")
def archive(cups: PrivateCups) -> PdfQueue:
    return cups.add_pdf_queue("档案室打印机")


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    path = tmp_path / "受理回执-XJ003-261127-0001-5.pdf"
    path.write_bytes(render(Document(
        issuer="新集镇王湾村便民服务站", title="受理回执", number="XJ003-261127-0001-5",
        blocks=[Fields([Field("申请人", "赵文堃"), Field("申请事项", "最低生活保障申请")]),
                Text("请妥善保管本回执。", indent=True)])))
    return path


def test_the_printers_of_the_cups_server_are_listed_default_first(cups, office, archive):
    printers = CupsCommands(server=cups.server).printers()
    assert [p.name for p in printers][:1] == [office.name]
    by_name = {p.name: p for p in printers}
    assert by_name[office.name].label == "便民服务中心打印机" and by_name[office.name].is_default
    assert by_name[archive.name].label == "档案室打印机" and not by_name[archive.name].is_default
    assert all(p.ready and p.state == "空闲" for p in by_name.values())


def test_a_paper_printed_twice_comes_out_of_the_queue_as_that_paper(
        cups, archive, paper, tmp_path):
    job = CupsCommands(server=cups.server).submit(paper, archive.name, copies=2,
                                                  title="受理回执 XJ003-261127-0001-5")
    assert job.printer == archive.name and job.job_id.startswith(archive.name + "-")
    written = archive.wait_for_pdf(job.job_id)
    sent = page_image(paper, tmp_path)
    assert difference(sent, Image.new("L", sent.size, 255)) > 4   # real ink on the page ...
    assert printed_as_sent(paper, written, tmp_path) < 1.5         # ... and that page came out
    # CUPS's accounting: this job, 2 impressions (1 page × 2 copies), under its title.
    line = cups.page_log(job.job_id)
    assert " total 2 " in line and "受理回执 XJ003-261127-0001-5" in line, line


def test_a_stopped_printer_is_shown_as_such_and_refuses_with_a_chinese_message(
        cups, paper):
    queue = cups.add_pdf_queue("三楼打印机（已停用）")
    subprocess.run(["cupsdisable", "-h", cups.server, queue.name], check=True)
    subprocess.run(["cupsreject", "-h", cups.server, queue.name], check=True)
    printers = {p.name: p for p in CupsCommands(server=cups.server).printers()}
    assert not printers[queue.name].ready and printers[queue.name].state == "已停用"
    with pytest.raises(PrintError) as refused:
        CupsCommands(server=cups.server).submit(paper, queue.name)
    assert "暂停接收" in refused.value.message and "PDF 已保存" in refused.value.message


def test_an_unknown_printer_a_missing_file_and_a_bad_copy_count_are_refused(cups, paper):
    service = CupsCommands(server=cups.server)
    with pytest.raises(PrintError, match="找不到打印机“不存在的打印机”"):
        service.submit(paper, "不存在的打印机")
    with pytest.raises(PrintError, match="要打印的文件不见了"):
        service.submit(paper.with_name("没有这个文件.pdf"), "x")
    for bad in (0, 100, "两份", "", -1):
        with pytest.raises(PrintError, match="份数请填 1 到 99"):
            service.submit(paper, "x", copies=bad)  # type: ignore[arg-type]


def test_a_cups_server_that_is_not_running_gives_a_chinese_message(tmp_path, paper):
    service = CupsCommands(server=str(tmp_path / "no-such.sock"))
    with pytest.raises(PrintError, match="打印服务（CUPS）没有运行"):
        service.printers()
    with pytest.raises(PrintError) as failed:
        service.submit(paper, "office")
    assert "PDF 已保存" in failed.value.message and "Error" not in failed.value.message


def test_copies_are_whole_numbers_from_one_to_ninety_nine():
    assert [check_copies(v) for v in (1, "2", " 99 ")] == [1, 2, 99]


def test_lpstat_output_is_read_for_states_descriptions_and_the_default():
    listing = ("printer a is idle.  enabled since Sun 06 Dec 2026\n"
               "\tDescription: 一楼\n"
               "printer b now printing b-3.  enabled since Sun 06 Dec 2026\n"
               "\tDescription: \n"
               "printer c disabled since Sun 06 Dec 2026 -\n\treason unknown\n")
    found = parse_printers(listing, "system default destination: b\n",
                           "a not accepting requests since Sun 06 Dec 2026 -\n")
    assert [(p.name, p.label, p.is_default, p.ready, p.state) for p in found] == [
        ("a", "一楼", False, False, "暂停接收"), ("b", "b", True, True, "正在打印"),
        ("c", "c", False, False, "已停用")]
    assert "PDF 已保存" in lp_error_text("lp: something new went wrong", "a")


def test_a_device_without_cups_says_printing_is_not_available_there(paper):
    android = system_print_service({}, "android")
    assert isinstance(android, NoPrintService) and not android.available
    with pytest.raises(PrintError, match="没有可用的打印服务"):
        android.submit(paper, "any")
    assert isinstance(system_print_service({}, "linux"), CupsCommands)
