"""The demo township's 村务监督委员会 (issue #13 §3): 王湾村's committee (elected, checked
against 组织法 Art 32, reviewed in last year's 民主评议), an account for its member 王德明 on
王湾村's tablet (which ``sanji up`` enrolls with the town's ``village_supervision``
certification) whose own signing key the town center certified (the fingerprint checked
as a town cadre would, app.services.member_keys), an inspection with a photo of the
公开栏, two opinions to the town, each signed with 王德明's 密码 — one
answered by the town center, one still waiting — and the town's 党风政风监督组.  Kept apart
from app.launch.demo (which calls ``seed_oversight``).

Written the way real use writes it: through app.services.oversight on each tablet, with
sync rounds between them (the demo's own clock set to each day).
"""
from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from app.launch.demo_township import PIN
from app.launch.demo_supervision import TOWN_JIWEI
from app.launch.world import Place, World, open_place
from app.services.oversight import Oversight
from app.services.workflow import Attachment

MEMBERS = [{"id": "m:王德明", "name": "王德明", "accounting": True},
           {"id": "m:李秀珍", "name": "李秀珍", "management": True},
           {"id": "m:张国强", "name": "张国强"}]
COMMITTEE = [{"id": "c:王振华", "name": "王振华", "posts": ["村民委员会成员"]},
             {"id": "c:李建国", "name": "李建国", "posts": ["村民委员会成员"]}]
ACCOUNT = "王德明"          # the member with an account on 王湾村's tablet
GROUP = [{"name": "周正", "post": "组长", "unit": "镇纪委"},
         {"name": "吴清", "post": "副组长", "unit": "镇纪委"},
         {"name": "孙丽", "post": "成员", "unit": "社保所"}]


def _photo() -> bytes:
    """A small picture of a notice board (the demo has no camera)."""
    from PIL import Image, ImageDraw
    board = Image.new("RGB", (160, 110), (232, 236, 242))
    draw = ImageDraw.Draw(board)
    draw.rectangle((8, 8, 152, 102), outline=(150, 30, 30), width=4)
    for y in range(24, 96, 12):
        draw.line((20, y, 140 - (y % 30), y), fill=(40, 40, 60), width=2)
    out = io.BytesIO()
    board.save(out, "PNG")
    return out.getvalue()


def _on(place: Place, world: World, days_ago: int) -> Oversight:
    place.clock.day = world.today - timedelta(days=days_ago)
    return Oversight(place.station, today=place.clock)


def _set_group(world: World, town_url: str) -> None:
    """The 党风政风监督组, recorded by the town 纪委's device (its 监督责任: authority.py)."""
    jiwei = open_place(world.root, TOWN_JIWEI, world.root / "town", town_url, world.today,
                       ("discipline",))
    try:
        jiwei.sync()
        _on(jiwei, world, 60).set_group(jiwei.cadres[0], GROUP,
                                        on=(world.today - timedelta(days=60)).isoformat())
        jiwei.sync()
    finally:
        jiwei.station.close()


def seed_oversight(world: World, town_url: str) -> dict[str, Any]:
    village, town = world.villages[0], world.town
    assert town is not None
    try:
        officer = village.cadres[0]
        committee = _on(village, world, 400)
        committee.set_committee(officer, village.spec.name,
                                (world.today - timedelta(days=400)).isoformat(),
                                MEMBERS, COMMITTEE, [])
        _on(village, world, 40).record_review(
            officer, village.spec.name, (world.today - timedelta(days=40)).isoformat(),
            {m["id"]: "称职" for m in MEMBERS})
        member = committee.open_member_account(officer, f"m:{ACCOUNT}", PIN)
        village.sync()                  # the member takes the tablet to the town center,
        town.sync()                     # whose cadre types the fingerprint it shows
        certifier = _on(town, world, 30)
        [offer] = certifier.key_offers()
        certifier.certify_member_key(town.cadres[0], offer["record"],
                                     committee.member_fingerprint(member) or "")
        town.sync()
        village.sync()
        seen = _on(village, world, 25).record_inspection(
            member, subject="村务公开", place="村委会公开栏",
            findings="第三季度财务收支只公布了总数，修路款没有逐笔列出",
            photos=[Attachment(_photo(), "image/png", "公开栏.png")], pin=PIN)
        answered = _on(village, world, 24).send_opinion(
            member, subject="村级财务", inspection=seen["record"], pin=PIN,
            text="修村道的款项支出请逐笔公开，并说明施工队是怎么选定的；请镇里督促")
        _on(village, world, 3).send_opinion(
            member, subject="惠农政策落实", pin=PIN,
            text="今年危房改造名单公示时间太短，只贴了两天，请镇里核查")
        village.sync()
        town.sync()
        desk = _on(town, world, 15)
        desk.answer(town.cadres[0], answered["record"],
                    "已责成王湾村村委会十日内在公开栏逐笔公开修路款支出，并由镇经管站派人核对；"
                    "施工队选定经过了村民代表会议，会议记录一并公开")
        _set_group(world, town_url)
        town.sync()
        village.sync()
        return {"members": len(MEMBERS), "inspections": 1, "opinions": 2, "answered": 1,
                "keys_certified": 1}
    finally:
        village.clock.day = town.clock.day = world.today
