"""The 纪委's case declared on the workflow engine (app/domain/supervision/case_flow.py):
the steps in order, refusals with their reasons, 一案双查 blocking 结案, the holder rule
(own town or county, from the author's certified hub), 廉政档案.  The engine folds the
opened documents: each event's payload is the plaintext the desk opened."""
from __future__ import annotations

from typing import Any

from app.domain.supervision import case_flow as flow
from app.domain.supervision.case_flow import CASE, CaseState, integrity_entries
from app.domain.workflow import Verdict
from tests.domain.supervision.support import RULES

TOWN, OTHER = "hub-xinji", "hub-lizhuang"
AT = ("town", TOWN)          # the author: the town's own 纪委
LEVELS = {"disc-1": "town", "disc-9": "town", "disc-c": "county"}
PARENTS = {"disc-1": TOWN, "disc-9": OTHER, "disc-c": "hub-county"}


def event(i: Any, kind: str, body: dict[str, Any], origin: str = "disc-1",
          hlc: int | None = None) -> dict[str, Any]:
    return {"id": f"e{i}" if isinstance(i, int) else i, "type": kind, "v": 1, "record": "c1",
            "origin": origin, "seq": 1, "hlc": 100 + i if hlc is None else hlc,
            "author": "cadre", "payload": body}


def fold(record: str, events: list[dict[str, Any]], rules: Any = RULES) -> CaseState:
    return CASE.fold(events, LEVELS, rules, PARENTS)


def buttons(state: CaseState, rules: Any, level: str, town: str) -> list[tuple[str, str]]:
    return CASE.buttons(state, level, rules, parent=town)


def check_step(state: CaseState, kind: str, body: dict[str, Any], rules: Any, level: str,
               town: str) -> Verdict | None:
    """The desk's check before it seals and writes: None if the step may be recorded."""
    probe = {"type": kind, "v": 1, "payload": body, "origin": "asking"}
    verdict = CASE.check(state, probe, level, rules, {"asking": town})
    return None if verdict.ok else verdict
OPENED = {"received": "2026-03-02", "source": "检举控告", "named_reporter": True,
          "subject": {"name": "孙有财", "unit": "王湾村村委会", "post": "村主任"},
          "summary": "危房改造补助款打入亲属账户", "report": "r-1", "receipt_no": ""}
REVIEW_MAIN = {"on": "2026-05-20", "kind": "主体责任", "subject": "王湾村党支部", "finding": "存在责任",
               "facts": "对村主任管理失之于宽", "handling": ["诫勉"]}
REVIEW_WATCH = {"on": "2026-05-21", "kind": "监督责任", "subject": "王湾村村务监督委员会",
                "finding": "不存在责任", "facts": "已多次提出监督意见", "handling": ["不予问责"],
                "reason": "已履职"}


def docs(*steps: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [event(i, kind, body) for i, (kind, body) in enumerate(steps)]


BASE = (("discipline.case_opened", OPENED),
        ("discipline.case_disposed", {"on": "2026-03-04", "disposal": "初步核实"}),
        ("discipline.case_filed", {"on": "2026-04-01", "basis": "初核查明收款事实"}),
        ("discipline.case_investigated", {"on": "2026-05-10", "substantiated": True,
                                          "facts": "收受补助款三万六千元"}),
        ("discipline.case_decided", {"on": "2026-05-15", "handling": ["党纪处分", "政务处分"],
                                     "persons": [{"name": "孙有财", "unit": "王湾村村委会",
                                                  "post": "村主任"}]}))


def test_the_whole_way_with_double_check_before_closing() -> None:
    state = fold("c1", docs(*BASE), RULES)
    assert state.status == "decided" and state.town == TOWN and not state.rejected
    assert ("discipline.case_concluded", "结案") not in buttons(state, RULES, *AT)
    refusal = check_step(state, "discipline.case_concluded", {"on": "2026-05-30"}, RULES, *AT)
    assert refusal is not None and refusal.code == "double_check"
    assert "主体责任的审查" in refusal.message and "监督责任的审查" in refusal.message
    # A review missing its handling is refused with what to add.
    half = dict(REVIEW_MAIN, handling=[])
    bad = check_step(state, "discipline.review_recorded", half, RULES, *AT)
    assert bad is not None and "问责方式" in bad.message
    one = fold("c1", docs(*BASE, ("discipline.review_recorded", REVIEW_MAIN)), RULES)
    still = check_step(one, "discipline.case_concluded", {"on": "2026-05-30"}, RULES, *AT)
    assert still is not None and still.message.endswith("还缺：监督责任的审查（认定和处理）")
    steps = (*BASE, ("discipline.review_recorded", REVIEW_MAIN),
             ("discipline.review_recorded", REVIEW_WATCH),
             ("discipline.case_concluded", {"on": "2026-05-30"}),
             ("discipline.case_replied", {"on": "2026-06-05", "content": "书面告知处理结果"}),
             ("discipline.case_revisited", {"on": "2026-08-20", "result": "群众满意"}))
    done = fold("c1", docs(*steps), RULES)
    assert done.status == "revisited" and not done.rejected
    assert [s.what for s in done.steps] == ["受理", "处置", "立案", "调查结束", "处理", "一案双查",
                                         "一案双查", "结案", "反馈举报人", "回访"]
    entries = integrity_entries(done)
    assert [(e["name"], e["handling"]) for e in entries] == [
        ("孙有财", "党纪处分、政务处分"), ("王湾村党支部", "诫勉")]


def test_a_concluding_event_past_the_gate_is_kept_aside() -> None:
    forged = fold("c1", docs(*BASE, ("discipline.case_concluded", {"on": "2026-05-30"})), RULES)
    assert forged.status == "decided"
    [refused] = forged.rejected
    assert refused.event_id == "e5" and "一案双查" in refused.reason


def test_not_substantiated_closes_without_reviews_or_handling() -> None:
    steps = (*BASE[:3], ("discipline.case_investigated", {"on": "2026-05-10", "substantiated": False,
                                                         "facts": "查无实据"}))
    state = fold("c1", docs(*steps), RULES)
    labels = [label for _, label in buttons(state, RULES, *AT)]
    assert "结案" in labels and "处理" not in labels and "一案双查" not in labels
    assert check_step(state, "discipline.case_concluded", {"on": "2026-05-11"}, RULES, *AT) is None


def test_dismissal_needs_a_reason_and_disposal_a_known_kind() -> None:
    opened = fold("c1", docs(BASE[0]), RULES)
    refusal = check_step(opened, "discipline.case_disposed", {"on": "2026-03-04", "disposal": "予以了结"},
                         RULES, *AT)
    assert refusal is not None and "理由" in refusal.message
    assert check_step(opened, "discipline.case_disposed", {"on": "2026-03-04", "disposal": "不管"},
                      RULES, *AT) is not None
    prelim = fold("c1", docs(*BASE[:2]), RULES)
    assert check_step(prelim, "discipline.case_dismissed", {"on": "2026-03-20"}, RULES, *AT) is not None
    closed = fold("c1", docs(*BASE[:2], ("discipline.case_dismissed",
                                         {"on": "2026-03-20", "reason": "反映不实"})), RULES)
    assert closed.status == "closed" and closed.closed_reason == "反映不实"
    assert [label for _, label in buttons(closed, RULES, *AT)] == ["反馈举报人", "办案协作"]


def test_dates_in_order_and_extension_within_the_statutory_bound() -> None:
    early = check_step(fold("c1", docs(*BASE[:2]), RULES), "discipline.case_filed",
                       {"on": "2026-03-01", "basis": "x"}, RULES, *AT)
    assert early is not None and "不能早于" in early.message
    filed = fold("c1", docs(*BASE[:3]), RULES)
    limit = RULES.case_investigation_extension_days
    assert check_step(filed, "discipline.case_extended", {"on": "2026-06-01", "days": limit,
                                                          "reason": "书记批准"}, RULES, *AT) is None
    more = fold("c1", docs(*BASE[:3], ("discipline.case_extended",
                                       {"on": "2026-06-01", "days": limit - 10, "reason": "批准"})),
                RULES)
    over = check_step(more, "discipline.case_extended", {"on": "2026-07-01", "days": 11,
                                                         "reason": "批准"}, RULES, *AT)
    assert over is not None and str(limit) in over.message
    assert check_step(more, "discipline.case_extended", {"on": "2026-07-01", "days": 10,
                                                         "reason": "批准"}, RULES, *AT) is None


def test_only_the_own_town_or_the_county_records_steps() -> None:
    mine = docs(*BASE[:2])
    theirs = [event("x1", "discipline.case_filed", {"on": "2026-04-01", "basis": "x"},
                    "disc-9", 200)]
    county = [event("y1", "discipline.case_filed", {"on": "2026-04-02", "basis": "县纪委直接立案"},
                    "disc-c", 300)]
    state = fold("c1", mine + theirs, RULES)
    assert state.status == "preliminary" and "协作区的乡镇只能查看" in state.rejected[0].reason
    assert fold("c1", mine + county, RULES).status == "investigating"
    assert buttons(fold("c1", mine, RULES), RULES, "town", OTHER) == []


def test_a_named_reporter_only_gets_a_reply_and_once() -> None:
    anonymous = dict(OPENED, named_reporter=False)
    state = fold("c1", docs(("discipline.case_opened", anonymous),
                            ("discipline.case_dismissed", {"on": "2026-03-05", "reason": "不属实"})),
                 RULES)
    refusal = check_step(state, "discipline.case_replied", {"on": "2026-03-06", "content": "x"}, RULES, *AT)
    assert refusal is not None and "匿名" in refusal.message


def test_sharing_names_other_towns_only() -> None:
    state = fold("c1", docs(*BASE[:2]), RULES)
    assert check_step(state, "discipline.case_shared", {"on": "2026-03-05", "towns": [TOWN]},
                      RULES, *AT) is not None
    shared = fold("c1", docs(*BASE[:2], ("discipline.case_shared",
                                         {"on": "2026-03-05", "towns": [OTHER]})), RULES)
    assert shared.shared_with == (OTHER,) and shared.status == "preliminary"


def test_every_step_has_a_writer_declared() -> None:
    from app.domain.authority import WRITERS
    for kind in flow.KINDS:
        writers = WRITERS[kind]
        assert writers.roles == frozenset({"discipline"}) and "village" not in writers.levels
