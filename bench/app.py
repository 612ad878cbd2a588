"""Station app benchmark (issue #3 §5): ``python -m bench.app``.

Prints three figures, each measured on the real code path:

1. cold start to first drawn frame: a fresh ``python -m bench.app_child`` process runs
   ``app.ui.main.run_app`` offscreen (SDL_VIDEODRIVER=offscreen, KIVY_NO_ARGS=1) on the
   seeded 100,000-case station folder. The station is enrolled (identity written with
   Store.set_identity: kind village, short code XJ001, as enrollment leaves it) and nobody
   is signed in, so the app opens at the sign-in screen, as it does every morning. The
   figure is from just before the process is spawned to the return of the first
   ``Window.flip()`` that shows the app's root widget (CLOCK_MONOTONIC is system-wide on
   Linux, so the two processes' clocks compare). Then the first cadre's 密码 is entered:
   the keyring's Argon2id unwraps the database key, the encrypted store opens and the
   home screen is drawn (issue #11); "start" is up to that frame, the unlock included. Background sync is off (it would start
   3 s later anyway). One unmeasured start first (a persistent KIVY_HOME under bench-out/
   gets its config written, as on a tablet after its first day), then the median of
   --starts runs (7), with the child's CPU seconds, which other load on the machine
   disturbs less than wall time. Also shown: an empty station, for comparison.
2. intake save latency: ``Desk.intake`` (validation, receipt counter, one svc.accepted
   event through the store with the case projection and its full-text row, in the same
   transaction) on a copy of the 100,000-case store, 200 saves, each timed as a whole.
   The store runs WAL with synchronous=FULL, so each save includes its commits' fsyncs
   (two: the receipt counter, then the event) on whatever disk bench-out/ lives on.
3. ledger search: ``ledger(conn, LedgerFilter(text=q, limit=201))`` exactly as the 台账
   screen calls it (it asks for 200 + 1 rows), 200 realistic queries over 100,000 cases:
   applicants' full names and two-character names, matter words, receipt numbers and
   fragments, village names. 10 unmeasured queries warm the page cache first.

The 100,000 cases are seeded through the real write path: svc.accepted payloads built by
app.domain.accepted_payload, appended with Store.append_many in batches (envelope and
schema check, hash chain, projections in the same transaction), over four years of
working days, from 24 catalog matters weighted as a village sees them (社保, 医保, 低保
first), with names, ID numbers (valid check digit), phones, groups and colloquial
summaries. Every seeded case is at 受理 (one event each); later steps are not seeded.
The seeded folder is cached under bench-out/app/ (gitignored); --fresh rebuilds it.
--profile save|search|start prints a cProfile of that phase.

The station is encrypted as every station is (SQLCipher; its key wrapped by the cadres'
密码, app/keyring.py). Save and search are also measured on a plain (unencrypted)
export of the same store in the same run, and the key derivation alone, so the cost of
encryption at rest is printed beside the plain figures.

Last line: ``app: start <s> s, save p95 <ms> ms, search p95 <ms> ms at 100000 cases``.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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
        self.matters = rules.catalog.doc["matters"]
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


# --- measurements -------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary_ms(values: list[float]) -> str:
    return (f"p50 {pct(values, 50) * 1000:.1f} ms, p95 {pct(values, 95) * 1000:.1f} ms, "
            f"max {max(values) * 1000:.1f} ms")


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


def kdf_seconds(runs: int = 5) -> list[float]:
    from app.keyring import KDF
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        KDF.derive(PIN, os.urandom(16))
        times.append(time.perf_counter() - t)
    return times


def copy_station(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in ("station.sqlite", "station.sqlite-wal", "station.keys"):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)
    return dst


def cold_starts(data: Path, runs: int, profile: bool = False) -> list[dict[str, float]]:
    home = OUT / "kivy-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home), "KIVY_NO_FILELOG": "1",
           "KIVY_NO_CONSOLELOG": "1", "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER",
                                                                        "offscreen"),
           "PYTHONPATH": str(ROOT)}
    results = []
    for i in range(runs + 1):            # the first is a warm-up, not counted
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            report = Path(fh.name)
        prof = OUT / "start.prof"
        cmd = [sys.executable, *(["-m", "cProfile", "-o", str(prof)] if profile and i else []),
               "-m", "bench.app_child", str(data), str(report), PIN]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=120)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        try:
            got = json.loads(report.read_text() or "{}")
        finally:
            report.unlink(missing_ok=True)
        if proc.returncode != 0 or "first_frame" not in got:
            raise RuntimeError("app child failed:\n" + proc.stderr.decode(errors="replace")[-3000:])
        if i:
            results.append({k: v - t0 for k, v in got.items()} | {"exit": wall, "cpu": cpu})
        if profile and i:
            print(f"(start profiled under cProfile, slower; stats in {prof})", file=sys.stderr)
            pstats.Stats(str(prof), stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            break
    return results


def describe_starts(label: str, runs: list[dict[str, float]]) -> tuple[float, str]:
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    unlocked = ", ".join(f"{r['unlocked']:.2f}" for r in runs)
    return med["unlocked"], (
        f"{label}: home drawn after the 密码 {med['unlocked']:.2f} s median of {len(runs)} "
        f"[{unlocked}] — python up {med['main']:.2f}, kivy+window {med['window']:.2f}, app "
        f"imported {med['imported']:.2f}, build() done {med['built']:.2f}, sign-in screen "
        f"drawn {med['first_frame']:.2f}; unlock: Argon2id {med['key'] - med['unlock_start']:.2f}"
        f", encrypted store open {med['store_open'] - med['key']:.2f}, home screen built and "
        f"drawn {med['unlocked'] - med['store_open']:.2f}; the whole process (to exit) used "
        f"{med['cpu']:.2f} s CPU")


def bare_commits(data: Path, key: bytes | None, count: int = 100) -> list[float]:
    """One-row write transactions on the same file and connection settings (WAL,
    synchronous=FULL): what the disk's fsync alone costs a save (it makes two)."""
    from sync.db import connect, transaction
    conn = connect(data / "station.sqlite", key)
    try:
        times = []
        for i in range(count):
            t = time.perf_counter()
            with transaction(conn):
                conn.execute("INSERT INTO meta(key, value) VALUES('bench:commit', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (i,))
            times.append(time.perf_counter() - t)
        return times
    finally:
        conn.close()


def intake_saves(station: Any, officer: Any, count: int, profile: bool) -> list[float]:
    from app.services.desk import Desk, IntakeForm
    try:
        desk = Desk(station)
        rules = desk.rules
        faker = CaseFaker(rules, seed=99)
        forms = []
        for _ in range(count):
            matter = faker.rnd.choices(faker.matters, faker.matter_weights)[0]
            names = [m["name"] for m in matter["materials"]]
            forms.append(IntakeForm(
                name=faker.name(), phone=f"139{faker.rnd.randint(0, 99_999_999):08d}",
                matter_code=matter["code"], summary=faker.summary(matter["code"]),
                sex="女", id_number=faker.id_number(faker.rnd.randint(1950, 2000)),
                group=faker.rnd.choice(GROUPS),
                materials_present=[n for n in names if faker.rnd.random() < 0.8]))
        desk.intake(officer, forms[0])   # warm the rules cache and statement cache
        times = []
        prof = cProfile.Profile() if profile else None
        for form in forms:
            if prof:
                prof.enable()
            t = time.perf_counter()
            desk.intake(officer, form)
            times.append(time.perf_counter() - t)
            if prof:
                prof.disable()
        if prof:
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return times
    finally:
        station.close()


@dataclass
class Query:
    kind: str
    text: str


def search_queries(conn: Any, count: int) -> list[Query]:
    """Realistic things a cadre types into the 台账 search box."""
    rnd = random.Random(5)
    people = [r[0] for r in conn.execute(
        "SELECT applicant FROM cases ORDER BY random() LIMIT 400") if r[0]]
    receipts = [r[0] for r in conn.execute(
        "SELECT receipt_no FROM cases ORDER BY random() LIMIT 100")]
    words = ("低保", "养老", "医保", "救助", "特困", "党员", "组织关系", "失业", "创业贷款", "社保卡",
             "异地就医", "慢特病", "报销", "生育登记", "奖励扶助", "缴费证明", "新生儿", "临时救助",
             "住院", "糖尿病", "低保复核", "养老金")
    out: list[Query] = []
    for i in range(count):
        r = i % 10
        if r in (0, 1, 2):          # a person's full name, as on their ID card
            out.append(Query("full name", rnd.choice(people)))
        elif r == 3:                # a two-character name (王芳) or surname + first given char
            name = rnd.choice(people)
            out.append(Query("2-char name", name[:2]))
        elif r in (4, 5, 6):
            out.append(Query("matter word", rnd.choice(words)))
        elif r == 7:                # a receipt number, whole or the part people read out
            rec = rnd.choice(receipts)
            out.append(Query("receipt", rnd.choice((rec, rec[6:17], rec[13:17], rec[6:12]))))
        else:
            # the station's own name is on every one of its cases: the broadest search
            out.append(Query("village", rnd.choice((STATION_NAME, *VILLAGES, "李庄", "张楼"))))
    return out


def searches(station: Any, count: int, profile: bool
             ) -> tuple[list[float], dict[str, list[float]], list[tuple[float, str, int]]]:
    from app.services.ledger import LedgerFilter, ledger
    try:
        conn = station.store.conn
        today = date.today()
        queries = search_queries(conn, count)
        for q in queries[:10]:
            ledger(conn, LedgerFilter(text=q.text, limit=SHOWN), today)
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        slow: list[tuple[float, str, int]] = []
        prof = cProfile.Profile() if profile else None
        for q in queries:
            if prof:
                prof.enable()
            t = time.perf_counter()
            rows = ledger(conn, LedgerFilter(text=q.text, limit=SHOWN), today)
            dt = time.perf_counter() - t
            if prof:
                prof.disable()
            times.append(dt)
            by_kind.setdefault(q.kind, []).append(dt)
            slow.append((dt, q.text, len(rows)))
        if prof:
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
        return times, by_kind, sorted(slow, reverse=True)[:5]
    finally:
        station.close()


def main(argv: list[str] | None = None) -> int:
    from app.accounts import list_cadres
    parser = argparse.ArgumentParser(prog="python -m bench.app", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached seeded store")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--starts", type=int, default=7, help="measured cold starts (median)")
    parser.add_argument("--profile", choices=("save", "search", "start"), action="append",
                        default=[],
                        help="print a cProfile of that phase to stderr")
    args = parser.parse_args(argv)
    n = args.cases

    data, seed_line = ensure_seeded(n, args.fresh)
    print(seed_line, flush=True)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          "(other processes share it: the start figure is the most sensitive)", flush=True)

    kdf = kdf_seconds()
    print(f"unlock: Argon2id (64 MiB, 3 passes, 4 lanes: app/keyring.py) derives a 密码's key in "
          f"{statistics.median(kdf):.3f} s median of {len(kdf)}", flush=True)
    times, by_kind, slow = searches(open_seeded(data), args.searches, "search" in args.profile)
    search_p95 = pct(times, 95) * 1000
    print(f"search: {len(times)} ledger searches over {n:,} cases (台账, {SHOWN} rows max): "
          f"{summary_ms(times)}", flush=True)
    for kind, values in by_kind.items():
        print(f"  {kind:<12} n={len(values):<3} {summary_ms(values)}")
    print("  slowest: " + "; ".join(f"{q!r} {dt * 1000:.0f} ms ({rows} rows)"
                                   for dt, q, rows in slow))

    scratch = copy_station(data, OUT / "save-scratch")
    plain = plain_copy(data, OUT / "plain-scratch")
    try:
        station = open_seeded(scratch)
        key = station.key
        officer = list_cadres(scratch)[0]
        saves = intake_saves(station, officer, args.saves, "save" in args.profile)
        commits = bare_commits(scratch, key)
        plain_times, _, _ = searches(open_plain(plain), args.searches, False)
        plain_saves = intake_saves(open_plain(plain), officer, args.saves, False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(plain, ignore_errors=True)
    save_p95 = pct(saves, 95) * 1000
    print(f"save: {len(saves)} Desk.intake saves on a copy of the {n:,}-case store "
          f"(synchronous=FULL, 2 commits each): {summary_ms(saves)}", flush=True)
    print(f"  for scale, a bare one-row commit on the same disk: {summary_ms(commits)}")
    print(f"encryption at rest: search p95 {search_p95:.1f} ms against {pct(plain_times, 95) * 1000:.1f}"
          f" ms on a plain export of the same store; save p95 {save_p95:.1f} ms against "
          f"{pct(plain_saves, 95) * 1000:.1f} ms", flush=True)

    start, start_line = describe_starts(f"start ({n:,}-case station)",
                                        cold_starts(data, args.starts,
                                                    "start" in args.profile))
    print(start_line, flush=True)
    empty = make_station(Path(tempfile.mkdtemp(prefix="sanji-bench-empty-")) / "station")
    try:
        _, empty_line = describe_starts("start (empty enrolled station)",
                                        cold_starts(empty, max(1, args.starts // 2)))
    finally:
        shutil.rmtree(empty.parent, ignore_errors=True)
    print(empty_line, flush=True)

    targets = [("start", start, 2.5, "s"), ("save p95", save_p95, 30, "ms"),
               ("search p95", search_p95, 50, "ms")]
    print("targets: " + ", ".join(f"{name} {value:.2f} {unit} {'≤' if value <= limit else '>'} "
                                  f"{limit} {'ok' if value <= limit else 'MISSED'}"
                                  for name, value, limit, unit in targets))
    print(f"app: start {start:.2f} s, save p95 {save_p95:.1f} ms, search p95 {search_p95:.1f} ms "
          f"at {n} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
