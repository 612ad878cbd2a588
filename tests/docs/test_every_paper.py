"""Every paper the stations print, made from the demo township's data (`sanji demo`), read
back as the receiving office would (issue #8 §2): no unfilled value, no placeholder, no
phrase said twice in a sentence, and the facts that were wrong on paper before.

The demo seeds the service desk (38 matters in every state); the mediation, petition and
risk-assessment papers are made from records entered here at the demo's stations through
the same services the screens use, until the demo seeds those systems too.  Every PDF and
its first page as PNG are kept in test-artifacts/papers/ for a person to look at.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

from app.accounts import list_cadres
from app.launch.demo import run_demo
from app.launch.demo_township import LETTER_CODE, PIN, TOWN, TOWN_PHONES, VILLAGES
from app.docs import placeholders, repeated_phrases
from app.services import printing
from app.services.desk import Desk
from app.services.disputes import DisputeForm, Disputes, PartyForm
from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from app.services.risk import RiskAssessments
from app.station import Station, unlock_station
from tests.docs.conftest import REPO_ROOT, flat
from tests.support.hubs import free_port

pytestmark = pytest.mark.slow
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 10, 30)
ARTIFACTS = REPO_ROOT / "test-artifacts" / "papers"


@dataclass
class Papers:
    root: Path
    made: dict[str, list[Path]] = field(default_factory=dict)   # kind → PDFs

    def add(self, kind: str, path: Path) -> None:
        self.made.setdefault(kind, []).append(path)

    @property
    def all(self) -> list[Path]:
        return [p for paths in self.made.values() for p in paths]


def _clock() -> date:
    return TODAY


def _service_papers(papers: Papers, station: Station) -> None:
    """Receipt and notice of every matter the station holds; the 转办函 of every forwarded one."""
    desk = Desk(station, today=_clock)
    records = [r for (r,) in station.store.conn.execute("SELECT record FROM cases ORDER BY record")]
    assert records, f"{station.name} holds no matters"
    for record in records:
        state = desk.case(record)
        if state.accepting_node == station.node_id:
            papers.add("受理回执", printing.print_receipt(desk, record))
            if state.matter_code:
                papers.add("一次性告知单", printing.print_notice(desk, record))
        if state.letter:
            papers.add("转办函", printing.print_letter(desk, record))


def _dispute_papers(papers: Papers, station: Station) -> None:
    svc = Disputes(station, today=_clock, now=lambda: NOW)
    cadre = list_cadres(station.store)[0]
    record = svc.register(cadre, DisputeForm("邻里关系", [
        PartyForm("王大山", "申请人", id_number="411523196803150317", phone="13837600001",
                  address="王湾村三组12号"),
        PartyForm("王小河", "被申请人", address="王湾村三组13号")],
        "王大山与王小河因两家之间的排水沟堵塞发生争执，多次争吵", "中")).record
    svc.add_session(cadre, record, mediators=[cadre.name], record_text="双方陈述后同意调解")
    agreement = svc.draft_agreement(record)
    agreement.update(
        facts="两家共用排水沟，王小河堆放杂物致堵塞", disputed_points="清理责任和院墙赔偿",
        responsibilities="王小河负主要责任",
        terms=[{"content": "王小河清理排水沟", "how": "自行清理", "due": "2026-12-05"},
               {"content": "王小河赔偿院墙修缮费800元", "how": "现金一次付清", "due": "2026-12-20"}])
    rules = svc.rules
    papers.add("调解协议书（待签字）", printing.print_agreement(svc, rules, record, agreement))
    agreement.update(signatures={"parties": ["王大山", "王小河"], "mediator": cadre.name,
                                 "seal": True}, effective_on=TODAY.isoformat())
    svc.record_agreement(cadre, record, agreement)
    papers.add("调解协议书", printing.print_agreement(svc, rules, record))


def _petition_papers(papers: Papers, station: Station) -> None:
    svc = Petitions(station, today=_clock, now=lambda: NOW)
    cadre = list_cadres(station.store)[0]

    def letter(name: str, summary: str, request: str) -> str:
        return svc.register(cadre, PetitionForm(
            channel="来信", category="申诉求决", petitioners=[PetitionerForm(name, phone="13900000003")],
            summary=summary, request=request, received_at="2026-11-20 09:30")).record

    accepted = letter("刘桂芳", "反映承包地被邻组占用，要求重新丈量并恢复原界", "恢复承包地原界")
    svc.accept(cadre, accepted, override_reason="涉及两个村民组的边界，镇里统一处理")
    papers.add("信访受理告知书", printing.print_petition_notice(svc, svc.rules, accepted, "accepted"))
    refused = letter("赵德明", "对法院判决的赔偿数额不服，要求镇里改判", "重新判决")
    svc.refuse(cadre, refused, ground="other_organ", reason="属于人民法院职权范围")
    papers.add("信访不予受理告知书", printing.print_petition_notice(svc, svc.rules, refused,
                                                                  "refused"))


def _risk_papers(papers: Papers, station: Station) -> None:
    svc = RiskAssessments(station, today=_clock)
    cadre = list_cadres(station.store)[0]
    fine = ("符合", "依法依规")
    record = svc.plan(cadre, matter="新集镇集贸市场改造", responsible_unit="新集镇人民政府",
                      assessors=f"{cadre.name}、镇司法所张所长", plan="公示、问卷和入户走访，座谈后形成报告",
                      subject={"kind": "town_project", "record": "market-2026"})
    svc.gather_opinions(cadre, record, method="座谈", participants=60, objecting=3,
                        summary="多数商户赞成，少数担心施工期间停业")
    svc.analyse(cadre, record, legality=fine, reasonableness=fine, feasibility=fine,
                controllability=fine)
    svc.grade(cadre, record, grade="低", reasons="多数群众理解支持",
              measures=["分段施工，不停业", "设立意见箱专人回复"])
    svc.report(cadre, record, conclusion="低风险，落实措施后实施")
    papers.add("社会稳定风险评估报告", printing.print_risk_report(svc, record))


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papers]:
    root = tmp_path_factory.mktemp("demo") / "sanji-data"
    run_demo(root, free_port(), free_port(), today=TODAY, now=NOW)
    made = Papers(root)
    for folder in (VILLAGES[0].folder, TOWN.folder):
        station = unlock_station(root / folder, PIN, 0,
                                 cadre=list_cadres(root / folder)[0].id)   # demo 密码
        try:
            _service_papers(made, station)
            if station.level == "village":
                _dispute_papers(made, station)
            else:
                _petition_papers(made, station)
                _risk_papers(made, station)
        finally:
            station.close()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    for pdf in made.all:
        kept = ARTIFACTS / f"{pdf.parent.parent.name}-{pdf.name}"
        shutil.copy(pdf, kept)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(kept),
                        str(kept.with_suffix(""))], check=True)
    yield made


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_every_kind_of_paper_was_made(papers: Papers) -> None:
    assert set(papers.made) == {
        "受理回执", "一次性告知单", "转办函", "调解协议书（待签字）", "调解协议书", "信访受理告知书",
        "信访不予受理告知书", "社会稳定风险评估报告"}
    assert len(papers.made["受理回执"]) >= 10 and len(papers.made["转办函"]) >= 2


def test_no_paper_carries_a_placeholder_or_says_a_phrase_twice(papers: Papers) -> None:
    faults = {}
    for pdf in papers.all:
        text = text_of(pdf)
        found = placeholders(text) + [f"重复：{p}" for p in repeated_phrases(text)]
        if found:
            faults[pdf.name] = found
    assert faults == {}


def test_the_phones_printed_are_the_towns_own_and_read_once(papers: Papers) -> None:
    label, number = TOWN_PHONES["town_discipline"]
    for pdf in papers.made["受理回执"] + papers.made["一次性告知单"]:
        text = flat(text_of(pdf))
        assert flat(f"{label} {number}") in text, pdf.name       # the complaint line
        assert "12333人力资源和社会保障服务热线：12333" not in text
        assert "待镇里配置" not in text and "xxxx" not in text


def test_the_letters_follow_gb_t_9704_and_name_the_village_as_the_source(papers: Papers) -> None:
    for pdf in papers.made["转办函"]:
        text = flat(text_of(pdf))
        assert f"{LETTER_CODE}〔2026〕" in text and "号" in text
        assert "新集镇便民服务中心关于转办群众反映事项的函" in text
        village = next(v.name for v in VILLAGES if f"{v.name}便民服务站受理" in text)
        assert flat(f"事项来源{village}便民服务站受理，代办上报新集镇便民服务中心") in text
        assert "并将办理结果书面回复新集镇便民服务中心" in text
        assert "请在期限内将办理结果" not in text
        assert flat(f"联系电话：{TOWN_PHONES['town_service_center'][1]}") in text
        assert "附件转办函回执" in text


def test_every_receipt_qr_names_the_towns_status_page(papers: Papers) -> None:
    from tests.docs.conftest import decode_qr, render_pages
    for pdf in papers.made["受理回执"][:3]:
        (url,) = decode_qr(render_pages(pdf)[0])
        assert url.startswith("https://127.0.0.1:") and "/status?receipt=" in url
