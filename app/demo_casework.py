"""The cadres' everyday work in the demo township (issue #8 §3), seeded after the planned
cases (app.demo): a 村级证明 受理并办结 on the spot, a 高龄津贴 application that came in
from a visit with a material missing, was completed (补齐材料), reported up in the village's
words, forwarded by the town from them and urged (催办); a 残疾人两项补贴 case the village
urged at the town; a 宅基地 application whose phone was corrected (修改信息); a 临时救助
application withdrawn (撤件); a neighbours' quarrel registered as a dispute from a visit; a
village's own matter the town approved and another waiting in the town's inbox.

Kept apart from app.demo so the other demo additions merge cleanly; every step goes
through the same services the screens call, at the level that may take it, on the day it
was taken, after it has synced there.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING

from app.demo_township import VILLAGES, person
from app.domain import rating_payload
from app.services.desk import IntakeForm
from app.services.frontdesk import VisitForm, log_visit
from app.services.local_matters import LocalMatterForm, decide, propose

if TYPE_CHECKING:
    from app.demo import Place, World

SEED = 20261208
# What the work below leaves, by village and status (the demo summary and its tests add
# these to the planned cases'); one of the cases is forwarded to the county.
STATUSES_BY_VILLAGE = {"王湾村": Counter({"rated": 1, "forwarded": 1}),
                       "李庄村": Counter({"escalated": 1}), "张楼村": Counter({"accepted": 1}),
                       "陈湾村": Counter({"withdrawn": 1})}
STATUSES = sum(STATUSES_BY_VILLAGE.values(), Counter())
CASES_BY_VILLAGE = Counter({name: sum(c.values()) for name, c in STATUSES_BY_VILLAGE.items()})
FORWARDED = 1

OWN_MATTER = LocalMatterForm(
    name="本村公益性岗位报名", category="劳动就业", time_limit="3",
    time_limit_source="王湾村村民代表会议2026年第2次会议决定",
    legal_basis="王湾村村民代表会议决定（2026年第2次会议）\n王湾村村规民约",
    conditions="本村脱贫户、监测户家庭中有劳动能力的成员\n年满18周岁，身体能胜任保洁、护林工作",
    procedure="到村便民服务站报名\n村“两委”审核并在村务公开栏公示3天\n公示无异议的按报名先后安排上岗",
    materials="居民身份证\n户口簿，复印件", fees="免费",
    reason="村里新设保洁、护林公益性岗位，群众常来问怎么报名，需要一次告知清楚")
PENDING_MATTER = LocalMatterForm(
    name="村集体闲置房屋租用申请", category="农业农村", time_limit="10",
    time_limit_source="李庄村村民代表会议2026年第3次会议决定",
    legal_basis="《中华人民共和国村民委员会组织法》第二十四条（村集体财产的处理由村民会议讨论决定）\n"
                "李庄村村民代表会议决定",
    conditions="本村村民或在本村经营的个体工商户\n用途符合村庄规划，不用于经营娱乐场所",
    procedure="向村委会提交书面申请\n村“两委”商议后提交村民代表会议决定\n"
              "决定租用的签订租用合同并公开",
    materials="居民身份证\n租用用途说明", fees="免费（租金按村民代表会议决定的标准缴纳）",
    reason="村小学旧校舍闲置，已有三户村民来问能否租用")


def _carry(world: World, event_id: str, *places: Place, timeout: float = 60.0) -> None:
    """Sync until each of ``places`` holds ``event_id`` (through the town hub's relay)."""
    from app.demo import DemoError
    deadline = time.monotonic() + timeout
    for place in places:
        while not place.holds(event_id):
            for other in world.places:
                other.sync()
            if place.holds(event_id):
                break
            if time.monotonic() > deadline:
                raise DemoError("演示数据在各级之间同步超时：请检查镇、县服务器是否在运行。")
            time.sleep(0.3)


def _form(rng: random.Random, village: int, matter: str, summary: str, today: date,
          present: list[str] | None, world: World) -> IntakeForm:
    spec = VILLAGES[village]
    who = person(rng, spec.surname, matter, today)
    catalog = world.villages[village].desk.rules.catalog
    materials = [m["name"] for m in (catalog.matter(matter) or {})["materials"]]
    return IntakeForm(name=who["name"], phone=who["phone"], matter_code=matter,
                      summary=summary, sex=who["sex"], id_number=who["id"], group=who["group"],
                      address=f"{spec.name}{who['group']}{rng.randint(1, 60)}号",
                      materials_present=materials if present is None else present)


def seed_casework(world: World, now: datetime) -> int:
    """The work above; returns how many service cases it added."""
    assert world.town is not None
    rng, today = random.Random(SEED), world.today
    wangwan, lizhuang, zhanglou, chenwan = world.villages
    town = world.town

    def day(place: Place, back: int) -> date:
        place.clock.day = today - timedelta(days=back)
        return place.clock.day

    # 王湾村: a 村级证明 accepted and finished on the spot, told and rated at once.
    day(wangwan, 1)
    proof = wangwan.desk.intake_and_finish(wangwan.cadres[0], _form(
        rng, 0, "CZ-001", "办理子女入学需要的居住情况证明", today, None, world),
        "核实后当场出具居住情况证明，加盖村委会印章，已登记出具台账")
    wangwan.desk.act(wangwan.cadres[0], proof.record, "svc.fed_back", {"method": "当面"})
    wangwan.desk.act(wangwan.cadres[0], proof.record, "svc.rated",
                     rating_payload(wangwan.desk.rules.config, "满意"))

    # 王湾村: a visit about 高龄津贴 becomes the application; the bank card copy comes later.
    visited = datetime.combine(today - timedelta(days=6), clock_time(9, 20))
    visit = log_visit(wangwan.station.store, wangwan.cadres[2], VisitForm(
        name="王桂兰", matter="母亲今年满80周岁，想申请高龄津贴", sex="女", age="52",
        phone="13938761520", address="王湾村三组", opinion="告知申领条件和材料，可现场受理"),
        min(visited, now))
    day(wangwan, 6)
    form = IntakeForm(name="王桂兰", phone="13938761520", matter_code="FL-001",
                      summary="为母亲王玉梅（满80周岁）申请高龄津贴", sex="女",
                      address="王湾村三组", materials_present=[
                          "高龄津贴申请表", "居民身份证", "户口簿", "代办人居民身份证"])
    aged = wangwan.desk.intake(wangwan.cadres[2], form, from_visit=visit)
    day(wangwan, 4)
    wangwan.desk.supply_materials(wangwan.cadres[2], aged.record, ["社会保障卡（金融账户）"],
                                  "群众送来社会保障卡复印件")
    sent = wangwan.desk.escalate(wangwan.cadres[0], aged.record,
                                 "材料已齐全，老人行动不便，请镇民政办审核后报县民政局审批")
    _carry(world, sent["id"], town)
    day(town, 3)
    letter = town.desk.forward(town.cadres[1], aged.record, "county_civil",
                               town.desk.forward_draft(aged.record) + "请按高龄津贴发放办法审批并回复。")
    day(town, 0)
    urged = town.desk.urge(town.cadres[1], aged.record, "群众来问进度，请尽快审批并回复", "电话")

    # 李庄村: 两项补贴 reported up; the village asks the town about it.
    day(lizhuang, 5)
    disabled = lizhuang.desk.intake(lizhuang.cadres[0], _form(
        rng, 1, "FL-002", "重度残疾（肢体一级），申请重度残疾人护理补贴", today, None, world))
    up = lizhuang.desk.escalate(lizhuang.cadres[0], disabled.record,
                                "申请人肢体一级残疾、长期卧床，材料齐全，请镇里受理初审")
    day(lizhuang, 0)
    asked = lizhuang.desk.urge(lizhuang.cadres[0], disabled.record, "家属来问进度，请镇里尽快初审")

    # 张楼村: 宅基地 application, the phone written wrong at the window and corrected.
    day(zhanglou, 2)
    house = zhanglou.desk.intake(zhanglou.cadres[0], _form(
        rng, 2, "NY-002", "儿子结婚分户，申请在村庄规划区内新建住房", today, None, world))
    correct = zhanglou.desk.case(house.record).fields["applicant.phone"]
    fixed = correct[:-4] + f"{(int(correct[-4:]) + 1111) % 10000:04d}"
    corrected = zhanglou.desk.correct(zhanglou.cadres[0], house.record,
                                      {"applicant.phone": fixed}, "登记时电话号码后四位写错，群众来电更正")

    # 陈湾村: 临时救助 withdrawn (the town's civil affairs office helped directly).
    day(chenwan, 4)
    relief = chenwan.desk.intake(chenwan.cadres[0], _form(
        rng, 3, "JZ-003", "家中失火，基本生活暂时困难，申请临时救助", today,
        ["临时救助申请书", "居民身份证"], world))
    day(chenwan, 2)
    withdrawn = chenwan.desk.withdraw(chenwan.cadres[0], relief.record, "申请人撤回",
                                      "镇民政办已先行救助，群众表示不再申请")

    # 王湾村: a quarrel logged as a visit, registered as a dispute from it.
    quarrel = _visit_to_dispute(world, wangwan, now)

    # Villages' own matters: 王湾村's approved, 李庄村's waiting for the town.
    day(wangwan, 10)
    own = propose(wangwan.station, wangwan.cadres[1], OWN_MATTER, wangwan.clock.day)
    day(lizhuang, 1)
    pending = propose(lizhuang.station, lizhuang.cadres[1], PENDING_MATTER, lizhuang.clock.day)
    _carry(world, _last_event(wangwan, own), town)
    day(town, 8)
    decision = decide(town.station, town.cadres[0], own, True,
                      "同意，按王湾村村民代表会议决定执行；报名情况每月报镇人社所", town.clock.day)
    # Everything where it belongs: the town holds the villages' steps, each village the
    # town's steps on its records (and the approved matter, broadcast to all).
    _carry(world, decision[-1]["id"], *world.villages)
    for event in (asked, corrected, withdrawn, quarrel, proof.event,
                  {"id": _last_event(lizhuang, pending)}):
        _carry(world, event["id"], town)
    _carry(world, urged["id"], wangwan)
    assert letter and up
    return sum(CASES_BY_VILLAGE.values())


def _visit_to_dispute(world: World, place: Place, now: datetime) -> dict:
    from app.services.disputes import Disputes, PartyForm
    from app.services.frontdesk import visit as visit_row
    from app.services.visit_conversions import dispute_form
    at = datetime.combine(world.today - timedelta(days=1), clock_time(15, 40))
    record = log_visit(place.station.store, place.cadres[0], VisitForm(
        name="王振国", matter="与邻居王建设因排水沟堵塞、雨水流进院子发生争吵，要求村里调解",
        sex="男", age="58", phone="13603765218", address="王湾村五组",
        opinion="登记后引导到村调解室调解"), min(at, now))
    form = dispute_form(visit_row(place.station.store.conn, record))
    form.parties[1] = PartyForm(name="王建设", role="被申请人", sex="男", address="王湾村五组")
    form.dispute_type, form.risk = "邻里关系", "低"
    place.clock.day = world.today - timedelta(days=1)
    return Disputes(place.station, today=place.clock, now=lambda: min(at, now)).register(
        place.cadres[0], form, from_visit=record).event


def _last_event(place: Place, record: str) -> str:
    return place.station.store.conn.execute(
        "SELECT id FROM events WHERE record=? ORDER BY hlc DESC LIMIT 1", (record,)).fetchone()[0]
