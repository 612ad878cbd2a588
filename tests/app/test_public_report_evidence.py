"""Evidence with a 检举控告 from a citizen's phone (app/hubext/reports.py,
app/hubext/evidence_form.py; issue #13 §1): photos and PDFs go over HTTPS with the report,
are sealed on arrival like its text, reach the town's and the county's 纪委 devices as the
report's attachments and open only there; an upload too big, of the wrong type or with too
many files is refused in Chinese and changes nothing. Real hub processes on 127.0.0.1
(HTTPS, pinned), real encrypted stations, a real JPEG and a real PDF."""
from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image

from app.hubext.evidence_form import MAX_FILE_BYTES
from app.sealing import SealError, open_file, sealed_events
from app.services.discipline import DisciplineDesk
from app.station import Station, open_station
from tests.app.conftest import Township
from tests.support.dbfiles import decrypted_text, open_db
from tests.support.hubs import wait_for_relay

CONTENT = "村会计孙某把修路款打进了自家亲戚的账户，收据照片和转账单附后"
FORM = {"subject": "村级组织及其成员滥用职权、侵害群众利益", "accused_name": "孙会计",
        "accused_unit": "王湾村委会", "content": CONTENT, "phone": "13703718866"}
SECRETS = ("孙会计", "修路款", "亲戚的账户", "13703718866")


def jpeg() -> bytes:
    """A real photo (JPEG) with noise, so no stretch of it repeats by chance elsewhere."""
    image = Image.effect_noise((320, 240), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, "bank transfer 2026-11-20 amount 38000.00 to account 6217 0000")
    canvas.save()
    return out.getvalue()


def enroll(township: Township, hub, name: str, kind: str, roles: tuple[str, ...] = ()) -> Station:
    _, code = hub.add_node(name, kind, roles)
    station = open_station(township.root / f"st-{name}")
    station.enroll(hub.url, code)
    return station


def post(township: Township, form: dict[str, str],
         files: list[tuple[str, bytes, str]]) -> httpx.Response:
    """The phone's browser posting the form (multipart/form-data) over HTTPS; the hub's
    certificate is pinned so the test cannot be talking to anything else."""
    with township.town.http(admin_view=False, timeout=60.0) as phone:
        return phone.post("/report", data=form,
                          files=[("evidence", (name, data, mime)) for name, data, mime in files])


def inbox(township: Township) -> tuple[list[tuple], list[tuple]]:
    conn = township.town.db()
    try:
        return (conn.execute("SELECT receipt_no FROM public_reports").fetchall(),
                conn.execute("SELECT report, n FROM public_report_files").fetchall())
    finally:
        conn.close()


def sync(stations: list[Station], township: Township, rounds: int = 2) -> None:
    for _ in range(rounds):
        for station in stations:
            assert station.sync_once().ok
        wait_for_relay(township.town.url)


def alert(page: httpx.Response) -> str:
    found = re.search(r"role=\"alert\">([^<]*)", page.text)
    return found.group(1) if found else ""


def test_evidence_is_sealed_on_arrival_and_opens_only_on_the_discipline_devices(
        township: Township) -> None:
    photo, paper = jpeg(), pdf()
    town_disc = enroll(township, township.town, "新集镇纪委", "town", ("discipline",))
    county_disc = enroll(township, township.county, "新县纪委", "county", ("discipline",))
    village = enroll(township, township.town, "王湾村", "village")
    center = enroll(township, township.town, "新集镇便民服务中心", "town")
    stations = [town_disc, county_disc, village, center]
    try:
        sync(stations, township)
        with township.town.http(admin_view=False) as phone:
            page = phone.get("/report")
        assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
        assert "最多 3 个" in page.text and "5 MB" in page.text

        # Refused uploads: a clear Chinese reason, nothing kept, no receipt number spent.
        not_a_photo = post(township, FORM, [("收据.jpg", b"just some text, not a photo", "image/jpeg")])
        assert not_a_photo.status_code == 415
        assert "证据只能是JPG、PNG 照片或 PDF 文件" in alert(not_a_photo) and "收据.jpg" in alert(not_a_photo)
        too_big = post(township, FORM, [("大照片.jpg", photo[:4] + bytes(MAX_FILE_BYTES), "image/jpeg")])
        assert too_big.status_code == 413 and "不能超过 5 MB" in alert(too_big)
        too_many = post(township, FORM, [(f"{n}.jpg", photo, "image/jpeg") for n in range(4)])
        assert too_many.status_code == 413 and "最多上传 3 个" in alert(too_many)
        no_content = post(township, {**FORM, "content": " "}, [("收据.jpg", photo, "image/jpeg")])
        assert no_content.status_code == 400 and "请填写检举控告的内容" in alert(no_content)
        assert "重新选择" in alert(no_content)
        for refused in (not_a_photo, too_big, too_many):      # nothing to type again
            assert CONTENT in refused.text and "孙会计" in refused.text
        assert "孙会计" in no_content.text
        assert inbox(township) == ([], [])

        # Accepted: the text and both files sealed at once; the answer shows no content.
        taken = post(township, FORM, [("收据.jpg", photo, "image/jpeg"),
                                      ("转账单.pdf", paper, "application/octet-stream")])
        assert taken.status_code == 200, alert(taken)
        receipt = re.search(r"[A-Z]{2}000-\d{6}-(\d{4})-\d{2}", taken.text)
        assert receipt is not None and receipt.group(1) == "0001"   # refusals spent none
        assert "2 个文件（已密封）" in taken.text
        assert [s for s in SECRETS if s in taken.text] == []
        reports, files = inbox(township)
        assert reports == [(receipt.group(0),)] and len(files) == 2
        conn = open_db(township.town)
        try:
            stored = [bytes(b) for (b,) in conn.execute("SELECT sealed FROM public_report_files")]
        finally:
            conn.close()
        assert all(b.startswith(b"SJS\x02") for b in stored)        # sealed envelopes only

        # The town 纪委 device collects at its sync and pushes at the next; the county's
        # pulls it from the county hub. Both open the text and both files.
        sync(stations, township, rounds=3)
        assert inbox(township) == ([], [])                           # the hub's copy dropped
        for disc in (town_disc, county_disc):
            [report] = [r for r in DisciplineDesk(disc).reports()
                        if r["receipt_no"] == receipt.group(0)]
            assert report["content"] == CONTENT and report["channel"] == "网上"
            listed = {e["name"]: e for e in report["evidence"]}
            assert {n: (e["mime"], e["size"]) for n, e in listed.items()} == {
                "收据.jpg": ("image/jpeg", len(photo)), "转账单.pdf": ("application/pdf", len(paper))}
            assert sorted(a["sha256"] for a in report["attachments"]) == sorted(
                e["sealed_sha256"] for e in listed.values())
            assert open_file(disc, listed["收据.jpg"]["sealed_sha256"]) == photo
            assert open_file(disc, listed["转账单.pdf"]["sealed_sha256"]) == paper

        # Nowhere else: the village and the town's service centre hold nothing of it and
        # cannot open the files; no file on disk (databases decrypted too) holds a word
        # of the report or a stretch of the photo or the PDF in clear.
        assert sealed_events(village) == []
        for other in (village, center):
            with pytest.raises(SealError) as caught:
                open_file(other, listed["收据.jpg"]["sealed_sha256"])
            assert caught.value.code == "not_discipline"

        def leaks(data: bytes) -> list[str]:
            words = [s for s in SECRETS if s.encode() in data]
            return words + [n for n, b in (("photo", photo), ("pdf", paper))
                            if b[len(b) // 2:len(b) // 2 + 48] in data]

        for place in [*stations, township.town, township.county]:
            assert leaks(decrypted_text(place)) == [], place
        for file in township.root.rglob("*"):
            if file.is_file():
                assert leaks(file.read_bytes()) == [], file
        logs = (township.town.log_text() + township.county.log_text()).encode()
        assert leaks(logs) == [] and "收据.jpg" not in township.town.log_text()
    finally:
        for station in stations:
            station.close()
