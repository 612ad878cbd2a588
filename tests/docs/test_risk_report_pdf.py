"""社会稳定风险评估报告 (app.docs.risk), from assessments replayed by the domain's fold.

* 王湾村 transfers 186 mu of collective land to a cooperative: 公示, 问卷, 走访 and 座谈;
  graded 低 with control measures; the 村两委 decide 实施.
* 新集镇 sites a refuse transfer station next to 李庄: the first round finds strong
  objections, graded 中, the 镇党委会 decides 暂缓实施 (the gate allows nothing else);
  after moving the site 300 m and adding deodorising equipment the town hears people again,
  grades 低 and reports; the decision is still to be taken.
PDFs and page images are kept in test-artifacts/docs/ (risk_*.pdf, risk_*-N.png).
"""
from __future__ import annotations

from typing import Any

import pytest

from app.docs import NotReadyError
from app.docs.risk import risk_report
from app.domain.risk.flow import Assessment, fold
from app.domain.risk.grading import RiskRules
from schemas.registry import build_registry
from tests.docs.conftest import a4_pages, flat, ink_box_mm
from tests.docs.test_petition_notices_pdf import reads

LEVELS = {"v-wangwan": "village", "t-xinji": "town", "c-county": "county"}
REGISTRY = build_registry()
FOOTER = ("咨询电话　新集镇综治办：0376-7123430",)
VILLAGE_UNIT = "新集镇王湾村村民委员会"
TOWN_UNIT = "新集镇人民政府"


class Log:
    def __init__(self, record: str) -> None:
        self.record, self.events, self.seq = record, [], 0

    def add(self, kind: str, origin: str, payload: dict[str, Any]) -> "Log":
        REGISTRY.validate(kind, 1, payload)
        self.seq += 1
        self.events.append({"id": f"{self.record}-{self.seq}", "origin": origin, "seq": self.seq,
                            "hlc": 3_000 + 10 * self.seq, "type": kind, "v": 1,
                            "record": self.record, "kind": "risk", "author": f"u-{origin}",
                            "payload": payload})
        return self

    def state(self) -> Assessment:
        state = fold(self.events, LEVELS)
        assert not state.rejected, state.rejected
        return state


def land_transfer() -> Log:
    log = Log("risk-wangwan-1")
    v = "v-wangwan"
    log.add("risk.planned", v, {
        "on": "2025-08-04", "matter": "王湾村四组、五组集体土地186亩流转给鑫禾种植专业合作社（流转期10年）",
        "responsible_unit": VILLAGE_UNIT, "assessors": ["王建国", "刘喆", "张丽"],
        "plan": ("8月上旬在村务公开栏和各组公示流转方案7天，同时向两个组全部承包户发放问卷；8月中旬入户走访"
                 "有异议的农户，召开村民代表座谈会；8月下旬汇总分析，形成评估报告，提交村两委会议决策。"),
        "subject": {"kind": "village_decision", "record": "vd-wangwan-2025-06"}})
    log.add("risk.opinions_gathered", v, {
        "on": "2025-08-11", "method": "公示", "participants": 0,
        "summary": "公示7天，收到书面意见2份，均为询问租金支付方式，已当面答复。"})
    log.add("risk.opinions_gathered", v, {
        "on": "2025-08-12", "method": "问卷", "participants": 132, "supporting": 118,
        "objecting": 14, "strongly_objecting": 2,
        "summary": "多数农户赞成；少数认为每亩每年800元租金偏低，担心合作社经营不善拖欠租金。"})
    log.add("risk.opinions_gathered", v, {
        "on": "2025-08-15", "method": "走访", "participants": 16, "supporting": 9, "objecting": 7,
        "strongly_objecting": 2, "summary": "走访有异议的16户，其中9户经解释后同意；2户坚持自种。"})
    log.add("risk.opinions_gathered", v, {
        "on": "2025-08-18", "method": "座谈", "participants": 23, "supporting": 21, "objecting": 2,
        "summary": "村民代表座谈会，建议租金逐步递增并由合作社预付一年租金作保证金。"})
    log.add("risk.analysed", v, {
        "on": "2025-08-22",
        "legality": {"finding": "符合", "note": "流转方案经四组、五组村民会议三分之二以上成员同意，符合《农村土地承包法》第三十六条"},
        "reasonableness": {"finding": "基本符合", "note": "每亩800元略低于邻村850元，已约定每三年递增5%"},
        "feasibility": {"finding": "符合", "note": "合作社已有300亩种植基地，资金和技术有保障"},
        "controllability": {"finding": "符合", "note": "坚持自种的2户可调整到地块边缘，不影响连片流转"}})
    log.add("risk.graded", v, {
        "on": "2025-08-25", "grade": "低",
        "reasons": "多数群众理解支持，少数意见经走访、座谈已基本化解，坚持自种的2户可调地解决。",
        "measures": ["合作社预付一年租金作为保证金，存入村集体账户",
                     "租金每三年递增5%，写入流转合同",
                     "坚持自种的2户调整到地块边缘，由村里组织丈量",
                     "设立意见箱，刘喆负责每月收集答复"]})
    log.add("risk.reported", v, {
        "on": "2025-08-27", "report_no": "王湾稳评〔2025〕2号",
        "conclusion": "本事项风险等级为低风险，在落实各项防范化解措施的前提下，可以提交村两委会议决策实施。"})
    log.add("risk.decided", v, {
        "on": "2025-08-29", "decision": "实施",
        "meeting": {"name": "王湾村党支部委员会、村民委员会联席会议", "on": "2025-08-29",
                    "attendees": ["王建国", "刘喆", "张丽", "陈建设", "李秀兰"]},
        "reason": "评估为低风险，防范化解措施已落实，同意实施。"})
    return log


def transfer_station(reassessed: bool = True) -> Log:
    log = Log("risk-xinji-3")
    t = "t-xinji"
    log.add("risk.planned", t, {
        "on": "2025-09-01", "matter": "在李庄村北建设新集镇生活垃圾转运站（日处理30吨）",
        "responsible_unit": TOWN_UNIT, "assessors": ["张建华", "周建国", "孙立民"],
        "plan": "9月公示选址、向李庄村及周边两村农户发放问卷、召开座谈会；必要时召开听证会。"})
    log.add("risk.opinions_gathered", t, {
        "on": "2025-09-10", "method": "问卷", "participants": 210, "supporting": 120,
        "objecting": 90, "strongly_objecting": 30,
        "summary": "李庄村北侧居民担心臭味、蚊蝇和运输车辆噪声，30户强烈反对。"})
    log.add("risk.analysed", t, {
        "on": "2025-09-15",
        "legality": {"finding": "符合", "note": "已取得用地预审和环评批复"},
        "reasonableness": {"finding": "基本符合", "note": "距最近住户仅150米，低于群众期望"},
        "feasibility": {"finding": "符合", "note": "县财政已安排资金"},
        "controllability": {"finding": "不符合", "note": "部分群众反应强烈，扬言阻工"}})
    log.add("risk.graded", t, {
        "on": "2025-09-18", "grade": "中", "reasons": "部分群众有意见、反应强烈，可能引发阻工等矛盾冲突。",
        "measures": ["重新论证选址，与住户距离不少于300米"]})
    log.add("risk.reported", t, {"on": "2025-09-20", "report_no": "新集稳评〔2025〕5号",
                                  "conclusion": "本事项为中风险，建议暂缓实施，调整选址后重新评估。"})
    log.add("risk.decided", t, {
        "on": "2025-09-24", "decision": "暂缓实施",
        "meeting": {"name": "新集镇党委会", "on": "2025-09-24", "attendees": ["党委书记", "镇长", "张建华"]},
        "reason": "中风险，暂缓实施，选址北移后重新评估。"})
    if not reassessed:
        return log
    log.add("risk.opinions_gathered", t, {
        "on": "2025-11-05", "method": "听证", "participants": 60, "supporting": 55, "objecting": 5,
        "strongly_objecting": 1,
        "summary": "选址北移300米并增加除臭设备后召开听证会，多数代表同意；少数要求运输车辆避开上学时间。"})
    log.add("risk.analysed", t, {
        "on": "2025-11-08",
        "legality": {"finding": "符合", "note": "新选址已重新办理用地预审"},
        "reasonableness": {"finding": "符合", "note": "距最近住户320米"},
        "feasibility": {"finding": "符合", "note": "增加投资18万元，县财政已追加"},
        "controllability": {"finding": "基本符合", "note": "运输时间可调整，个别意见可以化解"}})
    log.add("risk.graded", t, {
        "on": "2025-11-10", "grade": "低", "reasons": "多数群众理解支持，少数意见可以通过调整运输时间化解。",
        "measures": ["运输车辆避开7:00—8:00、16:30—17:30上下学时间", "安装除臭设备并每月公开检测结果"]})
    log.add("risk.reported", t, {"on": "2025-11-12", "report_no": "新集稳评〔2025〕9号",
                                  "conclusion": "重新评估为低风险，落实防范化解措施后可以实施。"})
    return log


def clean_pages(doc) -> None:
    assert a4_pages(doc.reader)
    pages = [flat(p.extract_text()) for p in doc.reader.pages]
    for n, page in enumerate(pages, 1):
        assert f"第{n}页共{len(pages)}页" in page
    for png in doc.pages():
        left, top, right, bottom = ink_box_mm(png)
        assert left >= 19 and right <= 191 and top >= 8 and bottom <= 289, png.name


def test_low_risk_report_decided_to_proceed(printed):
    state = land_transfer().state()
    assert state.status == "implement"
    doc = printed("risk_report", risk_report(state, footer=FOOTER))
    reads(doc, text=[
        VILLAGE_UNIT, "社会稳定风险评估报告", "王湾稳评〔2025〕2号",
        "一、评估方案", "8月上旬在村务公开栏和各组公示流转方案7天",
        "二、征求意见情况", "共征求意见171人，其中反对23人，占13%；强烈反对4人，占2%。",
        "三、分析论证", "四、风险等级", "风险等级判定标准", "五、防范化解措施",
        "六、评估结论", "在落实各项防范化解措施的前提下，可以提交村两委会议决策实施",
        "七、集体决策", "评估人王建国：", "评估人刘喆：", "评估人张丽：", f"{VILLAGE_UNIT}（盖章）",
        "2025年8月27日"], fields=[
        ("评估事项", "王湾村四组、五组集体土地186亩流转给鑫禾种植专业合作社（流转期10年）"),
        ("评估责任主体", VILLAGE_UNIT), ("方案制定日期", "2025年8月4日"),
        ("评估小组", "王建国、刘喆、张丽"), ("报告日期", "2025年8月27日"), ("评估轮次", "第1轮"),
        ("风险等级", "低风险"), ("定级日期", "2025年8月25日"),
        ("定级依据", "多数群众理解支持，少数意见经走访、座谈已基本化解，坚持自种的2户可调地解决。"),
        ("统计建议等级", "低风险：征求意见171人，反对23人，占13%（多数群众理解支持）"),
        ("决策会议", "王湾村党支部委员会、村民委员会联席会议"), ("会议日期", "2025年8月29日"),
        ("参会人员", "王建国、刘喆、张丽、陈建设、李秀兰"), ("决策结果", "实施"),
        ("决策理由", "评估为低风险，防范化解措施已落实，同意实施。")])
    # tables, read in drawing order
    text = flat(doc.pypdf_text())
    for row in ["日期方式参与人数支持反对强烈反对主要意见",
                "8月11日公示0—00公示7天，收到书面意见2份",
                "8月12日问卷132118142多数农户赞成",
                "8月15日走访16972走访有异议的16户",
                "8月18日座谈232120村民代表座谈会",
                "合计171—234",
                "分析内容结论理由", "合法性符合流转方案经四组、五组村民会议三分之二以上成员同意",
                "合理性基本符合每亩800元略低于邻村850元", "可行性符合", "可控性符合",
                "风险等级判定标准能否实施",
                "高风险大部分群众有意见、反应特别强烈，可能引发大规模群体性事件暂缓实施或不实施",
                "中风险部分群众有意见、反应强烈，可能引发矛盾冲突暂缓实施或不实施",
                "低风险（本事项）多数群众理解支持，少部分人有意见，通过有效工作可以防范和化解有防范化解措施的，可以实施",
                "序号防范化解措施", "1合作社预付一年租金作为保证金，存入村集体账户",
                "4设立意见箱，刘喆负责每月收集答复",
                "决策规则可以决定实施的风险等级：低风险（须有防范化解措施），其他等级只能暂缓实施或不实施"
                "（发改投资〔2012〕2492号）。本事项为低风险，已有防范化解措施，可以决定实施。"]:
        assert row in text, row
    clean_pages(doc)


def test_medium_risk_was_deferred_and_the_gate_says_why(printed):
    state = transfer_station(reassessed=False).state()
    assert (state.status, state.grade) == ("deferred", "中")
    doc = printed("risk_report_deferred", risk_report(state, footer=FOOTER))
    reads(doc, text=[TOWN_UNIT, "新集稳评〔2025〕5号", "共征求意见210人，其中反对90人，占43%；强烈反对30人，占14%。"],
          fields=[("风险等级", "中风险"), ("决策结果", "暂缓实施"),
                  ("统计建议等级", "中风险：征求意见210人，反对90人，占43%，强烈反对30人，占14%（部分群众有意见）")])
    text = flat(doc.pypdf_text())
    assert "可控性不符合部分群众反应强烈，扬言阻工" in text
    # 可控性 不符合 blocks 实施 whatever the grade (the seed's 决策前论证, issue #10 item 8)
    assert "评估认定可控性不符合要求，不得提交决策实施" in text
    assert "RULES.md" not in text
    clean_pages(doc)


def test_reassessed_report_awaiting_the_decision_notes_the_earlier_round(printed):
    state = transfer_station().state()
    assert (state.status, state.round, state.grade) == ("reported", 2, "低")
    doc = printed("risk_report_reassessed", risk_report(state, footer=FOOTER))
    reads(doc, text=[
        "新集稳评〔2025〕9号",
        "第1轮评估征求意见210人，反对90人，定为中风险，决定暂缓实施；落实化解措施后重新征求意见，本报告以第2轮评估为准。",
        "共征求意见60人，其中反对5人，占8%；强烈反对1人，占2%。"], fields=[
        ("评估轮次", "第2轮（暂缓实施后重新评估）"), ("风险等级", "低风险"),
        ("决策结果", "待集体讨论决定")])
    text = flat(doc.pypdf_text())
    assert "本事项为低风险，已有防范化解措施，可以决定实施" in text
    assert "9月10日问卷" not in text  # the first round is noted, not counted again
    clean_pages(doc)


def test_a_stricter_town_gate_is_printed_as_configured(printed):
    strict = RiskRules(proceed_allowed_grades=())
    state = transfer_station().state()
    data = risk_report(state, rules=strict)
    doc = printed("risk_report_strict", data)
    text = flat(doc.pypdf_text())
    assert ("可以决定实施的风险等级：无，其他等级只能暂缓实施或不实施（本镇规定）。"
            "本事项为低风险，只能决定暂缓实施或不实施") in text
    assert "低风险（本事项）多数群众理解支持，少部分人有意见，通过有效工作可以防范和化解暂缓实施或不实施" in text
    clean_pages(doc)


def test_no_report_no_pdf():
    log = transfer_station()
    before = Log(log.record)
    before.events = log.events[:4]  # planned, opinions, analysed, graded
    with pytest.raises(NotReadyError) as caught:
        risk_report(before.state())
    assert caught.value.code == "not_reported" and "还没有形成评估报告" in caught.value.message
    reopened = Log(log.record)
    reopened.events = log.events[:7]  # decided 暂缓实施, then new opinions: report cleared
    with pytest.raises(NotReadyError):
        risk_report(reopened.state())


def test_same_assessment_same_bytes():
    state = land_transfer().state()
    assert risk_report(state) == risk_report(state)
