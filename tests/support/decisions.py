"""A village matter ready for its 党员大会 (issue #12), on real station files: the roster,
立项, 提议+商议 (一肩挑), 决策前论证备案 and the town's 同意 carried back as a pull would."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.services.decisions import VillageDecisions
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked

PARTY, REPS = 9, 15          # 2/3 of 9 = 6 must attend; 2/3 of 15 = 10


def seed_agreed_matter(tmp_path: Path, *, authorised: bool
                       ) -> tuple[Path, str, list[str], list[str]]:
    """A village with 9 party members and 15 representatives, a 公益事业 matter (an Art 24
    item) past 提议+商议 and filed; the town agrees; ``authorised``: the 村民会议 has
    authorised the 代表会议 for it.  Returns the village folder, the matter, the party
    members' and the representatives' roster ids."""
    village = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ010", cadres=(("张敏", "组织委员"),))
    v, t = unlocked(village), unlocked(town)
    svc = VillageDecisions(v, today=lambda: TODAY)
    officer = cadre(v, "李建国")
    people = [{"name": f"党员{i}", "party": "正式", "female": i % 2 == 0,
               "birth_date": "1970-01-01", "household": f"党{i}"} for i in range(PARTY)]
    people += [{"name": f"代表{i}", "representative": True, "female": i < 5,
                "birth_date": "1975-01-01", "household": f"代{i}"} for i in range(REPS)]
    ids = svc.set_people(officer, people)
    if authorised:
        svc.authorise(officer, scope=["公益事业"], since=TODAY - timedelta(days=60),
                      record="2026年9月村民会议授权")
    record = svc.open_matter(officer, title="修建三组村组道路", motion_source="党员群众建议",
                             reason="雨天出行难", kinds=["公益事业"], needs_assessment=False,
                             secretary=ids[0], chair=ids[0], options=["水泥路面"])
    svc.record_step(officer, record, "propose", {
        "date": TODAY - timedelta(days=30), "content": "修路方案", "place": "村委会",
        "form": "现场会议", "participants": "支委", "signatures": "见照片", "outcome": "通过",
        "motion_source": "党员群众建议"}, merged=["discuss"])
    svc.submit_filing(officer, record, legality="符合", feasibility="可行",
                      consultation="已协商", options=["水泥路面"])
    carry(v, t)
    VillageDecisions(t, today=lambda: TODAY).review_filing(cadre(t, "张敏"), record,
                                                          result="同意")
    carry(t, v)
    t.close()
    v.close()
    return village, record, ids[:PARTY], ids[PARTY:]
