"""The demo township's village decisions (issue #12): 王湾村 and 李庄村 keep their rosters
(party members, one working away, representatives, households), the 村民会议 has
authorised the 代表会议 for 公益事业, and matters stand at every step — just opened, filed
and waiting for the town, sent back for 补正, refused, accepted and halfway through the
meetings (one 村民代表会议 failed for want of quorum and held again), and one finished
with both 公开 — and one 一般事项 publication overdue, so the town's view has something
to flag.  Every step is taken where it may be (the village tablet, the town center) and
synced between them as real use would.  ``app.demo`` calls ``seed_decisions``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from app.services.decisions import VillageDecisions

if TYPE_CHECKING:   # app.launch.demo imports this module
    from app.launch.world import Place, World

SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "秀英", "志强", "桂兰", "海涛", "玉梅", "长林", "翠萍", "春生", "凤琴",
         "国庆", "淑芬", "明亮", "金花", "卫东", "小红", "德胜", "素珍", "永福", "爱华")


def _roster(prefix: str) -> list[dict[str, Any]]:
    """22 party members (one working away, one probationary), 16 representatives (6
    women), the secretary who is also the chair, 30 more adults in 20 households."""
    people: list[dict[str, Any]] = []
    for i in range(22):
        name = f"{SURNAMES[i % 10]}{GIVEN[i % 20]}" if i < 20 else f"{SURNAMES[i % 10]}新{GIVEN[i % 20][-1]}"
        people.append({"name": name, "party": "预备" if i == 21
                       else "正式", "female": i % 3 == 0, "birth_date": f"{1950 + i}-03-0{1 + i % 9}",
                       "household": f"{prefix}{i:02d}", "group": f"{1 + i % 4}组",
                       **({"away": True} if i == 5 else {})})
    for i in range(16):
        people.append({"name": f"{SURNAMES[(i + 3) % 10]}{GIVEN[(i + 7) % 20]}代表",
                       "representative": True, "female": i < 6,
                       "birth_date": f"{1960 + i}-06-15", "household": f"{prefix}R{i:02d}",
                       "group": f"{1 + i % 4}组"})
    people.append({"name": f"{prefix}振华", "party": "正式", "committee_member": True,
                   "birth_date": "1968-08-08", "household": f"{prefix}S", "post": "村党支部书记、村委会主任"})
    for i in range(30):
        people.append({"name": f"{SURNAMES[(i + 5) % 10]}{GIVEN[(i + 11) % 20]}{i}",
                       "female": i % 2 == 0, "birth_date": f"{1970 + i % 30}-01-20",
                       "household": f"{prefix}H{i % 20:02d}", "group": f"{1 + i % 4}组"})
    return people


def _meeting(day: date, content: str, **more: Any) -> dict[str, Any]:
    return {"date": day, "content": content, "place": "村委会会议室", "form": "现场会议",
            "signatures": "见签名页照片", "participants": "村党支部委员", "outcome": "通过",
            **more}


class _Run:
    def __init__(self, world: World, village: Place) -> None:
        self.world, self.village, self.town = world, village, world.town
        self.svc = VillageDecisions(village.station, today=village.clock)
        assert self.town is not None
        self.town_svc = VillageDecisions(self.town.station, today=self.town.clock)
        self.officer = village.cadres[0]

    def day(self, days_ago: int) -> date:
        day = self.world.today - timedelta(days=days_ago)
        self.village.clock.day = day
        assert self.town is not None
        self.town.clock.day = day
        return day

    def to_town(self) -> None:
        assert self.town is not None
        self.village.sync()
        self.town.sync()

    def to_village(self) -> None:
        assert self.town is not None
        self.town.sync()
        self.village.sync()

    def open(self, days_ago: int, title: str, kinds: list[str], secretary: str, **more: Any
             ) -> str:
        self.day(days_ago)
        return self.svc.open_matter(self.officer, title=title, motion_source=more.pop(
            "source", "党员群众建议"), reason=more.pop("reason", title), kinds=kinds,
            needs_assessment=False, secretary=secretary, chair=secretary, **more)

    def propose(self, record: str, days_ago: int) -> None:
        day = self.day(days_ago)
        self.svc.record_step(self.officer, record, "propose", _meeting(
            day, "提出方案", motion_source="党员群众建议"), merged=["discuss"])

    def file(self, record: str, days_ago: int, **more: Any) -> None:
        self.day(days_ago)
        self.svc.submit_filing(self.officer, record, legality=more.get(
            "legality", "符合村民委员会组织法和有关政策"), feasibility="资金和用地已落实",
            consultation=more.get("consultation", "已征求相关村民小组和农户意见"),
            options=more.get("options", ["方案一"]))
        self.to_town()

    def vote(self, record: str, days_ago: int, step: str, content: str, body: str,
             attendance: list[dict[str, Any]], minutes: str, **more: Any) -> date:
        day = self.day(days_ago)
        self.svc.record_step(self.officer, record, step, _meeting(
            day, content, township_attendees=[{"name": "周志刚", "post": "包村干部"}],
            minutes=minutes), body=body, attendance=attendance, **more)
        return day

    def publicise(self, record: str, days_ago: int, step: str, content: str, place: str,
                  opinions: str = "无") -> None:
        day = self.day(days_ago)
        self.svc.record_step(self.officer, record, step, {
            "date": day, "content": content, "place": place, "period_start": day,
            "period_end": day + timedelta(days=7), "supervision_opinions": opinions})

    def review(self, record: str, days_ago: int, result: str, text: str = "") -> None:
        self.day(days_ago)
        assert self.town is not None
        self.town_svc.review_filing(self.town.cadres[0], record, result=result,
                                    asked=text if result == "补正" else "",
                                    reasons=text if result == "不同意" else "")
        self.to_village()


def _votes(ids: list[str], n: int, remote: int = 0) -> list[dict[str, Any]]:
    return [{"person": p, "mode": "电话" if i < remote else "到场", "vote": "赞成"}
            for i, p in enumerate(ids[:n])]


def _village_story(world: World, village: Place, prefix: str, busy: bool) -> int:
    run = _Run(world, village)
    run.day(200)
    ids = run.svc.set_people(run.officer, _roster(prefix))
    party = ids[:21] + [ids[38]]                 # full members and the secretary
    plan_to = ids[:22] + [ids[38]]               # the plan reaches probationary members too
    reps = ids[22:38] + [ids[38]]
    secretary = ids[38]
    run.svc.authorise(run.officer, scope=["公益事业", "集体经济项目"], since=world.today -
                      timedelta(days=190), record="村民会议决定：公益事业、集体经济项目授权村民代表会议讨论决定")
    run.day(150)
    run.svc.publish(run.officer, category="一般事项", title="上半年村务公开", place="村务公开栏",
                    on=world.today - timedelta(days=150))
    run.svc.publish(run.officer, category="财务收支", title="村级财务收支公开", place="村务公开栏",
                    on=world.today - timedelta(days=150))
    count = 0
    # just opened
    run.open(3, f"{prefix}庄小学旧址改建老年活动中心", ["公益事业"], secretary,
             options=["改建", "拆除新建"], money_yuan="120000")
    count += 1
    if not busy:
        # filed, waiting for the town; and one refused
        waiting = run.open(20, "村东坑塘承包给本村养殖户", ["集体经济项目"], secretary)
        run.propose(waiting, 18)
        run.file(waiting, 10)
        refused = run.open(40, "出售村集体闲置仓库", ["处分集体财产"], secretary)
        run.propose(refused, 38)
        run.file(refused, 35)
        run.review(refused, 33, "不同意", "未经资产评估，出售价格依据不足")
        return count + 2
    # 补正 asked and not yet answered
    amend = run.open(30, "三组生产路硬化", ["公益事业"], secretary, money_yuan="260000")
    run.propose(amend, 28)
    run.file(amend, 25)
    run.review(amend, 22, "补正", "请补充占用耕地农户的书面同意和资金来源说明")
    # accepted, 党员大会 passed, a 代表会议 short of quorum then held again and passed,
    # 决议公开 under way
    road = run.open(60, "村组道路安装路灯", ["公益事业"], secretary, money_yuan="86000",
                    options=["太阳能路灯", "市电路灯"], parties_consulted=["各村民小组长"])
    run.propose(road, 58)
    run.file(road, 55, options=["太阳能路灯", "市电路灯"])
    run.review(road, 52, "同意")
    sent = {p: (world.today - timedelta(days=50)).isoformat() for p in plan_to}
    run.vote(road, 45, "review", "审议安装路灯方案", "党员大会", _votes(party, 17, remote=2),
             "审议通过", plan_sent=sent,
             proxies=[{"principal": party[18], "holder": "王志强", "scope": "本次审议"}])
    run.vote(road, 40, "resolve", "表决安装路灯方案", "村民代表会议", _votes(reps, 10),
             "到会人数不足")
    run.vote(road, 37, "resolve", "再次表决安装路灯方案", "村民代表会议", _votes(reps, 15),
             "表决通过")
    run.publicise(road, 36, "publish_resolution", "决议：安装太阳能路灯60盏", "村务公开栏、村民微信群")
    # finished: both 公开 done
    well = run.open(150, "新打机井两眼", ["公益事业"], secretary, money_yuan="64000")
    run.propose(well, 148)
    run.file(well, 145)
    run.review(well, 143, "同意")
    sent = {p: (world.today - timedelta(days=139)).isoformat() for p in plan_to}
    run.vote(well, 135, "review", "审议打井方案", "党员大会", _votes(party, 18), "审议通过",
             plan_sent=sent)
    run.vote(well, 130, "resolve", "表决打井方案", "村民代表会议", _votes(reps, 14), "表决通过")
    run.publicise(well, 128, "publish_resolution", "决议：新打机井两眼", "村务公开栏",
                  "群众建议井址靠近二组，已采纳")
    day = run.day(100)
    run.svc.record_step(run.officer, well, "implement", {
        "date": day, "content": "施工完成", "done_on": day, "notes": "两眼机井已完工验收"})
    run.publicise(well, 95, "publish_result", "实施结果：两眼机井完工，决算63500元", "村务公开栏")
    run.svc.publish(run.officer, category="重大事项", title="新打机井决议", place="村务公开栏",
                    event=well, on=world.today - timedelta(days=128))
    run.to_town()
    return count + 4


def seed_decisions(world: World) -> dict[str, int]:
    """Seed the matters; returns how many matters each village has."""
    out = {}
    for place, prefix, busy in ((world.villages[0], "王", True), (world.villages[1], "李", False)):
        out[place.spec.name] = _village_story(world, place, prefix, busy)
        place.sync()
    return out


__all__ = ["seed_decisions"]
