"""Folds never let an event its author may not write change state (issue #7), even one
already stored: a file written by a version before certificates may hold forgeries that
no hub or station checked then. Real station files (tests.ui.stations: certified by a
town hub the county certified), events carried between them as a pull would, and forged
events written straight into a file's event table; then the projections are rebuilt.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.desk import Desk, IntakeForm
from app.services.rules import load_rules
from app.station import Station
from sync import log
from sync.db import transaction
from sync.events import seal
from sync.ids import uuid7
from sync.keys import SigningKey
from tests.ui.stations import TODAY, carry, cadre, make_station, other_town, unlocked


FAR_SEQ = itertools.count(10**6)   # beyond any station's own chain


@pytest.fixture
def stations(tmp_path: Path) -> Iterator[dict[str, Station]]:
    opened = {
        "A": unlocked(make_station(tmp_path / "a", "王湾村", short_code="XJ001")),
        "B": unlocked(make_station(tmp_path / "b", "李庄村", short_code="XJ002",
                                       cadres=(("王秀英", "代办员"),))),
        "center": unlocked(make_station(tmp_path / "c", "新集镇便民服务中心", kind="town",
                                            short_code="XJ000",
                                            cadres=(("赵红梅", "中心主任"),)))}
    try:
        yield opened
    finally:
        for station in opened.values():
            station.close()


def stored_as_of_old(target: Station, author: Station | None, event_type: str, record: str,
                     payload: dict[str, Any]) -> dict[str, Any]:
    """An event in `author`'s name (None: an origin no hub certified), put straight into
    `target`'s event table as an old version could have, and the projections rebuilt."""
    origin = author.node_id if author is not None else uuid7()
    event = {"id": uuid7(), "origin": origin, "seq": next(FAR_SEQ),
             "hlc": target.store.clock.now(),
             "type": event_type, "v": 1, "record": record,
             "kind": target.store.registry.kind_of(event_type, 1), "author": "u-x",
             "owner": None, "payload": payload}
    seal(event, "0" * 64)
    with transaction(target.store.conn):
        log.insert(target.store.conn, [event])
        target.projections.rebuild(target.store.conn)
    return event


def escalated_case(stations: dict[str, Station]) -> str:
    B, center = stations["B"], stations["center"]
    desk = Desk(B, today=lambda: TODAY)
    taken = desk.intake(cadre(B, "王秀英"), IntakeForm(
        name="刘桂芳", phone="13800001111", matter_code="SB-001", summary="申请参保登记"))
    desk.escalate(cadre(B, "王秀英"), taken.record, "需镇里办理")
    carry(B, center)
    carry(stations["A"], center)     # the center knows village A (its certificate)
    return taken.record


def test_a_villages_close_of_a_case_the_town_holds_is_kept_but_changes_nothing(
        stations: dict[str, Station]) -> None:
    center = stations["center"]
    record = escalated_case(stations)
    forged = stored_as_of_old(center, stations["A"], "svc.closed", record, {
        "on": TODAY.isoformat(), "outcome": "resolved", "result": "已办结"})
    state = Desk(center, today=lambda: TODAY).case(record)
    assert state.status == "escalated"
    assert [r.event_id for r in state.rejected] == [forged["id"]]
    assert center.store.conn.execute("SELECT status FROM cases WHERE record=?",
                                     (record,)).fetchone() == ("escalated",)


def test_a_step_by_an_origin_no_hub_certified_is_not_even_read(
        stations: dict[str, Station]) -> None:
    center = stations["center"]
    record = escalated_case(stations)
    stored_as_of_old(center, None, "svc.closed", record, {
        "on": TODAY.isoformat(), "outcome": "resolved", "result": "已办结"})
    state = Desk(center, today=lambda: TODAY).case(record)
    assert state.status == "escalated" and state.rejected == ()


def test_rules_from_a_village_are_not_in_force_even_if_stored(
        stations: dict[str, Station]) -> None:
    A, center = stations["A"], stations["center"]
    carry(A, center)
    before = load_rules(center.store.conn).config.town_holidays()
    stored_as_of_old(center, A, "config.set", uuid7(), {
        "key": "calendar.holidays.2031", "value": {"holidays": ["2031-03-02"],
                                                    "workdays": []}})
    assert load_rules(center.store.conn).config.town_holidays() == before
    assert center.store.conn.execute("SELECT COUNT(*) FROM config WHERE origin=?",
                                     (A.node_id,)).fetchone() == (0,)


def test_a_towns_rules_are_not_in_force_in_another_town_even_if_stored(
        stations: dict[str, Station], tmp_path: Path) -> None:
    """A town's own rules reach only its own subtree; a copy that reached another town
    (an old version broadcast them county-wide) is not obeyed there (issue #7 item 4)."""
    center = stations["center"]
    elsewhere = unlocked(make_station(tmp_path / "o", "柳河镇便民服务中心", kind="town",
                                          short_code="LH000", town=other_town()))
    try:
        carry(elsewhere, center)          # its certificate chain holds at the center
        stored_as_of_old(center, elsewhere, "config.set", uuid7(), {
            "key": "calendar.holidays.2031", "value": {"holidays": ["2031-03-02"],
                                                        "workdays": []}})
        assert 2031 not in load_rules(center.store.conn).config.town_holidays()
        stored_as_of_old(elsewhere, elsewhere, "config.set", uuid7(), {
            "key": "calendar.holidays.2031", "value": {"holidays": ["2031-03-02"],
                                                        "workdays": []}})
        assert 2031 in load_rules(elsewhere.store.conn).config.town_holidays()
    finally:
        elsewhere.close()


def test_an_announcement_about_another_node_changes_no_directory_row(
        stations: dict[str, Station]) -> None:
    A, B, center = stations["A"], stations["B"], stations["center"]
    carry(A, center)
    carry(B, center)
    row = center.store.conn.execute("SELECT * FROM nodes_dir WHERE id=?",
                                    (B.node_id,)).fetchone()
    assert row[1:3] == ("李庄村", "village")
    stored_as_of_old(center, A, "node.announced", B.node_id, {
        "name": "李庄镇", "level": "county", "seal_key": SigningKey.generate().public_b64})
    stored_as_of_old(center, A, "node.announced", A.node_id, {
        "name": "王湾村", "level": "town"})
    assert center.store.conn.execute("SELECT * FROM nodes_dir WHERE id=?",
                                     (B.node_id,)).fetchone() == row
    assert center.store.conn.execute("SELECT level FROM nodes_dir WHERE id=?",
                                     (A.node_id,)).fetchone() == ("village",)
    assert center.projections.cases.levels(center.store.conn)[A.node_id] == "village"
