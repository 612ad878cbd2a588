"""群众反映事项转办函: the town's letter to a county department, laid out as a 函 after
GB/T 9704-2012 (red 版头, 发文字号, margins, serif type, 附注 contact), its 回执 as the 附件."""
from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image

from app.docs import NotReadyError, UnfilledError, repeated_phrases, transfer_letter
from tests.docs.conftest import (
    ID_NUMBER, PHONE, TOWN_CENTER, a4_pages, decode_qr, flat, ink_box_mm)

LETTER_NO = "新集便民转〔2025〕12号"
CONTACT = "联系人：李明，联系电话：0376-7123456"
DPI = 150


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
        TOWN_CENTER, LETTER_NO, f"{TOWN_CENTER}关于转办群众反映事项的函", "县民政局：",
        "现将群众反映的“最低生活保障申请”事项转你单位办理",
        "事项来源", "王湾村便民服务站代办上报", "反映人", "赵文堃（王湾村三组）",
        "反映事项摘要", summary, "办理时限", "2025年11月3日前",
        "请按有关规定认真办理，于2025年11月3日前办结，并将办理结果书面回复新集镇便民服务中心。",
        "受理回执编号", "XJ003-250926-0007-12", "首接责任人", "王秀兰（便民服务站代办员）",
        "附件：转办函回执", "2025年10月13日", f"（{CONTACT}）",
        "附件", "转办函回执", f"你单位{LETTER_NO}函", "已收悉", "办理情况：",
        "承办人（签名）：", "县民政局（盖章）",
    ]
    for item in expected:
        assert flat(item) in text, item
    assert text.count(LETTER_NO) >= 2  # the 回执 names the letter too


def test_letter_reads_back_with_pdftotext_and_says_nothing_twice(letter):
    text = letter.poppler_text()
    for item in [LETTER_NO, "县民政局：", "赵文堃（王湾村三组）", "最低生活保障申请", "2025年11月3日前",
                 "书面回复新集镇便民服务中心", "XJ003-250926-0007-12", "2025年10月13日", "转办函回执"]:
        assert flat(item) in flat(text), item
    assert repeated_phrases(letter.pypdf_text()) == []


def test_letter_names_the_citizen_but_carries_no_id_number_or_phone(letter):
    for text in (flat(letter.poppler_text()), flat(letter.pypdf_text())):
        assert ID_NUMBER not in text and ID_NUMBER[-4:] not in text
        assert PHONE not in text and PHONE[-4:] not in text


def _red_box_mm(png) -> tuple[float, float, float, float] | None:
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        red = Image.eval(rgb.split()[0], lambda v: 255 if v > 150 else 0)
        not_grey = Image.eval(rgb.split()[1], lambda v: 255 if v < 110 else 0)
        mask = Image.composite(red, Image.new("L", rgb.size, 0), not_grey)
        box = mask.getbbox()
    return tuple(v * 25.4 / DPI for v in box) if box else None  # type: ignore[return-value]


def test_first_page_has_the_red_masthead_and_double_lines_where_gb_t_9704_puts_them(letter):
    first, *_ = letter.pages()
    red = _red_box_mm(first)
    assert red is not None, "no red 版头"
    left, top, right, bottom = red
    assert 29 <= top <= 31.5                         # 版头 top 30 mm below the page top
    assert 19 <= left <= 21 and 189 <= right <= 191  # the double lines: 170 mm, centred
    assert 275 <= bottom <= 278                       # the lower double line 20 mm up


def _heights(reader, needles, page=0):
    """Baseline (points from the bottom) and x of the first text run holding each needle."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):
        for needle in needles:
            if needle in text and needle not in found:
                found[needle] = (tm[5] * cm[3] + cm[5], tm[4] * cm[0] + cm[4])

    reader.pages[page].extract_text(visitor_text=visit)
    return found


def test_text_sits_in_the_gb_t_9704_type_area_in_serif_type(letter):
    reader = letter.reader
    assert a4_pages(reader) and len(reader.pages) >= 2
    for png in letter.pages():
        left, top, right, bottom = ink_box_mm(png)
        assert left >= 19 and right <= 191            # only the red lines reach 20 mm
    *_, last = letter.pages()
    left, top, right, bottom = ink_box_mm(last)
    assert 27 <= left <= 29.5 and right <= 184.5    # 订口 28 mm, 版心 156 mm wide
    assert top >= 36                                 # 天头 37 mm
    fonts = {f.get_object()["/BaseFont"] for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("+SanjiSerif-Regular") for name in fonts), fonts


def test_the_letter_number_is_flush_right_and_the_title_below_it(letter):
    y = _heights(letter.reader, [LETTER_NO, "关于转办群众反映事项的函", "县民政局："])
    number_y, number_x = y[LETTER_NO]
    assert y["关于转办群众反映事项的函"][0] < number_y and y["县民政局："][0] < number_y
    # Right edge of the 发文字号 at the 版心's right edge (28 + 156 = 184 mm).
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.docs.official import register_serif
    right_mm = (number_x + stringWidth(LETTER_NO, register_serif(), 16)) * 25.4 / 72
    assert 183 <= right_mm <= 184.5


def test_signature_date_and_contact_share_a_page_with_text_and_the_receipt_is_the_annex(letter):
    pages = [flat(page.extract_text()) for page in letter.reader.pages]
    signed = [p for p in pages if "2025年10月13日" in p]
    assert len(signed) == 1
    assert flat("请按有关规定认真办理") in signed[0] and flat(f"（{CONTACT}）") in signed[0]
    annex = pages[-1].replace(f"—{len(pages)}—", "")     # its page number
    assert annex.startswith("附件转办函回执") and "县民政局（盖章）" in annex
    assert "—2—" in pages[1] and "—1—" not in pages[0]   # 信函格式: no number on page 1
    (last,) = letter.pages()[-1:]
    assert decode_qr(last) == []  # no QR code on a letter between offices


def test_a_letter_forwarded_with_the_old_wording_does_not_stutter(samples, printed):
    old = dict(samples.forwarded.letter,
               report_back="请在期限内将办理结果书面回复镇便民服务中心，并退回回执")
    doc = printed("letter_old_wording", transfer_letter(
        replace(samples.forwarded, letter=old), issuer=TOWN_CENTER, contact=CONTACT))
    text = doc.pypdf_text()
    assert repeated_phrases(text) == []
    assert flat("于2025年11月3日前办结。请在期限内将办理结果书面回复镇便民服务中心") in flat(text)


def test_a_letter_without_a_contact_or_never_forwarded_is_not_made(samples):
    with pytest.raises(UnfilledError, match="联系人和联系电话"):
        transfer_letter(samples.forwarded, issuer=TOWN_CENTER, contact=" ")
    with pytest.raises(NotReadyError) as caught:
        transfer_letter(samples.accepted, issuer=TOWN_CENTER, contact=CONTACT)
    assert caught.value.code == "not_forwarded"
