"""A private CUPS server with a cups-pdf queue, for tests that print for real.

    with PrivateCups() as cups:             # cupsd -f on its own socket and config dir
        queue = cups.add_pdf_queue("档案室PDF打印机")
        ... CupsCommands(server=cups.server).submit(pdf, queue.name, copies=2)
        written = queue.wait_for_pdf(job_id)    # the PDF cups-pdf wrote
        cups.page_log(job_id)                   # CUPS's own record: pages × copies

Its own cupsd (not the machine's) in a fresh folder under /tmp: the filters run as the
``lp`` user, so every folder above the spool must be open to it (pytest's tmp_path is
not: /tmp/pytest-of-root is 0700).  No state outside that folder except one cups-pdf
configuration file, which cups-pdf reads only from /etc/cups (``cups-pdf-<queue>.conf``,
picked by the queue's device URI ``cups-pdf:/<queue>``); it points the output into
the folder and is removed on exit, with the folder.  The backend runs as root (cups-pdf is 0700), so this
needs root — as CI and the dev machines run.  Needs Debian's cups and
printer-driver-cups-pdf (scripts/setup.sh installs them).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

CUPSD = "/usr/sbin/cupsd"
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONF_DIR = Path("/etc/cups")

MISSING = ("CUPS with cups-pdf is needed for the printing tests: run `bash scripts/setup.sh` "
           "(apt-get install cups printer-driver-cups-pdf) as root")


def missing_parts() -> list[str]:
    parts = [str(p) for p in (Path(CUPSD), CUPS_PDF_BACKEND, CUPS_PDF_PPD) if not p.exists()]
    parts += [tool for tool in ("lp", "lpstat", "lpadmin") if shutil.which(tool) is None]
    if os.geteuid() != 0:
        parts.append("root")
    return parts


@dataclass
class PdfQueue:
    name: str
    out: Path
    server: str

    def wait_for_pdf(self, job_id: str, timeout: float = 60.0) -> Path:
        """The PDF cups-pdf wrote for ``job_id`` ("queue-7"), once CUPS calls the job
        completed (ghostscript writes the file in pieces before that)."""
        number = job_id.rsplit("-", 1)[-1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(["lpstat", "-h", self.server, "-W", "completed", "-o",
                                   self.name], capture_output=True, text=True).stdout
            written = list(self.out.glob(f"*job_{number}.pdf"))
            if re.search(rf"^{re.escape(job_id)}\s", done, re.M) and written:
                return written[0]
            time.sleep(0.2)
        raise AssertionError(f"cups-pdf wrote no PDF for {job_id} in {timeout} s: "
                             f"{sorted(p.name for p in self.out.iterdir())}")


class PrivateCups:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sanji-cups-"))
        self.socket = self.root / "cups.sock"
        self.queues: list[PdfQueue] = []
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return str(self.socket)

    def __enter__(self) -> "PrivateCups":
        problems = missing_parts()
        if problems:
            raise RuntimeError(f"{MISSING}; missing: {', '.join(problems)}")
        etc = self.root / "etc"
        for sub in ("etc/ppd", "spool/tmp", "cache", "state", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for folder in [self.root, *self.root.iterdir()]:
            folder.chmod(0o755)
        (etc / "cups-files.conf").write_text(
            f"ServerRoot {etc}\nRequestRoot {self.root}/spool\nCacheDir {self.root}/cache\n"
            f"StateDir {self.root}/state\nTempDir {self.root}/spool/tmp\n"
            "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
            f"ErrorLog {self.root}/log/error_log\nAccessLog {self.root}/log/access_log\n"
            f"PageLog {self.root}/log/page_log\nSystemGroup root\nFileDevice No\n"
            "Sandboxing Relaxed\n")
        (etc / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nWebInterface No\nBrowsing Off\n"
            "BrowseLocalProtocols none\nDefaultAuthType Basic\n"
            "<Location />\n  Order allow,deny\n  Allow localhost\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        self._proc = subprocess.Popen(
            [CUPSD, "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"cupsd exited ({self._proc.returncode}): {self.error_log()}")
            ready = subprocess.run(["lpstat", "-h", self.server, "-r"], capture_output=True,
                                   text=True)
            if ready.returncode == 0 and "is running" in ready.stdout:
                return self
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"cupsd did not start in 20 s: {self.error_log()}")

    def __exit__(self, *_exc) -> None:
        for queue in self.queues:
            (CUPS_PDF_CONF_DIR / f"cups-pdf-{queue.name}.conf").unlink(missing_ok=True)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def add_pdf_queue(self, description: str, default: bool = False) -> PdfQueue:
        """A cups-pdf queue that writes into its own folder under ``root``."""
        name = f"sanji-pdf-{uuid.uuid4().hex[:8]}"
        out = self.root / "out" / name
        out.mkdir(parents=True)
        out.chmod(0o755)
        (CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf").write_text(
            f"Out {out}\nAnonDirName {out}\nSpool {self.root}/spool/cups-pdf\n")
        queue = PdfQueue(name, out, self.server)
        self.queues.append(queue)
        self.lpadmin("-p", name, "-v", f"cups-pdf:/{name}", "-P", str(CUPS_PDF_PPD),
                     "-D", description, "-E")
        if default:
            self.lpadmin("-d", name)
        return queue

    def lpadmin(self, *args: str) -> None:
        subprocess.run(["lpadmin", "-h", self.server, *args], check=True, capture_output=True,
                       text=True)

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def page_log(self, job_id: str) -> str:
        """CUPS's accounting line of ``job_id``: "queue user 7 [date] total N - host title"."""
        number = job_id.rsplit("-", 1)[-1]
        path = self.root / "log" / "page_log"
        text = path.read_text(errors="replace") if path.exists() else ""
        lines = [line for line in text.splitlines()
                 if re.match(rf"\S+ \S+ {number} ", line)]
        return lines[-1] if lines else ""


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    """A private CUPS server for the module (import this fixture into the test module)."""
    with PrivateCups() as server:
        yield server


def page_image(pdf: Path, folder: Path) -> Image.Image:
    """The first page of ``pdf`` as a small grey image (40 dpi)."""
    stem = folder / f"page-{uuid.uuid4().hex[:8]}"
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-singlefile", "-png", str(pdf),
                    str(stem)], check=True)
    with Image.open(f"{stem}.png") as image:
        return image.convert("L")


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute grey difference (0–255) of two page images."""
    return ImageStat.Stat(ImageChops.difference(a, b.resize(a.size))).mean[0]


def printed_as_sent(sent: Path, came: Path, folder: Path) -> float:
    """How far the page a queue wrote is from the page sent (cups-pdf re-renders it
    through ghostscript, so its text cannot be read back: the pages are compared)."""
    return difference(page_image(sent, folder), page_image(came, folder))
