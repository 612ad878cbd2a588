"""The 村务监督委员会 at work (issue #13 §3) on real encrypted station files: a member's
account on the village tablet the town certified for the committee records an inspection
(with a photo) and sends an opinion; a plain village cadre cannot; the member's account
cannot do the village's business; the opinion reaches the town (relayed as a hub would,
with certificates checked on apply), the town answers, the answer comes back to the
village; the answered-on-time count; the town's 党风政风监督组 roster."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.services.decisions import VillageDecisions as Decisions
from app.services.errors import ServiceError
from app.services.frontdesk import VisitForm, log_visit
from app.services.oversight import Oversight
from app.services.workflow import Attachment
from sync.errors import StoreError
from sync.ids import uuid7
from sync.store import NewEvent
from tests.ui.stations import PIN, carry, cadre, make_station, unlocked

TODAY = date(2026, 11, 27)
MEMBERS = [{"id": "m1", "name": "王德明", "accounting": True},
           {"id": "m2", "name": "李秀珍", "management": True},
           {"id": "m3", "name": "张国强"}]
VILLAGE = [{"id": "c1", "name": "王振华", "posts": ["村民委员会成员"]}]
PHOTO = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 50


@pytest.fixture
def places(tmp_path: Path):
    village = unlocked(make_station(tmp_path / "v", roles=("village_supervision",)))
    town = unlocked(make_station(tmp_path / "t", name="新集镇便民服务中心", kind="town",
                                 short_code="XJ900", cadres=(("赵镇长", "副镇长"),)))
    try:
        yield village, town
    finally:
        village.close()
        town.close()


def events_of(station, kind: str) -> int:
    return station.store.conn.execute("SELECT COUNT(*) FROM events WHERE type=?",
                                      (kind,)).fetchone()[0]


MEMBER_PIN = "369147"


def member_account(village, town=None) -> tuple[Oversight, object]:
    """The member's account; with `town`, its key certified there (the town cadre types
    the fingerprint the member's tablet shows) and the certificate carried back."""
    svc = Oversight(village, today=lambda: TODAY)
    officer = cadre(village, "李建国")
    svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
    member = svc.open_member_account(officer, "m1", MEMBER_PIN)
    if town is not None:
        certify(svc, member, village, town)
    return svc, member


def certify(svc: Oversight, member, village, town) -> None:
    carry(village, town)
    desk = Oversight(town, today=lambda: TODAY)
    [offer] = [o for o in desk.key_offers() if o["member"]["name"] == member.name]
    desk.certify_member_key(cadre(town, "赵镇长"), offer["record"], svc.member_fingerprint(member))
    carry(town, village)
    assert svc.key_certified(member)


def test_member_sends_town_answers_answer_comes_back(places) -> None:
    village, town = places
    svc, member = member_account(village, town)
    assert svc.member_of(member)["name"] == "王德明"
    inspection = svc.record_inspection(member, subject="村务公开", place="村委会公开栏",
                                       findings="10月财务收支没有上墙", pin=MEMBER_PIN,
                                       photos=[Attachment(PHOTO, "image/jpeg", "公开栏.jpg")])
    opinion = svc.send_opinion(member, subject="村级财务", text="请镇里督促村委会公开修路款明细",
                               inspection=inspection["record"], pin=MEMBER_PIN)
    kept, refused = svc.inspections()
    assert [i.findings for i in kept] == ["10月财务收支没有上墙"] and refused == []
    assert village.blobs.read(kept[0].attachments[0]["sha256"]) == PHOTO
    assert svc.opinion(opinion["record"]).status(15, TODAY) == "待镇里答复"

    assert carry(village, town) > 0
    desk = Oversight(town, today=lambda: date(2026, 12, 3))
    [seen] = desk.opinions()
    assert seen.village == village.node_id and seen.member["name"] == "王德明"
    answered = desk.answer(cadre(town, "赵镇长"), seen.record, "已责成村委会3日内公开明细")
    assert answered.answered_on == date(2026, 12, 3) and not answered.rejected

    carry(town, village)
    back = Oversight(village, today=lambda: date(2026, 12, 4)).opinion(opinion["record"])
    assert back.answers[0]["answer"] == "已责成村委会3日内公开明细"
    assert back.answers[0]["by"]["name"] == "赵镇长"
    assert back.status(15, date(2026, 12, 4)) == "已答复"
    counts = desk.on_time()
    assert (counts[village.node_id].good, counts[village.node_id].bad) == (1, 0)
    # the 百分制's opinions_answered criterion reads the same (app.services.assessment_data)
    from app.services.assessment_data import READERS
    items = READERS["opinions_answered"](town, 2026, date(2026, 12, 3))
    assert items == {village.node_id: [{"due": "2026-12-12", "done": "2026-12-03"}]}


def test_a_plain_cadre_cannot_write_for_the_committee(places) -> None:
    village, _ = places
    svc, _member = member_account(village)
    plain = cadre(village, "李建国")
    for call in (lambda: svc.send_opinion(plain, subject="村级财务", text="冒名"),
                 lambda: svc.record_inspection(plain, subject="村务公开", findings="冒名")):
        with pytest.raises(ServiceError, match="村务监督委员会成员本人登录"):
            call()
    assert events_of(village, "supervisor.opinion_sent") == 0


def test_the_members_account_reads_but_never_does_the_villages_business(places) -> None:
    village, _ = places
    svc, member = member_account(village)
    decisions = Decisions(village, today=lambda: TODAY)
    decisions.publish(cadre(village, "李建国"), category="财务收支", title="2026年10月财务收支")
    files = svc.village_files()
    assert [p["title"] for p in files["finances"]] == ["2026年10月财务收支"]
    before = events_of(village, "decision.published")
    with pytest.raises(ServiceError, match="不能办理村里的事项"):
        decisions.publish(member, category="一般事项", title="监委会成员冒充村委会公开")
    with pytest.raises(ServiceError, match="不能办理村里的事项"):
        svc.set_committee(member, "王湾村", "2026-04-01", MEMBERS, VILLAGE, [])
    assert events_of(village, "decision.published") == before
    # nor through a path that is no record service: the station's own store refuses it
    # (app.authority.StationPolicy), e.g. a 来访登记 or a duty roster
    with pytest.raises(StoreError) as caught:
        log_visit(village.store, member, VisitForm(name="张三", matter="咨询低保"),
                  datetime(2026, 11, 27, 9, 0))
    assert caught.value.code == "member_supervises_only" and "村干部" in caught.value.message
    assert events_of(village, "visit.logged") == 0


def test_bad_input_says_what_to_do_and_writes_nothing(places) -> None:
    village, town = places
    svc, member = member_account(village, town)
    with pytest.raises(ServiceError, match="请选择监督事项"):
        svc.send_opinion(member, subject="", text="x", pin=MEMBER_PIN)
    with pytest.raises(ServiceError, match="看到的情况或意见"):
        svc.record_inspection(member, subject="村务公开", findings="   ", pin=MEMBER_PIN)
    with pytest.raises(ServiceError, match="还没有到"):
        svc.send_opinion(member, subject="村务公开", text="x", on="2027-01-01", pin=MEMBER_PIN)
    with pytest.raises(ServiceError, match="密码不对"):
        svc.send_opinion(member, subject="村务公开", text="x", pin="258046")
    with pytest.raises(ServiceError, match="登录密码确认"):       # no 密码, no session
        svc.send_opinion(member, subject="村务公开", text="x")
    assert events_of(village, "supervisor.opinion_sent") == 0
    with pytest.raises(ServiceError, match="由镇里答复"):
        svc.answer(member, svc.send_opinion(member, subject="村务公开", text="x",
                                            pin=MEMBER_PIN)["record"], "自己答复")
    carry(village, town)
    desk = Oversight(town, today=lambda: TODAY)
    [seen] = desk.opinions()
    with pytest.raises(ServiceError, match="答复意见"):
        desk.answer(cadre(town, "赵镇长"), seen.record, "  ")
    assert events_of(town, "supervisor.opinion_answered") == 0


def test_the_members_key_is_kept_wrapped_and_counts_once_the_town_checked_it(places) -> None:
    village, town = places
    svc, member = member_account(village)
    # before the town's check the member cannot sign; the screen says where to go
    with pytest.raises(ServiceError, match="到镇里") as caught:
        svc.send_opinion(member, subject="村级财务", text="x", pin=MEMBER_PIN)
    assert svc.member_fingerprint(member) in str(caught.value)
    # the private half is nowhere in clear: not in the station's (decrypted) database,
    # not in any file of the station's directory
    from app.services import member_keys
    entry = member_keys.decode(village.store.meta.get(member_keys.META_KEY + member.id))
    private = member_keys.unwrap(member.id, entry, MEMBER_PIN)
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                              PrivateFormat)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    import base64
    needles = (raw, raw.hex().encode(), base64.b64encode(raw), base64.b64encode(raw)[:40])
    conn = village.store.conn
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    dump = b"".join(v if isinstance(v, bytes) else str(v).encode()
                    for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row)
    assert entry["public"].encode() in dump           # the scan does see what is stored
    assert not any(n in dump for n in needles)
    for path in village.data.rglob("*"):
        if path.is_file():
            assert not any(n in path.read_bytes() for n in needles), path
    # a wrong fingerprint typed at the town certifies nothing
    carry(village, town)
    desk = Oversight(town, today=lambda: TODAY)
    [offer] = desk.key_offers()
    assert offer["fingerprint"] == svc.member_fingerprint(member)
    with pytest.raises(ServiceError, match="指纹对不上"):
        desk.certify_member_key(cadre(town, "赵镇长"), offer["record"], "1234 5678 9012 3456")
    assert events_of(town, "supervisor.member_key_certified") == 0
    with pytest.raises(ServiceError, match="镇里"):             # the village certifies nothing
        svc.certify_member_key(cadre(village, "李建国"), offer["record"], offer["fingerprint"])
    certify(svc, member, village, town)
    assert desk.key_offers() == []
    # signing with the session unlocked at sign-in, no 密码 typed again
    member_keys.unlock_at_sign_in(village.store.meta.get, member.id, MEMBER_PIN)
    try:
        sent = svc.send_opinion(member, subject="村级财务", text="修路款明细没有公开")
    finally:
        member_keys.lock_session()
    assert svc.opinion(sent["record"]).rejected == ()


def test_after_a_pin_reset_the_member_gets_a_new_key_and_old_opinions_stand(places) -> None:
    """忘记密码: a colleague's reset cannot re-wrap the member's key (no one else can open
    it); at the next sign-in a new key is made and offered, checked at the town again;
    what the old key signed stays valid."""
    from app.accounts import reset_pin
    from app.services import member_keys
    from app.services.oversight import member_sign_in
    village, town = places
    svc, member = member_account(village, town)
    old = svc.send_opinion(member, subject="村级财务", text="修路款明细没有公开", pin=MEMBER_PIN)
    old_print = svc.member_fingerprint(member)
    reset_pin(village.store, member.id, "135790")
    try:
        member_sign_in(village, member, "135790")
        assert svc.member_fingerprint(member) != old_print and not svc.key_certified(member)
        with pytest.raises(ServiceError, match="到镇里"):
            svc.send_opinion(member, subject="村级财务", text="x")
        certify(svc, member, village, town)
        new = svc.send_opinion(member, subject="村务公开", text="公开栏没有更新")
    finally:
        member_keys.lock_session()
    carry(village, town)
    desk = Oversight(town, today=lambda: TODAY)
    assert {o.record for o in desk.opinions()} == {old["record"], new["record"]}
    assert all(not o.rejected for o in desk.opinions())


def test_an_uncertified_village_tablet_opens_no_member_account(tmp_path: Path) -> None:
    village = unlocked(make_station(tmp_path / "plain"))
    try:
        svc = Oversight(village, today=lambda: TODAY)
        officer = cadre(village, "李建国")
        svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE, [])
        with pytest.raises(ServiceError, match="认证为村务监督委员会"):
            svc.open_member_account(officer, "m1", PIN[::-1])
        # its own store refuses a forged opinion written past the service
        with pytest.raises(StoreError) as caught:
            village.store.append(NewEvent("supervisor.opinion_sent", uuid7(), {
                "member": {"id": "m1", "name": "王德明"}, "on": "2026-11-20",
                "subject": "村级财务", "text": "冒名"}, officer.id))
        assert caught.value.code == "role_required"
    finally:
        village.close()


def test_the_town_records_its_supervision_group(places, tmp_path: Path) -> None:
    """Only the town 纪委's certified device records the 党风政风监督组 (review M1): the
    便民服务中心's tablet is refused; a forged roster (no 组长, dated 9999) is refused
    where it is written; the latest recorded roster is the one shown."""
    village, town = places
    member_account(village)
    jiwei = unlocked(make_station(tmp_path / "j", name="新集镇纪委", kind="town", short_code="XJ901",
                                  cadres=(("周正", "纪委书记"),), roles=("discipline",)))
    try:
        carry(village, jiwei)
        desk = Oversight(jiwei, today=lambda: TODAY)
        with pytest.raises(ServiceError, match="王振华是村民委员会成员"):
            desk.set_group(cadre(jiwei, "周正"), [{"name": "周立新", "post": "组长"},
                                                {"name": "王振华", "post": "成员"}])
        assert desk.group() is None
        desk.set_group(cadre(jiwei, "周正"), [{"name": "周立新", "post": "组长", "unit": "镇纪委"},
                                            {"name": "吴敏", "post": "成员", "unit": "党政办"}])
        assert [m["name"] for m in desk.group()["members"]] == ["周立新", "吴敏"]
        with pytest.raises(ServiceError, match="只有纪委的登记设备可以登记党风政风监督组"):
            Oversight(town, today=lambda: TODAY).set_group(
                cadre(town, "赵镇长"), [{"name": "周立新", "post": "组长"}])
        assert events_of(town, "supervisor.group_set") == 0
        for payload, code in (
                ({"on": "9999-12-31", "members": [{"name": "周立新", "post": "组长"}]}, "bad_date"),
                ({"on": "2026-11-20", "members": [{"name": "吴敏", "post": "成员"}]}, "bad_group")):
            with pytest.raises(StoreError) as caught:
                jiwei.store.append(NewEvent("supervisor.group_set", uuid7(), payload,
                                            cadre(jiwei, "周正").id))
            assert caught.value.code == code
        # a roster typed with an earlier date, recorded later, is the one in force
        desk.set_group(cadre(jiwei, "周正"), [{"name": "吴敏", "post": "组长"}], on="2026-01-05")
        carry(jiwei, town)
        assert [m["name"] for m in Oversight(town, today=lambda: TODAY).group()["members"]] == ["吴敏"]
    finally:
        jiwei.close()
    with pytest.raises(ServiceError, match="由镇里登记"):
        Oversight(village, today=lambda: TODAY).set_group(
            cadre(village, "李建国"), [{"name": "周立新", "post": "组长"}])
