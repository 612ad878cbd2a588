"""`sanji demo --data DIR`: a realistic township in a `sanji up` data directory, so every
screen has something to show (issue #3 §1).

新集镇 under 新县: four villages (王湾村 is the station under `station/`, the one `sanji up`
opens; 李庄村, 张楼村 and 陈湾村 get folders under `stations/`), the town's 便民服务中心 and a
county window (县政务服务中心县直部门窗口), each enrolled like a real tablet and syncing
through real hub processes. Every station has cadres (密码 258046), today's roster with
check-ins, and visits; the service desk holds matters in every state — accepted, in
progress, extended, escalated to the town, assigned, returned, forwarded to a county
department with a 转办函, replied, closed, refused, fed back, rated 满意 / 基本满意 /
不满意 (with reason), reopened, revisited — some of them overdue.

Each step is taken by the level that may take it, on the day it was taken (a Desk with
a demo clock), once the case's previous step has synced to that station; so the logs
are what real use would have written. Names, numbers and matters come from a seeded
random generator: the same `today` gives the same township. A station meta flag makes a
second run do nothing; a run that stopped half-way says so instead of adding more.
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from app.accounts import Cadre
from app.launch.demo_assessment import seed_assessment
from app.launch.demo_casework import STATUSES as CASEWORK_STATUSES
from app.launch.demo_casework import seed_casework
from app.launch.demo_decisions import seed_decisions
from app.launch.demo_law import seed_law
from app.launch.demo_oversight import seed_oversight
from app.launch.demo_supervision import seed_supervision
from app.launch.demo_township import (COUNTY, FINAL_STATUS, LETTER_CODE, PIN, RATING, SCRIPTS, SEED,
                               TOWN, TOWN_PHONES, VILLAGES, VISITS, person,
                               plan_cases)
from app.domain import add_working_days, rating_payload
from app.launch.hubs import (COUNTY_PORT, TOWN_PORT, local_url, open_local_hub, port_free,
                              prepare, start_hub)
from app.services.frontdesk import VisitForm, check_in, check_out, log_visit, schedule_duty
from app.launch.world import Case, DemoError, Place, World, open_demo_station, open_place
from sync.db import transaction
from sync.errors import SyncError
from sync.hub.tls import certificate_in_use
from sync.tls import peer_certificate

DONE, STARTED = "demo_seeded", "demo_started"     # station meta keys (idempotence)


# running the hubs -----------------------------------------------------------------------------
@contextmanager
def hubs(root: Path, county_port: int, town_port: int, interval: float = 0.3
         ) -> Iterator[tuple[str, str]]:
    """The county and town hubs of `root` on their ports: the running ones if they are up
    (a `sanji up` in another window), else started here and stopped afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    county_url = _hub_url(root / "county", county_port)
    town_url = _hub_url(root / "town", town_port)
    try:
        if county_url is None:
            started.append(start_hub(root / "county", "county", county_port, "新县",
                                     interval=interval))
            county_url = local_url(county_port)
        if town_url is None:
            started.append(start_hub(root / "town", "town", town_port, "新集镇",
                                     upstream=county_url, interval=interval))
            town_url = local_url(town_port)
        yield county_url, town_url
    finally:
        for proc in reversed(started):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _hub_url(data: Path, port: int) -> str | None:
    """The URL of this data dir's hub if it is already serving on `port`."""
    if port_free(port):
        return None
    url = local_url(port)
    hub = open_local_hub(data)
    try:
        own = certificate_in_use(hub)
    finally:
        hub.close()
    try:   # ours if it shows this hub's certificate (its key is in our database)
        serving = peer_certificate(url, timeout=2.0)
    except SyncError as exc:
        raise DemoError(f"端口 {port} 被别的程序占用，请先关闭它。") from exc
    if serving.strip() != own.strip():
        raise DemoError(f"端口 {port} 上运行的是另一个服务器（不是 {data} 的），请先关闭它。")
    return url


def _cases(world: World) -> list[Case]:
    return [Case(number, world.villages[p.village], p.script, p.accepted_on,
                 p.form.matter_code, p.form, list(SCRIPTS[p.script]))
            for number, p in enumerate(plan_cases(world.today,
                                                  world.villages[0].desk.rules.catalog))]


# steps ----------------------------------------------------------------------------------------
def _who(cadre: Cadre) -> dict[str, str]:
    return {"id": cadre.id, "name": cadre.name, "post": cadre.post}


def _payload(world: World, case: Case, place: Place, kind: str, rng: random.Random
             ) -> dict[str, Any]:
    desk = place.desk
    state = desk.case(case.record)
    matter = state.matter_name or "此事项"
    calendar = desk.rules.calendar
    if kind == "svc.started":
        return {"note": "已收齐材料，开始办理"}
    if kind == "svc.extended":
        wanted = add_working_days(state.due or desk.today(), 10, calendar).date
        ceiling = state.extension_ceiling or wanted   # the catalog's 延长时限
        return {"new_due": min(wanted, ceiling).isoformat(),
                "reason": "需要入户核实家庭情况，经分管领导同意延长10个工作日，已电话告知群众"}
    if kind == "svc.done_at_once":
        return {"result": "当场打印缴费证明并盖章，交给群众"}
    if kind == "svc.assigned":
        staff = place.cadres[1] if case.matter.startswith("JZ") else place.cadres[2]
        return {"assignee": _who(staff), "leader": _who(place.cadres[-1]),
                "due": add_working_days(desk.today(), 3, calendar).date.isoformat(),
                "note": f"请按时限办理{matter}"}
    if kind == "svc.returned":
        return {"reason": rng.choice(("户口簿复印件不清楚，请补交清晰复印件后重新上报",
                                      "申请书缺少本人签字，请补签后重新上报",
                                      "缺少相关证明材料，请按一次性告知单补齐后重新上报"))}
    if kind == "svc.replied":
        department = (state.letter or {}).get("department", "县直部门")
        return {"reply": rng.choice((
            f"经审核，符合{matter}条件，已批准，请群众持身份证到镇便民服务中心领取结果",
            f"已办理完毕（{matter}），相关待遇从下月起发放",
            f"经核实材料齐全，{matter}已办结，结果已录入系统")),
            "department": department, "replier": _who(rng.choice(place.cadres)),
            "receipt_returned": True}
    if kind == "svc.closed":
        if case.script == "refused":
            return {"outcome": "refused", "result": "不予办理",
                    "reason": "经入户核实，家庭人均收入高于当地标准，不符合申请条件；已告知群众可申请其他帮扶"}
        if state.status == "replied":
            return {"outcome": "resolved", "result": "已按县直部门答复办结，结果已送达群众"}
        return {"outcome": "resolved", "result": f"{matter}已办理完毕"}
    if kind == "svc.fed_back":
        return {"method": rng.choice(("电话", "当面", "上门")), "note": "已将办理结果告知群众"}
    if kind == "svc.rated":
        label = RATING[case.script]
        reason = {"dissatisfied": "办理时间太长，跑了好几趟",
                  "reopened": "救助金额比预期少，认为核算有误"}.get(case.script, "")
        return rating_payload(desk.rules.config, label, reason)
    if kind == "svc.reopened":
        limit = state.time_limit or 10
        return {"reason": "群众不满意，重新核算并办理", "time_limit_working_days": limit,
                "promised_due": add_working_days(desk.today(), limit, calendar).date.isoformat()}
    if kind == "svc.revisited":
        return {"method": "电话", "note": "回访群众，对办理结果表示认可"}
    raise DemoError(f"演示脚本里有未知的办理步骤 {kind}")


def _take_step(world: World, case: Case, place: Place) -> None:
    level, kind, offset = case.steps[case.done]
    rng = case.rng()
    place.clock.day = min(case.accepted_on + timedelta(days=offset), world.today)
    officer = case.village.cadres[0] if level == "village" else \
        rng.choice(place.cadres[:-1])          # the last one is the leader in charge
    if kind == "svc.escalated":
        event = place.desk.escalate(officer, case.record,
                                    f"{case.form.summary}，需镇里审核办理")
    elif kind == "svc.forwarded":
        department = (place.desk.rules.catalog.matter(case.matter) or {}).get(
            "forward_to", "county_hrss")
        event = place.desk.forward(officer, case.record, department,
                                   f"{case.form.summary}，请按职责审核办理并回复")
    else:
        event = place.desk.act(officer, case.record, kind,
                               _payload(world, case, place, kind, rng))
    case.last_event, case.done = event["id"], case.done + 1


def _run_cases(world: World, timeout: float = 120.0) -> None:
    for case in sorted(world.cases, key=lambda c: c.accepted_on):
        place = case.village
        place.clock.day = case.accepted_on
        taken = place.desk.intake(place.cadres[0], case.form)
        case.record, case.receipt_no, case.last_event = (taken.record, taken.receipt_no,
                                                         taken.event["id"])
    deadline = time.monotonic() + timeout

    def settled() -> bool:
        """Every step taken, and the town and each village hold their cases' last step."""
        town = world.town
        assert town is not None
        return all(not c.pending and town.holds(c.last_event) and c.village.holds(c.last_event)
                   for c in world.cases)

    while not settled():
        moved = False
        for place in world.places:
            place.sync()
            acted = False
            for case in world.cases:
                while case.pending and world.at(case.pending[0], case) is place \
                        and place.holds(case.last_event):
                    _take_step(world, case, place)
                    acted = moved = True
            if acted:
                place.sync()
        if not moved:
            if time.monotonic() > deadline:
                raise DemoError("演示数据在各级之间同步超时：请检查镇、县服务器是否在运行。")
            time.sleep(0.3)     # the town hub's relay brings the county's answers down


# duty and visits ----------------------------------------------------------------------------
def _duty(world: World, place: Place, now: datetime) -> None:
    """Yesterday's, today's and tomorrow's roster; check-ins and check-outs up to `now`.
    At 张楼村 today's 坐班 has not come in (the home screen shows 未到岗). The town center
    and 王湾村 also keep an evening duty phone (夜间), so someone is on duty at any hour."""
    store, rng = place.station.store, world.rng
    lead, desk = (place.cadres[i] for i in place.spec.roster)
    evening = place.spec.kind == "town" or place.spec.folder == "station"
    for back in (1, 0, -1):
        day = world.today - timedelta(days=back)
        shifts = [(lead, "全天", "带班"), (desk, "全天", "坐班")]
        if evening:
            shifts.append((place.cadres[0], "夜间", "坐班"))
        for cadre, shift, role in shifts:
            record = schedule_duty(store, lead, day, cadre, shift, role)
            if back < 0 or (back == 0 and place.spec.name == "张楼村" and role == "坐班"):
                continue
            start = clock_time(18, 0) if shift == "夜间" else clock_time(7, 50 + rng.randint(0, 9))
            came = datetime.combine(day, start)
            if came > now:
                continue
            check_in(store, cadre, record, came)
            left = datetime.combine(day + timedelta(days=1), clock_time(8, 0)) \
                if shift == "夜间" else datetime.combine(day, clock_time(18, 5))
            if back == 1 and left <= now:
                check_out(store, cadre, record, left,
                          "窗口事项已交接，无遗留" if role == "坐班" else "")


def _visits(world: World, place: Place, now: datetime) -> None:
    rng = world.rng
    for n, (matter, opinion, result) in enumerate(rng.sample(VISITS, 5)):
        who = person(rng, place.spec.surname, "", world.today)
        at = datetime.combine(world.today - timedelta(days=n * 2 + rng.randint(0, 1)),
                              clock_time(8 + rng.randint(0, 8), rng.randint(0, 59)))
        log_visit(place.station.store, rng.choice(place.cadres), VisitForm(
            name=who["name"], matter=matter, sex=who["sex"],
            age=str(world.today.year - int(who["id"][6:10])), phone=who["phone"],
            address=f"{place.spec.name}{who['group']}", opinion=opinion, result=result),
            min(at, now))


def _town_settings(world: World, town_url: str) -> None:
    """What the town center sets before anything is printed (镇里设置 → 文书和电话)."""
    from app.services.townrules import set_paper_setting, set_phone
    town = world.town
    assert town is not None
    leader = town.cadres[0]
    for key, (label, number) in TOWN_PHONES.items():
        set_phone(town.station, leader, key, number, label)
    set_paper_setting(town.station, leader, "papers.letter_code", LETTER_CODE,
                      "镇便民服务中心发文代字")
    set_paper_setting(town.station, leader, "papers.status_page_url", f"{town_url}/status",
                      "演示：镇服务器的查询页面（正式使用时填群众手机能打开的公网地址）")
    town.sync()


# the whole thing -------------------------------------------------------------------------------
def seed(root: Path, county_url: str, town_url: str, today: date,
         now: datetime | None = None, say: Callable[[str], None] = lambda text: None
         ) -> dict[str, Any]:
    """Seed the township into `root` (hubs running at the URLs); returns a summary.
    Does nothing (returns the first run's summary) if it was done before."""
    now = now or datetime.combine(today, datetime.now().time())
    done = _seeded(root)
    if done is not None:
        return done
    home = open_demo_station(root / "station")
    try:
        if home.store.meta.get(STARTED):
            raise DemoError("上次生成演示数据没有完成：请删除这个数据目录后重新运行 sanji demo。")
        if not home.enrolled:
            raise DemoError("村服务站还没有登记：请先运行 sanji up 或 sanji demo。")
        with transaction(home.store.conn):
            home.store.meta.set(STARTED, today.isoformat())
    finally:
        home.close()
    world = World(root, today, random.Random(SEED))
    try:
        say("登记各村服务站、镇便民服务中心和县直部门窗口，添加干部……")
        for spec in VILLAGES:
            world.villages.append(open_place(root, spec, root / "town", town_url, today))
        world.town = open_place(root, TOWN, root / "town", town_url, today)
        world.county = open_place(root, COUNTY, root / "county", county_url, today)
        _town_settings(world, town_url)
        world.cases = _cases(world)
        say("排班、签到，登记来访……")
        for place in world.places:
            _duty(world, place, now)
            if place.spec.kind == "village":
                _visits(world, place, now)
        say(f"受理 {len(world.cases)} 件事项，按村、镇、县逐级办理并同步……")
        _run_cases(world)
        say("修改信息、补齐材料、撤件、催办，来访转办，村里申请本村事项……")
        extra = seed_casework(world, now)
        say("登记矛盾纠纷、信访事项、风险评估和民意台账，逐级办理并同步……")
        law = seed_law(world)
        say("纪委设备登记，检举控告加密受理，纪委案件逐步办理（一案双查）……")
        supervision = seed_supervision(world, town_url, county_url)
        say("登记村务决策事项（四议两公开），报镇备案、审核并同步……")
        decisions = seed_decisions(world)
        say("村务监督委员会巡查、向镇里提意见，镇里答复并同步……")
        oversight = seed_oversight(world, town_url)
        say("镇纪委制定年度百分制考评方案，评分人打分……")
        assessment = seed_assessment(world, town_url)
        summary = {
            "today": today.isoformat(), "cases": len(world.cases) + extra,
            "by_status": dict(sorted((Counter(FINAL_STATUS[c.script] for c in world.cases)
                                      + CASEWORK_STATUSES).items())),
            "stations": {p.spec.name: str(root / p.spec.folder) for p in world.places},
            "pin": PIN, "law": law, "supervision": supervision, "decisions": decisions,
            "assessment": assessment, "oversight": oversight}
        home_store = world.villages[0].station.store
        with transaction(home_store.conn):
            home_store.meta.set(DONE, json.dumps(summary, ensure_ascii=False))
        return summary
    finally:
        for place in world.places:
            place.station.close()


def run_demo(root: Path, county_port: int = COUNTY_PORT, town_port: int = TOWN_PORT,
             today: date | None = None, now: datetime | None = None,
             say: Callable[[str], None] = lambda text: None) -> dict[str, Any]:
    """`sanji demo`: prepare the `sanji up` layout if needed, run the hubs, seed."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    if _seeded(root) is None:
        say("生成演示乡镇数据（约半分钟）：启动县、镇服务器……")
    prepare(root, county_port, town_port)
    done = _seeded(root)
    if done is not None:
        return done
    with hubs(root, county_port, town_port) as (county_url, town_url):
        return seed(root, county_url, town_url, today or date.today(), now, say)


def _seeded(root: Path) -> dict[str, Any] | None:
    if not (root / "station").exists():
        return None
    home = open_demo_station(root / "station")
    try:
        raw = home.store.meta.get(DONE)
    finally:
        home.close()
    return dict(json.loads(raw), again=True) if raw else None


def describe(summary: dict[str, Any]) -> str:
    from app.domain.service.state import STATUS_NAMES
    head = "演示数据已经生成过，没有重复添加。" if summary.get("again") else "演示数据已生成。"
    lines = [f"{head}（{summary['today']}）共 {summary['cases']} 件便民服务事项："]
    lines += [f"  {STATUS_NAMES.get(k, k)}：{v} 件" for k, v in summary["by_status"].items()]
    names = {"dispute": "矛盾纠纷", "petition": "信访事项", "risk_assessment": "风险评估",
             "opinion": "民意台账"}
    if summary.get("law"):
        lines.append("另有" + "、".join(f"{names.get(k, k)} {v} 件"
                                       for k, v in summary["law"].items()) + "（各个办理阶段都有）。")
    lines.append(f"各站点数据目录（干部登录密码均为 {summary['pin']}，用 sanji app --data 目录 打开）：")
    lines += [f"  {name}：{path}" for name, path in summary["stations"].items()]
    return "\n".join(lines)
