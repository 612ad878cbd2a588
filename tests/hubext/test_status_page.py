"""The public receipt-status page on a town hub (issue #3 §3), in-process: a village
takes a matter and syncs, a citizen queries the hub's page with the receipt number and
the last four digits of the phone."""
from __future__ import annotations

import json
from datetime import date

import httpx

from app.domain import format_receipt
from app.hubext import table
from app.hubext.page import COOL_DOWN_S, NOT_FOUND
from app.services.desk import IntakeForm
from sync.certs import Root, issue
from sync.db import transaction
from sync.hub.server import open_hub
from tests.support.keys import HUB_KEY
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import NewEvent, Store
from tests.hubext.conftest import TODAY, Town, Window, intake

JSON = {"accept": "application/json"}
# Everything personal the intake holds: none of it may appear in an answer.
PERSONAL = ("王秀英", "13812345678", "11010519491231002X", "010519", "三组", "12号",
            "养老保险", "SB-001", "王湾村", "李建国")


def village_and_town(town: Town) -> tuple[Window, Window]:
    return (town.window("王湾村", "village", ("李建国", "村委委员")),
            town.window("新集镇便民服务中心", "town", ("张敏", "中心主任")))


def ask(browser: httpx.Client, receipt: str, digits: str, as_json: bool = False,
        method: str = "POST") -> httpx.Response:
    fields = {"receipt": receipt, "phone4": digits}
    headers = JSON if as_json else {}
    if method == "GET":
        return browser.get("/status/query", params=fields, headers=headers)
    return browser.post("/status/query", data=fields, headers=headers)


def test_form_is_chinese_mobile_friendly_and_asks_only_receipt_and_digits(town: Town) -> None:
    reply = town.browser().get("/status")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "回执编号" in reply.text and "手机号后四位" in reply.text
    assert 'name="viewport"' in reply.text and 'inputmode="numeric"' in reply.text
    assert reply.text.count("<input") == 2
    assert reply.headers["cache-control"] == "no-store"


def test_right_receipt_and_digits_show_status_and_promised_date(town: Town) -> None:
    village, hall = village_and_town(town)
    hall.sync()            # the town's phones reach the hub: the page says whom to call
    taken = intake(village)
    village.sync()
    state = village.desk.case(taken.record)
    browser = town.browser()

    page = ask(browser, taken.receipt_no, "5678")
    assert page.status_code == 200
    assert "已受理" in page.text and state.due.isoformat() in page.text

    data = ask(browser, taken.receipt_no.replace("-", "").lower(), "5678", as_json=True,
               method="GET").json()
    assert data == {"found": True, "receipt_no": taken.receipt_no, "status": "已受理",
                    "kind": "便民服务事项", "due": state.due.isoformat(), "due_provisional": False,
                    "due_note": None, "closed_on": None, "extra": [], "overdue": False,
                    "contact": "有疑问请拨打新集镇便民服务中心 0376-2988123。"}
    assert "已超期" not in page.text


def test_wrong_digits_and_unknown_receipt_get_the_same_neutral_answer(town: Town) -> None:
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    unknown = format_receipt(village.station.short_code, TODAY, 99)
    browser = town.browser()

    wrong = ask(browser, taken.receipt_no, "1234", as_json=True)
    missing = ask(browser, unknown, "5678", as_json=True)
    assert (wrong.status_code, wrong.content) == (missing.status_code, missing.content)
    assert wrong.json() == {"found": False, "message": NOT_FOUND, "code": "not_found"}

    wrong_page = ask(browser, taken.receipt_no, "1234")
    missing_page = ask(browser, unknown, "5678")
    assert NOT_FOUND in wrong_page.text
    assert wrong_page.status_code == missing_page.status_code == 200
    assert wrong_page.text.replace(taken.receipt_no, "R") == \
        missing_page.text.replace(unknown, "R")


def test_no_personal_data_in_any_answer(town: Town) -> None:
    village, hall = village_and_town(town)
    taken = intake(village)
    village.desk.escalate(village.cadre, taken.record, "王秀英的养老保险需镇里办理")
    village.sync()
    browser = town.browser()
    answers = [ask(browser, taken.receipt_no, "5678"),
               ask(browser, taken.receipt_no, "5678", as_json=True),
               ask(browser, taken.receipt_no, "0000"),
               ask(browser, taken.receipt_no, "0000", as_json=True)]
    assert "办理中" in answers[0].text
    for answer in answers:
        for secret in PERSONAL:
            assert secret not in answer.text, (secret, answer.text)
    # The table the page reads holds nothing personal beyond the four digits either.
    row = town.hub.conn.execute("SELECT * FROM public_status").fetchone()
    assert not any(isinstance(v, str) and s in v for v in row for s in PERSONAL if s != "5678")


def test_typo_in_the_receipt_gets_a_helpful_message(town: Town) -> None:
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    typo = taken.receipt_no[:-1] + str((int(taken.receipt_no[-1]) + 1) % 10)
    browser = town.browser()

    reply = ask(browser, typo, "5678", as_json=True)
    assert reply.status_code == 400
    assert "校验位" in reply.json()["message"] and reply.json()["code"] == "bad_receipt"
    short = ask(browser, taken.receipt_no[:-3], "5678")
    assert short.status_code == 400 and "应为17位" in short.text
    digits = ask(browser, taken.receipt_no, "56a8", as_json=True)
    assert digits.status_code == 400 and "后四位" in digits.json()["message"]


def test_queries_are_rate_limited_per_address(town: Town) -> None:
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    browser, neighbour = town.browser("203.0.113.7"), town.browser("198.51.100.20")

    for _ in range(10):
        assert ask(browser, taken.receipt_no, "5678").status_code == 200
    limited = ask(browser, taken.receipt_no, "5678", as_json=True)
    assert limited.status_code == 429
    assert "查询太频繁" in limited.json()["message"]
    assert int(limited.headers["retry-after"]) == 6
    page = ask(browser, taken.receipt_no, "5678")
    assert page.status_code == 429 and "查询太频繁" in page.text
    assert ask(neighbour, taken.receipt_no, "5678").status_code == 200

    town.clock[0] += 6.0           # one token back after a tenth of the minute
    assert ask(browser, taken.receipt_no, "5678").status_code == 200
    assert ask(browser, taken.receipt_no, "5678").status_code == 429


def test_guessing_one_receipt_from_many_addresses_never_locks_out_the_citizen(
        town: Town) -> None:
    """Issue #11: past 20 failed queries of a receipt in an hour it is being guessed; it
    is not locked (the guesser would lock the citizen out): each address then gets one
    query of it per cool-down. The citizen's right digits pass on theirs."""
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    unknown = format_receipt(village.station.short_code, TODAY, 77)
    for guess in range(20):
        browser = town.browser(f"192.0.2.{guess}")
        assert ask(browser, taken.receipt_no, f"{guess:04d}").status_code == 200
        assert ask(browser, unknown, f"{guess:04d}").status_code == 200
    # Under guessing: a known guesser's address gets one more guess, then waits …
    guesser = town.browser("192.0.2.3")
    for receipt in (taken.receipt_no, unknown):
        assert ask(guesser, receipt, "9999", as_json=True).json()["found"] is False
    again, again_unknown = (ask(guesser, taken.receipt_no, "9998", as_json=True),
                            ask(guesser, unknown, "9998", as_json=True))
    assert again.status_code == again_unknown.status_code == 429
    assert again.json() == again_unknown.json()          # still no oracle
    assert "分钟后再试" in again.json()["message"]
    assert int(again.headers["retry-after"]) == int(COOL_DOWN_S)
    # … while the citizen, from their own phone, sees their receipt at once.
    citizen = town.browser("198.51.100.20")
    assert ask(citizen, taken.receipt_no, "5678", as_json=True).json()["found"] is True
    # A citizen who mistyped waits one cool-down, then the right digits pass.
    typo = town.browser("198.51.100.21")
    assert ask(typo, taken.receipt_no, "5687", as_json=True).json()["found"] is False
    assert ask(typo, taken.receipt_no, "5678", as_json=True).status_code == 429
    town.clock[0] += COOL_DOWN_S
    assert ask(typo, taken.receipt_no, "5678", as_json=True).json()["found"] is True


def test_one_address_cannot_walk_through_the_suffixes(town: Town) -> None:
    """Ten failed queries an hour per address, over all receipts (the per-minute limit
    alone would let one address try the 10,000 suffixes in a day)."""
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    guesser = town.browser("203.0.113.9")
    for guess in range(10):
        town.clock[0] += 7.0                          # within the per-minute limit
        assert ask(guesser, taken.receipt_no, f"{guess:04d}", as_json=True).status_code == 200
    town.clock[0] += 7.0
    stopped = ask(guesser, taken.receipt_no, "5678", as_json=True)
    assert stopped.status_code == 429 and "失败次数太多" in stopped.json()["message"]
    assert ask(town.browser("203.0.113.10"), taken.receipt_no, "5678",
               as_json=True).json()["found"] is True  # another address is not affected
    town.clock[0] += 3600.0 / 10                      # one failure forgiven
    assert ask(guesser, taken.receipt_no, "5678", as_json=True).json()["found"] is True


def test_closed_at_the_town_shows_done_with_its_date(town: Town) -> None:
    village, hall = village_and_town(town)
    taken = intake(village)
    village.desk.escalate(village.cadre, taken.record, "需镇里办理")
    village.sync()
    hall.sync()
    hall.desk.act(hall.cadre, taken.record, "svc.closed",
                  {"outcome": "resolved", "result": "已为王秀英办理参保登记"})
    hall.sync()
    data = ask(town.browser(), taken.receipt_no, "5678", as_json=True).json()
    assert data["status"] == "已办结"
    assert data["closed_on"] == TODAY.isoformat()
    assert "王秀英" not in json.dumps(data, ensure_ascii=False)


def test_a_corrected_phone_number_changes_the_digits_that_work(town: Town) -> None:
    village, _ = village_and_town(town)
    taken = intake(village)
    village.desk.act(village.cadre, taken.record, "svc.updated", {
        "fields": {"applicant.phone": "13900001111"}, "was": {"applicant.phone": "13812345678"}})
    village.sync()
    browser = town.browser()
    assert ask(browser, taken.receipt_no, "5678", as_json=True).json()["found"] is False
    assert ask(browser, taken.receipt_no, "1111", as_json=True).json()["found"] is True


def under_a_county(town: Town) -> tuple[str, SigningKey]:
    """Make the town a county's town, as enrolling with a county does (its parent's
    identity, the root, its own certificate); the county itself is not running."""
    county_id, county_key = uuid7(), SigningKey.generate()
    root = Root(county_id, county_key.public_b64, "county").to_json()
    hub = town.hub
    parent = {"hub_id": county_id, "level": "county", "name": "新县",
              "pubkey": county_key.public_b64, "ancestors": [county_id], "root": root}
    with transaction(hub.conn):
        hub.meta.set("upstream", json.dumps({"url": "http://county.test", "token": "-",
                                             "parent": parent, "ancestors": [county_id],
                                             "root": root}))
        hub.directory.forget()
        hub.directory.store(issue(county_key, hub.hub_id, county_id, "town", "新集镇",
                                  hub.key().public_b64, ["hub"]))
    return county_id, county_key


def test_a_reply_from_above_counts_with_its_certificate_only(town: Town) -> None:
    """A county window is not in the town's tree: its level comes from the certificate
    the county issued it, which comes down with the reply (issue #7). A reply whose
    author has no certificate (or only announces itself "county") changes nothing."""
    county_id, county_key = under_a_county(town)
    village, hall = village_and_town(town)
    taken = intake(village)
    village.desk.escalate(village.cadre, taken.record, "需县里办理")
    village.sync()
    hall.sync()
    hall.desk.forward(hall.cadre, taken.record, "county_hrss", "请县人社局核实")
    hall.sync()
    window_key = SigningKey.generate()
    county = Store(town.root / "county-window.sqlite")
    county.set_identity(uuid7(), window_key, {"kind": "county"})
    announce = county.append(NewEvent("node.announced", county.node_id or "", {
        "name": "县人社局窗口", "level": "county"}, "system"))
    reply = county.append(NewEvent("svc.replied", taken.record, {
        "on": TODAY.isoformat(), "reply": "已核实，可以参保", "department": "县人社局"}, "k1"))
    browser = town.browser()

    def status() -> str:
        return ask(browser, taken.receipt_no, "5678", as_json=True).json()["status"]

    town.hub.apply_pulled([dict(announce), dict(reply)], {"epoch": "e", "fseq": 2,
                                                           "id": reply["id"]})
    assert status() == "办理中（已转县直部门办理）"
    assert [c for (c,) in town.hub.conn.execute(
        "SELECT code FROM problems WHERE node='upstream'")] == ["unknown_origin"] * 2
    cert = issue(county_key, county.node_id or "", county_id, "county", "县人社局窗口",
                 window_key.public_b64)
    town.hub.apply_pulled([dict(announce), dict(reply)],
                          {"epoch": "e", "fseq": 4, "id": reply["id"]}, [cert.to_json()])
    assert status() == "办理中（县直部门已答复，正在办结）"
    county.close()


def test_a_hub_with_cases_already_stored_builds_the_table_on_upgrade(town: Town) -> None:
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    with town.hub.conn:
        town.hub.conn.execute("DROP TABLE public_status")
        town.hub.conn.execute("DELETE FROM schema_version WHERE name='hubext'")
    upgraded = open_hub(town.root / "town", key=HUB_KEY)
    try:
        table.install(upgraded)
        table.install(upgraded)          # idempotent
        found = table.lookup(upgraded.conn, taken.receipt_no, "5678")
        assert found is not None and found.status_name == "已受理"
    finally:
        upgraded.close()


def test_a_promised_date_in_an_unplanned_year_is_shown_as_provisional(town: Town) -> None:
    """低保: 25 working days from 2026-11-27 run into 2027, whose holidays nobody has
    entered yet (RULES.md §1): the page says the date is provisional."""
    village, _ = village_and_town(town)
    taken = village.desk.intake(village.cadre, IntakeForm(
        name="王秀英", phone="13812345678", matter_code="JZ-001", summary="申请低保"))
    village.sync()
    assert village.desk.case(taken.record).due_provisional
    browser = town.browser()
    page = ask(browser, taken.receipt_no, "5678")
    assert "暂定" in page.text and "低保" not in page.text
    data = ask(browser, taken.receipt_no, "5678", as_json=True).json()
    assert data["due_provisional"] is True and "暂定" in data["due_note"]


def test_the_receipts_qr_code_opens_the_form_with_the_receipt_filled_in(town: Town) -> None:
    """The QR code printed on the receipt (a real print at the village) is the town's status
    page with the number in it: the phone's browser opens the form with the number filled
    in and asks only for the four digits."""
    from app.services.printing import print_receipt
    from tests.docs.conftest import decode_qr, render_pages

    village, hall = village_and_town(town)
    hall.sync()            # the town's settings (status page, phones) up to the hub …
    village.sync()         # … and down to the village
    taken = intake(village)
    pdf = print_receipt(village.desk, taken.record)
    (url,) = decode_qr(render_pages(pdf)[0])
    assert url == f"http://town.test/status?receipt={taken.receipt_no}"
    form = town.browser().get(url)
    assert form.status_code == 200
    assert f'value="{taken.receipt_no}"' in form.text
    assert 'name="phone4" required' in form.text and "autofocus" in form.text.split("phone4")[-1]
    # Anything else in the address is not put into the form.
    odd = town.browser().get("/status", params={"receipt": '"><script>alert(1)</script>'})
    assert odd.status_code == 200 and "<script>" not in odd.text and 'value=""' in odd.text


def test_an_overdue_matter_says_so_and_whom_to_call(town: Town) -> None:
    village, hall = village_and_town(town)
    hall.sync()            # the town's phones reach the hub's page
    taken = intake(village)
    village.sync()
    due = village.desk.case(taken.record).due
    assert due is not None
    town.days[0] = due     # the last day: not overdue yet
    on_time = ask(town.browser(), taken.receipt_no, "5678")
    assert "已超期" not in on_time.text and "有疑问请拨打新集镇便民服务中心 0376-2988123" in on_time.text
    town.days[0] = date.fromordinal(due.toordinal() + 1)
    late = ask(town.browser(), taken.receipt_no, "5678")
    assert "已超期" in late.text
    assert ("已超过承诺的办结日期，请拨打新集镇便民服务中心 0376-2988123询问或催办；"
            "对办理有意见的，可以投诉：新集镇纪委 0376-2988125。") in late.text
    data = ask(town.browser(), taken.receipt_no, "5678", as_json=True).json()
    assert data["overdue"] is True and data["due"] == due.isoformat()


# petitions (issue #10: 可查询、可跟踪、可评价) ---------------------------------------------
PETITION_PERSONAL = ("刘桂芳", "13900000003", "承包地", "邻组", "王湾村", "恢复原界", "丈量")


def test_a_petition_is_looked_up_by_its_receipt_with_its_dates_and_nothing_personal(
        town: Town) -> None:
    from app.services.petitions import PetitionerForm, PetitionForm, Petitions
    village, centre = village_and_town(town)
    petitions = Petitions(village.station, today=lambda: TODAY)
    intake = petitions.register(village.cadre, PetitionForm(
        "来访", "申诉求决", [PetitionerForm("刘桂芳", phone="13900000003")],
        "反映承包地被邻组占用，要求重新丈量并恢复原界", received_at="2026-11-20 09:30"))
    village.sync()
    browser = town.browser()
    first = ask(browser, intake.receipt_no, "0003", as_json=True).json()
    assert first["kind"] == "信访事项" and first["status"] == "已登记，正在决定是否受理"
    # 15 days from 11-20 end on 12-05, a Saturday: the next working day, 12-07
    assert first["extra"] == [{"label": "受理告知期限", "text": "2026-12-07前书面告知是否受理"}]
    assert ask(browser, intake.receipt_no, "9999", as_json=True).json()["found"] is False
    centre.sync()
    town_side = Petitions(centre.station, today=lambda: TODAY)
    town_side.accept(centre.cadre, intake.record, on="2026-11-23", notice_on="2026-11-23")
    town_side.answer(centre.cadre, intake.record, opinion="经丈量恢复原界", result="支持",
                     delivered_on="2026-11-27", on="2026-11-27")
    town_side.rate(centre.cadre, intake.record, "满意", how="电话", on="2026-11-27")
    centre.sync()
    done = ask(browser, intake.receipt_no, "0003", as_json=True).json()
    assert done["status"] == "已出具意见并书面答复" and done["closed_on"] == "2026-11-27"
    # 30 days from delivery on 11-27: 12-27 is a Sunday, the window runs to Monday 12-28
    assert {"label": "请求复查", "text": "不服的，可在2026-12-28前向县信访部门提出"} in done["extra"]
    assert {"label": "您的评价", "text": "满意"} in done["extra"]
    page = ask(browser, intake.receipt_no, "0003")
    assert "信访事项" in page.text and "2026-12-28" in page.text
    for secret in PETITION_PERSONAL:
        assert secret not in page.text and secret not in json.dumps(done, ensure_ascii=False)


def test_a_second_case_never_takes_over_a_receipt_row(town: Town) -> None:
    """Issue #7 item 9: a receipt row belongs to the case that claimed its number first.
    (Hubs refuse a number under another station's code; here the station reuses its own.)"""
    village, _ = village_and_town(town)
    taken = intake(village)
    village.sync()
    payload = json.loads(village.station.store.conn.execute(
        "SELECT payload FROM events WHERE record=? AND type='svc.accepted'",
        (taken.record,)).fetchone()[0])
    payload["applicant"] = {**payload["applicant"], "phone": "13900000000"}
    village.station.store.append(NewEvent("svc.accepted", uuid7(), payload, village.cadre.id))
    village.sync()
    browser = town.browser()
    assert ask(browser, taken.receipt_no, "5678", as_json=True).json()["found"] is True
    assert ask(browser, taken.receipt_no, "0000", as_json=True).json()["found"] is False
