"""The station's key, wrapped by each cadre's 密码 (app/keyring.py, app/accounts.py):
any cadre opens the same encrypted database, a wrong 密码 opens nothing and makes the
next try wait longer (counted in the file: a restart does not reset it), the first
cadre re-encrypts the database so the setup key opens nothing afterwards, and a signed-in
cadre can set a new 密码 for a colleague who forgot theirs. Real files throughout."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from app.accounts import (AccountError, Cadre, add_cadre, check_pin_shape, list_cadres,
                          reset_pin, sign_in)
from app.keyring import FIRST_WAIT_MS, FREE_TRIES, MAX_WAIT_MS, Keyring, delay_ms
from app.sealing import META_KEY, ensure_seal_key
from app.station import Station, StationLocked, open_station
from sync.db import WrongKey, connect
from sync.ids import uuid7
from sync.keys import SigningKey

PIN, OTHER_PIN = "258046", "731950"
NOW = 1_800_000_000_000


def enrolled_station(data: Path) -> Station:
    """A new station, its identity written as enrollment writes it (no hub needed to
    test the keys: sync.enroll is tested against real hubs elsewhere)."""
    station = open_station(data)
    node = uuid7()
    station.store.set_identity(node, SigningKey.generate(), {
        "node_id": node, "name": "王湾村", "kind": "village", "token": "t",
        "hub_url": "http://127.0.0.1:9", "hub": {"hub_id": uuid7(), "name": "新集镇"}})
    return station


def two_cadres(data: Path) -> tuple[Cadre, Cadre]:
    """李建国 (PIN) and 王芳 (OTHER_PIN) at a new station, closed again."""
    station = enrolled_station(data)
    li = add_cadre(station.store, "李建国", "村委委员", PIN)
    wang = add_cadre(station.store, "王芳", "便民服务站代办员", OTHER_PIN, author=li.id)
    station.close()
    return li, wang


def every_file(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file())


def test_pins_are_six_to_twelve_digits_and_not_obvious() -> None:
    for good in ("258046", "73195024", "100000000009"):
        check_pin_shape(good)
    for bad, says in (("2580", "6 到 12 位"), ("25804a", "6 到 12 位"),
                      ("1234567890123", "6 到 12 位"), ("111111", "太容易"),
                      ("123456", "太容易"), ("987654", "太容易"), ("121212", "太容易"),
                      ("258258", "太容易")):
        with pytest.raises(AccountError, match=says):
            check_pin_shape(bad)


def test_the_waits_grow_after_the_free_tries_up_to_an_hour() -> None:
    assert [delay_ms(n) for n in range(FREE_TRIES + 1)] == [0] * (FREE_TRIES + 1)
    waits = [delay_ms(n) for n in range(FREE_TRIES + 1, FREE_TRIES + 12)]
    assert waits[0] == FIRST_WAIT_MS and waits[1] == 2 * FIRST_WAIT_MS
    assert all(a < b for a, b in zip(waits, waits[1:]) if b < MAX_WAIT_MS)
    assert waits[-1] == MAX_WAIT_MS


def test_the_first_cadre_ends_the_setup_and_the_old_key_opens_nothing(tmp_path: Path) -> None:
    data = tmp_path / "st"
    station = enrolled_station(data)
    setup_key = Keyring.of(data).setup_key()
    assert setup_key is not None and station.in_setup
    li = add_cadre(station.store, "李建国", "村委委员", PIN)
    assert Keyring.of(data).setup_key() is None and not station.in_setup
    assert station.key != setup_key
    assert "setup_key" not in json.loads((data / "station.keys").read_text("utf-8"))
    station.close()

    with pytest.raises(WrongKey):
        connect(data / "station.sqlite", setup_key)      # a copy taken before: useless now
    with pytest.raises(StationLocked):
        open_station(data)                               # no key, no station
    cadre, key = sign_in(data, li.id, PIN, NOW)
    assert cadre == li
    reopened = open_station(data, key)
    try:
        assert reopened.name == "王湾村" and [c.name for c in list_cadres(data)] == ["李建国"]
    finally:
        reopened.close()


def test_every_cadre_opens_the_same_database_with_their_own_pin(tmp_path: Path) -> None:
    data = tmp_path / "st"
    li, wang = two_cadres(data)
    _, key_li = sign_in(data, li.id, PIN, NOW)
    _, key_wang = sign_in(data, wang.id, OTHER_PIN, NOW)
    assert key_li == key_wang
    with pytest.raises(AccountError, match="密码不对"):
        sign_in(data, wang.id, PIN, NOW)                 # one's 密码 is not the other's


def test_wrong_pins_wait_longer_and_longer_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "st"
    station = enrolled_station(data)
    li = add_cadre(station.store, "李建国", "村委委员", PIN)
    station.close()
    now = NOW
    for left in range(FREE_TRIES - 1, -1, -1):
        with pytest.raises(AccountError) as caught:
            sign_in(data, li.id, "000001", now)
        assert "密码不对" in str(caught.value)
    assert Keyring.of(data).wait_ms(li.id, now) == 0       # typos cost nothing yet
    with pytest.raises(AccountError, match="30 秒后再试"):
        sign_in(data, li.id, "000001", now)
    # A "restart" (a new Keyring reads the file) keeps the count and the wait:
    # even the right 密码 is not tried while it lasts.
    assert Keyring.of(data).wait_ms(li.id, now + 1000) == FIRST_WAIT_MS - 1000
    with pytest.raises(AccountError, match="请 29 秒后再试"):
        sign_in(data, li.id, PIN, now + 1000)
    now += FIRST_WAIT_MS
    with pytest.raises(AccountError, match="1 分钟后再试"):
        sign_in(data, li.id, "000001", now)                # the next wait doubles
    now += 2 * FIRST_WAIT_MS
    cadre, _ = sign_in(data, li.id, PIN, now)              # the right one, after the wait
    assert cadre == li and Keyring.of(data).wait_ms(li.id, now) == 0
    body = json.loads((data / "station.keys").read_text("utf-8"))
    assert body["cadres"][li.id]["failures"] == 0


def test_a_colleague_sets_a_new_pin_for_one_who_forgot(tmp_path: Path) -> None:
    data = tmp_path / "st"
    li, wang = two_cadres(data)
    for _ in range(FREE_TRIES + 1):                        # 王芳 forgot hers, and waits
        with pytest.raises(AccountError):
            sign_in(data, wang.id, "000001", NOW)
    _, key = sign_in(data, li.id, PIN, NOW)                # 李建国 signs in...
    unlocked = open_station(data, key)
    try:
        with pytest.raises(AccountError, match="太容易"):
            reset_pin(unlocked.store, wang.id, "111111")
        reset_pin(unlocked.store, wang.id, "860214")       # ...and sets her a new one
    finally:
        unlocked.close()
    cadre, key_wang = sign_in(data, wang.id, "860214", NOW)  # no wait: the count is gone
    assert cadre == wang and key_wang == key
    with pytest.raises(AccountError, match="密码不对"):
        sign_in(data, wang.id, OTHER_PIN, NOW)             # the forgotten one is dead


def test_a_setup_cut_short_by_a_crash_is_finished_at_the_next_open(tmp_path: Path) -> None:
    """app.accounts._end_setup saves the new key's wrap, rekeys, then drops the setup
    key. Killed after the first step, the database still has the setup key: the cadre's
    sign-in finishes the rekey."""
    data = tmp_path / "st"
    station = enrolled_station(data)
    store = station.store
    keyring = Keyring.of(data)
    setup_key = keyring.setup_key()
    assert setup_key is not None
    new_key = bytes(range(32))
    keyring.wrap("c-1", "李建国", "村委委员", PIN, new_key)   # step 1 only
    station.close()
    assert store.db_key == setup_key
    _, key = sign_in(data, "c-1", PIN, NOW)
    assert key == new_key
    reopened = open_station(data, key)                     # finishes: rekey, drop setup
    reopened.close()
    assert Keyring.of(data).setup_key() is None
    with pytest.raises(WrongKey):
        connect(data / "station.sqlite", setup_key)
    connect(data / "station.sqlite", new_key).close()


def test_private_keys_stay_inside_the_encrypted_store(tmp_path: Path) -> None:
    data = tmp_path / "st"
    station = enrolled_station(data)
    add_cadre(station.store, "李建国", "村委委员", PIN)
    ensure_seal_key(station.store)
    node_key = station.store.meta.get("node_key") or ""
    seal_key = station.store.meta.get(META_KEY) or ""
    assert node_key and seal_key
    station.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    station.close()
    raw = every_file(data)
    for secret in (node_key, seal_key):
        assert secret.encode() not in raw
        assert base64.b64decode(secret) not in raw
    assert b"SQLite format 3" not in raw


def test_a_station_without_its_keyring_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "st"
    station = enrolled_station(data)
    add_cadre(station.store, "李建国", "村委委员", PIN)
    station.close()
    (data / "station.keys").rename(tmp_path / "elsewhere.keys")
    with pytest.raises(Exception, match="钥匙文件.*不见了.*sanji restore"):
        open_station(data)
