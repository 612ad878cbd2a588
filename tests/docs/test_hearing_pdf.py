"""信访事项听证记录 (app.docs.petitions), from petitions replayed by the domain's fold.

* 刘桂芳's land petition: the town answered (不支持), she did not ask for 复查 in time,
  the town closed it (依法终结, 逾期未请求复查) and named 刘喆 to follow up; she still
  does not accept, so the county 矛盾纠纷调处中心 holds a hearing: her claim is found
  unreasonable (依法处理).
* The twelve villagers' compensation petition: the town answered (支持) but the money was
  still not paid; closed, heard at the county: the town's 财政所 was at fault (问责).
* 刘桂芳's 复核 at the county with a two-day hearing while it was handled (Art 36: the
  hearing days are not counted).
PDFs and page images are kept in test-artifacts/docs/ (hearing_*.pdf, hearing_*-N.png).
"""
from __future__ import annotations

from datetime import date

import pytest

from app.docs import NotReadyError
from app.docs.petitions import handling_hearing_record, hearing_record
from app.domain.petition.clocks import handling_due
from app.domain.petition.intake import registered_payload
from app.domain.petition.levels import AnswerRef, check_appeal
from tests.docs.conftest import a4_pages, ink_box_mm
from tests.docs.test_petition_notices_pdf import (
    CALENDAR, COUNTY, FOOTER, LAND, LIU, Log, group_visit_log, land_answered,
    no_personal_numbers, reads)

CENTRE = "淮河县矛盾纠纷调处中心"
PANEL = ["张明远", "李秋菊", "王志刚"]


def land_heard() -> Log:
    log = land_answered()
    log.add("petition.terminated", "t-xinji", {
        "on": "2025-12-03", "basis": "逾期未请求复查",
        "follow_up": {"name": "刘喆", "post": "村信访代理员"}})
    log.add("petition.termination_heard", "c-county", {
        "on": "2025-12-18", "organiser": CENTRE, "panel": PANEL,
        "participants": ["刘桂芳", "刘喆（村信访代理员）", "陈建设（四组组长）", "孙立民（镇农业办）"],
        "conclusion": ("经核对二轮延包台账、2019年四组机动地调整会议记录和村民代表签字，2019年调整系四组"
                       "村民小组会议三分之二以上成员同意，程序合法；刘桂芳承包地面积与二轮延包"
                       "台账一致，未被划入机动地。刘桂芳要求退还承包地、补偿损失的诉求缺乏事实依据。"),
        "consequence": "依法处理"})
    return log


def group_heard() -> Log:
    log = group_visit_log()
    log.add("petition.answered", "t-xinji", {
        "on": "2025-12-19", "opinion": "经核实，青苗补偿费和附着物补偿共计18.6万元应于2025年12月31日前发放到户。",
        "result": "支持", "delivered_on": "2025-12-22", "document_no": "新集信复〔2025〕27号"})
    log.add("petition.terminated", "t-xinji", {
        "on": "2026-01-26", "basis": "逾期未请求复查",
        "follow_up": {"name": "孙立民", "post": "镇农业农村办主任"}})
    log.add("petition.termination_heard", "c-county", {
        "on": "2026-02-10", "organiser": CENTRE, "panel": PANEL,
        "participants": ["王建设", "陈广福", "李金花", "镇财政所所长赵国强", "孙立民"],
        "conclusion": ("镇政府答复支持群众诉求后，镇财政所未按答复期限发放补偿款，至听证时仍有9户共7.2万元"
                       "未发放，群众诉求合理，办理单位存在过错，信访事项案结事不了。"),
        "consequence": "问责", "accountable_unit": "新集镇财政所",
        "follow_up": {"name": "张建华", "post": "副镇长"}})
    return log


def re_review_with_hearing() -> Log:
    town_answer = AnswerRef("pet-liu-2", "复查", "town", "answered", date(2025, 12, 10))
    check = check_appeal(town_answer, "county", date(2025, 12, 22), CALENDAR)
    log = Log("pet-liu-4")
    log.add("petition.registered", "c-county", registered_payload(
        channel="来信", category="申诉求决", petitioners=[LIU], summary=LAND,
        first_officer={"name": "吴海燕", "post": "县信访局接待科科长"},
        received_at="2025-12-22T10:00", village="王湾村", appeal=check))
    log.add("petition.accepted", "c-county", {"on": "2025-12-24", "notice_on": "2025-12-24"})
    log.add("petition.hearing_started", "c-county", {"on": "2026-01-08"})
    log.add("petition.hearing_held", "c-county", {
        "on": "2026-01-09", "from": "2026-01-08", "to": "2026-01-09", "panel": PANEL,
        "participants": ["刘桂芳", "王湾村村委会刘喆", "新集镇信访工作站周建国"],
        "conclusion": "双方对2019年调整会议记录的真实性无异议；刘桂芳认可承包地面积与台账一致。"})
    return log


def clean_pages(doc) -> None:
    """A4, inside the margins, and on one sheet: the record, its signatures and the seal."""
    assert a4_pages(doc.reader) and len(doc.reader.pages) == 1
    for png in doc.pages():
        left, top, right, bottom = ink_box_mm(png)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289, png.name


def test_termination_hearing_record_with_a_claim_found_unreasonable(printed):
    state = land_heard().state()
    assert state.status == "terminated"
    doc = printed("hearing_terminated", hearing_record(
        state, issuer=COUNTY, number="淮调听〔2025〕12号", footer=FOOTER))
    reads(doc, text=[
        CENTRE, "信访事项听证记录", "编号：淮调听〔2025〕12号", "听证员、参加人员核对以上记录无误后签名。", "听证员张明远：", "听证员李秋菊：",
        "听证员王志刚：", "信访人：", "记录人：", f"{CENTRE}（盖章）"], fields=[
        ("听证日期", "2025年12月18日"), ("组织单位", CENTRE),
        ("听证事由", "信访事项已依法终结，信访人仍不接受，依法组织听证"),
        ("信访人", "刘桂芳（王湾村）"), ("信访事项", LAND),
        ("办理经过", "镇党委政府（信访工作站）于2025年9月8日受理；2025年10月28日出具处理意见（不支持），2025年10月30日送达信访人；"
                     "2025年12月3日以“逾期未请求复查”依法终结。"),
        ("听证员", "张明远、李秋菊、王志刚"),
        ("参加人员", "刘桂芳、刘喆（村信访代理员）、陈建设（四组组长）、孙立民（镇农业办）"),
        ("听证结论", "经核对二轮延包台账、2019年四组机动地调整会议记录和村民代表签字，2019年调整系四组"
                     "村民小组会议三分之二以上成员同意，程序合法；刘桂芳承包地面积与二轮延包"
                     "台账一致，未被划入机动地。刘桂芳要求退还承包地、补偿损失的诉求缺乏事实依据。"),
        ("处理", "依法处理（信访人诉求不合理）"),
        ("说明", "经听证，信访人的诉求缺乏事实和法律依据，原处理意见正确。本信访事项依法终结，"
                 "对以同一事实和理由提出的信访不再受理，依法处理。"),
        ("跟进责任人", "刘喆（村信访代理员），负责后续跟进、化解（有人管、管得住）")])
    no_personal_numbers(doc.poppler_text())
    no_personal_numbers(doc.pypdf_text())
    clean_pages(doc)


def test_termination_hearing_record_holding_the_handling_unit_accountable(printed):
    state = group_heard().state()
    doc = printed("hearing_accountable", hearing_record(state, issuer=COUNTY, footer=FOOTER))
    reads(doc, text=[
        "案结事不了", "听证员王志刚：", f"{CENTRE}（盖章）", "2026年2月10日"], fields=[
        ("信访人", "王建设、陈广福等12人（王湾村）代表：王建设、陈广福、李金花"),
        ("处理", "问责（办理单位有过错）"), ("被问责单位", "新集镇财政所"),
        ("说明", "经听证，原办理单位在办理中存在过错，信访事项案结事不了，对新集镇财政所启动问责程序。"),
        # named at the hearing, replacing the one named at termination
        ("跟进责任人", "张建华（副镇长），负责后续跟进、化解（有人管、管得住）")])
    assert state.follow_up_person["name"] == "张建华"
    no_personal_numbers(doc.pypdf_text())
    clean_pages(doc)


def test_hearing_during_re_review_is_left_out_of_the_time_limit(printed):
    state = re_review_with_hearing().state()
    assert state.stage == "复核"
    doc = printed("hearing_re_review", handling_hearing_record(
        state, issuer=COUNTY, number="淮信听〔2026〕1号", footer=FOOTER))
    reads(doc, text=[
        COUNTY, "信访事项听证记录", "听证员张明远：", f"{COUNTY}（盖章）", "2026年1月9日"], fields=[
        ("听证结论", "双方对2019年调整会议记录的真实性无异议；刘桂芳认可承包地面积与台账一致。"),
        ("期限", "本次听证所需时间（2日）不计算在复核期限内（《信访工作条例》第三十六条）。"),
        ("听证日期", "2026年1月8日至2026年1月9日"), ("组织单位", COUNTY),
        ("听证事由", "复核阶段，就信访事项的事实和处理依据听取各方意见"),
        ("参加人员", "刘桂芳、王湾村村委会刘喆、新集镇信访工作站周建国")])
    # the clock on screen agrees: 30 days from 12-22 plus the 2 hearing days
    assert handling_due(state, date(2026, 1, 10), CALENDAR).date == date(2026, 1, 23)
    clean_pages(doc)


def test_no_hearing_no_record():
    answered = land_answered().state()
    with pytest.raises(NotReadyError) as caught:
        hearing_record(answered, issuer=COUNTY)
    assert caught.value.code == "no_hearing" and "还没有举行依法终结听证" in caught.value.message
    with pytest.raises(NotReadyError):
        handling_hearing_record(answered, issuer=COUNTY)
    with pytest.raises(NotReadyError):
        hearing_record(land_heard().state(), issuer=COUNTY, index=3)
