"""打印 from any screen: the paper is saved as a PDF first (prints/), then this dialog sends
it to a printer through the system's print service (app.services.printers: CUPS on a
desktop; on an Android tablet, for now, it says printing is not available there).

    print_paper(app, "受理回执", lambda: print_receipt(app.desk, record))

Big buttons, in Chinese: the printers as choices (the last one used first), the number of
copies with − and +, 打印 and 不打印，只保存.  Asking the print service for its printers
and sending the job run off the Kivy thread (a CUPS server across the network may be
slow); the answer comes back on the clock.  The app's ``print_service`` is passed in by
the app (and by the tests: a real CUPS server with cups-pdf queues).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import mainthread
from kivy.lang import Builder
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.modalview import ModalView

from app.services.errors import ServiceError
from app.services.printers import MAX_COPIES, PrintError, Printer
from sync.db import transaction

LAST_PRINTER = "printer:last"   # station meta: the queue used last time, offered first


def in_background(work: Callable[..., None], *args: Any) -> None:
    threading.Thread(target=work, args=args, name="sanji-print", daemon=True).start()


class PrintDialog(ModalView):
    what = StringProperty("")
    path = StringProperty("")
    file_name = StringProperty("")
    copies = NumericProperty(1)
    max_copies = NumericProperty(MAX_COPIES)
    printer = StringProperty("")          # the chosen queue name
    state = OptionProperty("loading", options=["loading", "ready", "none", "sending"])
    status_text = StringProperty("正在查找打印机…")
    error = StringProperty("")
    app = ObjectProperty(None)
    # How the slow calls are run: a thread; the tests run them in place (the answer still
    # reaches the screen on the next frame, through @mainthread).
    worker: Callable[..., None] = staticmethod(in_background)

    def __init__(self, app: Any, what: str, path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app, self.what, self.path, self.file_name = app, what, str(path), Path(path).name
        self._printers: dict[str, Printer] = {}
        self._labels: dict[str, str] = {}
        self.result: str = ""   # what happened, for the caller and the tests

    # finding printers ----------------------------------------------------------------------
    def look(self) -> None:
        """Ask the print service for its printers (answer on the next frame or later)."""
        self.state, self.status_text = "loading", "正在查找打印机…"
        self.worker(self._look, self.app.print_service)

    def _look(self, service: Any) -> None:
        try:
            found, problem = service.printers(), ""
        except ServiceError as exc:
            found, problem = [], exc.message
        self._found(found, problem)

    @mainthread
    def _found(self, printers: list[Printer], problem: str) -> None:
        if problem or not printers:
            self.state = "none"
            self.status_text = problem or ("没有找到打印机：请先在这台设备的打印机设置里添加打印机；"
                                           "PDF 已保存，也可以拷到别的电脑上打印。")
            return
        last = self.app.station.store.meta.get(LAST_PRINTER) if self.app.station else None
        printers = sorted(printers, key=lambda p: (p.name != last, not p.is_default))
        self._printers = {p.name: p for p in printers}
        self._labels = {}
        for p in printers:
            label = p.label if p.ready else f"{p.label}（{p.state}）"
            while label in self._labels:   # two queues with one description
                label += f"·{p.name}"
            self._labels[label] = p.name
        choice = self.ids.printers
        choice.options = list(self._labels)
        self.state = "ready"
        self.status_text = "点一台打印机，再点“打印”。"
        choice.value = next(iter(self._labels))

    def pick(self, label: str) -> None:
        self.printer = self._labels.get(label, "")
        self.error = ""

    # printing ------------------------------------------------------------------------------
    def send(self) -> None:
        if self.state != "ready" or not self.printer:
            return
        self.state, self.error = "sending", ""
        self.worker(self._send, self.app.print_service, self.printer, int(self.copies))

    def _send(self, service: Any, printer: str, copies: int) -> None:
        try:
            job, problem = service.submit(Path(self.path), printer, copies,
                                          f"{self.what} {Path(self.path).stem}"), ""
        except PrintError as exc:
            job, problem = None, exc.message
        self._sent(job, problem)

    @mainthread
    def _sent(self, job: Any, problem: str) -> None:
        if job is None:
            self.state, self.error = "ready", problem
            return
        station = self.app.station
        if station is not None:
            with transaction(station.store.conn):
                station.store.meta.set(LAST_PRINTER, job.printer)
        label = self._printers[job.printer].label if job.printer in self._printers else job.printer
        self.result = f"{self.what}已送到打印机“{label}”，共 {job.copies} 份。"
        self.dismiss(animation=False)
        self.app.say(self.result + f"PDF 也已保存：{self.file_name}", seconds=12)

    def close(self) -> None:
        self.result = f"{self.what}已保存，没有打印。"
        self.dismiss(animation=False)
        self.app.say(f"{self.what}已保存：{self.path}（退出登录时删除，需要时可随时重新生成）",
                     seconds=12)


def print_paper(app: Any, what: str, make: Callable[[], Path],
                on_error: Callable[[str], None] | None = None) -> PrintDialog | None:
    """Make the PDF (``make`` → its path), then offer to print it.  A paper that cannot be
    made (a value the town has not set, a record not ready) says why, in red."""
    try:
        path = make()
    except ServiceError as exc:
        (on_error or (lambda text: app.say(text, error=True, seconds=15)))(exc.message)
        return None
    dialog = PrintDialog(app, what, path)
    dialog.open()
    dialog.look()
    return dialog


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
