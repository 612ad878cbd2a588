"""The declaration of who may write what (app.domain.authority), as pure rules."""
from __future__ import annotations

import re

import pytest

from app.domain.authority import OWN, WRITERS, Author, check_write, in_force
from schemas import load_registry

VILLAGE = Author("v1", "village", "t-hub", frozenset(), "XJ001")
CENTER = Author("c1", "town", "t-hub", frozenset(), "XJ000")
JIWEI = Author("j1", "town", "t-hub", frozenset({"discipline"}), "XJ009")
WINDOW = Author("w1", "county", "c-hub", frozenset(), "XA001")
HAN = re.compile(r"[\u4e00-\u9fff]")


def event(event_type: str, payload: dict | None = None, record: str = "r1",
          owner: str | None = None, author: str | None = "u1") -> dict:
    return {"type": event_type, "record": record, "owner": owner, "payload": payload or {},
            "author": author}


def refused(event_: dict, author: Author, code: str) -> str:
    verdict = check_write(event_, author)
    assert not verdict.ok and verdict.code == code, verdict
    assert HAN.search(verdict.message), verdict
    return verdict.message


def test_every_event_type_has_a_declaration_and_nothing_else_does() -> None:
    known = {event_type for event_type, _ in load_registry().schemas}
    assert known == set(WRITERS)
    assert refused(event("visit.forged"), VILLAGE, "no_writer")


def test_rules_come_from_a_town_or_the_county_never_from_a_village() -> None:
    rules = event("config.set", {"key": "calendar.holidays.2031", "value": {}})
    message = refused(rules, VILLAGE, "wrong_level")
    assert message.startswith("村里不能下发规则配置") and "镇里、县直部门" in message
    assert check_write(rules, CENTER).ok and check_write(rules, WINDOW).ok
    for catalog in ("catalog.matter_added", "catalog.matter_retired", "catalog.phone_set"):
        refused(event(catalog), VILLAGE, "wrong_level")


def test_an_announcement_speaks_for_its_author_with_its_certified_values() -> None:
    own = {"name": "王湾村", "level": "village", "hub": "t-hub", "short_code": "XJ001"}
    assert check_write(event("node.announced", own, record="v1"), VILLAGE).ok
    refused(event("node.announced", own, record="j1"), VILLAGE, "not_self")
    for key, value in (("level", "town"), ("short_code", "XJ002"), ("hub", "other")):
        refused(event("node.announced", {**own, key: value}, record="v1"), VILLAGE,
                "not_certified")
    sealing = {"name": "纪委", "level": "town", "seal_key": "k"}
    refused(event("node.announced", {**own, "seal_key": "k"}, record="v1"), VILLAGE,
            "role_required")
    refused(event("node.announced", sealing, record="c1"), CENTER, "role_required")
    assert check_write(event("node.announced", sealing, record="j1"), JIWEI).ok


def test_only_steps_that_move_a_record_may_hand_it_on() -> None:
    refused(event("svc.updated", owner="v1"), VILLAGE, "owner_not_movable")
    refused(event("visit.amended", owner="v1"), CENTER, "owner_not_movable")
    assert check_write(event("svc.escalated", owner="t-hub"), VILLAGE).ok
    assert check_write(event("dispute.assigned", owner="t-hub"), WINDOW).ok
    moving = {t for t, w in WRITERS.items() if w.moves}
    assert moving == {"svc.escalated", "svc.forwarded", "svc.returned", "svc.closed",
                      "dispute.failed", "dispute.escalated", "dispute.assigned",
                      "petition.assigned",
                      # issue #8 §3: a withdrawn case goes back to the accepting station; a
                      # village's own matter is addressed to its town hub
                      "svc.withdrawn", "catalog.matter_proposed",
                      # issue #13 §3: what the town records for a village (its committee,
                      # a member's certified key) is addressed to that village's tablet —
                      # checked to name the village's own node (app/authority.py)
                      "supervisor.committee_set", "supervisor.member_key_certified"}


@pytest.mark.parametrize("event_type", ["svc.accepted", "petition.registered"])
def test_a_receipt_number_carries_the_authors_own_station_code(event_type: str) -> None:
    mine = {"receipt_no": "XJ001-261127-0001-55"}
    assert check_write(event(event_type, mine), VILLAGE).ok
    message = refused(event(event_type, {"receipt_no": "XJ002-261127-0001-55"}), VILLAGE,
                      "receipt_not_yours")
    assert "XJ001" in message
    refused(event(event_type, mine), Author("v9", "village", "t", frozenset(), None),
            "receipt_not_yours")


def test_a_password_is_reset_on_the_stations_own_tablet_in_a_cadres_name() -> None:
    """忘记密码 (app.password_reset): any level's station, for its own cadres (the record
    and the vouching cadre are checked against their creator where they are held:
    tests/app/test_authority_matrix.py); never without the cadre who vouches, never
    handing the record on."""
    reset = {"method": "colleague"}
    assert WRITERS["cadre.password_reset"].record == OWN
    for author in (VILLAGE, CENTER, JIWEI, WINDOW):
        assert check_write(event("cadre.password_reset", reset, author="c-2"), author).ok
    message = refused(event("cadre.password_reset", reset, author=None), VILLAGE, "no_author")
    assert "哪位干部" in message
    refused(event("cadre.password_reset", reset, owner="t-hub"), VILLAGE, "owner_not_movable")


def test_levels_of_workflow_steps() -> None:
    refused(event("svc.escalated"), CENTER, "wrong_level")
    refused(event("svc.replied"), CENTER, "wrong_level")
    refused(event("svc.assigned"), VILLAGE, "wrong_level")
    refused(event("dispute.taken"), VILLAGE, "wrong_level")
    refused(event("petition.leader_assigned"), VILLAGE, "wrong_level")
    refused(event("petition.accusation_sealed", {"level": "town"}), VILLAGE, "not_certified")
    assert check_write(event("svc.replied"), WINDOW).ok


def test_a_towns_rules_are_in_force_in_its_own_subtree_the_countys_everywhere() -> None:
    here = frozenset({"v1", "t-hub", "c-hub"})
    elsewhere = frozenset({"v7", "t2-hub", "c-hub"})
    assert in_force(CENTER, here) and not in_force(CENTER, elsewhere)
    assert in_force(WINDOW, here) and in_force(WINDOW, elsewhere)
    assert not in_force(VILLAGE, here) and not in_force(None, here)
