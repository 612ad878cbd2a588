"""一次性告知单: everything about the matter, once, with the missing materials marked."""
from __future__ import annotations

from datetime import date

import pytest

from app.docs import one_time_notice
from app.domain import one_time_notice as notice_for
from tests.docs.conftest import (
    ACCEPTED_ON, CALENDAR, NOTICE_NO, STATION, a4_pages, flat, ink_box_mm)


@pytest.fixture
def notice(samples, printed):
    data = one_time_notice(samples.notice, station_name=STATION, notice_no=NOTICE_NO,
                           issued_on=ACCEPTED_ON, applicant_name="赵文堃")
    return printed("notice", data)


def test_notice_tells_everything_rules_require(samples, notice):
    """RULES.md §1 一次性告知制: name, basis, conditions, materials (name, copies,
    original/copy, issuer), procedure, time limit, fees, enquiry and complaint phones."""
    matter = samples.notice.matter
    text = flat(notice.pypdf_text())  # content order: wrapped table cells read as one
    expected = [
        "一次性告知单", STATION, f"告知单编号：{NOTICE_NO}", "赵文堃：",
        "最低生活保障申请（JZ-001）",
        *matter["legal_basis"], *matter["conditions"], *matter["procedure"],
        *(m["name"] for m in matter["materials"]), *(m["issuer"] for m in matter["materials"]),
        "原件（核验后退还）", "复印件", "共同生活的成年家庭成员均需签字",
        "25个工作日（受理次日起算），承诺于2025年11月6日前办结；特殊情况可延长至40个工作日",
        "收费标准", "免费",
        "咨询电话", "新集镇便民服务中心 0376-7123456", "投诉电话", "新集镇纪委 0376-7123400",
        "告知人（签名）", "申请人（签名）", "新集镇王湾村便民服务站（盖章）", "2025年9月26日",
    ]
    for item in expected:
        assert flat(item) in text, item
    assert text.count("尚缺") == 3


def test_notice_reads_back_with_pdftotext(notice):
    text = flat(notice.poppler_text())
    for item in ["一次性告知单", f"告知单编号：{NOTICE_NO}", "赵文堃", "最低生活保障申请（JZ-001）",
                 "家庭经济状况核对授权书", "承诺于2025年11月6日前办结", "2025年9月26日", "免费",
                 "0376-7123456", "0376-7123400"]:
        assert flat(item) in text, item


def test_missing_materials_are_listed_once_up_front(samples, notice):
    text = flat(notice.pypdf_text())
    box = flat("您还需补齐以下3项材料（请补齐后再来，或交给代办员）：1.家庭经济状况核对授权书"
               "2.家庭收入和财产情况说明3.残疾证、病历等证明")
    assert box in text
    assert text.index(box) < text.index("所需材料（共6项）")  # what to bring back comes first


def test_notice_with_every_material_handed_in_says_so(printed):
    from tests.docs.conftest import CATALOG

    complete = notice_for(CATALOG, "SB-005", ["居民身份证"], date(2025, 9, 26), CALENDAR)
    doc = printed("notice_complete", one_time_notice(
        complete, station_name=STATION, notice_no="XJ003-GZ-250926-08",
        issued_on=date(2025, 9, 26)))
    text = flat(doc.poppler_text())
    assert "所需材料已齐全" in text and "尚缺" not in text and "您还需补齐" not in text
    assert "申请人：" in text and "当场办结" in text
    assert len(doc.reader.pages) == 1
    (page,) = doc.pages()
    left, top, right, bottom = ink_box_mm(page)
    assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def test_notice_pages_are_a4_numbered_and_marked_as_continued(notice):
    reader = notice.reader
    assert a4_pages(reader) and len(reader.pages) == 2
    first, second = (flat(page.extract_text()) for page in reader.pages)
    assert "第1页共2页" in first and "第2页共2页" in second
    assert flat(f"一次性告知单（续）告知单编号：{NOTICE_NO}") in second
    for page in notice.pages():
        left, top, right, bottom = ink_box_mm(page)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def test_the_signatures_and_the_seal_share_a_page_with_the_text_they_sign(notice):
    """A signed sheet carries what it signs: the statement, the phones, both signatures and
    the seal are on one page, whichever page that is."""
    pages = [flat(page.extract_text()) for page in notice.reader.pages]
    signed = [text for text in pages if "申请人（签名）" in text]
    assert len(signed) == 1
    for item in ("以上为一次性告知的全部内容", "申请人签名表示已收到本告知单", "告知人（签名）",
                 "新集镇王湾村便民服务站（盖章）", "咨询电话", "投诉电话"):
        assert flat(item) in signed[0], item
