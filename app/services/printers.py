"""Sending a saved PDF to a printer through the system's print service.

    PrintService         what the print dialog uses: ``printers()``, ``submit(path, …)``
    CupsCommands         Linux desktops (and a town office PC): CUPS through its own
                         ``lp`` / ``lpstat`` commands
    NoPrintService       a device with no print service the app can drive (an Android
                         tablet today): says so; the PDF stays saved for sharing
    system_print_service(env)   the one that fits this device

Why the commands and not pycups: pycups is a C extension over libcups, and
python-for-android has no recipe for it, so the station app could not be packaged for
a tablet with it; ``lp`` and ``lpstat`` are always installed with CUPS, speak to any
CUPS server (local, or a town office's shared one through ``server``), and cost the app
nothing where CUPS is absent.  The seam for Android's print service (PrintManager,
reached through pyjnius, which p4a builds) is ``PrintService``: a class with the same
two methods, returned by ``system_print_service`` on Android.  It is not written yet: on
a tablet today the dialog says printing is not available there and the PDF is kept in
``prints/``.

Every failure is a ``PrintError`` (a ServiceError) with a Chinese message that says what
to do; nothing here raises anything else.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.services.errors import ServiceError

MAX_COPIES = 99
TIMEOUT = 15.0  # seconds for one lp/lpstat call: a CUPS server that hangs must not freeze us
NO_SERVICE = ("这台设备上没有可用的打印服务，PDF 已保存。请把 PDF 拷到连着打印机的电脑上打印，"
              "或请技术人员给这台设备装好打印服务。")


class PrintError(ServiceError):
    """The document did not reach a printer; the PDF is still saved."""


@dataclass(frozen=True)
class Printer:
    name: str               # the queue name the print service knows it by
    description: str = ""   # what people call it ("二楼办公室打印机")
    is_default: bool = False
    ready: bool = True      # enabled and accepting jobs
    state: str = ""         # Chinese: 空闲 / 正在打印 / 已停用 / 暂停接收

    @property
    def label(self) -> str:
        return self.description or self.name


@dataclass(frozen=True)
class PrintJob:
    printer: str
    job_id: str             # e.g. "office-12"
    copies: int
    path: Path


class PrintService(Protocol):
    available: bool

    def printers(self) -> list[Printer]: ...

    def submit(self, path: Path, printer: str, copies: int = 1, title: str = "") -> PrintJob:
        ...


def check_copies(copies: object) -> int:
    """A copy count from the dialog: a whole number from 1 to MAX_COPIES."""
    try:
        value = int(str(copies).strip())
    except ValueError:
        raise PrintError(f"份数请填 1 到 {MAX_COPIES} 之间的数字。") from None
    if not 1 <= value <= MAX_COPIES:
        raise PrintError(f"份数请填 1 到 {MAX_COPIES} 之间的数字。")
    return value


Run = Callable[..., subprocess.CompletedProcess]


class CupsCommands:
    """CUPS through ``lp``/``lpstat``.  ``server``: a CUPS server ("host:port" or a socket
    path) instead of the system's default one; ``run``: subprocess.run, passed in."""

    def __init__(self, server: str | None = None, *, run: Run = subprocess.run,
                 lp: str = "lp", lpstat: str = "lpstat") -> None:
        self.server = server
        self._run = run
        self._lp, self._lpstat = lp, lpstat

    @property
    def available(self) -> bool:
        return shutil.which(self._lp) is not None and shutil.which(self._lpstat) is not None

    def _call(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [program, *(("-h", self.server) if self.server else ()), *args]
        # English messages (parsed below), UTF-8 text (printer descriptions in Chinese).
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        try:
            return self._run(command, capture_output=True, text=True, timeout=TIMEOUT,
                             env=env, check=False)
        except FileNotFoundError as exc:
            raise PrintError(NO_SERVICE) from exc
        except subprocess.TimeoutExpired as exc:
            raise PrintError("打印服务没有响应，请检查打印机和电脑的打印服务是否开着，"
                             "稍后再试；PDF 已保存。") from exc
        except OSError as exc:
            raise PrintError(f"打印服务打不开（{exc.strerror or exc}），PDF 已保存。") from exc

    def _unreachable(self, result: subprocess.CompletedProcess) -> bool:
        text = (result.stderr or "") + (result.stdout or "")
        return result.returncode != 0 and ("not running" in text or "Unable to connect" in text
                                           or "No such file" in text)

    def printers(self) -> list[Printer]:
        """The print queues this CUPS server offers, default first."""
        if not self.available:
            raise PrintError(NO_SERVICE)
        listing = self._call(self._lpstat, "-l", "-p")
        if self._unreachable(listing):
            raise PrintError("打印服务（CUPS）没有运行，请开启电脑的打印服务后再试；PDF 已保存。")
        default = self._call(self._lpstat, "-d").stdout or ""
        accepting = self._call(self._lpstat, "-a").stdout or ""
        return sorted(parse_printers(listing.stdout or "", default, accepting),
                      key=lambda p: (not p.is_default, p.label))

    def submit(self, path: Path, printer: str, copies: int = 1, title: str = "") -> PrintJob:
        """Queue ``path`` (a PDF) on ``printer``, ``copies`` times, A4."""
        copies = check_copies(copies)
        path = Path(path)
        if not path.is_file():
            raise PrintError(f"要打印的文件不见了：{path.name}。请重新点“打印”生成。")
        if not printer:
            raise PrintError("请先选一台打印机。")
        # A4 as laid out (no fit-to-page: the 公文 margins are measured, GB/T 9704).
        args = ["-d", printer, "-n", str(copies), "-o", "media=A4"]
        if title:
            args += ["-t", title]
        result = self._call(self._lp, *args, "--", str(path))
        if result.returncode != 0:
            raise PrintError(lp_error_text(result.stderr or result.stdout or "", printer))
        match = re.search(r"request id is (\S+)", result.stdout or "")
        if match is None:
            raise PrintError("打印机没有回复任务编号，可能没有收到；请看打印机，必要时重新打印。")
        return PrintJob(printer, match.group(1), copies, path)


def parse_printers(listing: str, default: str = "", accepting: str = "") -> list[Printer]:
    """Printers from ``lpstat -l -p`` (with ``-d`` and ``-a`` output), C locale."""
    default_name = ""
    match = re.search(r"system default destination: (\S+)", default)
    if match:
        default_name = match.group(1)
    refusing = set(re.findall(r"^(\S+) not accepting requests", accepting, re.M))
    found: list[Printer] = []
    name, description, state = "", "", ""

    def flush() -> None:
        if not name:
            return
        ready, shown = True, state
        if state == "已停用":
            ready = False
        elif name in refusing:
            ready, shown = False, "暂停接收"
        found.append(Printer(name, description, name == default_name, ready, shown))

    for line in listing.splitlines():
        head = re.match(r"printer (\S+) (.*)", line)
        if head:
            flush()
            name, description = head.group(1), ""
            rest = head.group(2)
            state = ("已停用" if "disabled" in rest else "正在打印" if "now printing" in rest
                     else "空闲")
            continue
        item = re.match(r"\s+Description: ?(.*)", line)
        if item and name:
            description = item.group(1).strip()
    flush()
    return found


_LP_ERRORS: Sequence[tuple[str, str]] = (
    ("does not exist", "找不到打印机“{printer}”，可能已被删除或改名；请重新选择打印机。"),
    ("not accepting", "打印机“{printer}”暂停接收任务，请在电脑的打印机设置里恢复后再试。"),
    ("not running", "打印服务（CUPS）没有运行，请开启电脑的打印服务后再试。"),
    ("Unable to connect", "连不上打印服务，请检查网络和打印服务后再试。"),
    ("Forbidden", "没有权限使用打印机“{printer}”，请请技术人员在打印服务里允许本机打印。"),
    ("Unauthorized", "没有权限使用打印机“{printer}”，请请技术人员在打印服务里允许本机打印。"),
    ("Unsupported", "打印机“{printer}”不支持这个文件，请换一台打印机，或把 PDF 拷到电脑上打印。"),
)


def lp_error_text(message: str, printer: str) -> str:
    """``lp``'s English error as a Chinese sentence that says what to do."""
    for needle, text in _LP_ERRORS:
        if needle.lower() in message.lower():
            return text.format(printer=printer) + "PDF 已保存。"
    detail = message.strip().splitlines()[-1] if message.strip() else "没有说明原因"
    return f"打印没有成功（{detail}），请检查打印机后再试；PDF 已保存。"


class NoPrintService:
    """A device the app cannot print from directly (an Android tablet, for now)."""

    available = False

    def printers(self) -> list[Printer]:
        raise PrintError(NO_SERVICE)

    def submit(self, path: Path, printer: str, copies: int = 1, title: str = "") -> PrintJob:
        raise PrintError(NO_SERVICE)


def system_print_service(env: Mapping[str, str], platform: str) -> PrintService:
    """The print service of this device: CUPS where ``lp`` exists (``CUPS_SERVER`` in
    ``env`` picks a server), else none.  ``platform`` is kivy.utils.platform (or
    sys.platform); on "android" this is where an Android PrintManager service belongs."""
    if platform != "android":
        cups = CupsCommands(server=env.get("CUPS_SERVER") or None)
        if cups.available:
            return cups
    return NoPrintService()


__all__ = ["MAX_COPIES", "CupsCommands", "NoPrintService", "PrintError", "PrintJob",
           "PrintService", "Printer", "check_copies", "lp_error_text", "parse_printers",
           "system_print_service"]
