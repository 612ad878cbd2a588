"""镇里概况 for a period: cases, disputes and petitions by village, with the town's
totals, and the printed report (issue #8 §3)."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain import rating_payload
from app.services.desk import Desk, IntakeForm
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.overview import print_report, town_report
from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from app.station import Station
from tests.ui.stations import NOW, TODAY, cadre, carry, make_station, unlocked


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Station]:
    wangwan = unlocked(make_station(tmp_path / "wangwan"))
    lizhuang = unlocked(make_station(tmp_path / "lizhuang", "李庄村", short_code="XJ002",
                                         cadres=(("李春花", "代办员"),)))
    zhanglou = unlocked(make_station(tmp_path / "zhanglou", "张楼村", short_code="XJ003"))
    center = unlocked(make_station(tmp_path / "town", "新集镇便民服务中心", "town",
                                       "XJ900", (("张敏", "便民服务中心主任"),)))
    me = cadre(wangwan, "李建国")

    def desk(day: date) -> Desk:
        return Desk(wangwan, today=lambda: day)

    form = IntakeForm(name="王秀英", phone="13812345678", matter_code="JZ-003",
                      summary="申请临时救助", materials_present=["居民身份证"])
    old = desk(date(2026, 9, 1)).intake(me, form)                  # overdue now
    desk(date(2026, 11, 20)).intake(me, form)                      # in progress, this month
    quick = desk(date(2026, 11, 5)).intake_and_finish(me, IntakeForm(
        name="王振国", phone="13812345679", matter_code="SB-005", summary="打印缴费证明",
        materials_present=["居民身份证"]), "当场打印")
    desk(date(2026, 11, 5)).act(me, quick.record, "svc.fed_back", {"method": "当面"})
    desk(date(2026, 11, 5)).act(me, quick.record, "svc.rated",
                                rating_payload(desk(TODAY).rules.config, "满意"))
    gone = desk(date(2026, 11, 10)).intake(me, form)
    desk(date(2026, 11, 10)).withdraw(me, gone.record, "申请人撤回", "群众不再需要")
    assert old.record
    disputes = Disputes(lizhuang, today=lambda: TODAY, now=lambda: NOW)
    disputes.register(cadre(lizhuang, "李春花"), DisputeForm(
        dispute_type="邻里关系", risk="高", summary="宅基地边界争执",
        parties=[PartyForm("李四", "申请人"), PartyForm("李五", "被申请人")]))
    Petitions(lizhuang, today=lambda: TODAY, now=lambda: NOW).register(
        cadre(lizhuang, "李春花"), PetitionForm(channel="来访", category="申诉求决",
                                               petitioners=[PetitionerForm("李六")],
                                               summary="反映道路损坏长期未修"))
    for station in (wangwan, lizhuang, zhanglou):
        carry(station, center)
    yield center
    for station in (wangwan, lizhuang, zhanglou, center):
        station.close()


def test_the_month_by_village_with_every_village_listed(town: Station) -> None:
    report = town_report(town, TODAY, "本月")
    assert report.period.label == "2026年11月"
    by_name = {p.name: p for p in report.places}
    assert set(by_name) >= {"王湾村", "李庄村", "张楼村"}
    wangwan = by_name["王湾村"]
    assert (wangwan.accepted, wangwan.closed, wangwan.closed_on_time, wangwan.withdrawn) == \
        (3, 1, 1, 1)
    assert (wangwan.active, wangwan.overdue, wangwan.oldest_overdue) == (2, 1, "2026-09-15")
    assert (wangwan.rated, wangwan.satisfaction) == (1, 1.0)
    lizhuang = by_name["李庄村"]
    assert (lizhuang.disputes, lizhuang.disputes_open, lizhuang.high_risk_open) == (1, 1, 1)
    assert (lizhuang.petitions, lizhuang.petitions_open) == (1, 1)
    quiet = by_name["张楼村"]
    assert (quiet.accepted, quiet.disputes, quiet.petitions) == (0, 0, 0)
    assert report.total.accepted == 3 and report.total.disputes == 1
    assert report.places[0].name == "王湾村"          # something overdue comes first


def test_the_year_counts_the_september_case_too(town: Station) -> None:
    assert town_report(town, TODAY, "今年").total.accepted == 4
    assert town_report(town, TODAY, "上月").total.accepted == 0


def test_the_printed_report_has_the_figures(town: Station) -> None:
    path = print_report(town, town_report(town, TODAY, "本季度"))
    assert path.name == "镇里概况-2026年第四季度-20261127.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("镇里概况", "统计期间：2026年第四季度", "一、便民服务", "二、矛盾纠纷", "三、信访",
                     "王湾村", "李庄村", "张楼村", "全镇合计"):
        assert expected in text, expected
    assert datetime.now()
