"""人民调解协议书 (app.docs.disputes) from disputes replayed by the domain's own fold.

Two disputes under 新集镇: a quarrel between neighbours in 王湾村 registered late at night,
mediated in the village 调解室 and settled there; and a land dispute the village could not
settle, reported to the town 矛盾调处化解中心 and settled by the town's 人民调解委员会, with
a 第三人 and five terms (two pages).  Every PDF and page image is kept in
test-artifacts/docs/ (agreement_*.pdf, agreement_*-N.png).
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from app.docs import NotReadyError
from app.docs.disputes import mediation_agreement
from app.domain.dispute.flow import fold
from app.domain.dispute.state import DisputeState
from app.domain.shared.idcard import check_digit
from schemas.registry import build_registry
from tests.docs.conftest import a4_pages, flat, ink_box_mm

LEVELS = {"v-wangwan": "village", "t-xinji": "town", "c-county": "county"}
REGISTRY = build_registry()


def _id(body: str) -> str:
    return body + check_digit(body)


ZHANG_ID = _id("41152319720611351")  # 张堃, born 1972-06-11
LI_ID = _id("41152319750923402")  # 李秀梅, born 1975-09-23
CHEN_ID = _id("41152319580314301")  # 陈广福 (land dispute)
FULL_IDS = (ZHANG_ID, LI_ID, CHEN_ID)
COMMITTEE = "新集镇王湾村人民调解委员会"
TOWN_COMMITTEE = "新集镇人民调解委员会"
FOOTER = ("咨询电话　新集镇司法所：0376-7123410",)


class Log:
    """Events of one dispute, as the tablets would write them (schema-checked)."""

    def __init__(self, record: str) -> None:
        self.record, self.events, self.seq = record, [], 0

    def add(self, kind: str, origin: str, payload: dict[str, Any], author: str = "u-liu") -> None:
        REGISTRY.validate(kind, 1, payload)
        self.seq += 1
        self.events.append({"id": f"{self.record}-{self.seq}", "origin": origin, "seq": self.seq,
                            "hlc": 1_000 + 10 * self.seq, "type": kind, "v": 1,
                            "record": self.record, "kind": "dispute", "author": author,
                            "payload": payload})

    def state(self) -> DisputeState:
        state = fold(self.events, LEVELS)
        assert not state.rejected, state.rejected
        return state


NEIGHBOURS = [
    {"name": "张堃", "role": "申请人", "sex": "男", "id_number": ZHANG_ID, "phone": "13903762218",
     "village": "王湾村", "address": "新集镇王湾村二组18号"},
    {"name": "李秀梅", "role": "被申请人", "sex": "女", "id_number": LI_ID,
     "phone": "0376-7125566", "village": "王湾村", "address": "新集镇王湾村二组19号"},
]


def neighbour_agreement(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "no": "王湾调〔2025〕7号", "committee": COMMITTEE, "mediators": ["刘喆", "王秀兰"],
        # As a mediator fills the form: ethnicity typed, ID number and phone left to the
        # registration (the document fills them in, masked).
        "parties": [{"name": "张堃", "role": "申请人", "ethnicity": "汉族", "occupation": "农民",
                     "address": "新集镇王湾村二组18号"},
                    {"name": "李秀梅", "role": "被申请人", "ethnicity": "汉族",
                     "address": "新集镇王湾村二组19号"}],
        "facts": ("双方系前后院邻居。2025年8月，李秀梅翻建院墙时将新墙向张堃家一侧外移约0.5米，"
                  "并将雨水管接入两家之间的排水沟，致张堃家后墙根长期积水、墙皮脱落。张堃多次找李秀梅"
                  "交涉未果，9月20日晚双方在院外发生争吵，经邻居劝开后张堃到村调解室申请调解。"),
        "disputed_points": "一、新院墙是否越过两家原有宅基地界线；二、张堃家后墙受损的修缮费用由谁承担。",
        "responsibilities": ("经现场丈量并查阅双方宅基地使用证，李秀梅翻建院墙时越过原有界线约0.5米，"
                             "雨水管接入排水沟致张堃家后墙受损，应负主要责任；张堃在交涉中言语过激，"
                             "负次要责任。"),
        "terms": [
            {"content": "李秀梅将越界部分院墙拆除，按宅基地使用证载明的原界线重建。",
             "how": "李秀梅自行组织拆除和重建，费用自理；村调解委员会到场核对界线。",
             "due": "2025-10-31"},
            {"content": "李秀梅将雨水管改接至自家院内排水口，不再排入两家之间的排水沟。",
             "how": "李秀梅自行改接，张堃予以配合。", "due": "2025-10-20"},
            {"content": "李秀梅赔偿张堃后墙修缮费1200元。",
             "how": "现金一次付清，张堃出具收条，交村调解委员会存档。", "due": "2025-10-15"},
            {"content": "双方今后和睦相处，不再就本纠纷发生争执。", "how": "双方自觉遵守。",
             "due": "2025-10-31"},
        ],
        "signatures": {"parties": ["张堃", "李秀梅"], "mediator": "刘喆", "seal": True},
        "effective_on": "2025-10-10",
    }
    doc.update(extra)
    return doc


def neighbour_log() -> Log:
    log = Log("dsp-wangwan-7")
    log.add("dispute.registered", "v-wangwan", {
        "type": "邻里关系", "parties": NEIGHBOURS,
        "summary": "张堃反映后邻李秀梅翻建院墙越界、雨水管排入两家之间的排水沟，致其后墙受损，双方争吵",
        "first_officer": {"id": "u-liu", "name": "刘喆", "post": "村人民调解委员会主任"},
        "risk": "中", "received_at": "2025-09-20T21:15", "village": "王湾村", "first_time": True,
        "source": "群众申请", "ledger_no": "王湾-2025-031"})
    log.add("dispute.session", "v-wangwan", {
        "on": "2025-09-28", "mediators": ["刘喆", "王秀兰"], "attendees": ["张堃", "李秀梅"],
        "place": "王湾村调解室",
        "record_text": "调解员组织双方到现场丈量界线，查阅宅基地使用证，双方各自陈述意见。"})
    return log


def agreed_neighbours() -> DisputeState:
    log = neighbour_log()
    log.add("dispute.agreed", "v-wangwan", {"on": "2025-10-10", "agreement": neighbour_agreement()})
    state = log.state()
    assert state.status == "agreed" and state.effective_on == date(2025, 10, 10)
    return state


LAND_PARTIES = [
    {"name": "陈广福", "role": "申请人", "sex": "男", "id_number": CHEN_ID, "phone": "13838761450",
     "village": "王湾村", "address": "新集镇王湾村四组6号"},
    {"name": "新集镇王湾村四村民组", "role": "被申请人", "address": "新集镇王湾村四组"},
    {"name": "陈广禄", "role": "第三人", "sex": "男", "phone": "15937612208", "village": "王湾村",
     "address": "新集镇王湾村四组7号"},
]


def land_agreement() -> dict[str, Any]:
    terms = [
        ("四组按2025年11月20日镇国土所、村两委会同丈量结果，确认陈广福承包地为2.86亩，四至以丈量图为准。",
         "由四组组长在丈量图上签字确认，报村委会备案。", "2025-12-05"),
        ("四组将2019年调整时多划入机动地的0.31亩退还陈广福，由陈广福继续承包经营。",
         "四组组长会同陈广福到现场埋设界桩，镇国土所派员见证。", "2025-12-10"),
        ("四组按每亩每年600元标准补偿陈广福2019年至2025年少种地的损失，共计1302元。",
         "通过村集体账户转入陈广福一卡通账户。", "2025-12-20"),
        ("陈广禄将临时占用的陈广福地头约20平方米的柴草垛清走。", "陈广禄自行清理。", "2025-12-10"),
        ("村委会在三个月内为陈广福换发承包经营权证书，变更后的面积以本协议为准。",
         "村委会向镇经管站报送变更材料，陈广福配合提供原证书。", "2026-03-01"),
    ]
    return {
        "no": "新集调〔2025〕21号", "committee": TOWN_COMMITTEE, "mediators": ["周建国", "刘喆"],
        "parties": [
            {"name": "陈广福", "role": "申请人", "age": 67, "ethnicity": "汉族", "occupation": "农民",
             "address": "新集镇王湾村四组6号"},
            {"name": "新集镇王湾村四村民组", "role": "被申请人",
             "address": "新集镇王湾村四组（负责人：组长陈建设）"},
            {"name": "陈广禄", "role": "第三人", "sex": "男", "age": 61, "ethnicity": "汉族",
             "address": "新集镇王湾村四组7号"},
        ],
        "facts": ("陈广福系王湾村四组村民，1998年二轮延包时承包耕地2.86亩。2019年四组调整机动地时，"
                  "将陈广福承包地东侧约0.31亩划入机动地并对外发包，陈广福认为未经其同意，多次向组里和村里"
                  "反映，要求退还。2025年10月，陈广福到村调解室申请调解，因涉及承包地面积认定，村调解委员会"
                  "于10月30日上报镇矛盾调处化解中心。镇调处中心会同镇国土所、村两委于11月20日现场丈量，"
                  "查阅二轮延包台账和2019年调整记录，确认陈广福承包地实有面积比台账少0.31亩。此外，"
                  "陈广福的堂弟陈广禄在陈广福地头堆放柴草，双方亦有口角。"),
        "disputed_points": ("一、2019年机动地调整是否占用了陈广福的承包地；二、被占用土地应否退还以及"
                            "少种地期间的损失如何补偿；三、陈广禄在地头堆放柴草应否清走。"),
        "responsibilities": ("四组在2019年调整机动地时未经承包户同意、未履行民主议定程序即将陈广福承包地"
                             "划入机动地，违反《农村土地承包法》关于承包期内不得调整承包地的规定，应负主要责任；"
                             "陈广福未及时通过合法途径主张权利，负次要责任；陈广禄未经同意在他人承包地堆放柴草，"
                             "应予纠正。"),
        "terms": [{"content": c, "how": h, "due": d} for c, h, d in terms],
        "signatures": {"parties": ["陈广福", "新集镇王湾村四村民组", "陈广禄"], "mediator": "周建国",
                       "seal": True},
        "effective_on": "2025-12-01",
    }


def agreed_at_town() -> DisputeState:
    log = Log("dsp-wangwan-9")
    log.add("dispute.registered", "v-wangwan", {
        "type": "土地", "parties": LAND_PARTIES,
        "summary": "陈广福反映2019年四组调整机动地时占用其承包地约0.3亩，要求退还并补偿",
        "first_officer": {"name": "刘喆", "post": "村人民调解委员会主任"}, "risk": "中",
        "received_at": "2025-10-08T10:30", "village": "王湾村", "first_time": True})
    log.add("dispute.session", "v-wangwan", {
        "on": "2025-10-20", "mediators": ["刘喆"], "attendees": ["陈广福", "陈建设", "陈广禄"],
        "record_text": "双方对承包地面积各执一词，需丈量认定，村里无法认定面积。"})
    log.add("dispute.failed", "v-wangwan", {
        "on": "2025-10-30", "reason": "涉及承包地面积认定，需镇国土所丈量",
        "referral": {"to": "上报镇调处中心"}})
    log.add("dispute.session", "t-xinji", {
        "on": "2025-11-20", "mediators": ["周建国", "刘喆"],
        "attendees": ["陈广福", "陈建设", "陈广禄", "镇国土所王工"],
        "record_text": "现场丈量，查阅二轮延包台账和2019年调整记录。"}, author="u-zhou")
    log.add("dispute.agreed", "t-xinji", {"on": "2025-12-01", "agreement": land_agreement()},
            author="u-zhou")
    state = log.state()
    assert (state.status, state.level) == ("agreed", "town")
    return state


def no_full_id(text: str) -> None:
    for number in FULL_IDS:
        assert number not in text and number[:-1] not in text
    assert not re.search(r"\d{17}[\dX]", flat(text)), "an unmasked ID number is printed"


def within_margins(pages) -> None:
    for png in pages:
        left, top, right, bottom = ink_box_mm(png)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289, png.name


@pytest.fixture(scope="module")
def neighbours():
    return agreed_neighbours()


@pytest.fixture
def signed(neighbours, printed):
    return printed("agreement_signed", mediation_agreement(neighbours, footer=FOOTER))


def test_agreement_states_everything_article_29_requires(signed):
    text = flat(signed.poppler_text())
    expected = [
        COMMITTEE, "人民调解协议书", "编号：王湾调〔2025〕7号",
        # (一) parties: role, name, sex, age (from the ID number on the effective date),
        # ethnicity, occupation, masked ID number and phone from the registration, address
        "一、当事人基本情况", "申请人张堃", "性别男", "年龄53岁", "民族汉族", "职业农民",
        "身份证号4115**********3512", "联系电话139****2218", "住址新集镇王湾村二组18号",
        "被申请人李秀梅", "性别女", "年龄50岁", "身份证号4115**********4020",
        "联系电话0376-***5566", "住址新集镇王湾村二组19号", "人民调解员：刘喆、王秀兰",
        # (二) facts, disputed points, responsibility
        "二、纠纷主要事实", "将新墙向张堃家一侧外移约0.5米", "三、争议事项",
        "一、新院墙是否越过两家原有宅基地界线", "四、各方当事人的责任", "应负主要责任", "负次要责任",
        # (三) terms with how and when
        "五、协议内容及履行方式、期限", "各方当事人自愿达成如下协议，并按约定的方式和期限履行",
        "序号协议内容履行方式履行期限",
        # effect, binding force, 司法确认 (Art 33: 30 days, 11-09 is a Sunday → 11-10)
        "本协议于2025年10月10日经各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章后生效",
        "具有法律约束力", "三十日内（即2025年11月10日前）共同向人民法院申请司法确认（人民调解法第三十三条）",
        "本协议一式3份",
        # signatures and seal
        "各方当事人在下方签名、盖章或按指印。", "申请人张堃：", "被申请人李秀梅：", "人民调解员刘喆：",
        f"{COMMITTEE}（盖章）", "2025年10月10日", "新集镇司法所：0376-7123410",
    ]
    for item in expected:
        assert flat(item) in text, item


def test_agreement_reads_back_with_pypdf_in_order(signed):
    text = flat(signed.pypdf_text())
    order = ["一、当事人基本情况", "张堃", "李秀梅", "二、纠纷主要事实", "三、争议事项",
             "四、各方当事人的责任", "五、协议内容及履行方式、期限", "序号协议内容履行方式履行期限",
             "1李秀梅将越界部分院墙拆除，按宅基地使用证载明的原界线重建。"
             "李秀梅自行组织拆除和重建，费用自理；村调解委员会到场核对界线。2025年10月31日前",
             "3李秀梅赔偿张堃后墙修缮费1200元。现金一次付清，张堃出具收条，交村调解委员会存档。"
             "2025年10月15日前", "4双方今后和睦相处", "六、协议的效力和司法确认",
             "申请司法确认", f"{COMMITTEE}（盖章）"]
    positions = [text.index(flat(item)) for item in order]
    assert positions == sorted(positions)


def test_agreement_pages_are_a4_and_no_id_number_is_printed_in_full(signed):
    assert a4_pages(signed.reader)
    no_full_id(signed.poppler_text())
    no_full_id(signed.pypdf_text())
    pages = signed.pages()
    assert len(pages) == len(signed.reader.pages) <= 2
    within_margins(pages)
    last = flat(signed.reader.pages[-1].extract_text())
    # who signs and the committee seal are on the same sheet
    assert "人民调解员刘喆" in last and f"{COMMITTEE}（盖章）" in last


def test_draft_for_signing_leaves_the_dates_blank(printed):
    """Printed before the outcome is recorded: the form's mapping, not signed yet."""
    state = neighbour_log().state()
    assert state.status == "mediating"
    form = neighbour_agreement(signatures={"parties": [], "mediator": "", "seal": False})
    del form["effective_on"]
    doc = printed("agreement_draft", mediation_agreement(state, agreement=form))
    text = flat(doc.poppler_text())
    assert flat("本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章之日起生效") in text
    assert "生效之日起三十日内共同向人民法院申请司法确认" in text
    assert "2025年10月10日" not in text and "即2025年" not in text
    assert f"{COMMITTEE}（盖章）年月日" in text  # the seal's date left to write by hand
    no_full_id(doc.poppler_text())
    within_margins(doc.pages())


def test_town_agreement_with_a_third_party_runs_on_to_more_pages(printed):
    state = agreed_at_town()
    doc = printed("agreement_town", mediation_agreement(state, footer=FOOTER))
    reader = doc.reader
    assert a4_pages(reader) and len(reader.pages) >= 2
    pages = [flat(p.extract_text()) for p in reader.pages]
    total = len(pages)
    for n, page in enumerate(pages, 1):
        assert f"第{n}页共{total}页" in page
    # a loose sheet (the signature sheet above all) still names the agreement
    assert all(flat("人民调解协议书（续）编号：新集调〔2025〕21号") in p for p in pages[1:])
    text = flat(doc.poppler_text())
    for item in [TOWN_COMMITTEE, "申请人陈广福", "年龄67岁", "身份证号4115**********", "138****1450",
                 "被申请人新集镇王湾村四村民组", "住址新集镇王湾村四组（负责人：组长陈建设）",
                 "第三人陈广禄", "159****2208", "人民调解员：周建国、刘喆",
                 "即2025年12月31日前", "本协议一式4份", "第三人陈广禄：", "人民调解员周建国：",
                 f"{TOWN_COMMITTEE}（盖章）"]:
        assert flat(item) in text, item
    assert flat("5村委会在三个月内为陈广福换发承包经营权证书，变更后的面积以本协议为准。"
                "村委会向镇经管站报送变更材料，陈广福配合提供原证书。2026年3月1日前") in flat(doc.pypdf_text())
    no_full_id(doc.poppler_text())
    pages_png = doc.pages()
    within_margins(pages_png)
    last = pages[-1]  # every signature line with the seal
    for signer in ["申请人陈广福：", "被申请人新集镇王湾村四村民组：", "第三人陈广禄：", "人民调解员周建国：",
                   f"{TOWN_COMMITTEE}（盖章）2025年12月1日"]:
        assert signer in last, signer


def test_no_agreement_or_an_incomplete_one_is_refused_in_chinese(neighbours):
    with pytest.raises(NotReadyError) as caught:
        mediation_agreement(neighbour_log().state())
    assert caught.value.code == "no_agreement" and "还没有调解成功" in caught.value.message
    form = neighbour_agreement(facts="", terms=[{"content": "赔偿", "how": "", "due": "月底"}])
    with pytest.raises(NotReadyError) as caught:
        mediation_agreement(neighbours, agreement=form)
    assert caught.value.code == "incomplete_agreement"
    assert caught.value.message == ("调解协议书还缺：纠纷的主要事实；第1项协议的履行方式（人民调解法第二十九条），"
                                    "请补全后再打印")


def test_the_same_state_gives_the_same_bytes(neighbours):
    assert mediation_agreement(neighbours) == mediation_agreement(neighbours)


def test_committee_falls_back_to_the_argument_then_the_village(neighbours):
    unnamed = dict(neighbours.agreement)
    del unnamed["committee"]
    state = replace(neighbours, agreement=unnamed)

    def first_line(data: bytes) -> str:
        return flat(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert first_line(mediation_agreement(state, committee="新集镇王湾村人民调解委员会")).startswith(
        "新集镇王湾村人民调解委员会人民调解协议书")
    assert first_line(mediation_agreement(state)).startswith("王湾村人民调解委员会人民调解协议书")


def test_a_term_written_at_great_length_prints_as_a_numbered_paragraph(neighbours, printed):
    """A table row cannot break across pages: a very long term flows as text instead."""
    long_how = "李秀梅自行组织拆除和重建，费用自理；村调解委员会到场核对界线，" * 14
    form = neighbour_agreement(terms=[
        {"content": "李秀梅将越界部分院墙拆除，按原界线重建。", "how": long_how, "due": "2025-10-31"},
        {"content": "李秀梅赔偿张堃后墙修缮费1200元。", "how": "现金一次付清。", "due": "2025-10-15"}])
    doc = printed("agreement_long_terms", mediation_agreement(neighbours, agreement=form))
    text = flat(doc.pypdf_text())
    assert "序号协议内容履行方式履行期限" not in text
    assert "1.李秀梅将越界部分院墙拆除，按原界线重建。履行方式：李秀梅自行组织拆除和重建" in text
    assert "2.李秀梅赔偿张堃后墙修缮费1200元。履行方式：现金一次付清。履行期限：2025年10月15日前" in text
    within_margins(doc.pages())
