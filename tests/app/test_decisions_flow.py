"""村级民主决策 end to end over real hubs (issue #12 §5): a village files → the town asks
for 补正 → the village adds it → the town accepts → meetings recorded offline → notices →
the town sees the finished file; and what a stolen village tablet cannot do: accept its
own filing (forged 同意 refused at the first hub and ignored by every fold), review
another village's filing, or skip the gate."""
from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.services.decisions import VillageDecisions
from app.services.errors import ServiceError
from app.services.risk import RiskAssessments
from app.services.workflow import Attachment
from tests.support.township import Township  # the `town` fixture: tests/app/conftest.py

TODAY = date.today()     # the fold dates records by their clock stamps (today, here)
FINE = ("符合", "依法依规")


def _svc(town: Township, role: str) -> VillageDecisions:
    return VillageDecisions(town[role].station, today=lambda: TODAY)


def roster(n_party: int = 9, n_reps: int = 12) -> list[dict]:
    people = [{"name": f"党员{i}", "party": "正式", "female": i % 2 == 0,
               "birth_date": "1970-01-01", "household": f"户{i}"} for i in range(n_party)]
    people += [{"name": f"代表{i}", "representative": True, "female": i < 5,
                "birth_date": "1975-05-05", "household": f"户R{i}"} for i in range(n_reps)]
    people += [{"name": "书记兼主任", "party": "正式", "committee_member": True, "female": True,
                "birth_date": "1968-02-02", "household": "户S", "post": "村党支部书记"}]
    return people


def low_risk(town: Township, record: str) -> str:
    risk = RiskAssessments(town["A"].station, today=lambda: TODAY)
    cadre = town["A"].cadre
    rec = risk.plan(cadre, matter="修建村组道路", responsible_unit="王湾村村委会",
                    assessors="王书记、李主任", plan="入户走访、座谈",
                    subject={"kind": "village_matter", "record": record})
    risk.gather_opinions(cadre, rec, method="座谈", participants=40, objecting=1,
                         summary="多数赞成")
    risk.analyse(cadre, rec, legality=FINE, reasonableness=FINE, feasibility=FINE,
                 controllability=FINE)
    risk.grade(cadre, rec, grade="低", reasons="群众支持", measures=["专人负责答复"])
    risk.report(cadre, rec, conclusion="低风险，可以实施")
    return rec


def signed_sheet() -> bytes:
    """A photo of a signed attendance sheet (drawn here: lines of 'signatures')."""
    image = Image.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(image)
    for y in range(40, 400, 40):
        draw.line((20, y, 580, y), fill="black", width=2)
        draw.line((60, y - 25, 200, y - 10), fill="blue", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def meeting_fields(day: date, **more) -> dict:
    return {"date": day, "content": "修建村组道路方案", "place": "村委会会议室", "form": "现场会议",
            "signatures": "见签名页照片", **more}


def test_a_village_files_the_town_asks_for_more_then_accepts_and_the_matter_is_decided(
        town: Township) -> None:
    village, center = _svc(town, "A"), _svc(town, "center")
    cadre = town["A"].cadre
    ids = village.set_people(cadre, roster())
    assert any(w.code == "representatives_share" for w in village.roster_warnings()) is False
    party = [i for i, p in zip(ids, roster()) if p.get("party")]
    reps = [i for i, p in zip(ids, roster()) if p.get("representative")]
    secretary = ids[-1]
    record = village.open_matter(
        cadre, title="修建三组到五组的村组道路", motion_source="党员群众建议",
        reason="群众反映雨天出行难", kinds=["公益事业"], money_yuan="380000",
        options=["水泥路面", "沥青路面"], parties_consulted=["三组村民", "五组村民"],
        complex=True, secretary=secretary, chair=secretary)
    view = village.view(record)
    assert view.matter.art24 and view.state.current == "propose"
    # 提议 and 商议 may come before the filing (they form the plan that is filed) —
    # merged here, one person being both secretary and chair (一肩挑)
    village.record_step(cadre, record, "propose",
                        meeting_fields(TODAY - timedelta(days=30), outcome="通过",
                                       participants="支委3人", motion_source="党员群众建议"),
                        merged=["discuss"])
    view = village.view(record)
    assert view.state.current == "review"
    assert "还没有向镇党委报备" in view.state.blocked
    with pytest.raises(ServiceError, match="还没有向镇党委报备"):
        village.record_step(cadre, record, "review", meeting_fields(TODAY), body="党员大会")
    # filing without an assessment: refused, nothing written
    with pytest.raises(ServiceError, match="社会稳定风险评估"):
        village.submit_filing(cadre, record, legality="符合公益事业筹资规定",
                              feasibility="资金已落实", consultation="两组村民同意",
                              options=["水泥路面", "沥青路面"])
    assessment = low_risk(town, record)
    with pytest.raises(ServiceError, match="多个备选方案"):   # a complex matter
        village.submit_filing(cadre, record, legality="符合", feasibility="可行",
                              consultation="两组村民同意", options=["水泥路面"],
                              assessment=assessment)
    village.submit_filing(cadre, record, legality="符合", feasibility="可行",
                          consultation="两组村民同意", options=["水泥路面", "沥青路面"],
                          assessment=assessment)
    town.sync()
    inbox = center.inbox()
    assert [m["record"] for m in inbox] == [record], inbox
    center.review_filing(town["center"].cadre, record, result="补正",
                         asked="请补充道路占用耕地的协商记录")
    town.sync()
    view = village.view(record)
    assert view.matter.status == "补正"
    assert "请补充道路占用耕地的协商记录" in view.state.blocked
    village.submit_filing(cadre, record, legality="符合", feasibility="可行",
                          consultation="两组村民同意；占地户5户签字同意",
                          options=["水泥路面", "沥青路面"], assessment=assessment)
    town.sync()
    center.review_filing(town["center"].cadre, record, result="同意")
    town.sync()
    view = village.view(record)
    assert view.matter.status == "同意" and view.state.blocked == ""
    # 党员大会: 10 full members; the plan reached all 3 days before
    day = TODAY - timedelta(days=1)
    all_party = party + [secretary]
    sent = {p: day - timedelta(days=4) for p in all_party}
    attendance = [{"person": p, "mode": "到场", "vote": "赞成"} for p in all_party[:6]]
    attendance.append({"person": all_party[6], "mode": "电话", "vote": "赞成"})
    # 7 of 10 present is more than 2/3, 7 for is more than half of 10
    village.record_step(cadre, record, "review",
                        meeting_fields(day, township_attendees=[{"name": "张委员", "post": "包村干部"}],
                                       minutes="审议通过"),
                        body="党员大会", attendance=attendance, plan_sent=sent,
                        proxies=[{"principal": all_party[7], "holder": "党员1",
                                  "scope": "本次审议"}],
                        attachments=[Attachment(signed_sheet(), "image/png", "签名页")])
    view = village.view(record)
    review = view.state.status("review")
    assert review.status == "已通过", review.reasons
    assert "委托" in review.explanation and "不计入" in review.explanation
    # 村民代表会议 needs the 村民会议's authorisation for an Art 24 matter
    members = reps + [secretary]
    votes = [{"person": p, "mode": "到场", "vote": "赞成"} for p in members[:9]]
    village.record_step(cadre, record, "resolve",
                        meeting_fields(day, township_attendees=[{"name": "张委员", "post": "包村干部"}],
                                       minutes="表决"),
                        body="村民代表会议", attendance=votes)
    view = village.view(record)
    assert view.state.status("resolve").status == "未通过"
    assert "授权" in "".join(view.state.status("resolve").reasons)
    village.authorise(cadre, scope=["公益事业"], since=TODAY - timedelta(days=300),
                      record="2026年1月村民会议决定：公益事业由村民代表会议讨论决定")
    village.record_step(cadre, record, "resolve",
                        meeting_fields(day, township_attendees=[{"name": "张委员", "post": "包村干部"}],
                                       minutes="表决"),
                        body="村民代表会议", attendance=votes)
    view = village.view(record)
    assert view.state.status("resolve").status == "已通过", view.state.status("resolve")
    village.record_step(cadre, record, "publish_resolution", {
        "date": day, "content": "决议：修建水泥路面", "place": "村务公开栏",
        "period_start": day - timedelta(days=9), "period_end": day - timedelta(days=2),
        "supervision_opinions": "无"})
    town.sync()
    rows = {m["record"]: m for m in center.matters()}
    assert rows[record]["current"] == "implement"
    assert rows[record]["village_name"] == "王湾村"
    # the town holds the whole file, photo included, and prints it as one PDF
    pdf = center.file_pdf(record)
    text = pdf_text(pdf, town.root)
    for expected in ("村级重大事项决策档案", "修建三组到五组的村组道路", "镇党委：补正",
                     "请补充道路占用耕地的协商记录", "镇党委：同意", "党员大会审议——已通过",
                     "村民代表会议或村民会议决议——未通过", "授权", "附件1：签名页",
                     "委托，不计入", "决议公开——已通过", "低"):
        assert expected in text, expected
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    (artifacts / "decision-file.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(artifacts / "decision-file.pdf"),
                    str(artifacts / "decision-file")], check=True)
    pages = sorted(artifacts.glob("decision-file-*.png"))
    assert len(pages) >= 3


def pdf_text(pdf: bytes, where: Path) -> str:
    path = where / "file.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def test_a_stolen_village_tablet_cannot_accept_its_own_filing(town: Township) -> None:
    village = _svc(town, "B")
    cadre = town["B"].cadre
    record = village.open_matter(cadre, title="村集体收益分配", motion_source="村干部提议",
                                 reason="年终分配", kinds=["集体收益使用"],
                                 needs_assessment=False)
    village.submit_filing(cadre, record, legality="符合", feasibility="可行",
                          consultation="已协商", options=["按户分配"])
    with pytest.raises(ServiceError, match="镇党委审核"):
        village.review_filing(cadre, record, result="同意")
    town.sync()
    before = town.hub_states()
    tablet = town["B"].tablet()
    forged = tablet.event("decision.filing_reviewed", record,
                          {"on": TODAY.isoformat(), "result": "同意",
                           "reviewer": {"name": "假冒镇干部"}})
    reply = tablet.push([forged])
    assert reply.status_code == 403 and reply.json()["code"] == "wrong_level", reply.text
    assert town.hub_states() == before
    # another village cannot file or step on B's matter either
    other = town["A"].tablet()
    reply = other.push([other.event("decision.filing_submitted", record, {
        "on": TODAY.isoformat(), "legality": "x", "feasibility": "x", "consultation": "x",
        "options": ["x"], "officer": {"name": "x"}})])
    assert reply.status_code == 403, reply.text
    assert _svc(town, "B").view(record).matter.status == "已报备"
    # and the town's own answer is what counts
    _svc(town, "center").review_filing(town["center"].cadre, record, result="不同意",
                                       reasons="分配方案未经民主理财小组审核")
    town.sync()
    view = _svc(town, "B").view(record)
    assert view.matter.status == "不同意"
    assert "民主理财小组" in view.gate_message
