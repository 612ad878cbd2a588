"""The shared layout (app.docs.base): any Document, from any later issue, prints well."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from app.docs import (
    QR, Blank, Document, DocumentError, Field, Fields, Grid, Heading, NumberedList, Seal,
    Signatures, Slip, Space, Text, acceptance_receipt, phones_for, render)
from tests.docs.conftest import REPO_ROOT, STATION, a4_pages, decode_qr, flat, ink_box_mm


def mediation_agreement() -> Document:
    """A 人民调解协议书 (人民调解法 Art 29) made of the generic blocks, as a later issue will."""
    return Document(
        issuer="新集镇王湾村人民调解委员会", title="人民调解协议书",
        number="王湾调〔2025〕7号", number_label="",
        qr=QR("SANJI:MEDIATION:WW-2025-7", "扫码核验"),
        footer=("咨询电话　新集镇司法所：0376-7123410",),
        blocks=[
            Heading("当事人"),
            Fields([Field("甲方", "张堃，男，王湾村二组"), Field("乙方", "李赟，女，王湾村二组"),
                    Field("调解员", "刘喆（村人民调解委员会委员）", wide=True)], pairs_per_row=2),
            Heading("纠纷主要事实、争议事项及各方责任"),
            Text("双方为前后院邻居。2025年8月，甲方翻建院墙时占用乙方宅基地约0.5米，乙方多次交涉未果，"
                 "双方发生口角。经现场丈量并查阅宅基地使用证，甲方翻建时越过原有界线，应负主要责任。",
                 indent=True),
            Heading("经调解，自愿达成如下协议"),
            NumberedList(["甲方于2025年10月31日前将越界部分院墙拆除，按原界线重建，费用由甲方承担；",
                          "乙方配合甲方施工，不得阻挠；",
                          "双方今后和睦相处，不再因此事发生争执。"], frozenset({0})),
            Grid(["履行事项", "履行方式", "期限"],
                 [["拆除越界院墙", "甲方自行拆除并重建", "2025年10月31日前"],
                  ["现场验收", "调解委员会组织双方到场", "2025年11月3日"]], (3, 4, 2)),
            Text("本协议一式三份，双方当事人、人民调解委员会各执一份。双方可自协议生效之日起三十日内"
                 "共同向人民法院申请司法确认。", small=True),
            Blank("备注：", 2),
            Signatures(["甲方（签名/按印）", "乙方（签名/按印）", "调解员（签名）"]),
            Seal("新集镇王湾村人民调解委员会"),
            Space(1),
            Slip([Heading("送达回证", align="center"),
                  Text("收到《人民调解协议书》（王湾调〔2025〕7号）一份。"),
                  Signatures(["受送达人（签名）"])]),
        ])


def test_every_block_renders_and_reads_back(printed):
    doc = printed("mediation_agreement", render(mediation_agreement()))
    text = flat(doc.poppler_text())
    for item in ["人民调解协议书", "王湾调〔2025〕7号", "张堃", "李赟", "刘喆", "0.5米",
                 "1.甲方于2025年10月31日前", "调解委员会组织双方到场", "司法确认", "备注：",
                 "调解员（签名）", "新集镇王湾村人民调解委员会（盖章）", "沿此线剪开", "送达回证",
                 "受送达人（签名）", "新集镇司法所：0376-7123410"]:
        assert flat(item) in text, item
    pages = doc.pages()
    assert decode_qr(pages[0]) == ["SANJI:MEDIATION:WW-2025-7"]
    for page in pages:
        left, top, right, bottom = ink_box_mm(page)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def test_same_document_gives_the_same_bytes():
    assert render(mediation_agreement()) == render(mediation_agreement())


def test_text_is_printed_literally_not_read_as_markup(printed):
    doc = printed("markup", render(Document(
        issuer="测试", title="转义", blocks=[
            Text("甲方<b>不</b>同意 & 乙方 <br/> 同意"),
            Fields([Field("备注", "a < b && c > d")])])))
    text = flat(doc.pypdf_text())
    assert flat("甲方<b>不</b>同意 & 乙方 <br/> 同意") in text and "a<b&&c>d" in text


def test_the_longest_summary_allowed_flows_onto_more_pages(samples, printed):
    """svc.accepted allows a 2000-character summary: it must print, not crash."""
    sentence = "申请人反映承包地被邻组村民占用，多次协商未果，要求村里出面调解并重新丈量确权。"
    long_summary = (sentence * 60)[:2000]
    case = replace(samples.accepted, fields={**samples.accepted.fields, "summary": long_summary})
    matter = samples.catalog.matter("JZ-001")
    doc = printed("receipt_long", acceptance_receipt(case, STATION, matter,
                                                     phones_for(samples.catalog, matter),
                                                     "https://xinji.example.gov.cn/status"))
    reader = doc.reader
    assert a4_pages(reader) and len(reader.pages) >= 2
    pages = [flat(page.extract_text()) for page in reader.pages]
    total = len(pages)
    for n, page in enumerate(pages, 1):
        assert f"第{n}页共{total}页" in page
    assert all(flat("受理回执（续）回执编号：XJ003-250926-0007-12") in p for p in pages[1:])
    assert flat("".join(pages)).count("丈量确权") == long_summary.count("丈量确权")
    for png in doc.pages():
        left, top, right, bottom = ink_box_mm(png)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def test_content_that_cannot_fit_a_page_is_a_chinese_error():
    slip = Slip([Text("很长的回执内容。" * 800)])  # a slip is never split across pages
    with pytest.raises(DocumentError) as caught:
        render(Document(issuer="测试", title="过长的回执", blocks=[slip]))
    assert caught.value.code == "layout"
    assert "过长的回执" in caught.value.message


def test_documents_import_without_kivy():
    """The hub and the CLI print documents too; importing them must not start a window."""
    probe = "import sys, app.docs; assert 'kivy' not in sys.modules, 'kivy imported'"
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=REPO_ROOT)
