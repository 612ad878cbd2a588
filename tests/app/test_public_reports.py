"""检举控告 from a citizen's phone through the town's public page (app/hubext/reports.py;
issue #13 §1): sealed on arrival, never stored or logged in clear, collected by the town's
纪委 device and read there and at the county's; follow-up by receipt number and the
phone's last four digits. Real hub processes on 127.0.0.1 (plain HTTP: HTTPS is the
`wire` branch's), real encrypted stations."""
from __future__ import annotations

import json
import re

import httpx
import pytest

from app.sealing import sealed_events
from app.services.discipline import DisciplineDesk
from app.station import Station, hub_client, open_station
from sync.errors import Problem
from sync.session import credentials_for
from tests.app.conftest import TODAY, Township
from tests.support.dbfiles import decrypted_text, open_db
from tests.support.hubs import wait_for_relay

CONTENT = "镇农业服务中心的钱站长收了养殖户的好处费才给办补贴手续"
FORM = {"subject": "镇站所工作人员慢作为、不作为、乱作为", "accused_name": "钱站长",
        "accused_unit": "镇农业服务中心", "content": CONTENT, "name": "赵春生",
        "phone": "13703718866"}
SECRETS = ("钱站长", "好处费", "养殖户", "赵春生", "13703718866")


def enroll(township: Township, hub, name: str, kind: str, roles: tuple[str, ...] = ()) -> Station:
    _, code = hub.add_node(name, kind, roles)
    station = open_station(township.root / f"st-{name}")
    station.enroll(hub.url, code)
    return station


def post(township: Township, form: dict[str, str]) -> httpx.Response:
    return httpx.post(township.town.url + "/report", data=form, timeout=20.0)


def inbox(township: Township) -> list[tuple[str, str]]:
    conn = township.town.db()
    try:
        return conn.execute("SELECT receipt_no, claimed_by FROM public_reports").fetchall()
    finally:
        conn.close()


def test_a_phone_report_is_sealed_on_arrival_and_reaches_the_discipline_desks(
        township: Township) -> None:
    page = httpx.get(township.town.url + "/report", timeout=10.0)
    assert page.status_code == 200 and "检举控告" in page.text and "加密提交" in page.text

    # No 纪委 device yet: refused, nothing kept, and the citizen is told where to go.
    refused = post(township, FORM)
    assert refused.status_code == 503 and "12388" in refused.text, re.findall(r"role=.alert.>([^<]*)", refused.text)
    assert inbox(township) == []

    town_disc = enroll(township, township.town, "新集镇纪委", "town", ("discipline",))
    county_disc = enroll(township, township.county, "新县纪委", "county", ("discipline",))
    village = enroll(township, township.town, "王湾村", "village")
    stations = [town_disc, county_disc, village]
    try:
        for _ in range(2):
            for station in stations:
                assert station.sync_once().ok
            wait_for_relay(township.town.url)

        # Bad input changes nothing and says what to do.
        empty = post(township, {**FORM, "content": "  "})
        assert empty.status_code == 400 and "请填写检举控告的内容" in empty.text
        bad_phone = post(township, {**FORM, "phone": "12345"})
        assert bad_phone.status_code == 400 and inbox(township) == []

        taken = post(township, FORM)
        assert taken.status_code == 200, taken.text
        receipt = re.search(r"[A-Z]{2}000-\d{6}-\d{4}-\d{2}", taken.text).group(0)
        assert "已密封" in taken.text and TODAY.isoformat()[:4] in taken.text
        for secret in SECRETS:
            assert secret not in taken.text
        assert inbox(township) == [(receipt, None)]

        # Follow-up like a service case: receipt number and the phone's last 4 digits.
        status = httpx.post(township.town.url + "/status/query",
                            data={"receipt": receipt, "phone4": "8866"},
                            headers={"accept": "application/json"}, timeout=10.0).json()
        assert status["found"] is not False and "已密封" in json.dumps(status, ensure_ascii=False)
        wrong = httpx.post(township.town.url + "/status/query",
                           data={"receipt": receipt, "phone4": "0000"},
                           headers={"accept": "application/json"}, timeout=10.0).json()
        assert wrong["found"] is False

        # Only the town's 纪委 device may collect: a village tablet is refused.
        client = hub_client(township.town.url, credentials_for(village.store))
        try:
            with pytest.raises(Problem) as caught:
                client.call("POST", "/v1/public-reports", {})
            assert caught.value.status == 403
        finally:
            client.close()
        assert inbox(township) == [(receipt, None)]

        # The 纪委 device collects at its sync, pushes at the next; the hub drops its copy.
        for _ in range(2):
            for station in stations:
                assert station.sync_once().ok
            wait_for_relay(township.town.url)
        assert inbox(township) == []
        for station in (town_disc, county_disc):
            [report] = [r for r in DisciplineDesk(station).reports() if r["receipt_no"] == receipt]
            assert report["content"] == CONTENT and report["channel"] == "网上"
            assert report["subject"] == FORM["subject"]
            assert report["complainant"] == {"name": "赵春生", "phone": "13703718866"}
        assert sealed_events(village) == []          # never to a village

        # Nothing in clear in the hubs' databases (decrypted) or their logs.
        for hub in (township.town, township.county):
            data = decrypted_text(hub)
            assert [s for s in SECRETS if s.encode() in data] == [], hub.data
            log = (hub.data.parent / f"{hub.data.name}.log").read_bytes()
            assert [s for s in SECRETS if s.encode() in log] == [], hub.data
        for station in stations:
            data = decrypted_text(station)
            assert [s for s in SECRETS if s.encode() in data] == []
    finally:
        for station in stations:
            station.close()


def test_the_inbox_counts_receipts_per_day_under_station_000(township: Township) -> None:
    town_disc = enroll(township, township.town, "新集镇纪委", "town", ("discipline",))
    try:
        assert town_disc.sync_once().ok
        numbers = []
        for _ in range(2):
            reply = post(township, {**FORM, "phone": ""})
            assert reply.status_code == 200, reply.text
            numbers.append(re.search(r"[A-Z]{2}000-\d{6}-(\d{4})-\d{2}", reply.text).group(1))
        assert numbers == ["0001", "0002"]
        conn = open_db(township.town)
        try:   # no phone given: no follow-up row, and the page said how to follow up
            assert conn.execute("SELECT COUNT(*) FROM public_status WHERE kind='complaint'"
                                ).fetchone() == (0,)
        finally:
            conn.close()
    finally:
        town_disc.close()
