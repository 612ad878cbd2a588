"""Realistic inputs for the printed documents, made with the domain's own functions.

A 低保 application at 王湾村便民服务站 (station XJ003) under 新集镇: accepted with materials
missing (一次性告知单), reported to the town, forwarded to 县民政局 with a 转办函; and a 特困
application accepted in December 2026 whose promised date falls in 2027, a year the
holiday library does not know (provisional).  The catalog is the shipped one with the
town's enquiry and complaint numbers configured by catalog edit events.

Helpers for reading PDFs back: text through pypdf and through poppler's pdftotext, page
images through pdftoppm (150 dpi), QR codes through zxing-cpp.  Every PDF and PNG is kept in
test-artifacts/docs/ for a person to look at.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

import schemas.catalog
import schemas.config
from app.domain import (
    Catalog, CaseState, WorkCalendar, accepted_payload, add_working_days, apply_catalog_edits,
    fold, format_receipt, merge_config, one_time_notice)
from app.domain.service.intake import Notice
from app.domain.shared.idcard import check_digit

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "docs"

STATION = "新集镇王湾村便民服务站"
TOWN_CENTER = "新集镇便民服务中心"
LEVELS = {"v-wangwan": "village", "t-xinji": "town", "c-minzheng": "county"}
OFFICER = {"id": "u-wang", "name": "王秀兰", "post": "便民服务站代办员"}
LEADER = {"id": "u-zhang", "name": "张建华", "post": "副镇长"}
ID_BODY = "41152319780317421"
ID_NUMBER = ID_BODY + check_digit(ID_BODY)  # a valid GB 11643 number (check digit computed)
PHONE = "13869025817"
APPLICANT = {"name": "赵文堃", "sex": "男", "id_number": ID_NUMBER, "phone": PHONE,
             "group": "王湾村三组"}
SUMMARY = ("本人与妻子均患慢性病，需长期服药，丧失部分劳动能力；儿子在县城读高中。"
           "家庭年收入约4800元，无其他收入来源，申请最低生活保障。")
PRESENT = ["最低生活保障申请书", "居民身份证", "户口簿"]
NOTICE_NO = "XJ003-GZ-250926-07"
ACCEPTED_ON = date(2025, 9, 26)
CALENDAR = WorkCalendar()


def _event(n: int, kind: str, origin: str, payload: dict[str, Any], record: str,
           author: str = "u-wang") -> dict[str, Any]:
    return {"id": f"{record}-{n}", "origin": origin, "seq": n, "hlc": 1_000 + 10 * n,
            "type": kind, "v": 1, "record": record, "kind": "svc_case", "author": author,
            "payload": payload}


def make_catalog() -> Catalog:
    """The shipped catalog with the town's own numbers set, as the town would set them."""
    phones = {
        "town_service_center": {"label": "新集镇便民服务中心", "number": "0376-7123456",
                                "configured": True},
        "town_discipline": {"label": "新集镇纪委", "number": "0376-7123400", "configured": True},
        "county_civil": {"label": "县民政局", "number": "0376-7234567", "configured": True},
    }
    events = [{"id": f"cfg-{n}", "origin": "t-xinji", "seq": n, "hlc": 100 + n,
               "type": "catalog.phone_set", "v": 1, "record": "catalog", "kind": "config",
               "author": "u-admin", "payload": {"key": key, "phone": phone}}
              for n, (key, phone) in enumerate(phones.items(), 1)]
    catalog = apply_catalog_edits(schemas.catalog.load_matters(), events,
                                  schemas.catalog.matters_schema())
    assert not catalog.rejected, catalog.rejected
    return catalog


CATALOG = make_catalog()
CONFIG = merge_config(schemas.config.load_defaults(), {})


def _accepted(record: str, code: str, on: date, counter: int, applicant: dict[str, Any],
              summary: str, present: list[str], notice_no: str | None) -> dict[str, Any]:
    payload = accepted_payload(
        receipt_no=format_receipt("XJ003", on, counter), accepted_on=on, applicant=applicant,
        summary=summary, first_officer=OFFICER, actor_level="village", calendar=CALENDAR,
        catalog=CATALOG, code=code, present=present, notice_no=notice_no)
    return _event(1, "svc.accepted", "v-wangwan", payload, record)


def dibao_events() -> list[dict[str, Any]]:
    """受理 → 上报镇 → 转办县民政局, as the three levels would write it."""
    record = "case-dibao"
    accepted = _accepted(record, "JZ-001", ACCEPTED_ON, 7, APPLICANT, SUMMARY, PRESENT,
                         NOTICE_NO)
    escalated_on = date(2025, 9, 29)
    escalated = _event(2, "svc.escalated", "v-wangwan", {
        "on": escalated_on.isoformat(),
        "summary": "需镇里入户调查、组织民主评议并报县民政局审批",
        "due": add_working_days(
            escalated_on, CONFIG.value("service.escalation_answer_working_days"),
            CALENDAR).date.isoformat(),
        "leader": LEADER, "agent": OFFICER}, record)
    forwarded_on = date(2025, 10, 13)
    matter = CATALOG.matter("JZ-001")
    assert matter is not None
    deadline = add_working_days(forwarded_on, CONFIG.value("service.forward_reply_working_days"),
                                CALENDAR).date
    forwarded = _event(3, "svc.forwarded", "t-xinji", {
        "on": forwarded_on.isoformat(), "leader": LEADER,
        "letter": {
            "letter_no": "新集便民转〔2025〕12号",
            "source": "王湾村便民服务站代办上报",
            "citizen": APPLICANT["name"],
            "summary": ("申请人一家三口，夫妻二人均患慢性病、丧失部分劳动能力，家庭年收入约4800元。"
                        "镇里已入户调查、组织民主评议并在村公示7天，无异议，请审批最低生活保障。"),
            "department": CATALOG.department(matter["forward_to"])["name"],
            "department_key": matter["forward_to"],
            "deadline": deadline.isoformat(),
            "report_back": "书面回复新集镇便民服务中心",
            "receipt_slip": "回执随函附后"}}, record, author="u-li")
    return [accepted, escalated, forwarded]


@dataclass(frozen=True)
class Samples:
    catalog: Catalog
    accepted: CaseState  # just accepted at the village
    forwarded: CaseState  # the same case after the town forwarded it
    provisional: CaseState  # promised date in 2027 (year not covered): provisional
    notice: Notice


def build_samples() -> Samples:
    events = dibao_events()
    accepted = fold(events[:1], LEVELS)
    forwarded = fold(events, LEVELS)
    assert forwarded.status == "forwarded" and not forwarded.rejected, forwarded.rejected
    late = _accepted("case-tekun", "JZ-002", date(2026, 12, 1), 3,
                     {"name": "李喆", "sex": "女", "phone": "13698765432", "group": "王湾村五组"},
                     "申请特困人员救助供养", ["居民身份证", "户口簿"], None)
    provisional = fold([late], LEVELS)
    assert provisional.due_provisional
    notice = one_time_notice(CATALOG, "JZ-001", PRESENT, ACCEPTED_ON, CALENDAR)
    return Samples(CATALOG, accepted, forwarded, provisional, notice)


@pytest.fixture(scope="session")
def samples() -> Samples:
    return build_samples()


# ---- reading the PDFs back ---------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def poppler(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} not installed (Debian package poppler-utils; scripts/setup.sh "
                    "installs it): cannot read the PDF back the way a viewer does")
    return exe


def pdftotext(pdf: Path) -> str:
    return subprocess.run([poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Text without any whitespace: extractors break lines and pad table columns."""
    return "".join(text.split())


@dataclass
class Printed:
    """One generated PDF, kept under test-artifacts/docs/, and ways to read it back."""

    pdf: Path
    data: bytes

    @property
    def reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    def pypdf_text(self) -> str:
        return "\n".join(page.extract_text() for page in self.reader.pages)

    def poppler_text(self) -> str:
        return pdftotext(self.pdf)

    def pages(self) -> list[Path]:
        return render_pages(self.pdf)


@pytest.fixture
def printed(artifacts: Path):
    def keep(name: str, data: bytes) -> Printed:
        path = artifacts / f"{name}.pdf"
        path.write_bytes(data)
        return Printed(path, data)
    return keep


def render_pages(pdf: Path, dpi: int = 150) -> list[Path]:
    """Each page as a PNG beside the PDF (name-1.png, name-2.png …)."""
    prefix = pdf.with_suffix("")
    for old in pdf.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(prefix)],
                   check=True, capture_output=True)
    pages = sorted(pdf.parent.glob(f"{prefix.name}-*.png"))
    assert pages, f"pdftoppm wrote no page images for {pdf}"
    return pages


def decode_qr(png: Path) -> list[str]:
    import zxingcpp

    with Image.open(png) as image:
        return [b.text for b in zxingcpp.read_barcodes(image.convert("L"))
                if b.format == zxingcpp.BarcodeFormat.QRCode]


def ink_box_mm(png: Path, dpi: int = 150) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of everything printed on the page, in mm from the top left."""
    with Image.open(png) as image:
        gray = image.convert("L")
        box = gray.point(lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None, f"{png.name} is blank"
    return tuple(v * 25.4 / dpi for v in box)  # type: ignore[return-value]


def a4_pages(reader: PdfReader) -> bool:
    """Every page is A4 portrait (595.28 × 841.89 points)."""
    return all(abs(float(p.mediabox.width) - 595.28) < 1
               and abs(float(p.mediabox.height) - 841.89) < 1 for p in reader.pages)
