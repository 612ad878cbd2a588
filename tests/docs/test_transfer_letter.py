"""群众反映事项转办函: the town's letter to a county department, with a tear-off 回执."""
from __future__ import annotations

import pytest

from app.docs import NotReadyError, transfer_letter
from tests.docs.conftest import (
    ID_NUMBER, PHONE, TOWN_CENTER, a4_pages, decode_qr, flat, ink_box_mm)

LETTER_NO = "新集便民转〔2025〕12号"
CONTACT = "联系人：李明　联系电话：0376-7123456"


@pytest.fixture
def letter(samples, printed):
    return printed("letter", transfer_letter(samples.forwarded, issuer=TOWN_CENTER,
                                             contact=CONTACT))


def test_letter_carries_every_field_rules_require(samples, letter):
    """RULES.md §1: letter no., source, citizen, summary, receiving department, deadline,
    how to report back, receipt slip."""
    text = flat(letter.pypdf_text())  # content order: wrapped table cells read as one
    summary = samples.forwarded.letter["summary"]
    expected = [
        TOWN_CENTER, "群众反映事项转办函", LETTER_NO, "县民政局：",
        "事项来源", "王湾村便民服务站代办上报", "反映人", "赵文堃（王湾村三组）",
        "反映事项摘要", summary, "承办单位", "办理时限", "2025年11月3日前",
        "反馈方式", "书面回复新集镇便民服务中心",
        "受理回执编号", "XJ003-250926-0007-12", "首接责任人", "王秀兰（便民服务站代办员）",
        "新集镇便民服务中心（盖章）", "2025年10月13日", CONTACT,
        "转办函回执", f"你单位{LETTER_NO}转办函", "已收悉", "办理情况：",
        "签收人（签名）", "承办人（签名）", "县民政局（盖章）",
    ]
    for item in expected:
        assert flat(item) in text, item
    assert text.count(LETTER_NO) >= 2  # the slip names the letter too


def test_letter_reads_back_with_pdftotext(letter):
    text = flat(letter.poppler_text())
    for item in [LETTER_NO, "县民政局：", "赵文堃（王湾村三组）", "最低生活保障申请", "2025年11月3日前",
                 "书面回复新集镇便民服务中心", "XJ003-250926-0007-12", "2025年10月13日", "转办函回执"]:
        assert flat(item) in text, item


def test_letter_names_the_citizen_but_carries_no_id_number_or_phone(letter):
    for text in (flat(letter.poppler_text()), flat(letter.pypdf_text())):
        assert ID_NUMBER not in text and ID_NUMBER[-4:] not in text
        assert PHONE not in text and PHONE[-4:] not in text


def _heights(reader, needles):
    """Baseline height (points from the page bottom) of the first text run holding each needle."""
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        for needle in needles:
            if needle in text and needle not in found:
                found[needle] = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]

    reader.pages[0].extract_text(visitor_text=visit)
    return found


def test_tear_off_slip_sits_at_the_foot_of_the_one_page(letter):
    reader = letter.reader
    assert a4_pages(reader) and len(reader.pages) == 1
    y = _heights(reader, ["群众反映事项转办函", "沿此线剪开", "转办函回执", "县民政局（盖章）"])
    assert y["群众反映事项转办函"] > 700
    assert y["沿此线剪开"] < 841.89 / 2  # the cut line is on the lower half …
    assert y["沿此线剪开"] > y["转办函回执"] > y["县民政局（盖章）"] > 60  # … with the slip below
    (page,) = letter.pages()
    left, top, right, bottom = ink_box_mm(page)
    assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289
    assert decode_qr(page) == []  # no QR code on a letter between offices


def test_a_case_never_forwarded_has_no_letter(samples):
    with pytest.raises(NotReadyError) as caught:
        transfer_letter(samples.accepted, issuer=TOWN_CENTER)
    assert caught.value.code == "not_forwarded"
