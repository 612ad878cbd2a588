"""信访事项受理告知书 and 不予受理告知书 (app.docs.petitions), from petitions replayed by
the domain's own fold, registered with the domain's intake and level rules.

Petitions under 新集镇 (2025, calendar days, 信访工作条例; a 村委会 is not a 信访 organ, so
what 王湾村 receives the town handles):
* 刘桂芳 writes to 王湾村 about her contracted land (registered there, accepted by the town);
* twelve villagers of 王湾村 visit the town about unpaid land-requisition compensation,
  three representatives; accepted (征地补偿 is the town's matter; a visit to the town is
  never 越级, Art 18);
* 刘桂芳 contests the town's answer: 复查 accepted by the county (linked to the answer);
* 赵文堃 visits the town about a matter the court has decided: refused, go to the court;
* 刘桂芳 asks the town itself to review its own answer: refused (复查 lies with the level
  above), with the last day to ask the county for 复查;
* after 复核 she asks the county again: refused, closed (不再受理).

The builders here are shared with test_hearing_pdf.py.  PDFs and page images are kept in
test-artifacts/docs/ (petition_*.pdf, petition_*-N.png).
"""
from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from app.docs import NotReadyError
from app.docs.petitions import acceptance_notice, refusal_notice, review_right
from app.domain.petition.flow import fold
from app.domain.petition.intake import registered_payload
from app.domain.petition.levels import AnswerRef, answer_ref, check_appeal, new_petition_proposal
from app.domain.petition.state import PetitionState
from app.domain.shared.idcard import check_digit
from app.domain.shared.workdays import WorkCalendar
from schemas.registry import build_registry
from tests.docs.conftest import a4_pages, flat, ink_box_mm

LEVELS = {"v-wangwan": "village", "t-xinji": "town", "c-county": "county"}
CALENDAR = WorkCalendar()
REGISTRY = build_registry()
TOWN = "新集镇人民政府"
COUNTY = "淮河县人民政府信访局"
CONTACT = "联系人：周建国　电话：0376-7123420"
FOOTER = ("咨询电话　新集镇信访工作站：0376-7123420",)


def _id(body: str) -> str:
    return body + check_digit(body)


LIU = {"name": "刘桂芳", "sex": "女", "id_number": _id("41152319680402302"),
       "phone": "13937625514", "village": "王湾村", "address": "新集镇王湾村四组11号"}
ZHAO = {"name": "赵文堃", "sex": "男", "id_number": _id("41152319780317421"),
        "phone": "13869025817", "village": "王湾村", "address": "新集镇王湾村三组"}
GROUP = [{"name": n, "village": "王湾村", "phone": p, "id_number": _id(b)} for n, p, b in (
    ("王建设", "13703761122", "41152319650812301"), ("陈广福", "13838761450", "41152319580314301"),
    ("李金花", "15036712290", "41152319710105302"))]
FULL_IDS = [p["id_number"] for p in [LIU, ZHAO, *GROUP]]
LAND = ("反映2019年四组调整机动地时将其承包地东侧约0.3亩划入机动地并对外发包，未经本人同意，"
        "多次向组里反映未果")


class Log:
    """Events of one petition as the nodes write them (each payload schema-checked)."""

    def __init__(self, record: str) -> None:
        self.record, self.events, self.seq = record, [], 0

    def add(self, kind: str, origin: str, payload: dict[str, Any]) -> "Log":
        REGISTRY.validate(kind, 1, payload)
        self.seq += 1
        self.events.append({"id": f"{self.record}-{self.seq}", "origin": origin, "seq": self.seq,
                            "hlc": 2_000 + 10 * self.seq, "type": kind, "v": 1,
                            "record": self.record, "kind": "petition", "author": f"u-{origin}",
                            "payload": payload})
        return self

    def state(self) -> PetitionState:
        state = fold(self.events, LEVELS)
        assert not state.rejected, state.rejected
        return state


def land_letter() -> Log:
    """刘桂芳's letter to the village, registered there and accepted by the town."""
    log = Log("pet-liu-1")
    log.add("petition.registered", "v-wangwan", registered_payload(
        channel="来信", category="申诉求决", petitioners=[LIU], summary=LAND,
        request="退还被划走的承包地，补偿少种地的损失",
        first_officer={"name": "刘喆", "post": "村信访代理员"}, received_at="2025-09-03T16:20",
        village="王湾村"))
    log.add("petition.accepted", "t-xinji", {
        "on": "2025-09-08", "notice_on": "2025-09-09", "notice_no": "新集信受〔2025〕3号",
        "handler": {"name": "周建国", "post": "镇信访工作站站长"}})
    return log


def land_answered() -> Log:
    log = land_letter()
    log.add("petition.answered", "t-xinji", {
        "on": "2025-10-28", "opinion": "经查，2019年机动地调整经村民小组会议讨论通过，不予退还。",
        "result": "不支持", "delivered_on": "2025-10-30", "document_no": "新集信复〔2025〕3号"})
    return log


def group_visit_log() -> Log:
    """Twelve villagers at the town (the 信访 organ: no 越级, Art 18), accepted."""
    proposal = new_petition_proposal("town", "来访", [])
    assert proposal is None
    log = Log("pet-group-1")
    log.add("petition.registered", "t-xinji", registered_payload(
        channel="来访", category="申诉求决", petitioners=GROUP,
        summary=("王湾村四组12户村民反映，2024年县道拓宽征收四组耕地共23.6亩，土地补偿费已拨付到镇，"
                 "但青苗补偿费和地上附着物补偿至今未发放到户。"),
        request="尽快按公示标准发放青苗补偿费和附着物补偿",
        first_officer={"name": "周建国", "post": "镇信访工作站站长"},
        received_at="2025-11-03T09:10", village="王湾村",
        group={"size": 12, "representatives": ["王建设", "陈广福", "李金花"]}))
    log.add("petition.accepted", "t-xinji", {
        "on": "2025-11-05", "notice_on": "2025-11-05", "notice_no": "新集信受〔2025〕27号",
        "handler": {"name": "孙立民", "post": "镇农业农村办主任"}})
    return log


def group_visit() -> PetitionState:
    state = group_visit_log().state()
    assert state.status == "accepted"
    return state


def review_request(prior: PetitionState, level: str, origin: str, received: date,
                   record: str) -> Log:
    """刘桂芳 contests ``prior``'s answer at ``level`` (check_appeal decides what it is)."""
    check = check_appeal(answer_ref(prior), level, received, CALENDAR)
    log = Log(record)
    log.add("petition.registered", origin, registered_payload(
        channel="来访", category="申诉求决", petitioners=[LIU], summary=LAND,
        request="撤销镇里的处理意见，退还承包地", first_officer={"name": "吴海燕", "post": "县信访局接待科科长"},
        received_at=f"{received.isoformat()}T10:00", village="王湾村", appeal=check))
    return log


def review_accepted() -> PetitionState:
    log = review_request(land_answered().state(), "county", "c-county", date(2025, 11, 12),
                         "pet-liu-2")
    log.add("petition.accepted", "c-county", {
        "on": "2025-11-14", "notice_on": "2025-11-14", "notice_no": "淮信复受〔2025〕4号"})
    state = log.state()
    assert state.stage == "复查"
    return state


def refused_skip_level() -> PetitionState:
    """赵文堃 at the town about a matter a court has decided: other_organ (a ground the
    officer picks; nothing is proposed — a visit to the town is never 越级)."""
    assert new_petition_proposal("town", "来访", []) is None
    log = Log("pet-zhao-1")
    log.add("petition.registered", "t-xinji", registered_payload(
        channel="来访", category="申诉求决", petitioners=[ZHAO],
        summary="反映邻居赵某在村道上堆放建筑材料，法院判决后仍未清走", request="要求清走",
        first_officer={"name": "周建国", "post": "镇信访工作站站长"},
        received_at="2025-11-10T08:45", village="王湾村"))
    log.add("petition.refused", "t-xinji", {
        "on": "2025-11-11", "ground": "other_organ", "ground_label": "属于人大、法院、检察院职权范围",
        "reason": "县人民法院已作出判决，判决的执行属于人民法院职权范围。",
        "where_to_go": "请向县人民法院申请强制执行", "notice_on": "2025-11-11",
        "notice_no": "新集信不受〔2025〕9号"})
    return log.state()


def refused_skip_review() -> PetitionState:
    """刘桂芳 asks the town to review its own answer: 复查 lies with the county."""
    log = review_request(land_answered().state(), "town", "t-xinji", date(2025, 11, 17),
                         "pet-liu-3")
    state = log.state()
    assert state.proposal["ground"] == "wrong_level"
    log.add("petition.refused", "t-xinji", {
        "on": "2025-11-19", "ground": "wrong_level", "ground_label": state.proposal["label"],
        "reason": "你对本机关的处理意见不服，应向上一级机关（淮河县人民政府信访局）请求复查。",
        "where_to_go": "请向淮河县人民政府信访局请求复查", "notice_on": "2025-11-19",
        "notice_no": "新集信不受〔2025〕41号"})
    return log.state()


def refused_closed() -> PetitionState:
    county_answer = AnswerRef("pet-liu-4", "复核", "county", "answered", date(2026, 1, 20))
    # (a 复核 record at the county: the domain keeps the stage for a level above the town)
    check = check_appeal(county_answer, "county", date(2026, 3, 2), CALENDAR)
    log = Log("pet-liu-5")
    log.add("petition.registered", "c-county", registered_payload(
        channel="来信", category="申诉求决", petitioners=[LIU], summary=LAND,
        first_officer={"name": "县信访局接待科"}, received_at="2026-03-02T10:00",
        village="王湾村", appeal=check))
    log.add("petition.refused", "c-county", {
        "on": "2026-03-05", "ground": "closed", "ground_label": check.proposal.label,
        "reason": "该事项已于2026年1月20日作出复核意见并送达，你仍以同一事实和理由提出，没有新的事实和理由。",
        "where_to_go": check.proposal.where_to_go, "notice_on": "2026-03-05",
        "notice_no": "淮信不受〔2026〕6号"})
    return log.state()


# ---- checks ------------------------------------------------------------------------------

def no_personal_numbers(text: str) -> None:
    flat_text = flat(text)
    for number in FULL_IDS:
        assert number not in flat_text and number[:-1] not in flat_text
    assert not re.search(r"\d{17}[\dX]", flat_text), "an ID number is printed"
    for phone in [LIU["phone"], ZHAO["phone"], *(p["phone"] for p in GROUP)]:
        assert phone not in flat_text


def one_clean_page(doc) -> None:
    assert a4_pages(doc.reader) and len(doc.reader.pages) == 1
    (png,) = doc.pages()
    left, top, right, bottom = ink_box_mm(png)
    assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289


def reads(doc, text=(), fields=()) -> None:
    """Paragraph ``text`` found by both extractors; table ``fields`` (label, value) read as
    one by pypdf (in drawing order: a label beside a value of several lines comes after
    it) and each part by pdftotext (which lays the cells side by side: a label may sit in
    the middle of its value's lines)."""
    by_pypdf, by_poppler = flat(doc.pypdf_text()), flat(doc.poppler_text())
    for item in text:
        assert flat(item) in by_pypdf, item
        assert flat(item) in by_poppler, item
    for label, value in fields:
        assert flat(label + value) in by_pypdf or flat(value + label) in by_pypdf, (label, value)
        assert flat(label) in by_poppler, label
        assert flat(value) in by_poppler or flat(value) in by_poppler.replace(flat(label), ""), \
            (label, value)


# ---- 受理告知书 --------------------------------------------------------------------------

def test_acceptance_notice_tells_the_60_days_and_the_review_right(printed):
    state = land_letter().state()
    doc = printed("petition_accepted", acceptance_notice(
        state, issuer=TOWN, calendar=CALENDAR, review_to="淮河县人民政府",
        contact="联系人：刘喆　电话：0376-7125501", footer=FOOTER))
    reads(doc, text=[
        TOWN, "信访事项受理告知书", "新集信受〔2025〕3号", "刘桂芳：",
        "你（们）于2025年9月3日以来信方式向本机关反映的信访事项（见下表），本机关已于2025年9月8日依法受理。",
        # 60 days from 09-08 is 11-07, a Friday
        "本机关将自受理之日起60日内（即2025年11月7日前）办结，并书面答复你（们）",
        "延长期限不超过30日，并告知你（们）延期理由",
        "可以自收到书面答复之日起30日内，向淮河县人民政府请求复查（《信访工作条例》第三十五条）",
        "特此告知。", f"{TOWN}（盖章）", "2025年9月9日", "联系人：刘喆", "0376-7125501",
        "送达回执", "本人已收到《信访事项受理告知书》（新集信受〔2025〕3号）一份。",
        "信访人（签名）", "送达人（签名）", "新集镇信访工作站：0376-7123420"], fields=[
        ("信访人", "刘桂芳（王湾村）"), ("信访形式", "来信"), ("收到日期", "2025年9月3日"),
        ("信访事项", LAND), ("信访诉求", "退还被划走的承包地，补偿少种地的损失"),
        ("受理日期", "2025年9月8日"), ("承办人", "周建国（镇信访工作站站长）"),
        ("办理期限", "2025年11月7日前")])
    no_personal_numbers(doc.poppler_text())
    no_personal_numbers(doc.pypdf_text())
    one_clean_page(doc)


def test_group_visit_accepted_at_the_town_names_the_representatives(printed):
    doc = printed("petition_accepted_group", acceptance_notice(
        group_visit(), issuer=TOWN, calendar=CALENDAR, contact=CONTACT, footer=FOOTER))
    reads(doc, text=[TOWN, "新集信受〔2025〕27号", "王建设、陈广福等12人：",
                     "向县信访部门请求复查"], fields=[
        ("信访人", "王建设、陈广福等12人（王湾村）代表：王建设、陈广福、李金花"),
        ("信访形式", "来访"), ("承办人", "孙立民（镇农业农村办主任）"),
        # 60 days from 11-05 is 2026-01-04: a Sunday, but a make-up working day (调休)
        # after the New Year holiday, so the period ends that day
        ("办理期限", "2026年1月4日前")])
    text = flat(doc.pypdf_text())
    assert "越级" not in text and "村里无权处理" not in text  # the override is for the file
    no_personal_numbers(doc.pypdf_text())
    one_clean_page(doc)


def test_acceptance_of_a_review_request_runs_30_days_and_points_to_re_review(printed):
    state = review_accepted()
    doc = printed("petition_accepted_review", acceptance_notice(
        state, issuer=COUNTY, calendar=CALENDAR, contact=CONTACT, footer=FOOTER))
    reads(doc, text=[
        "淮信复受〔2025〕4号",
        "你（们）对镇党委政府（信访工作站）2025年10月30日送达的处理意见不服，于2025年11月12日向本机关请求复查（见下表）。"
        "本机关已于2025年11月14日依法受理。",
        # 30 days from the request (11-12) is 12-12, a Friday
        "本机关将自收到复查请求之日起30日内（即2025年12月12日前）提出复查意见",
        "对复查意见不服的，可以自收到书面答复之日起30日内，向上一级机关请求复核（《信访工作条例》第三十六条）"],
        fields=[("复查期限", "2025年12月12日前")])
    one_clean_page(doc)


def test_a_re_review_notice_says_hearings_are_not_counted_and_it_is_final():
    town_answer = AnswerRef("pet-liu-2", "复查", "town", "answered", date(2025, 12, 10))
    check = check_appeal(town_answer, "county", date(2025, 12, 22), CALENDAR)
    log = Log("pet-liu-4")
    log.add("petition.registered", "c-county", registered_payload(
        channel="来信", category="申诉求决", petitioners=[LIU], summary=LAND,
        first_officer={"name": "县信访局接待科"}, received_at="2025-12-22T10:00",
        village="王湾村", appeal=check))
    log.add("petition.accepted", "c-county", {"on": "2025-12-24", "notice_on": "2025-12-24"})
    data = acceptance_notice(log.state(), issuer=COUNTY, calendar=CALENDAR)
    text = flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    for item in ["你（们）对镇党委政府（信访工作站）2025年12月10日送达的复查意见不服，于2025年12月22日向本机关请求复核",
                 # 30 days from 12-22 is 2026-01-21, a Wednesday
                 "自收到复核请求之日起30日内（即2026年1月21日前）提出复核意见",
                 "需要举行听证的，听证所需时间不计算在上述期限内。",
                 "复核意见为本信访事项的最终意见；对复核意见不服，仍以同一事实和理由提出信访的，不再受理"]:
        assert flat(item) in text, item


def test_a_petition_not_accepted_has_no_acceptance_notice():
    with pytest.raises(NotReadyError) as caught:
        acceptance_notice(refused_skip_level(), issuer=TOWN)
    assert caught.value.code == "not_accepted" and "还没有受理" in caught.value.message
    with pytest.raises(NotReadyError) as caught:
        refusal_notice(land_letter().state(), issuer=TOWN)
    assert caught.value.code == "not_refused"


# ---- 不予受理告知书 ----------------------------------------------------------------------

def test_refusal_for_another_organ_says_where_to_go(printed):
    doc = printed("petition_refused", refusal_notice(
        refused_skip_level(), issuer=TOWN, calendar=CALENDAR, contact=CONTACT, footer=FOOTER))
    reads(doc, text=[
        TOWN, "信访事项不予受理告知书", "新集信不受〔2025〕9号", "赵文堃：",
        "经审查，属于“属于人大、法院、检察院职权范围”的情形，本机关决定不予受理。",
        f"{TOWN}（盖章）", "2025年11月11日", "送达回执",
        "本人已收到《信访事项不予受理告知书》（新集信不受〔2025〕9号）一份。"], fields=[
        ("不予受理理由", "属于人大、法院、检察院职权范围"),
        ("具体情况", "县人民法院已作出判决，判决的执行属于人民法院职权范围。"),
        ("请向以下机关反映", "请向县人民法院申请强制执行")])
    no_personal_numbers(doc.poppler_text())
    no_personal_numbers(doc.pypdf_text())
    one_clean_page(doc)


def test_refused_review_request_gives_the_last_day_to_ask_the_right_level(printed):
    doc = printed("petition_refused_review", refusal_notice(
        refused_skip_review(), issuer=TOWN, calendar=CALENDAR,
        contact="联系人：周建国　电话：0376-7123420", footer=FOOTER))
    reads(doc, text=[
        TOWN, "新集信不受〔2025〕41号",
        "你（们）对镇党委政府（信访工作站）2025年10月30日送达的处理意见不服，于2025年11月17日向本机关请求复查",
        "“复查、复核应向原办理机关的上一级机关提出”"], fields=[
        ("请向以下机关反映", "请向淮河县人民政府信访局请求复查"),
        # 30 days from delivery (10-30) is 11-29, a Saturday: rolls to Monday 12-01
        ("复查、复核", "请求复查的期限至2025年12月1日止（自收到书面答复之日起30日），请在此之前向上述机关提出。")])
    no_personal_numbers(doc.pypdf_text())
    one_clean_page(doc)


def test_refusal_after_re_review_says_the_matter_is_closed(printed):
    doc = printed("petition_refused_closed", refusal_notice(
        refused_closed(), issuer=COUNTY, calendar=CALENDAR, footer=FOOTER))
    reads(doc, text=[
        "淮信不受〔2026〕6号",
        "你（们）对县信访部门2026年1月20日送达的复核意见不服，于2026年3月2日再次向本机关提出（见下表）。",
        "“已经复核（或复查、复核期满）终结，同一事实和理由不再受理”"], fields=[
        ("告知事项", "信访程序已终结，不再受理；有新的事实和理由的请另行提出")])
    text = flat(doc.pypdf_text())
    assert "请向以下机关反映" not in text
    assert "对以同一事实和理由提出的信访不再受理" not in text  # said once (告知事项), not twice
    one_clean_page(doc)


def test_review_right_for_each_ground():
    state = refused_skip_review()
    assert review_right(state, "wrong_level", date(2025, 12, 1), CALENDAR).startswith(
        "请求复查的期限至2025年12月1日止")
    assert review_right(state, "wrong_level", date(2025, 12, 2), CALENDAR) == \
        "请求复查的期限已于2025年12月1日届满。"
    assert review_right(state, "late", date(2025, 12, 5), CALENDAR) == \
        "请求复查的期限已于2025年12月1日届满，原处理意见已经生效。"
    first = refused_skip_level()
    assert review_right(first, "other_organ", date(2025, 11, 11)) == ""
    assert review_right(first, "litigation", date(2025, 11, 11)) == ""
    assert "原受理机关作出处理意见后" in review_right(first, "in_handling", date(2025, 11, 11))
    assert review_right(refused_closed(), "closed", date(2026, 3, 5)).startswith(
        "本信访事项已经复核或依法终结，对以同一事实和理由提出的信访不再受理")


def test_notices_are_the_same_bytes_each_time():
    state = land_letter().state()
    assert acceptance_notice(state, issuer=TOWN) == acceptance_notice(state, issuer=TOWN)
