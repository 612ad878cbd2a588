"""The ledger row names the applicant: the case fold keeps applicant fields flat
("applicant.name", "applicant.phone"), and the projection must read them that way, or the
台账 shows no names and a search by name finds nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app.accounts import add_cadre
from app.services.desk import Desk, IntakeForm
from app.services.ledger import LedgerFilter, ledger
from app.station import open_station
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import Store

TODAY = date(2026, 11, 27)


def test_ledger_row_and_search_carry_the_applicant(tmp_path: Path) -> None:
    store = Store(tmp_path / "station.sqlite")
    store.set_identity(uuid7(), SigningKey.generate(),
                       {"kind": "village", "name": "王湾村", "short_code": "XJ001"})
    store.close()
    station = open_station(tmp_path)
    try:
        cadre = add_cadre(station.store, "李建国", "村委委员", "258046")
        desk = Desk(station, today=lambda: TODAY)
        desk.intake(cadre, IntakeForm(name="王秀英", phone="13812345678", matter_code="SB-001",
                                      summary="参保登记", id_number="11010519491231002X"))
        [row] = ledger(station.store.conn, LedgerFilter(), TODAY)
        assert row["applicant"] == "王秀英"
        assert row["phone"] == "13812345678"
        assert row["id_masked"] and row["id_masked"] != "11010519491231002X"
        found = ledger(station.store.conn, LedgerFilter(text="王秀英"), TODAY)
        assert [r["record"] for r in found] == [row["record"]]
    finally:
        station.close()
