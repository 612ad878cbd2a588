"""Village decisions benchmark (issue #12 §5): ``python -m bench.decisions``.

1. open the 一事一档 of a matter: with the village register (2,000 entries: 60 party
   members, 40 representatives, 1,400 adults, 500 minors, in 5 events) as the station
   keeps it between roster changes (every other run folds it again: printed apart), replay the
   matter's events (opening, filing, the town's 同意, 6 meeting records — 提议+商议, a
   failed 党员大会, the 党员大会 again, a failed 村民会议, the 村民会议 again, 决议公开) with
   the judge's context at each record, then where it stands today (``fold_register`` +
   ``workflow.fold`` + ``procedure``: what ``VillageDecisions.view`` does after reading the
   events) — p95 over --runs;
2. the 村民会议 quorum over 3,000 adults (900 minors beside them, 2,100 present) as the
   attendance sheet asks for it on every tick (``meetings.tally``) — p95;
3. the file's PDF (``app.docs.decisions.matter_file``) of the matter in 1 — once.

Baseline in the same run: one plain pass over the 2,000 entries (counting the party
members), so the ratios say what the rules cost beyond touching the roster once.  Targets (issue #12): p95 ≤ 50 ms each, the PDF ≤ 3 s.  Last line:
``decisions: file p95 <ms> ms, quorum p95 <ms> ms, pdf <s> s (baseline <ms> ms)``.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime
from typing import Any

import schemas.config
from app.domain.config import merge_config
from app.domain.decisions import contexts, judging, meetings
from app.domain.decisions import roster as rosters
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.village import extend_register, fold_register
from app.domain.decisions.workflow import fold, procedure
from app.domain.risk.grading import RiskRules

CONFIG = merge_config(schemas.config.load_defaults(), {})
RULES, RISK = DecisionRules.from_config(CONFIG), RiskRules.from_config(CONFIG)
VILLAGE, TOWN = "village", "town"
LEVELS, PARENTS = {VILLAGE: "village", TOWN: "town"}, {VILLAGE: "hub", TOWN: "hub"}
DAY = date(2026, 3, 20)
_seq = iter(range(1, 10**9))


def _ev(kind: str, payload: dict[str, Any], record: str, origin: str = VILLAGE) -> dict[str, Any]:
    n = next(_seq)
    # stamped on the day after the meetings: a record is never stamped before the day it
    # records (app.domain.decisions.workflow refuses it)
    ms = int(datetime(2026, 3, 21, tzinfo=UTC).timestamp() * 1000) + n * 60_000
    return {"id": f"e{n}", "origin": origin, "seq": n, "hlc": ms << 16, "type": kind, "v": 1,
            "record": record, "author": "u", "payload": payload}


def register_events(adults: int = 1400, minors: int = 500) -> list[dict[str, Any]]:
    people = [{"id": f"p{i}", "name": f"党员{i}", "party": "正式", "birth_date": "1960-01-01",
               "household": f"h{i}"} for i in range(60)]
    people += [{"id": f"r{i}", "name": f"代表{i}", "representative": True, "female": i < 15,
                "birth_date": "1965-01-01", "household": f"hr{i}"} for i in range(40)]
    people += [{"id": f"v{i}", "name": f"村民{i}", "birth_date": "1975-01-01",
                "household": f"hv{i // 3}"} for i in range(adults)]
    people += [{"id": f"m{i}", "name": f"少年{i}", "birth_date": "2015-01-01",
                "household": f"hv{i // 2}"} for i in range(minors)]
    return [_ev("decision.roster_changed", {"on": "2026-02-01", "people": people[i:i + 400],
                                            "officer": {"name": "王"}}, "reg")
            for i in range(0, len(people), 400)]


def matter_events() -> list[dict[str, Any]]:
    steps = [{k: s[k] for k in ("code", "label", "kind", "body", "gated", "merge") if k in s}
             for s in RULES.procedures["四议两公开"]]
    fields = {"date": DAY.isoformat(), "content": "方案", "place": "村委会", "form": "现场",
              "signatures": "见照片", "participants": "支委", "outcome": "通过",
              "motion_source": "党员群众建议", "minutes": "记录",
              "township_attendees": [{"name": "张", "post": "包村干部"}]}
    party = [f"p{i}" for i in range(60)]
    adults = [f"r{i}" for i in range(40)] + [f"v{i}" for i in range(1400)] + party
    sent = {p: "2026-03-10" for p in party}

    def vote(ids: list[str]) -> list[dict[str, str]]:
        return [{"p": i, "m": "到场", "v": "赞成"} for i in ids]
    m = "matter"
    return [
        _ev("decision.matter_opened", {"on": "2026-03-01", "title": "土地流转", "motion_source":
            "党员群众建议", "reason": "增收", "kinds": ["集体经济项目"], "needs_assessment": False,
            "procedure": "四议两公开", "steps": steps, "secretary": "p0", "chair": "p0",
            "officer": {"name": "王"}}, m),
        _ev("decision.step_recorded", {"step": "propose", "fields": fields, "merged": ["discuss"],
                                       "officer": {"name": "王"}}, m),
        _ev("decision.filing_submitted", {"on": "2026-03-02", "legality": "符合", "feasibility": "可行",
                                          "consultation": "已协商", "options": ["流转"],
                                          "officer": {"name": "王"}}, m),
        _ev("decision.filing_reviewed", {"on": "2026-03-03", "result": "同意",
                                         "reviewer": {"name": "镇"}}, m, TOWN),
        _ev("decision.step_recorded", {"step": "review", "fields": fields, "body": "党员大会",
                                       "attendance": vote(party[:30]), "plan_sent": sent,
                                       "officer": {"name": "王"}}, m),
        _ev("decision.step_recorded", {"step": "review", "fields": fields, "body": "党员大会",
                                       "attendance": vote(party[:50]), "plan_sent": sent,
                                       "officer": {"name": "王"}}, m),
        _ev("decision.step_recorded", {"step": "resolve", "fields": {**fields, "announced_on":
                                       "2026-03-01"}, "body": "村民会议",
                                       "attendance": vote(adults[:600]), "officer": {"name": "王"}}, m),
        _ev("decision.step_recorded", {"step": "resolve", "fields": {**fields, "announced_on":
                                       "2026-03-01"}, "body": "村民会议",
                                       "attendance": vote(adults[:1100]), "officer": {"name": "王"}}, m),
        _ev("decision.step_recorded", {"step": "publish_resolution", "fields": {
            "date": "2026-03-21", "content": "决议", "place": "公开栏", "period_start": "2026-03-21",
            "period_end": "2026-03-28", "supervision_opinions": "无"}, "officer": {"name": "王"}}, m),
    ]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def _open(register: Any, events: list[dict[str, Any]]) -> Any:
    """What ``VillageDecisions.view`` does after reading the events: fold with each
    record's context, then where the matter stands today."""
    at = contexts.context_at(register, {}, LEVELS, RULES, RISK)
    matter = fold(events, LEVELS, PARENTS, at)
    return matter, _reopen(register, matter)


def _reopen(register: Any, matter: Any) -> Any:
    """Opened again with nothing changed (the service's per-fold cache holds the matter):
    today's context and the procedure, judgements memoised in the matter."""
    latest = contexts.context_now(matter, register, {}, LEVELS, RULES, RISK, date(2026, 4, 1))
    return procedure(matter, latest, date(2026, 4, 1))


def _change(n: int) -> dict[str, Any]:
    """One roster change (a villager's household corrected), as the tablet writes it."""
    return _ev("decision.roster_changed", {"on": "2026-03-25", "people": [{
        "id": f"v{n % 1400}", "name": f"村民{n % 1400}", "birth_date": "1975-01-01",
        "household": f"hx{n}"}], "officer": {"name": "王"}}, "reg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    reg_events, events = register_events(), matter_events()
    big = fold_register(register_events(adults=2900, minors=900)).people()  # + 100 above
    entries = [p for e in reg_events for p in e["payload"]["people"]]
    base, opened, changed, again, quorum = [], [], [], [], []
    before, before_change = [], []
    state = None
    held = fold_register(reg_events)        # as the station keeps it between changes
    for i in range(runs):
        t0 = time.perf_counter()
        sum(1 for e in entries if e.get("party"))
        base.append(time.perf_counter() - t0)
        # as before this change: no per-roster memo, no judgement kept across folds, the
        # register folded whole after a change (then warmed again untimed, as a station's
        # memo is between two opens)
        rosters._MEMO.clear()
        judging._JUDGED.clear()
        t0 = time.perf_counter()
        _open(held, events)
        before.append(time.perf_counter() - t0)
        rosters._MEMO.clear()
        judging._JUDGED.clear()
        t0 = time.perf_counter()
        _open(fold_register(reg_events), events)
        before_change.append(time.perf_counter() - t0)
        _open(held, events)
        meetings.tally(meetings.VILLAGERS, big, [], DAY, RULES)
        # first open of the matter (its events changed), the register held
        t0 = time.perf_counter()
        matter, state = _open(held, events)
        opened.append(time.perf_counter() - t0)
        # opened again, nothing changed
        t0 = time.perf_counter()
        state = _reopen(held, matter)
        again.append(time.perf_counter() - t0)
        # after a roster change: the register extended by the change, the matter refolded
        reg_events = [*reg_events, _change(i)]
        t0 = time.perf_counter()
        held = extend_register(held, reg_events) or fold_register(reg_events)
        matter, state = _open(held, events)
        changed.append(time.perf_counter() - t0)
        sheet = [meetings.Attendance(p.id, meetings.IN_PERSON, meetings.FOR)
                 for p in big[:2100]]
        t0 = time.perf_counter()
        result = meetings.tally(meetings.VILLAGERS, big, sheet, DAY, RULES)
        quorum.append(time.perf_counter() - t0)
    assert state is not None and state.current == "implement", state
    assert result.passed and len(result.expected) == 3000, len(result.expected)
    register = held
    from app.docs.decisions import matter_file
    from app.services.decisions import MatterView
    latest = contexts.context_now(matter, register, {}, LEVELS, RULES, RISK, date(2026, 4, 1))
    view = MatterView(matter, state, latest, None, register.names())
    t0 = time.perf_counter()
    pdf = matter_file(view, "王湾村", {})
    pdf_s = time.perf_counter() - t0
    b, f, q = _p95(base) * 1000, _p95(opened) * 1000, _p95(quorum) * 1000
    c, a = _p95(changed) * 1000, _p95(again) * 1000
    old, old_c = _p95(before) * 1000, _p95(before_change) * 1000
    print(f"register of {len(register.entries())} entries, {len(events)} matter events, "
          f"quorum over {len(result.expected)} adults, "
          f"PDF {len(pdf) // 1024} KiB")
    print(f"baseline (one pass over the entries) p95 {b:.2f} ms; file {f / b:.1f}×, "
          f"quorum {q / b:.1f}× the baseline")
    print(f"as before this change (no memo; the register folded whole after a change) "
          f"the file p95 {old:.1f} ms, after a roster change {old_c:.1f} ms: now "
          f"{old / f:.1f}× and {old_c / c:.1f}× faster")
    print(f"after a roster change (the register extended) the file p95 {c:.1f} ms; "
          f"opened again unchanged p95 {a:.2f} ms")
    print(f"decisions: file p95 {f:.1f} ms, quorum p95 {q:.1f} ms, pdf {pdf_s:.2f} s "
          f"(baseline {b:.2f} ms)")


if __name__ == "__main__":
    main()
