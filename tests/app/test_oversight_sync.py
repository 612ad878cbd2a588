"""The 村务监督委员会's opinion over real sync (issue #13 §3): real county and town hub
processes on 127.0.0.1 and app stations enrolled through them.

王湾村's tablet is certified by the town hub for its 监委会 (role ``village_supervision``);
李庄村's is a plain village tablet. A member signs in on 王湾村's tablet and sends an
opinion with a photo → the town center receives it and answers → the answer is at the
village. Forgeries, with the tablets' own keys (tests.support.malicious): an opinion from
李庄村's tablet, and a "town answer" from 王湾村's tablet, are refused by the first hub
(403, nothing stored); the same events written straight into the town hub's file (a
compromised hub) are refused again where they are applied (quarantined at the station)
and change nothing there."""
from __future__ import annotations

from contextlib import closing
from datetime import date

from app.accounts import add_cadre
from app.services.desk import Desk
from app.services.oversight import Oversight
from app.services.workflow import Attachment
from app.station import open_station
from sync import log
from sync.canonical import GENESIS
from sync.db import transaction
from sync.events import seal
from sync.ids import uuid7
from sync.client import HubClient
from sync.enroll import enroll_hub
from tests.app.conftest import Place, Township
from tests.support.hubs import HubProcess
from tests.domain.supervision.support import member_key, signed
from tests.support.malicious import MaliciousTablet, hub_state
from tests.sync.crafted import problem_of

TODAY = date(2026, 11, 27)
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
MEMBERS = [{"id": "m1", "name": "王德明", "accounting": True},
           {"id": "m2", "name": "李秀珍", "management": True},
           {"id": "m3", "name": "张国强"}]


def certified_village(town: Township, name: str) -> Place:
    """A village tablet the town hub certified for its 村务监督委员会."""
    _, code = town.town.add_node(name, "village", ("village_supervision",))
    station = open_station(town.root / f"st-{name}")
    station.enroll(town.town.url, code)
    person = add_cadre(station.store, "王振华", "村委会主任", "258046")
    place = Place(station, Desk(station, today=lambda: TODAY), person)
    town.places[name] = place
    return place


MEMBER_PIN = "369147"


def second_town(town: Township) -> HubProcess:
    """Another town hub under the same county hub (as the township fixture makes 新集镇's)."""
    hub_process = HubProcess(town.root / "town2", "town")
    hub_process.init("外镇")
    _, code = town.county.add_node("外镇", "town")
    hub = hub_process.open()
    with HubClient(town.county.url) as client:
        enroll_hub(hub, client, code)
    hub.close()
    hub_process.upstream = town.county.url
    hub_process.start()
    return hub_process


def certify_at_town(svc: Oversight, member, village: Place, center: Place) -> None:
    """The member's key offered by the tablet, checked by fingerprint at the town center
    (the town cadre types what the member's tablet shows), certified, synced back."""
    village.sync()
    center.sync()
    desk = Oversight(center.station, today=lambda: TODAY)
    [offer] = [o for o in desk.key_offers() if o["member"]["id"] == svc.member_of(member)["id"]]
    desk.certify_member_key(center.cadre, offer["record"], svc.member_fingerprint(member))
    center.sync()
    village.sync()
    assert svc.key_certified(member)


def certified_member(village: Place, center: Place):
    """王湾村's committee, its member m1's account, and m1's key certified by the town."""
    svc = Oversight(village.station, today=lambda: TODAY)
    svc.set_committee(village.cadre, "王湾村", "2026-03-01", MEMBERS,
                      [{"id": "c1", "name": "王振华", "posts": ["村民委员会成员"]}], [])
    member = svc.open_member_account(village.cadre, "m1", MEMBER_PIN)
    certify_at_town(svc, member, village, center)
    return svc, member


def opinion_payload(member: str = "m1") -> dict:
    return {"member": {"id": member, "name": "王德明"}, "on": "2026-11-20",
            "subject": "村级财务", "text": "修路款明细没有公开"}


def into_hub_file(town: Township, events: list[dict]) -> None:
    """Events written straight into the town hub's file (a compromised hub)."""
    hub = town.town.open()
    try:
        with transaction(hub.conn):
            log.insert(hub.conn, events)
            hub._index(events)
    finally:
        hub.close()


def hub_file_state(town: Township) -> dict:
    with closing(town.town.db()) as conn:
        return hub_state(conn)


def test_member_sends_town_answers_and_forgeries_are_refused_twice(township: Township) -> None:
    wang = certified_village(township, "王湾村")
    li = township.station(township.town, "李庄村", "village", ("李会计", "村委委员"))
    center = township.station(township.town, "新集镇便民服务中心", "town", ("赵镇长", "副镇长"))

    # the member's account and opinion, on 王湾村's tablet
    svc, member = certified_member(wang, center)
    sent = svc.send_opinion(member, subject="村级财务", text="修路款明细没有公开，请镇里督促",
                            photos=[Attachment(PHOTO, "image/jpeg", "公开栏.jpg")],
                            pin=MEMBER_PIN)
    wang.sync()
    center.sync()

    desk = Oversight(center.station, today=lambda: date(2026, 11, 30))
    [seen] = desk.opinions()
    assert seen.record == sent["record"] and seen.village == wang.station.node_id
    sha = seen.attachments[0]["sha256"]
    with closing(township.town.db()) as conn:     # the photo went up with the opinion
        assert conn.execute("SELECT 1 FROM blobs WHERE sha256=?", (sha,)).fetchone()
    desk.answer(center.cadre, seen.record, "已责成村委会3日内在公开栏公开修路款明细")
    center.sync()
    wang.sync()
    back = Oversight(wang.station, today=lambda: date(2026, 12, 1)).opinion(sent["record"])
    assert [a["answer"] for a in back.answers] == ["已责成村委会3日内在公开栏公开修路款明细"]
    assert back.status(15, date(2026, 12, 1)) == "已答复"
    li.sync()
    assert li.station.store.conn.execute(   # another village receives nothing of it
        "SELECT COUNT(*) FROM events WHERE record=?", (sent["record"],)).fetchone()[0] == 0

    # forgeries at the first hub: 403, nothing stored
    before = hub_file_state(township)
    forger = MaliciousTablet.of(li.station.store, township.town.url)
    problem_of(forger.push([forger.event("supervisor.opinion_sent", uuid7(), opinion_payload())]),
               403, "role_required")
    own = MaliciousTablet.of(wang.station.store, township.town.url)
    problem_of(own.push([own.event("supervisor.opinion_answered", sent["record"], {
        "on": "2026-12-01", "answer": "村里自己答复：没问题", "by": {"name": "王振华"}})]),
        403, "wrong_level")
    # a village's committee addressed to another village's tablet (owner): refused, so a
    # forger cannot push a roster into 王湾村's files under its own village's name
    problem_of(forger.push([forger.event("supervisor.committee_set", uuid7(), {
        "village": "李庄村", "elected_on": "2026-03-01", "members": MEMBERS,
        "village_members": [], "relations": []}, owner=wang.station.node_id)]),
        403, "not_our_village")
    assert hub_file_state(township) == before

    # the same events in the town hub's file (a compromised hub): refused where applied
    forged = []
    for origin, kind, record, payload in (
            (li.station.node_id, "supervisor.opinion_sent", uuid7(), opinion_payload()),
            (wang.station.node_id, "supervisor.opinion_answered", sent["record"],
             {"on": "2026-12-01", "answer": "村里自己答复：没问题", "by": {"name": "王振华"}})):
        event = {"id": uuid7(), "origin": origin, "seq": 10**6, "hlc": 1 << 62, "type": kind,
                 "v": 1, "record": record, "kind": "village_supervision", "author": "u-x",
                 "owner": None, "payload": payload}
        forged.append(seal(event, GENESIS))
    into_hub_file(township, forged)
    center.sync()
    codes = sorted(c for (c,) in center.station.store.conn.execute(
        "SELECT code FROM quarantine ORDER BY id DESC LIMIT 2"))
    assert codes == ["role_required", "wrong_level"]
    assert {e["id"] for e in forged}.isdisjoint(
        i for (i,) in center.station.store.conn.execute("SELECT id FROM events"))
    after = Oversight(center.station, today=lambda: date(2026, 12, 2))
    assert [o.record for o in after.opinions()] == [sent["record"]]
    assert len(after.opinion(sent["record"]).answers) == 1


def test_only_the_members_own_signature_gets_an_opinion_past_the_first_hub_and_the_fold(
        township: Township) -> None:
    """The people the committee supervises hold its tablet: a village cadre there, with a
    modified app (its own key and token, tests.support.malicious), writes an opinion in
    the member's name without the member's signature, with a key of its own, or alters a
    signed one; a town station of another hub certifies a key of its own for the member.
    All refused at the first hub (403, nothing stored) and, where the events get into a
    station past the hub, in the fold (kept aside as rejected, never shown)."""
    wang = certified_village(township, "王湾村")
    center = township.station(township.town, "新集镇便民服务中心", "town", ("赵镇长", "副镇长"))
    svc, member = certified_member(wang, center)
    genuine = svc.send_opinion(member, subject="村级财务", text="修路款明细没有公开",
                               pin=MEMBER_PIN)
    wang.sync()

    own_key, _ = member_key()
    cadre_app = MaliciousTablet.of(wang.station.store, township.town.url)

    def forged(payload: dict, sign_with=None, record: str | None = None) -> dict:
        event = cadre_app.event("supervisor.opinion_sent", record or uuid7(), payload,
                                author=wang.cadre.id)
        return signed(event, sign_with) if sign_with is not None else event

    [stored] = [e for e in log.of_record(wang.station.store.conn, genuine["record"])]
    altered = {**stored["payload"], "text": "村里财务一切正常，无需公开"}
    before = hub_file_state(township)
    for event, code in ((forged(opinion_payload()), "member_signature_missing"),
                        (forged(opinion_payload(), own_key), "member_signature_bad"),
                        (forged(altered, record=uuid7()), "member_signature_bad")):
        problem_of(cadre_app.push([event]), 403, code)
    assert hub_file_state(township) == before

    # another town's center (its own town hub under the same county) certifies a key of
    # its own for 王湾村's member: refused at its first hub, and the opinion signed with
    # that key is refused at 王湾村's
    other_hub = second_town(township)
    try:
        other = township.station(other_hub, "外镇便民服务中心", "town", ("钱镇长", "副镇长"))
        foreign_private, foreign_public = member_key()
        foreign = MaliciousTablet.of(other.station.store, other_hub.url)
        cert = {"village": wang.station.node_id, "member": {"id": "m1", "name": "王德明"},
                "key": foreign_public}
        problem_of(foreign.push([foreign.event("supervisor.member_key_certified", uuid7(),
                                               cert, owner=wang.station.node_id)]),
                   403, "not_our_village")
        problem_of(cadre_app.push([forged(opinion_payload(), foreign_private)]),
                   403, "member_signature_bad")
    finally:
        other_hub.stop()

    # the same forgeries written straight into the town hub's file (a compromised hub):
    # at the town center they change nothing — the fold keeps them aside as rejected
    events = [seal({**forged(payload), "seq": 10 ** 6 + i, "hlc": (1 << 62) + i,
                    "kind": "village_supervision", "owner": None}, GENESIS)
              for i, payload in enumerate((opinion_payload(), signed(
                  cadre_app.event("supervisor.opinion_sent", "r", opinion_payload()),
                  own_key)["payload"]))]
    into_hub_file(township, events)
    center.sync()
    desk = Oversight(center.station, today=lambda: TODAY)
    assert [o.record for o in desk.opinions()] == [genuine["record"]]
    held = {i for (i,) in center.station.store.conn.execute("SELECT id FROM events")}
    assert {e["id"] for e in events} <= held      # applied (no hub-side check on a relay) …
    for event, code in zip(events, ("member_signature_missing", "member_signature_bad")):
        refused = desk.opinion(event["record"])   # … and refused by the fold, kept aside
        assert refused.village == "" and [r.code for r in refused.rejected] == [code]
