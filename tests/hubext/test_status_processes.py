"""The public status page with real hub processes (`python -m app.cli hub`, as `sanji
hub` runs them): a village takes a matter and syncs; a citizen asks the town hub over
HTTP while the matter goes up to the county and back, and after the town closes it."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services.desk import IntakeForm
from tests.app.conftest import Township, township  # noqa: F401  (the fixture)
from tests.support.hubs import HubProcess
from tests.support.waiting import until

pytestmark = pytest.mark.slow
PERSONAL = ("王秀英", "13812345678", "11010519491231002X", "三组", "养老保险", "王湾村",
            "李建国", "SB-001")


def hub_status_row(hub: HubProcess, receipt: str) -> tuple[Any, ...] | None:
    """Read the hub's table directly (WAL: a reader beside the running hub), so waiting
    does not spend the page's rate limit."""
    conn = hub.db()
    try:
        return conn.execute("SELECT status_name, due, closed_on FROM public_status"
                            " WHERE receipt_no=?", (receipt,)).fetchone()
    finally:
        conn.close()


def query(hub: HubProcess, receipt: str, digits: str, as_json: bool = True) -> httpx.Response:
    headers = {"accept": "application/json"} if as_json else {}
    return hub.post("/status/query", data={"receipt": receipt, "phone4": digits},
                      headers=headers, timeout=10)


def test_the_town_hub_page_follows_a_case_up_to_the_county_and_back(
        township: Township) -> None:  # noqa: F811
    village = township.station(township.town, "王湾村", "village", ("李建国", "村委委员"))
    town = township.station(township.town, "新集镇便民服务中心", "town", ("张敏", "中心主任"))
    county = township.station(township.county, "县人社局窗口", "county", ("刘强", "科员"))
    taken = village.desk.intake(village.cadre, IntakeForm(
        name="王秀英", phone="13812345678", matter_code="SB-001", summary="申请办理城乡居民养老保险参保登记",
        id_number="11010519491231002X", group="三组", materials_present=["居民身份证"]))
    promised = village.desk.case(taken.record).due.isoformat()
    village.sync()

    form = township.town.get("/status", timeout=10)
    assert form.status_code == 200 and "手机号后四位" in form.text
    page = query(township.town, taken.receipt_no, "5678", as_json=False)
    assert page.status_code == 200 and "已受理" in page.text and promised in page.text
    wrong = query(township.town, taken.receipt_no, "8765")
    assert wrong.status_code == 200
    assert wrong.json() == {"found": False, "message": "没有查到，请核对回执编号和手机号后四位",
                            "code": "not_found"}
    for answer in (page, wrong):
        assert not any(secret in answer.text for secret in PERSONAL)

    # Up to the county by a 转办函; the reply comes back to the town by its relay's pull,
    # from a node outside the town's tree (its level known from node.announced).
    village.desk.escalate(village.cadre, taken.record, "村里无法办理，报镇里协调")
    village.sync()
    until(lambda: town.sync() or town.desk.case(taken.record).status == "escalated",
          "the escalation at the town station")
    town.desk.forward(town.cadre, taken.record, "county_hrss", "请县人社局核实参保资格")
    town.sync()
    until(lambda: county.sync() or county.desk.case(taken.record).status == "forwarded",
          "the forwarded case at the county window")
    county.desk.act(county.cadre, taken.record, "svc.replied",
                    {"reply": "已核实，可以参保", "department": "县人社局"})
    county.sync()
    until(lambda: (hub_status_row(township.town, taken.receipt_no) or ("",))[0]
          .startswith("办理中（县直部门已答复"), "the county's reply on the town hub")

    until(lambda: town.sync() or town.desk.case(taken.record).status == "replied",
          "the reply at the town station")
    town.desk.act(town.cadre, taken.record, "svc.closed",
                  {"outcome": "resolved", "result": "已按县人社局答复办理参保登记"})
    town.sync()
    closed = query(township.town, taken.receipt_no, "5678").json()
    assert closed["status"] == "已办结"
    assert closed["closed_on"] == town.desk.today().isoformat()
    assert closed["due"] == promised
    page = query(township.town, taken.receipt_no, "5678", as_json=False)
    assert "已办结" in page.text
    assert not any(secret in page.text for secret in PERSONAL)

    # Ten queries a minute per address: five used, a token or two back since the first;
    # a quick burst of ten more runs out.
    codes = [query(township.town, taken.receipt_no, "5678").status_code for _ in range(10)]
    assert codes[0] == 200 and codes[-1] == 429 and set(codes) == {200, 429}
    limited = query(township.town, taken.receipt_no, "5678", as_json=False)
    assert limited.status_code == 429 and "查询太频繁" in limited.text
    assert int(limited.headers["retry-after"]) >= 1
