"""The demo township's people, places and stories (data for app.launch.demo; pure, no I/O).

新集镇 under 新县 (area code 411523, 河南省信阳市新县): four villages, the town's 便民服务中心
and a county window. Matters come from the catalog (schemas/catalog/matters.json) by
handling level; each case follows a script of steps, each taken by the level that may
take it (app.domain.service.checks), a number of days after its intake. `PLAN`
puts old cases in active states on purpose, so some are overdue.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain import Catalog
from app.domain.shared.idcard import check_digit
from app.services.desk import IntakeForm

PIN = "258046"          # every demo cadre's 密码 (≥ 6 digits: app/accounts.py)
SEED = 20261128


# the township -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceSpec:
    name: str
    kind: str                       # village | town | county
    folder: str                     # under the data dir
    cadres: tuple[tuple[str, str], ...]   # the first one takes intakes at a village
    surname: str = ""               # the village's common surname
    roster: tuple[int, int] = (1, 0)  # which cadres are 带班 and 坐班 today


VILLAGES = (
    PlaceSpec("王湾村", "village", "station", (("李建国", "村委委员、便民服务站代办员"),
                                             ("王振华", "村党支部书记、村委会主任"),
                                             ("王丽", "便民服务站代办员")), "王", (1, 2)),
    PlaceSpec("李庄村", "village", "stations/lizhuang", (("李春花", "便民服务站代办员"),
                                                     ("李卫东", "村党支部书记")), "李"),
    PlaceSpec("张楼村", "village", "stations/zhanglou", (("刘翠萍", "便民服务站代办员"),
                                                     ("张国庆", "村委会主任")), "张"),
    PlaceSpec("陈湾村", "village", "stations/chenwan", (("陈静", "便民服务站代办员"),
                                                    ("陈德明", "村党支部书记")), "陈"),
)
TOWN = PlaceSpec("新集镇便民服务中心", "town", "stations/town-center",
                 (("张敏", "便民服务中心主任"), ("赵文博", "民政办科员"), ("孙丽", "社保所所长"),
                  ("郑伟", "副镇长（分管便民服务）")), roster=(0, 1))
COUNTY = PlaceSpec("县政务服务中心县直部门窗口", "county", "stations/county-window",
                   (("刘强", "县人社局科员"), ("周婷", "县民政局科员"), ("吴海涛", "县医保局科员")),
                   roster=(0, 1))

# What the town enters in 镇里设置 → 文书和电话 before anything is printed: the real numbers
# of the shipped sample phones, and the 转办函's 机关代字 (GB/T 9704 发文字号 新集便民转〔2026〕12号).
# Demo numbers in 信阳's area code (0376); the public status page is the town hub's own.
TOWN_PHONES = {
    "town_service_center": ("新集镇便民服务中心", "0376-2988123"),
    "town_discipline": ("新集镇纪委", "0376-2988125"),
    "county_org": ("县委组织部", "0376-2962101"),
    "county_civil": ("县民政局", "0376-2962211"),
    "county_health": ("县卫生健康委员会", "0376-2962323"),
}
LETTER_CODE = "新集便民转"

OTHER_SURNAMES = "刘赵孙周吴郑杨黄何罗"
MEN = ("建国", "志强", "国庆", "德明", "玉林", "保国", "卫东", "新民", "长青", "海涛", "俊杰",
       "金山", "永福", "树林", "家豪", "喆")
WOMEN = ("秀英", "桂兰", "玉梅", "淑珍", "凤英", "春花", "丽娟", "翠萍", "红霞", "静怡", "雪梅",
         "婷婷", "冬梅", "金凤", "赟")
GROUPS = "一二三四五六七八"
PHONE_PREFIXES = ("138", "139", "150", "151", "136", "187", "158", "135", "177", "188")

# What people come to the window for (catalog code → what they say), by handling level.
SUMMARIES = {
    "SB-005": "打印本人城乡居民养老保险缴费证明，办理子女上学资助用",
    "SB-001": "本人申请参加城乡居民基本养老保险，选择每年500元缴费档次",
    "YB-001": "新生儿申请参加城乡居民医保",
    "JY-001": "返乡创业，申领《就业创业证》",
    "JY-002": "原在外地工厂务工，已解除劳动合同，申请失业登记",
    "JY-004": "报名参加镇里组织的电商直播技能培训",
    "JZ-003": "家中房屋因暴雨受损，申请临时救助",
    "JZ-004": "低保家庭儿子外出务工，报告家庭收入变化",
    "DY-001": "党员到郑州工作，转出组织关系",
    "JS-001": "办理第二个孩子的生育登记",
    "JZ-001": "丈夫重病丧失劳动能力，家庭困难，申请最低生活保障",
    "JZ-002": "无劳动能力、无赡养人的老人申请特困供养",
    "JZ-005": "住院花费较大，医保报销后申请医疗救助",
    "SB-002": "年满60周岁，申请领取城乡居民养老保险待遇",
    "SB-004": "社保卡丢失，申请补办社会保障卡",
    "YB-003": "在外省住院未直接结算，申请医疗费用零星报销",
    "YB-004": "高血压、糖尿病，申请门诊慢特病待遇认定",
    "JS-002": "申报农村部分计划生育家庭奖励扶助",
    "JY-003": "开办农产品网店，申请创业担保贷款",
}
VILLAGE_MATTERS = ("SB-005",)
TOWN_MATTERS = ("SB-001", "YB-001", "JY-001", "JY-002", "JY-004", "JZ-003", "JZ-004", "DY-001",
                "JS-001")
COUNTY_MATTERS = ("JZ-001", "JZ-002", "JZ-005", "SB-002", "SB-004", "YB-003", "YB-004", "JS-002",
                  "JY-003")

# Scripts: (level that acts, event type, days after intake). Texts are filled in by _payload.
V, T, C = "village", "town", "county"
_UP = [(V, "svc.escalated", 1)]
_TOWN_CLOSES = _UP + [(T, "svc.assigned", 2), (T, "svc.closed", 6)]
_COUNTY_REPLY = _UP + [(T, "svc.forwarded", 3), (C, "svc.replied", 10)]
SCRIPTS: dict[str, list[tuple[str, str, int]]] = {
    "accepted": [],
    "in_progress": [(V, "svc.started", 1)],
    "extended": [(V, "svc.started", 1), (V, "svc.extended", 4)],
    "done_at_once": [(V, "svc.done_at_once", 0), (V, "svc.fed_back", 0), (V, "svc.rated", 0)],
    "escalated": _UP,
    "town_in_progress": _UP + [(T, "svc.assigned", 2)],
    "returned": _UP + [(T, "svc.returned", 3)],
    "forwarded": _UP + [(T, "svc.forwarded", 3)],
    "replied": _COUNTY_REPLY,
    "closed": _TOWN_CLOSES,
    "fed_back": _TOWN_CLOSES + [(V, "svc.fed_back", 7)],
    "satisfied": _COUNTY_REPLY + [(T, "svc.closed", 12), (V, "svc.fed_back", 13),
                                  (V, "svc.rated", 14)],
    "basic": _TOWN_CLOSES + [(V, "svc.fed_back", 7), (V, "svc.rated", 8)],
    "dissatisfied": _TOWN_CLOSES + [(V, "svc.fed_back", 7), (V, "svc.rated", 8)],
    "reopened": _TOWN_CLOSES + [(V, "svc.fed_back", 7), (V, "svc.rated", 8),
                                (V, "svc.reopened", 9)],
    "revisited": _COUNTY_REPLY + [(T, "svc.closed", 12), (V, "svc.fed_back", 13),
                                  (V, "svc.rated", 14), (T, "svc.revisited", 20)],
    "refused": _UP + [(T, "svc.closed", 4), (V, "svc.fed_back", 5)],
}
# The final status each script leaves (for the summary and the tests).
FINAL_STATUS = {"accepted": "accepted", "in_progress": "in_progress", "extended": "in_progress",
                "done_at_once": "rated", "escalated": "escalated",
                "town_in_progress": "in_progress", "returned": "returned",
                "forwarded": "forwarded", "replied": "replied", "closed": "closed",
                "fed_back": "fed_back", "satisfied": "rated", "basic": "rated",
                "dissatisfied": "rated", "reopened": "in_progress", "revisited": "revisited",
                "refused": "fed_back"}
RATING = {"done_at_once": "满意", "satisfied": "满意", "basic": "基本满意",
          "dissatisfied": "不满意", "reopened": "不满意", "revisited": "满意"}

# (village index, script, days ago it was accepted, matter level — or "extendable": a
# matter the catalog lets be extended). Old active cases are overdue on purpose; recent
# ones are due soon or on time.
PLAN: tuple[tuple[int, str, int, str], ...] = (
    (0, "accepted", 0, "town"), (0, "accepted", 9, "town"), (0, "in_progress", 2, "town"),
    (0, "done_at_once", 3, "village"), (0, "escalated", 2, "town"),
    (0, "forwarded", 6, "county"), (0, "replied", 16, "county"), (0, "fed_back", 10, "town"),
    (0, "satisfied", 24, "county"), (0, "dissatisfied", 15, "town"),
    (0, "reopened", 20, "town"), (0, "returned", 5, "county"),
    (1, "accepted", 1, "county"), (1, "in_progress", 30, "town"),
    (1, "extended", 12, "extendable"),
    (1, "escalated", 18, "town"), (1, "town_in_progress", 8, "town"),
    (1, "closed", 9, "town"), (1, "basic", 13, "town"), (1, "revisited", 35, "county"),
    (1, "done_at_once", 6, "village"),
    (2, "accepted", 2, "town"), (2, "escalated", 4, "county"), (2, "forwarded", 48, "county"),
    (2, "replied", 14, "county"), (2, "returned", 7, "town"), (2, "refused", 11, "town"),
    (2, "basic", 17, "town"), (2, "satisfied", 28, "county"), (2, "done_at_once", 1, "village"),
    (3, "in_progress", 3, "town"), (3, "town_in_progress", 21, "town"),
    (3, "closed", 8, "town"), (3, "dissatisfied", 12, "town"), (3, "satisfied", 22, "county"),
    (3, "fed_back", 9, "town"), (3, "done_at_once", 0, "village"), (3, "forwarded", 5, "county"),
)

VISITS = (
    ("咨询城乡居民医保缴费标准和缴费渠道", "一次性告知缴费标准和手机缴费方法", "已告知"),
    ("反映村西头路灯不亮，晚上出行不便", "登记后报村两委安排维修", "已转村委处理"),
    ("咨询高龄津贴申领条件", "告知年满80周岁可申领及所需材料", "已告知"),
    ("询问低保年审时间和需要的材料", "告知年审时间和材料清单", "已告知"),
    ("反映与邻居因排水沟发生纠纷", "引导到村调解室登记，约定次日调解", "已引导调解"),
    ("咨询新生儿医保参保手续", "告知需出生医学证明和户口簿", "已告知"),
    ("咨询返乡创业有哪些扶持政策", "介绍创业担保贷款和培训政策，留下联系方式", "已告知"),
    ("为母亲打印养老保险缴费证明", "现场打印", "已办结"),
)


def person(rng: random.Random, surname: str, matter: str, today: date) -> dict[str, str]:
    male = rng.random() < 0.5
    family = surname if surname and rng.random() < 0.7 else rng.choice(OTHER_SURNAMES)
    name = family + rng.choice(MEN if male else WOMEN)
    low, high = {"SB-002": (60, 72), "JS-001": (24, 33), "YB-001": (24, 35),
                 "JZ-002": (68, 86), "JS-002": (60, 70)}.get(matter, (22, 75))
    born = today - timedelta(days=rng.randint(low * 365 + 10, high * 365 + 300))
    order = rng.randint(10, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male
                                        else rng.choice((0, 2, 4, 6, 8)))
    first17 = f"411523{born:%Y%m%d}{order:03d}"     # 411523: 河南省信阳市新县
    return {"name": name, "sex": "男" if male else "女", "id": first17 + check_digit(first17),
            "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            "group": GROUPS[rng.randrange(len(GROUPS))] + "组"}


@dataclass(frozen=True)
class Planned:
    village: int                    # index into VILLAGES
    script: str
    accepted_on: date
    form: IntakeForm


def plan_cases(today: date, catalog: Catalog) -> list[Planned]:
    """Who comes for what, and when: the same for the same `today` (seeded)."""
    rng = random.Random(SEED)
    # Only a matter with a 延长时限 in the catalog may be extended (服务承诺制, issue #10).
    extendable = tuple(code for code in COUNTY_MATTERS + TOWN_MATTERS
                       if (catalog.matter(code) or {}).get("extended_time_limit_working_days"))
    pools = {"village": VILLAGE_MATTERS, "town": TOWN_MATTERS, "county": COUNTY_MATTERS,
             "extendable": extendable}
    planned = []
    for index, script, days_ago, level in PLAN:
        spec = VILLAGES[index]
        matter = rng.choice(pools[level])
        who = person(rng, spec.surname, matter, today)
        materials = [m["name"] for m in (catalog.matter(matter) or {}).get("materials", [])]
        if len(materials) > 2 and rng.random() < 0.35:
            materials.pop(rng.randrange(1, len(materials)))   # one missing: 一次性告知单
        planned.append(Planned(index, script, today - timedelta(days=days_ago), IntakeForm(
            name=who["name"], phone=who["phone"], matter_code=matter,
            summary=SUMMARIES[matter], sex=who["sex"], id_number=who["id"],
            group=who["group"],
            address=f"{spec.name}{who['group']}{rng.randint(1, 60)}号",
            materials_present=materials)))
    return planned
