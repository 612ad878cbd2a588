"""The seeded station of bench.app: a village station with 100,000 service cases written
through the real write path (svc.accepted payloads, Store.append_many), cached under
bench-out/app/ (gitignored; SEED_VERSION rebuilds it), opened encrypted as a cadre
would, or exported plain for the cost of encryption. See bench.app for the figures.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out" / "app"
SEED_VERSION = 2          # bump when the generated data changes: the cache is rebuilt
PIN = "258046"
STATION_NAME = "王湾村"
SHORT_CODE = "XJ001"
TOWN_HUB = "hub-xinji-town"
COUNTY_HUB = "hub-xin-county"
CADRES = (("李建国", "村委委员"), ("王秀梅", "便民服务站代办员"), ("张德胜", "村党支部书记"),
          ("刘春生", "村委会主任"))
SHOWN = 201               # the 台账 screen asks for 200 + 1 rows

# --- realistic content --------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
# The big surnames dominate in a Henan village (王 李 张 刘 about a third of everyone).
SURNAME_WEIGHTS = [9, 8, 8, 6, 5, 4, 3, 3, 3, 3] + [1] * (len(SURNAMES) - 10)
GIVEN = ("芳 伟 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 桂英 秀英 桂兰 玉兰 秀兰 建国 建华 "
         "志强 国华 海燕 春梅 凤英 淑珍 红梅 丽娟 文军 小红 明亮 家豪 子涵 浩然 雨轩 欣怡 俊杰 振华 "
         "卫东 保国 爱民 德胜 永福 金凤 翠花 秋菊 春生 根生 长青 庆华 树林 新民 学军 玉梅 秀珍 "
         "国强 建军 红霞 晓燕 文华 志刚 金花 桂芝 玉珍 喆 堃 赟").split()
VILLAGES = ("李庄村", "张楼村", "刘营村", "陈岗村", "杨集村", "黄湾村", "赵店村", "周寨村", "孙湾村",
            "马庄村", "新集村")
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组")
KIN = ("儿子", "女儿", "老伴", "孙子", "母亲", "父亲", "儿媳", "孙女")
CITIES = ("郑州", "上海", "深圳", "苏州", "杭州", "北京", "东莞", "广州")
HOSPITALS = ("县人民医院", "县中医院", "市第一人民医院", "郑大一附院", "乡镇卫生院")
ILLS = ("高血压", "糖尿病", "脑梗后遗症", "慢性肾病", "冠心病", "类风湿")

# Colloquial summaries a clerk types, per catalog category (by code prefix).
SUMMARIES: dict[str, tuple[str, ...]] = {
    "DY": ("{name}在{city}务工，要把党员组织关系转到{city}的流动党员党支部。",
           "退伍回村，党员组织关系要从部队转入本村党支部，材料已带来。",
           "外出{months}个月到{city}打工，开具党员证明信，方便在当地参加组织生活。"),
    "JY": ("从{city}返乡，想办就业创业证，准备在村里{business}。",
           "{kin}失业在家，来登记失业，想参加县里的{training}培训。",
           "想开{business}，咨询创业担保贷款，额度{amount}万元，由{kin}担保。",
           "报名{training}培训，{group}还有几个人也想报。"),
    "SB": ("给{kin}办城乡居民养老保险参保登记，一年交{fee}元档次。",
           "满60周岁，申请领取养老金，{kin}代办，养老保险交了{years}年。",
           "从{city}回来，养老保险关系要转回本县接续。",
           "{kin}社保卡丢了，申请补办社会保障卡。",
           "打印社保缴费证明，{kin}孩子上学要用。"),
    "JZ": ("家里{count}口人，{kin}常年{ill}不能干活，申请低保。",
           "老人无儿无女，{age}岁，一个人住，申请特困供养。",
           "房子失火（{month}月），家里东西烧光了，申请临时救助。",
           "低保户家里{kin}在{city}找到工作，报告收入变化。",
           "{kin}在{hospital}住院花了{amount}千元，新农合报销后还差很多，申请医疗救助。",
           "低保到期复核，{kin}{ill}住院，家庭收入没有变化。"),
    "JS": ("{kin}生了二胎，来办生育登记。", "办理生育登记，孩子在{hospital}出生。",
           "独生子女父母，年满60周岁，申报农村计划生育家庭奖励扶助。",
           "独生子女{accident}，申报计划生育特别扶助。"),
    "YB": ("给刚出生的{kin}办医保参保登记（新生儿），一年{fee}元。",
           "{kin}在{city}长期居住，办异地就医备案。",
           "{kin}在{hospital}看病的票据，来办医疗费用零星报销，共{amount}千元。",
           "{kin}有{ill}，申请门诊慢特病待遇认定。",
           "医保缴费后{kin}在{city}住院，问能不能报销，办异地就医备案。"),
}
BUSINESS = ("养鸡场", "小超市", "农家乐", "蔬菜大棚", "快递点", "电商网店", "面粉加工坊")
TRAINING = ("电工", "厨师", "育婴员", "电焊", "家政服务", "电商", "挖掘机")
ACCIDENTS = ("因病去世", "伤残（三级）", "意外去世")


class CaseFaker:
    """Seeded svc.accepted payloads, the way a station's 台账 fills up over four years."""

    def __init__(self, rules: Any, seed: int = 3) -> None:
        from app.domain import accepted_payload
        from app.domain.shared.idcard import check_digit
        self.check_digit = check_digit
        self.rules = rules
        self.accepted_payload = accepted_payload
        self.rnd = random.Random(seed)
        # The matters this faker has summaries for (the catalog has since gained more,
        # e.g. FL, TY: they are not seeded).
        self.matters = [m for m in rules.catalog.doc["matters"] if m["code"][:2] in SUMMARIES]
        # Some matters come up far more often than others (社保, 医保, 低保).
        self.matter_weights = [{"SB": 5, "YB": 5, "JZ": 4, "JS": 2, "JY": 2, "DY": 1}
                               [m["code"][:2]] for m in self.matters]

    def name(self) -> str:
        rnd = self.rnd
        return rnd.choices(SURNAMES, SURNAME_WEIGHTS)[0] + rnd.choice(GIVEN)

    def id_number(self, birth_year: int) -> str:
        rnd = self.rnd
        body = (f"4116{rnd.randint(21, 28):02d}{birth_year}{rnd.randint(1, 12):02d}"
                f"{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}")
        return body + self.check_digit(body)

    def summary(self, code: str) -> str:
        rnd = self.rnd
        text = rnd.choice(SUMMARIES[code[:2]]).format(
            name="本人", city=rnd.choice(CITIES), months=rnd.randint(2, 5),
            business=rnd.choice(BUSINESS), kin=rnd.choice(KIN), training=rnd.choice(TRAINING),
            amount=rnd.randint(2, 30), group=rnd.choice(GROUPS), fee=rnd.choice(
                (200, 300, 500, 380, 400)), years=rnd.randint(8, 15), count=rnd.randint(2, 6),
            ill=rnd.choice(ILLS), age=rnd.randint(62, 88), month=rnd.randint(1, 12),
            hospital=rnd.choice(HOSPITALS), accident=rnd.choice(ACCIDENTS))
        if rnd.random() < 0.25:   # people from neighbouring villages come here too
            text += f"户籍在{rnd.choice(VILLAGES)}，现住本村{rnd.choice(GROUPS)}。"
        return text

    def payload(self, receipt_no: str, day: date, officer: Any) -> dict[str, Any]:
        rnd = self.rnd
        matter = rnd.choices(self.matters, self.matter_weights)[0]
        names = [m["name"] for m in matter["materials"]]
        present = [n for n in names if rnd.random() < 0.8]
        birth = rnd.randint(1940, 2004)
        applicant = {"name": self.name(), "sex": rnd.choice("男女"),
                     "phone": f"1{rnd.choice('35789')}{rnd.randint(0, 999_999_999):09d}",
                     "group": rnd.choice(GROUPS)}
        if rnd.random() < 0.8:
            applicant["id_number"] = self.id_number(birth)
        if rnd.random() < 0.5:
            applicant["address"] = f"{STATION_NAME}{applicant['group']}{rnd.randint(1, 80)}号"
        missing = len(present) < len(names)
        rules = self.rules
        return self.accepted_payload(
            receipt_no=receipt_no, accepted_on=day, applicant=applicant,
            summary=self.summary(matter["code"]), actor_level="village",
            first_officer={"id": officer.id, "name": officer.name, "post": officer.post},
            calendar=rules.calendar, catalog=rules.catalog, code=matter["code"],
            present=present,
            notice_no=receipt_no.replace("-", "")[:-2] + "G" if missing else None)


# --- the station folder -------------------------------------------------------------------

def make_station(path: Path) -> Path:
    """A station folder as enrollment leaves it (identity, announcement, cadres with PIN)."""
    from app.accounts import add_cadre
    from app.station import open_station
    from sync.ids import uuid7
    from sync.keys import SigningKey
    from sync.store import Store
    path.mkdir(parents=True, exist_ok=True)
    store = Store(path / "station.sqlite")
    store.set_identity(uuid7(), SigningKey.generate(), {
        "kind": "village", "name": STATION_NAME, "short_code": SHORT_CODE, "roles": [],
        "hub": {"hub_id": TOWN_HUB, "name": "新集镇", "ancestors": [TOWN_HUB, COUNTY_HUB]}})
    store.close()
    station = open_station(path)          # no cadre yet: the setup key (app/keyring.py)
    try:
        station.announce()
        for name, post in CADRES:
            add_cadre(station.store, name, post, PIN)
    finally:
        station.close()
    return path


def seed_days(n: int, end: date) -> list[date]:
    """n acceptance dates on working days over the four years before `end`, ascending."""
    rnd = random.Random(11)
    start = end - timedelta(days=4 * 365)
    span = (end - start).days
    days = []
    while len(days) < n:
        d = start + timedelta(days=rnd.randrange(span))
        if d.weekday() < 5 or rnd.random() < 0.1:
            days.append(d)
    return sorted(days)


def seed(path: Path, n: int, batch: int = 2000) -> dict[str, float]:
    """Fill a fresh station with n accepted cases through Store.append_many."""
    from app.accounts import list_cadres
    from app.domain import format_receipt
    from app.services.rules import load_rules
    from sync.db import transaction
    from sync.ids import uuid7
    from sync.store import NewEvent

    if path.exists():
        shutil.rmtree(path)
    make_station(path)
    station = open_seeded(path)
    try:
        rules = load_rules(station.store.conn)
        faker = CaseFaker(rules)
        officers = list_cadres(station.store)
        days = seed_days(n, date.today() - timedelta(days=1))
        counters: dict[date, int] = {}
        t0 = time.perf_counter()
        built = 0.0
        done = 0
        for start in range(0, n, batch):
            tb = time.perf_counter()
            items = []
            for day in days[start:start + batch]:
                counters[day] = counters.get(day, 0) + 1
                receipt = format_receipt(SHORT_CODE, day, counters[day])
                officer = officers[faker.rnd.randrange(len(officers))]
                items.append(NewEvent("svc.accepted", uuid7(),
                                      faker.payload(receipt, day, officer), officer.id))
            built += time.perf_counter() - tb
            station.store.append_many(items)
            done += len(items)
            rate = done / (time.perf_counter() - t0)
            print(f"  seeded {done:>7,} cases  ({rate:,.0f} cases/s)", end="\r",
                  file=sys.stderr, flush=True)
        print(file=sys.stderr)
        total = time.perf_counter() - t0
        # The receipt counters a real station would hold for those days.
        with transaction(station.store.conn):
            for day, count in counters.items():
                station.store.meta.set(f"receipt:{day:%Y%m%d}", count)
        station.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        station.store.conn.execute("ANALYZE")
    finally:
        station.close()
    return {"seconds": total, "rate": n / total, "build_seconds": built}


def ensure_seeded(n: int, fresh: bool) -> tuple[Path, str]:
    path = OUT / f"station-{n}"
    stamp = path / "seeded.json"
    if not fresh and stamp.exists():
        info = json.loads(stamp.read_text())
        if info.get("version") == SEED_VERSION and info.get("cases") == n:
            return path, (f"seed: cached {path.relative_to(ROOT)} ({n:,} cases, seeded at "
                          f"{info['rate']:,.0f} cases/s in {info['seconds']:.0f} s; "
                          f"--fresh to rebuild)")
    print(f"seeding {n:,} cases into {path.relative_to(ROOT)} …", file=sys.stderr)
    info = seed(path, n)
    stamp.write_text(json.dumps({"version": SEED_VERSION, "cases": n, **info}))
    size = (path / "station.sqlite").stat().st_size / 1e6
    return path, (f"seed: {n:,} cases via Store.append_many in {info['seconds']:.0f} s "
                  f"({info['rate']:,.0f} cases/s, of which building payloads "
                  f"{info['build_seconds']:.0f} s); file {size:,.0f} MB")


def open_seeded(path: Path) -> Any:
    """The seeded station, unlocked as its first cadre would (the 密码 → key → store)."""
    from app.accounts import list_cadres
    from app.station import unlock_station
    return unlock_station(path, PIN, int(time.time() * 1000), cadre=list_cadres(path)[0].id)


def plain_copy(src: Path, dst: Path) -> Path:
    """An unencrypted export of the seeded store (SQLCipher's sqlcipher_export to a file
    keyed with ''): the baseline for the cost of encryption. Benchmarks only."""
    from sync.db import connect
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    station = open_seeded(src)
    key = station.key
    station.close()
    conn = connect(src / "station.sqlite", key)
    try:
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(dst / "station.sqlite"),))
        conn.execute("SELECT sqlcipher_export('plain')").fetchall()
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    return dst


def open_plain(path: Path) -> Any:
    """A Station over a plain file, wired as app.station.open_station wires it."""
    from app.projections import Projections, install
    from app.station import Station
    from sync.blobfiles import BlobFiles
    from sync.store import Store
    store = Store(path / "station.sqlite")
    install(store.conn)
    projections = Projections({store.node_id: "village"})
    store.projectors.append(projections)
    return Station(path, store, BlobFiles(path / "blobs"), projections)


def copy_station(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in ("station.sqlite", "station.sqlite-wal", "station.keys"):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)
    return dst
