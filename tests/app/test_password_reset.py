"""忘记密码 (app.password_reset): a colleague opens the encrypted data with their own 密码
and sets a new one for the cadre who forgot; the reset is recorded under the colleague's
name. Real station files and keyrings (app/keyring.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.accounts import AccountError, sign_in
from app.password_reset import reset_by_colleague
from app.station import open_station
from tests.ui.stations import PIN, make_station

NOW = 1_795_000_000_000
NEW = "468213"


def _names(data: Path) -> dict[str, str]:
    from app.accounts import list_cadres
    return {c.name: c.id for c in list_cadres(data)}


def test_a_colleague_opens_the_data_and_sets_a_new_password(tmp_path: Path) -> None:
    data = make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"), ("王芳", "代办员")))
    ids = _names(data)
    wang, key = sign_in(data, ids["王芳"], PIN, NOW)          # the colleague's own 密码
    station = open_station(data, key)
    try:
        store = station.store
        with pytest.raises(AccountError, match="不能自己给自己"):
            reset_by_colleague(store, ids["王芳"], wang, NEW)
        with pytest.raises(AccountError, match="容易被猜到"):
            reset_by_colleague(store, ids["李建国"], wang, "123456")
        reset_by_colleague(store, ids["李建国"], wang, NEW)
        [(record, author, payload)] = store.conn.execute(
            "SELECT record, author, payload FROM events WHERE type='cadre.password_reset'")
    finally:
        station.close()
    assert (record, author) == (ids["李建国"], ids["王芳"])     # the colleague answers for it
    assert json.loads(payload) == {"method": "colleague"} and NEW not in payload
    li, li_key = sign_in(data, ids["李建国"], NEW, NOW)
    assert li.name == "李建国" and li_key == key              # the same data, a new 密码
    with pytest.raises(AccountError):
        sign_in(data, ids["李建国"], PIN, NOW)                 # the forgotten one is gone
