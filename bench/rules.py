"""Pure-rule benchmark for issues #12 and #13: ``python -m bench.rules``.

Times the rules the #12/#13 screens will call on every change, on realistic sizes (the
issues' figures: a 村民会议 quorum over 3,000 adults and the file of a matter with 2,000
roster entries and 6 meetings, p95 ≤ 50 ms each; the assessment of a town of 30 villages
over a year of data ≤ 2 s):

1. ``meetings.tally`` of a 村民会议 by adults: 3,000 adults (plus 900 minors) on the roster,
   2,100 present, one vote each;
2. ``procedure_state`` over 四议两公开 with 6 meeting records (提议, 商议, a failed 党员大会,
   the re-held 党员大会, the 决议 and a publicity) against a 2,000-entry roster;
3. ``score_unit`` for 30 villages (500 service cases, 60 mediations, 40 petitions, 16
   publications, 12 监委会 opinions, 7 assessors each) and ``rank``.

Each is run --runs times (default 200; 5 for the assessment) and its p95 printed with a
baseline measured in the same run: one plain pass over the same roster (a list
comprehension counting adults), so the ratio says what the rule costs beyond touching
the data once.  Last line: ``rules: quorum p95 <ms> ms, file p95 <ms> ms, assessment <s> s``.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import schemas.config
from app.domain.config import merge_config
from app.domain.decisions.filing import filing_gate
from app.domain.decisions.judging import Context, RecordJudge
from app.domain.decisions.meetings import VILLAGERS, Attendance, tally
from app.domain.decisions.procedure import procedure_state, steps_for
from app.domain.decisions.roster import Person, is_adult
from app.domain.decisions.rules import DecisionRules
from app.domain.risk.grading import RiskRules
from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.scheme import check_scheme
from app.domain.supervision.scoring import rank, score_unit

CONFIG = merge_config(schemas.config.load_defaults(), {})
RULES = DecisionRules.from_config(CONFIG)
SUP = SupervisionRules.from_config(CONFIG)
DAY = date(2026, 3, 20)


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def village(adults: int, minors: int, party: int, reps: int) -> list[Person]:
    people = []
    for i in range(adults):
        people.append(Person(f"a{i}", f"村民{i}", female=i % 2 == 0, birth_date=date(1950 + i % 50, 1 + i % 12, 1),
                             household=f"h{i // 3}", group=f"{i % 8 + 1}组",
                             party="正式" if i < party else None, representative=party <= i < party + reps,
                             committee_member=party + reps <= i < party + reps + 5))
    people += [Person(f"m{i}", f"少年{i}", birth_date=date(2012, 1, 1), household=f"h{i}")
               for i in range(minors)]
    return people


def bench_quorum(runs: int) -> tuple[float, float]:
    people = village(3000, 900, 60, 40)
    present = [Attendance(f"a{i}", vote="赞成" if i % 3 else "反对") for i in range(2100)]
    result = tally(VILLAGERS, people, present, DAY, RULES)
    assert result.passed
    rule = _p95(_time(lambda: tally(VILLAGERS, people, present, DAY, RULES), runs))
    base = _p95(_time(lambda: sum(1 for p in people if is_adult(p, DAY)), runs))
    return rule, base


def bench_file(runs: int) -> tuple[float, float]:
    people = village(1995, 5, 60, 40)
    steps = steps_for(RULES.procedures, RULES.procedure)
    meeting_fields = {"date": "2026-03-01", "content": "道路硬化", "place": "村部", "form": "会议",
                      "participants": ["支书"], "signatures": ["photo"], "outcome": "通过",
                      "motion_source": "党员群众建议", "township_attendees": [{"name": "王", "post": "包村"}],
                      "minutes": "记录"}
    party_ids = [f"a{i}" for i in range(60)]
    rep_ids = [f"a{i}" for i in range(60, 105)]

    def vote(step, rid, ids, day, **extra):
        return {"id": rid, "step": step, "fields": {**meeting_fields, "date": day},
                "attendance": [{"person": i, "vote": "赞成"} for i in ids], **extra}

    records = [
        {"id": "1", "step": "propose", "fields": meeting_fields},
        {"id": "2", "step": "discuss", "fields": meeting_fields},
        vote("review", "3", party_ids[:30], "2026-03-05"),
        vote("review", "4", party_ids, "2026-03-06"),
        vote("resolve", "5", rep_ids, "2026-03-08", body="村民代表会议"),
        {"id": "6", "step": "publish_resolution", "fields": {
            "date": "2026-03-09", "content": "决议", "place": "公开栏", "period_start": "2026-03-09",
            "period_end": "2026-03-16", "supervision_opinions": "无"}},
    ]
    assessment = {"status": "reported", "grade": "低", "measures": ["专人答复"], "analysis": {}}
    gate = filing_gate("同意", assessment=assessment, rules=RiskRules.from_config(CONFIG))
    context = Context(tuple(people), RULES, ("公益事业",), gate, date(2026, 3, 20),
                      ({"scope": "all"},), {p.id: date(2026, 3, 1) for p in people if p.party})
    judge = RecordJudge(context, "propose")
    state = procedure_state(steps, records, judge)
    assert state.current == "implement", state
    rule = _p95(_time(lambda: procedure_state(steps, records, judge), runs))
    base = _p95(_time(lambda: sum(1 for p in people if is_adult(p, DAY)), runs))
    return rule, base


def bench_assessment(runs: int) -> float:
    scheme = check_scheme({"criteria": [
        {"code": "办件", "name": "办件", "weight": 25, "kind": "定量", "part": "组织认定", "measure": "service_on_time"},
        {"code": "调解", "name": "调解", "weight": 15, "kind": "定量", "part": "组织认定",
         "measure": "mediation_success", "method": "扣分", "deduct": 1},
        {"code": "信访", "name": "信访", "weight": 15, "kind": "定量", "part": "组织认定", "measure": "petitions_on_time"},
        {"code": "公开", "name": "公开", "weight": 10, "kind": "定量", "part": "组织认定", "measure": "publicity_on_time"},
        {"code": "意见", "name": "意见", "weight": 5, "kind": "定量", "part": "组织认定", "measure": "opinions_answered"},
        {"code": "廉洁", "name": "廉洁", "weight": 10, "kind": "定性", "part": "组织认定"},
        {"code": "满意", "name": "满意", "weight": 20, "kind": "定量", "part": "群众评判", "measure": "service_satisfaction"},
    ]})

    def deadline(n, late_every):
        return [{"due": "2026-06-30", "done": "2026-07-03" if i % late_every == 0 else "2026-06-28"}
                for i in range(n)]

    data = {f"{i}村": {"办件": deadline(500, 17 + i), "调解": [{"good": j % (5 + i % 3) != 0} for j in range(60)],
                      "信访": deadline(40, 9), "公开": deadline(16, 8), "意见": deadline(12, 6),
                      "廉洁": [{"assessor": f"评分人{k}", "score": 6 + (k + i) % 5} for k in range(7)],
                      "满意": [{"good": j % 23 != 0} for j in range(500)]}
            for i in range(30)}

    def once():
        scores = [score_unit(unit, scheme, d, date(2026, 12, 31), SUP) for unit, d in data.items()]
        return rank(scores, SUP)

    assert len(once()) == 30
    return max(_time(once, runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    quorum, quorum_base = bench_quorum(args.runs)
    print(f"村民会议 quorum, 3,000 adults, 2,100 present: p95 {quorum * 1000:.1f} ms "
          f"(one plain pass over the roster {quorum_base * 1000:.1f} ms, ratio {quorum / quorum_base:.1f})")
    file_, file_base = bench_file(args.runs)
    print(f"procedure_state, 2,000 roster entries, 6 meeting records: p95 {file_ * 1000:.1f} ms "
          f"(plain pass {file_base * 1000:.1f} ms, ratio {file_ / file_base:.1f})")
    assessment = bench_assessment(max(1, args.runs // 40))
    print(f"assessment, 30 villages, a year of data: worst {assessment:.2f} s")
    print(f"rules: quorum p95 {quorum * 1000:.1f} ms, file p95 {file_ * 1000:.1f} ms, assessment {assessment:.2f} s")


if __name__ == "__main__":
    main()
