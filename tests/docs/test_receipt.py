"""受理回执: what the citizen takes home, read back the way a viewer and a phone read it."""
from __future__ import annotations

import pytest

from app.docs import (
    NotReadyError, UnfilledError, acceptance_receipt, phones_for, receipt_qr_payload)
from app.domain import CaseState, mask_id_number, mask_phone, parse_receipt
from tests.docs.conftest import (
    ID_NUMBER, NOTICE_NO, PHONE, STATION, a4_pages, decode_qr, flat, ink_box_mm)

RECEIPT_NO = "XJ003-250926-0007-12"
STATUS_URL = "https://xinji.example.gov.cn/status"


@pytest.fixture
def receipt(samples, printed):
    matter = samples.catalog.matter("JZ-001")
    data = acceptance_receipt(samples.accepted, STATION, matter,
                              phones_for(samples.catalog, matter), STATUS_URL)
    return printed("receipt", data)


EXPECTED = [
    "受理回执", STATION, f"回执编号：{RECEIPT_NO}",
    "赵文堃", mask_id_number(ID_NUMBER), mask_phone(PHONE), "王湾村三组",  # 堃: outside GB2312
    "最低生活保障申请（JZ-001）", "申请最低生活保障",
    "受理日期", "2025年9月26日", "首接责任人", "王秀兰（便民服务站代办员）",
    "代办（由代办员代为报送上级部门办理，全程代理）",
    "25个工作日（受理次日起算），承诺于2025年11月6日前办结",
    "居民身份证：原件（核验后退还）1份",
    "尚缺材料", "家庭经济状况核对授权书", NOTICE_NO,
    "用手机扫描右上角二维码", "再输入登记的手机号后四", STATUS_URL,
    "新集镇便民服务中心 0376-7123456", "新集镇纪委 0376-7123400",
    "申请人（签名）", "受理人（签名）", "新集镇王湾村便民服务站（盖章）", "第1页共1页",
]


def test_receipt_text_reads_back_with_pdftotext(receipt):
    text = flat(receipt.poppler_text())
    for expected in EXPECTED:
        assert flat(expected) in text, expected


def test_receipt_text_reads_back_with_pypdf(receipt):
    text = flat(receipt.pypdf_text())
    for expected in EXPECTED:
        assert flat(expected) in text, expected


def test_receipt_never_shows_the_id_number_or_phone_in_full(receipt):
    birth_date = ID_NUMBER[6:14]  # the part masking hides; it must not leak anywhere
    for text in (flat(receipt.poppler_text()), flat(receipt.pypdf_text())):
        assert ID_NUMBER not in text and birth_date not in text
        assert PHONE not in text and PHONE[3:7] not in text
    metadata = " ".join(str(v) for v in (receipt.reader.metadata or {}).values())
    assert "赵文堃" not in metadata and ID_NUMBER not in metadata


def test_receipt_qr_opens_the_status_page_with_the_receipt_number_and_nothing_else(receipt):
    (page,) = receipt.pages()
    url = f"{STATUS_URL}?receipt=XJ003-250926-0007-12"
    assert decode_qr(page) == [url]
    assert receipt_qr_payload(STATUS_URL, RECEIPT_NO) == url
    assert receipt_qr_payload(STATUS_URL + "?town=xinji", RECEIPT_NO) == \
        f"{STATUS_URL}?town=xinji&receipt={RECEIPT_NO}"
    assert parse_receipt(decode_qr(page)[0].split("receipt=")[1]).number == RECEIPT_NO
    with pytest.raises(UnfilledError):   # no address set: no QR code, no receipt
        receipt_qr_payload(" ", RECEIPT_NO)


def test_receipt_is_one_a4_page_with_nothing_cut_off(receipt):
    assert a4_pages(receipt.reader) and len(receipt.reader.pages) == 1
    (page,) = receipt.pages()
    left, top, right, bottom = ink_box_mm(page)
    # Everything inside the 20 mm side margins; nothing runs off the top or bottom edge.
    assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def test_receipt_embeds_only_the_bundled_font(receipt):
    fonts = {f.get_object()["/BaseFont"]: f.get_object()
             for page in receipt.reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all(name.endswith("+SanjiSans-Regular") for name in fonts), fonts
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts.values())


def test_provisional_promise_is_printed_as_provisional(samples, printed):
    matter = samples.catalog.matter("JZ-002")
    doc = printed("receipt_provisional", acceptance_receipt(
        samples.provisional, STATION, matter, phones_for(samples.catalog, matter), STATUS_URL))
    text = flat(doc.poppler_text())
    # 2027's statutory 元旦 (1月1日) is skipped even without the town's list
    assert flat("40个工作日（受理次日起算），承诺于2027年1月27日前办结") in text
    assert "暂定" in text and "节假日安排尚未由镇里录入" in text
    assert "李喆" in text and "身份证号" not in text  # no ID number given: no row for it
    (page,) = doc.pages()
    assert decode_qr(page) == [receipt_qr_payload(STATUS_URL, samples.provisional.receipt_no)]


def test_a_case_not_yet_accepted_has_no_receipt(samples):
    with pytest.raises(NotReadyError) as caught:
        acceptance_receipt(CaseState(record="nothing-yet"), STATION, None,
                           phones_for(samples.catalog, None), STATUS_URL)
    assert caught.value.message == "此事项还没有受理登记，不能打印受理回执"
