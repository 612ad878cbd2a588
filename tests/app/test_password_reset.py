"""忘记密码 (app.password_reset): a colleague on the tablet vouches with their own password,
or the town hands out a one-time code that reaches the tablet by sync. Real station files;
events carried from the town to the village the way a hub relays them."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts import AccountError, sign_in
from app.password_reset import (CODE_VALID_MS, issue_reset_code, reset_by_colleague,
                                reset_with_code)
from app.station import Station, open_station
from tests.ui.stations import PIN, cadre, carry, make_station

NOW = 1_795_000_000_000


@pytest.fixture
def wangwan(tmp_path: Path):
    station = open_station(make_station(tmp_path / "wangwan",
                                        cadres=(("李建国", "村委委员"), ("王芳", "代办员"))))
    yield station
    station.close()


@pytest.fixture
def town(tmp_path: Path):
    station = open_station(make_station(tmp_path / "town", name="新集镇便民服务中心",
                                        kind="town", short_code="XJ010",
                                        cadres=(("张敏", "中心主任"),)))
    yield station
    station.close()


def _events(station: Station, kind: str) -> list[tuple[str, str, str]]:
    return station.store.conn.execute(
        "SELECT record, author, payload FROM events WHERE type=?", (kind,)).fetchall()


def test_a_colleague_vouches_with_their_own_password(wangwan: Station) -> None:
    li, wang = cadre(wangwan, "李建国"), cadre(wangwan, "王芳")
    store = wangwan.store
    with pytest.raises(AccountError, match="帮您证明的干部：密码不对"):
        reset_by_colleague(store, li.id, wang.id, "1397", "4682", NOW)
    with pytest.raises(AccountError, match="不能自己给自己"):
        reset_by_colleague(store, li.id, li.id, PIN, "4682", NOW)
    with pytest.raises(AccountError, match="容易被猜到"):
        reset_by_colleague(store, li.id, wang.id, PIN, "1234", NOW)
    assert _events(wangwan, "cadre.password_reset") == []
    assert sign_in(store, li.id, PIN, NOW).id == li.id            # nothing changed yet

    reset_by_colleague(store, li.id, wang.id, PIN, "4682", NOW)
    assert sign_in(store, li.id, "4682", NOW).id == li.id
    with pytest.raises(AccountError, match="密码不对"):
        sign_in(store, li.id, PIN, NOW)
    [(record, author, payload)] = _events(wangwan, "cadre.password_reset")
    assert (record, author) == (li.id, wang.id)                   # the colleague answers for it
    assert "4682" not in payload and "colleague" in payload


def test_the_town_code_reaches_the_tablet_by_sync_and_works_once(wangwan: Station,
                                                                 town: Station) -> None:
    li = cadre(wangwan, "李建国")
    carry(wangwan, town)                                          # the town knows 李建国
    with pytest.raises(AccountError, match="只能由镇里"):
        issue_reset_code(wangwan.store, li, li.id, wangwan.level, NOW)
    store = wangwan.store
    with pytest.raises(AccountError, match="还没有收到"):
        reset_with_code(store, li.id, "1234-5678", "4682", wangwan.hub_id(), NOW)

    code = issue_reset_code(town.store, cadre(town, "张敏"), li.id, town.level, NOW)
    assert len(code) == 9 and code[4] == "-"
    [(_, _, payload)] = _events(town, "cadre.reset_code")
    assert code.replace("-", "") not in payload                   # only its hash travels
    carry(town, wangwan)

    wrong = "0" * 8 if code.replace("-", "") != "0" * 8 else "1" * 8
    with pytest.raises(AccountError, match="重置码不对"):
        reset_with_code(store, li.id, wrong, "4682", wangwan.hub_id(), NOW)
    reset_with_code(store, li.id, code, "4682", wangwan.hub_id(), NOW)
    assert sign_in(store, li.id, "4682", NOW).id == li.id
    with pytest.raises(AccountError, match="还没有收到"):        # used up
        reset_with_code(store, li.id, code, "5791", wangwan.hub_id(), NOW)
    [(record, author, payload)] = _events(wangwan, "cadre.password_reset")
    assert (record, author) == (li.id, li.id) and "town_code" in payload


def test_a_code_is_honoured_only_from_this_towns_own_town_level_and_in_time(
        wangwan: Station, town: Station, tmp_path: Path) -> None:
    li, store = cadre(wangwan, "李建国"), wangwan.store
    # a village tablet that writes a "town" code event itself is not the town
    neighbour = open_station(make_station(tmp_path / "lizhuang", name="李庄村",
                                          short_code="XJ002", cadres=(("赵红梅", "村支书"),)))
    other_town = open_station(make_station(tmp_path / "other", name="别的镇", kind="town",
                                           short_code="XB010", cadres=(("孙强", "主任"),)))
    try:
        carry(wangwan, neighbour)
        carry(wangwan, other_town)
        other_town.store.conn.execute("UPDATE nodes_dir SET hub='hub-of-another-town'")
        forged = issue_reset_code(neighbour.store, cadre(neighbour, "赵红梅"), li.id, "town", NOW)
        foreign = issue_reset_code(other_town.store, cadre(other_town, "孙强"), li.id,
                                   other_town.level, NOW)
        carry(neighbour, wangwan)
        carry(other_town, wangwan)
        store.conn.execute("UPDATE nodes_dir SET hub='hub-of-another-town' WHERE id=?",
                           (other_town.node_id,))
        for code in (forged, foreign):
            with pytest.raises(AccountError, match="还没有收到"):
                reset_with_code(store, li.id, code, "4682", wangwan.hub_id(), NOW)
    finally:
        neighbour.close()
        other_town.close()

    carry(wangwan, town)
    code = issue_reset_code(town.store, cadre(town, "张敏"), li.id, town.level, NOW)
    carry(town, wangwan)
    with pytest.raises(AccountError, match="还没有收到"):        # a day later: expired
        reset_with_code(store, li.id, code, "4682", wangwan.hub_id(), NOW + CODE_VALID_MS + 1)
    assert sign_in(store, li.id, PIN, NOW).id == li.id
