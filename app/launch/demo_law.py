"""The demo township's disputes, petitions, risk assessments and 民意台账 (issue #10): every
screen of 矛盾纠纷, 信访, 风险评估 and 双联三解 has realistic content in every stage.

Each story is a list of steps, each taken at the level that may take it (a village
调解室 or station, the town center, the county window) on its own day (the place's demo
clock), once the record's previous step has synced there — the same way app.launch.demo runs
the service cases, so the logs are what real use would have written.  Kept apart from
app.launch.demo so the two grow without stepping on each other; app.launch.demo calls ``seed_law``.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.launch.demo_township import VILLAGES
from app.launch.world import DemoError, Place, World
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.opinions import OpinionForm, Opinions
from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from app.services.risk import RiskAssessments


V, T, C = "village", "town", "county"


@dataclass
class Ctx:
    """What a step gets: the place acting, its services on its demo clock, the story."""

    place: "Place"
    story: "Story"

    @property
    def officer(self):
        return self.place.cadres[0]

    @property
    def day(self) -> date:
        return self.place.clock.day

    def disputes(self) -> Disputes:
        return Disputes(self.place.station, today=self.place.clock)

    def petitions(self) -> Petitions:
        return Petitions(self.place.station, today=self.place.clock)

    def risks(self) -> RiskAssessments:
        return RiskAssessments(self.place.station, today=self.place.clock)

    def opinions(self) -> Opinions:
        return Opinions(self.place.station, today=self.place.clock)


Step = tuple[str, int, Callable[[Ctx], Any]]   # (level, days after the start, action)


@dataclass
class Story:
    kind: str                 # dispute / petition / risk_assessment / opinion
    village: int              # index of the village it happens in
    days_ago: int
    steps: list[Step]
    record: str = ""
    last: str = ""
    done: int = 0
    start: date = date.min
    notes: dict[str, Any] = field(default_factory=dict)


# disputes -------------------------------------------------------------------------------------
def _parties(a: str, b: str, village: str, kind: str = "申请人") -> list[PartyForm]:
    return [PartyForm(a, kind, address=f"{village}三组"), PartyForm(b, "被申请人",
                                                                     address=f"{village}四组")]


def _register(dispute_type: str, a: str, b: str, summary: str, risk: str = "中",
              override: str = "") -> Callable[[Ctx], Any]:
    def step(ctx: Ctx) -> str:
        village = VILLAGES[ctx.story.village].name
        form = DisputeForm(dispute_type, _parties(a, b, village), summary, risk,
                           received_at=f"{ctx.day.isoformat()} 09:30", village=village)
        return ctx.disputes().register(ctx.officer, form, override_reason=override).record
    return step


def _session(text: str) -> Callable[[Ctx], Any]:
    return lambda ctx: ctx.disputes().add_session(ctx.officer, ctx.story.record,
                                                  mediators=ctx.officer.name, record_text=text)


def _agree(terms: list[tuple[str, str, int]]) -> Callable[[Ctx], Any]:
    def step(ctx: Ctx) -> Any:
        svc = ctx.disputes()
        doc = svc.draft_agreement(ctx.story.record)
        names = [p["name"] for p in doc["parties"]]
        doc.update(facts="双方因此事多次争吵，经调解查明事实", disputed_points="责任如何分担",
                   responsibilities="双方各有责任，以协议约定为准",
                   terms=[{"content": c, "how": h, "due": (ctx.day + timedelta(days=d)).isoformat()}
                          for c, h, d in terms],
                   signatures={"parties": names, "mediator": ctx.officer.name, "seal": True},
                   effective_on=ctx.day.isoformat())
        return svc.record_agreement(ctx.officer, ctx.story.record, doc)
    return step


def _fail(referral: str, unit: str = "") -> Callable[[Ctx], Any]:
    return lambda ctx: ctx.disputes().record_failure(
        ctx.officer, ctx.story.record, reason="双方分歧较大，调解不成", referral_to=referral, unit=unit)


DISPUTES: list[Story] = [
    Story("dispute", 0, 12, [
        (V, 0, _register("邻里关系", "王德明", "王玉林", "两家因排水沟堵塞、污水流入院内发生争执")),
        (V, 2, _session("调解员到现场查看排水沟，双方同意共同清理")),
        (V, 3, _agree([("王玉林清理排水沟并加装盖板", "王玉林自行出工出料", 10),
                       ("王德明补偿王玉林材料费300元", "当面付清", 5)])),
        (V, 6, lambda ctx: ctx.disputes().record_confirmation(
            ctx.officer, ctx.story.record, "已申请", court="新县人民法院"))]),
    Story("dispute", 1, 2, [
        (V, 0, _register("婚姻家庭", "李春霞", "赵永刚", "夫妻因外出打工收入分配争吵，女方要求离婚，"
                                                   "男方亲属扬言动手", risk="高"))]),
    Story("dispute", 2, 35, [
        (V, 0, _register("劳资", "张志强", "刘建业", "张志强在刘建业的砖厂干活，工钱八千元未结清")),
        (V, 4, _session("刘建业称已部分结清，双方对金额说法不一")),
        (V, 8, _fail("劳动争议仲裁", "新县劳动人事争议仲裁委员会"))]),
    Story("dispute", 3, 30, [
        (V, 0, _register("土地", "陈德明", "陈长青", "两户承包地地界不清，为一垄地多次争吵")),
        (V, 3, _session("村调解室组织双方核对二轮延包台账，分歧较大")),
        (V, 5, _fail("上报镇调处中心")),
        (T, 8, _session("镇调处中心会同司法所现场丈量，双方认可丈量结果")),
        (T, 9, lambda ctx: ctx.disputes().record_oral_agreement(
            ctx.officer, ctx.story.record, terms=[{
                "content": "按丈量结果重新埋设界桩", "how": "双方共同埋设",
                "due": (ctx.day + timedelta(days=7)).isoformat()}])),
        (T, 17, lambda ctx: ctx.disputes().revisit(
            ctx.officer, ctx.story.record, "部分履行", method="上门", note="界桩已埋，一户仍有怨言"))]),
    Story("dispute", 0, 45, [
        (V, 0, _register("住宅房屋", "王振海", "王秀兰", "翻建房屋时滴水檐伸入邻家院内")),
        (V, 5, _session("双方各执一词，约定下周再调"))]),
    Story("dispute", 1, 20, [
        (C, 0, _register("土地", "周凤英", "李庄村村委会", "修路占用承包地补偿不到位",
                         override="登记后交办镇里调处（属地管理）")),
        (C, 1, lambda ctx: ctx.disputes().assign(
            ctx.officer, ctx.story.record, town="新集镇", reason="请镇调处中心调处并书面报告结果")),
        (T, 4, _session("镇调处中心约见村委会和周凤英，核对占地面积"))]),
    Story("dispute", 1, 40, [
        (V, 0, _register("损害赔偿", "李卫国", "李金山", "李金山的牛吃了李卫国家的麦苗")),
        (V, 1, _session("双方同意按市价赔偿")),
        (V, 1, _agree([("李金山赔偿李卫国麦苗损失500元", "当面付清", 3)])),
        (V, 5, lambda ctx: ctx.disputes().revisit(ctx.officer, ctx.story.record, "全部履行",
                                                  method="电话", note="赔偿款已付清"))]),
]


# petitions ------------------------------------------------------------------------------------
def _petition(name: str, phone: str, summary: str, category: str = "申诉求决",
              channel: str = "来访", **extra: Any) -> Callable[[Ctx], Any]:
    def step(ctx: Ctx) -> str:
        village = VILLAGES[ctx.story.village].name
        form = PetitionForm(channel, category, [PetitionerForm(name, phone=phone)], summary,
                            village=village, received_at=f"{ctx.day.isoformat()} 10:00", **extra)
        return ctx.petitions().register(ctx.officer, form).record
    return step


def _accept(ctx: Ctx) -> Any:
    return ctx.petitions().accept(ctx.officer, ctx.story.record)


def _answer(opinion: str, result: str = "支持") -> Callable[[Ctx], Any]:
    return lambda ctx: ctx.petitions().answer(ctx.officer, ctx.story.record, opinion=opinion,
                                              result=result)


def _appeal(ctx: Ctx) -> str:
    form = PetitionForm("来访", "申诉求决", [PetitionerForm("孙桂兰", phone="13903768821")],
                        "不服镇里的答复，请求复查", appeal_of=ctx.story.notes["answered"],
                        received_at=f"{ctx.day.isoformat()} 09:00")
    return ctx.petitions().register(ctx.officer, form).record


PETITIONS: list[Story] = [
    Story("petition", 0, 2, [
        (V, 0, _petition("王桂芝", "13837601122", "反映村里低保评议不公开，要求公布评议结果"))]),
    Story("petition", 1, 22, [
        (V, 0, _petition("李秀梅", "13937602233", "反映宅基地审批一年多没有结果"))]),
    Story("petition", 2, 30, [
        (V, 0, _petition("张国强", "15037603344", "反映村道硬化工程质量差，刚修半年就开裂")),
        (T, 2, _accept),
        (T, 3, lambda ctx: ctx.petitions().assign_leader(
            ctx.officer, ctx.story.record, {"name": "郑伟", "post": "副镇长"}, note="工程质量问题，领导包案")),
        (T, 6, lambda ctx: ctx.petitions().record_reception(
            ctx.officer, ctx.story.record, "郑伟", "张国强反映村道开裂，郑副镇长答应组织质量检测",
            outcome="一周内请县交通局检测", place="镇信访接待室"))]),
    Story("petition", 3, 25, [
        (V, 0, _petition("陈玉梅", "13637604455", "反映自家门前排水沟被邻居填平，雨天积水")),
        (T, 2, _accept),
        (T, 10, _answer("经现场查看，已责令恢复排水沟，村里监督落实")),
        (T, 12, lambda ctx: ctx.petitions().rate(ctx.officer, ctx.story.record, "满意",
                                                how="电话"))]),
    Story("petition", 0, 95, [
        (V, 0, _petition("王长顺", "18837605566", "反映2019年机动地调整时多划了自家承包地")),
        (T, 3, _accept),
        (T, 20, _answer("经核对二轮延包台账，调整程序合法，不予退还", "不支持")),
        (T, 75, lambda ctx: ctx.petitions().terminate(
            ctx.officer, ctx.story.record, basis="逾期未请求复查", follow_up="王振华")),
        (V, 80, lambda ctx: ctx.petitions().follow_up(ctx.officer, ctx.story.record,
                                                      "上门走访，王长顺情绪稳定"))]),
    Story("petition", 1, 40, [
        (V, 0, _petition("孙桂兰", "13903768821", "反映危房改造补助被村里扣留一部分")),
        (T, 2, _accept),
        (T, 15, _answer("经查补助已全额发放到户，扣留一说不实", "不支持")),
        (C, 20, _appeal),
        (C, 21, _accept),
        (C, 30, lambda ctx: ctx.petitions().answer(
            ctx.officer, ctx.story.record, opinion="镇里处理意见正确，予以维持", result="不支持",
            review_result="维持"))]),
    Story("petition", 2, 10, [
        (C, 0, _petition("刘翠英", "15137606677", "反映村里修路占用自家责任田未补偿")),
        (C, 1, lambda ctx: ctx.petitions().assign(
            ctx.officer, ctx.story.record, town="新集镇", reason="属地管理，请镇里办理并报结果")),
        (T, 3, _accept)]),
    Story("petition", 3, 15, [
        (V, 0, _petition("陈建华", "13737607788", "建议在村小学门口设置减速带和警示牌",
                         category="建议意见", channel="来信")),
        (T, 3, _accept),
        (T, 9, _answer("建议合理，已安排交管站设置减速带", "采纳"))]),
    Story("petition", 2, 18, [
        (V, 0, _petition("张德胜", "15837608899", "不服法院判决，要求镇里改判")),
        (T, 2, lambda ctx: ctx.petitions().refuse(
            ctx.officer, ctx.story.record, ground="other_organ", reason="属于人民法院职权范围"))]),
    Story("petition", 0, 8, [
        (T, 0, _petition("王建设", "13703761122", "王湾村四组群众反映征地青苗补偿未发放到户",
                         group_size=12, representatives=["王建设", "陈广福", "李金花"])),
        (T, 1, _accept)]),
]


# risk assessments -----------------------------------------------------------------------------
def _plan(matter: str, unit: str, assessors: str) -> Callable[[Ctx], Any]:
    return lambda ctx: ctx.risks().plan(ctx.officer, matter=matter, responsible_unit=unit,
                                        assessors=assessors, plan="公示、问卷、入户走访和座谈，形成评估报告")


def _opinions(participants: int, objecting: int, strong: int, summary: str) -> Callable[[Ctx], Any]:
    return lambda ctx: ctx.risks().gather_opinions(
        ctx.officer, ctx.story.record, method="问卷", participants=participants,
        objecting=objecting, strongly_objecting=strong, summary=summary)


def _analyse(control: str = "符合") -> Callable[[Ctx], Any]:
    fine = ("符合", "经审查符合要求")
    return lambda ctx: ctx.risks().analyse(
        ctx.officer, ctx.story.record, legality=fine, reasonableness=("基本符合", "多数群众认可"),
        feasibility=fine, controllability=(control, "少数意见可以化解" if control == "符合"
                                          else "部分群众反应强烈，可能阻工"))


RISKS: list[Story] = [
    Story("risk_assessment", 0, 30, [
        (V, 0, _plan("王湾村集体土地流转给种植合作社", "王湾村村委会", "王振华、李建国、王丽")),
        (V, 4, _opinions(200, 20, 2, "多数赞成，少数担心租金偏低")),
        (V, 8, _analyse()),
        (V, 9, lambda ctx: ctx.risks().grade(ctx.officer, ctx.story.record, grade="低",
                                             reasons="多数群众理解支持",
                                             measures=["租金每三年按市场价调整"])),
        (V, 10, lambda ctx: ctx.risks().report(ctx.officer, ctx.story.record,
                                               conclusion="低风险，可以实施")),
        (V, 12, lambda ctx: ctx.risks().decide(
            ctx.officer, ctx.story.record, decision="实施", meeting_name="村两委会议",
            attendees="王振华、李建国、王丽", reason="评估为低风险，措施已落实"))]),
    Story("risk_assessment", 1, 20, [
        (T, 0, _plan("在李庄村北建设生活垃圾转运站", "新集镇人民政府", "张敏、郑伟、孙丽")),
        (T, 3, _opinions(210, 90, 30, "附近群众担心臭味和运输噪声")),
        (T, 7, _analyse("不符合")),
        (T, 8, lambda ctx: ctx.risks().grade(ctx.officer, ctx.story.record, grade="中",
                                             reasons="部分群众反应强烈")),
        (T, 9, lambda ctx: ctx.risks().report(ctx.officer, ctx.story.record,
                                              conclusion="中风险，建议暂缓实施，调整选址后重新评估")),
        (T, 11, lambda ctx: ctx.risks().decide(
            ctx.officer, ctx.story.record, decision="暂缓实施", meeting_name="镇党委会",
            attendees="张敏、郑伟、孙丽、赵文博", reason="可控性不符合，先调整选址"))]),
    Story("risk_assessment", 3, 5, [
        (V, 0, _plan("陈湾村修建村级文化广场", "陈湾村村委会", "陈德明、陈静、镇司法所")),
        (V, 2, _opinions(80, 3, 0, "群众普遍支持，希望晚上有路灯"))]),
]


# 民意台账 ---------------------------------------------------------------------------------------
def _heard(name: str, content: str, how: str = "入户走访") -> Callable[[Ctx], Any]:
    def step(ctx: Ctx) -> str:
        event = ctx.opinions().collect(ctx.officer, OpinionForm(content, [{"name": name}], how=how))
        return event["record"]
    return step


OPINIONS: list[Story] = [
    Story("opinion", 0, 9, [
        (V, 0, _heard("王秀珍", "问高龄津贴什么时候发，要带什么材料")),
        (V, 1, lambda ctx: ctx.opinions().sort(ctx.officer, ctx.story.record, category="政策咨询",
                                               route="answer")),
        (V, 1, lambda ctx: ctx.opinions().answer(ctx.officer, ctx.story.record, method="上门",
                                                 answer="已告知每月10日前发放，带身份证和存折",
                                                 level="满意"))]),
    Story("opinion", 1, 1, [
        (V, 0, _heard("李大爷", "村西头的路灯坏了半年没人修", how="座谈会"))]),
    Story("opinion", 2, 25, [
        (V, 0, _heard("张翠兰", "和邻居因为院墙滴水吵了好几次，想请村里调解")),
        (V, 1, lambda ctx: ctx.opinions().sort(ctx.officer, ctx.story.record, category="矛盾纠纷",
                                               route="dispute")),
        (V, 2, lambda ctx: ctx.opinions().to_dispute(ctx.officer, ctx.story.record,
                                                     dispute_type="邻里关系", other_party="张长林",
                                                     risk="低"))]),
    Story("opinion", 3, 6, [
        (V, 0, _heard("陈大娘", "建议把村里闲置的小学改成老年活动中心", how="座谈会")),
        (V, 1, lambda ctx: ctx.opinions().sort(ctx.officer, ctx.story.record,
                                               category="村务决策建议", route="decision")),
        (V, 2, lambda ctx: ctx.opinions().to_decision(ctx.officer, ctx.story.record))]),
]


# running ----------------------------------------------------------------------------------------
def _place(world: "World", story: Story, level: str) -> "Place":
    if level == V:
        return world.villages[story.village]
    place = world.town if level == T else world.county
    assert place is not None
    return place


def _last_event(place: "Place", record: str) -> str:
    row = place.station.store.conn.execute(
        "SELECT id FROM events WHERE record=? ORDER BY rseq DESC LIMIT 1", (record,)).fetchone()
    return str(row[0])


def _take(world: "World", story: Story, place: "Place") -> None:
    level, offset, action = story.steps[story.done]
    place.clock.day = min(story.start + timedelta(days=offset), world.today)
    if action is _appeal:
        story.notes["answered"] = story.record   # the answer the new request contests
    result = action(Ctx(place, story))
    if story.done == 0 or action is _appeal:
        story.record = str(result)               # later steps act on the new record
    story.last = _last_event(place, story.record)
    story.done += 1


def _prepare(stories: list[Story], today: date) -> None:
    for story in stories:
        story.start = today - timedelta(days=story.days_ago)


def seed_law(world: "World", timeout: float = 180.0) -> dict[str, int]:
    """Run every story; returns how many records of each kind were seeded."""
    stories = [Story(s.kind, s.village, s.days_ago, list(s.steps))
               for s in DISPUTES + PETITIONS + RISKS + OPINIONS]
    _prepare(stories, world.today)
    deadline = time.monotonic() + timeout

    def pending(story: Story) -> bool:
        return story.done < len(story.steps)

    while any(pending(s) for s in stories):
        moved = False
        for place in world.places:
            place.sync()
            acted = False
            for story in stories:
                while pending(story) and _place(world, story, story.steps[story.done][0]) is place \
                        and (story.done == 0 or place.holds(story.last)):
                    _take(world, story, place)
                    acted = moved = True
            if acted:
                place.sync()
        if not moved:
            if time.monotonic() > deadline:
                raise DemoError("演示纠纷、信访数据在各级之间同步超时：请检查镇、县服务器是否在运行。")
            time.sleep(0.3)
    return dict(Counter(s.kind for s in stories))


__all__ = ["DISPUTES", "OPINIONS", "PETITIONS", "RISKS", "seed_law"]
