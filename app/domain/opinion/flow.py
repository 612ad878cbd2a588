"""双联三解的民意台账: what cadres hear on their 联系 visits, from hearing it to answering back.

The seed (二（二）构建三级联动服务体系): "基层党员联系群众、县乡村三级联动，了解群众诉求、化解
矛盾纠纷、破解民生难题"，"通过收集民意、梳理民情、建立台账、交办转办、反馈结果工作程序，为群众
解难事、办实事".  One record per thing heard (RULES.md §1 双联三解):

    收集民意 + 建立台账   opinion.collected   who heard what from whom, on which visit, with
                                           its 台账 number
    梳理民情             opinion.sorted      what kind of matter it is and how it should go
    交办转办             opinion.routed      turned into a service case, a dispute, a
                                           petition or a village-decision proposal (the
                                           record it became is named), with the day the
                                           people must hear back by
    反馈结果             opinion.answered    what the people were told back, how, and
                                           whether they are satisfied

A matter that needs no hand-over (a policy question answered on the spot) goes from 梳理
straight to 反馈.  Village decisions do not exist yet (issue #12): an item routed to a
decision names no record; it stays ``awaiting_decision`` until the decisions workflow
routes it again with the decision's record (the one re-routing allowed), which is the
hook that module plugs into (``app.services.opinions.Opinions.decision_proposals``).

| event type        | from status                | who                                  |
|-------------------|----------------------------|--------------------------------------|
| opinion.collected | (new record)               | any level (the cadre who heard it)   |
| opinion.sorted    | collected, sorted          | the collecting level or above        |
| opinion.routed    | sorted; routed to a decision| the collecting level or above        |
|                   | with no record yet         |                                      |
| opinion.answered  | sorted (answer route), routed | the collecting level or above     |
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from app.domain.events import Event, Rejected
from app.domain.workflow import (
    LEVEL_SHORT, OK, Act, Effect, Flow, Step, Transition, Verdict, business_date, iso_date, no,
    text)
from app.domain.workflow.payload import (
    Need, need_choice, need_date, need_text, rated_dissatisfied, requires)

VISITS = ("入户走访", "座谈会", "电话联系", "集中接访", "其他")
CATEGORIES = ("民生诉求", "矛盾纠纷", "信访诉求", "村务决策建议", "政策咨询", "其他")
# How a matter goes on (交办转办), and the record kind it becomes.
ROUTES = {"case": "转为便民服务事项", "dispute": "转为矛盾纠纷调处", "petition": "转为信访事项办理",
          "decision": "提交村务决策（四议两公开）", "answer": "直接答复群众"}
TARGET_KINDS = {"case": "svc_case", "dispute": "dispute", "petition": "petition",
                "decision": "decision"}
ANSWER_METHODS = ("上门", "电话", "会议", "公示栏", "当面")
STATUS_NAMES = {"new": "未登记", "collected": "已收集，待梳理", "sorted": "已梳理，待交办",
                "routed": "已交办转办，待反馈", "answered": "已反馈群众"}
SOURCE = "新集镇意见二（二）“双联三解”：收集民意、梳理民情、建立台账、交办转办、反馈结果"


@dataclass(frozen=True)
class OpinionState:
    record: str
    status: str = "new"
    level: str | None = None          # the collecting level (holds the item)
    path: tuple[tuple[str, str | None], ...] = ()  # not used: the item stays where collected
    ledger_no: str = ""
    cadre: Mapping[str, Any] | None = None
    visit: Mapping[str, Any] | None = None
    village: str = ""
    people: tuple[Mapping[str, Any], ...] = ()
    content: str = ""
    collected_on: date | None = None
    category: str | None = None
    route: str | None = None
    note: str = ""
    target_kind: str | None = None
    target: str | None = None         # the record it became (None: a decision not yet made)
    unit: str = ""
    routed_on: date | None = None
    due: date | None = None           # the people hear back by then
    answer: Mapping[str, Any] | None = None
    answered_on: date | None = None
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        if self.awaiting_decision:
            return "已提交村务决策，待决策"
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def awaiting_decision(self) -> bool:
        return self.status == "routed" and self.route == "decision" and self.target is None


Rule = Transition[OpinionState]


def _wrong_status(state: OpinionState, step: Rule) -> Verdict:
    if state.status == "new":
        return no("not_collected", "这条民意还没有登记，请先登记")
    if step.kind == "opinion.collected":
        return no("duplicate", "这条民意已经登记，不能重复登记")
    if state.status == "answered":
        return no("answered", "这条民意已经反馈群众，台账已办结")
    return no("wrong_order", "请先梳理民情（定类别和办理方式），再交办转办或反馈")


def _not_holder(state: OpinionState, step: Rule, act: Act) -> Verdict:
    return no("wrong_level", f"这条民意由{LEVEL_SHORT[str(state.level)]}收集，"
                             f"{LEVEL_SHORT[act.level]}不能{step.action}")


def _dated(state: OpinionState, step: Rule, p: Mapping[str, Any], act: Act) -> Verdict:
    return business_date(p)


def _routable(state: OpinionState, act: Act) -> Verdict:
    if state.status == "routed" and not state.awaiting_decision:
        return no("routed", f"这条民意已经{ROUTES.get(state.route or '', '交办')}，不能再交办")
    return OK


def _answerable(state: OpinionState, act: Act) -> Verdict:
    if state.status == "sorted" and state.route != "answer":
        return no("not_routed", f"梳理时定的是“{ROUTES.get(state.route or '', '')}”，请先交办转办，"
                                "办理有了结果再反馈群众")
    if state.awaiting_decision:
        return no("awaiting_decision", "这条民意已提交村务决策，请等决策有了结果再反馈群众")
    return OK


def _names_people(p: Mapping[str, Any]) -> bool:
    people = p.get("people")
    return isinstance(people, list) and bool(people) and all(text(x, "name") for x in people)


_check_collected = requires(
    need_date("on", "bad_date", "请填写听到的日期"),
    need_text("cadre.name", "missing_cadre", "请填写联系群众的干部"),
    need_choice("visit.how", VISITS, "bad_visit", "请选择怎么听到的：" + "、".join(VISITS)),
    Need(_names_people, "missing_people", "请填写反映情况的群众姓名"),
    need_text("content", "missing_content", "请写下群众反映的情况和诉求"),
    need_text("ledger_no", "missing_no", "台账编号缺失，请重新保存"))

_check_sorted = requires(
    need_choice("category", CATEGORIES, "bad_category", "请选择类别：" + "、".join(CATEGORIES)),
    need_choice("route", ROUTES, "bad_route", "请选择怎么办：" + "、".join(ROUTES.values())))


def _route_of(state: OpinionState, p: Mapping[str, Any]) -> Any:
    """Where a 交办 goes: the route fixed at sorting while a decision is awaited, else the form's."""
    return state.route if state.awaiting_decision else p.get("route", state.route)


def _check_routed(state: OpinionState, p: Mapping[str, Any], act: Act) -> Verdict:
    route = _route_of(state, p)
    if route not in ROUTES or route == "answer":
        return no("bad_route", "请选择转为便民服务事项、矛盾纠纷、信访事项或村务决策建议")
    if p.get("target_kind") != TARGET_KINDS[route]:
        return no("bad_target", f"{ROUTES[route]}须关联对应的记录")
    if route != "decision" and not text(p, "target"):
        return no("missing_target", f"{ROUTES[route]}须先登记好那件记录，再交办")
    if state.awaiting_decision and not text(p, "target"):
        return no("missing_target", "已提交村务决策，再次交办须关联决策记录")
    if iso_date(p.get("due")) is None:
        return no("bad_date", "请填写向群众反馈结果的期限")
    return OK


_check_answered = requires(
    need_text("answer", "missing_answer", "请写下向群众反馈的内容"),
    need_choice("method", ANSWER_METHODS, "bad_method", "请选择反馈方式：" + "、".join(ANSWER_METHODS)),
    need_text("by.name", "missing_by", "请填写反馈人"),
    need_text("reason", "missing_reason", "群众不满意的，请写明原因", when=rated_dissatisfied))


def _collected(state: OpinionState, event: Event, p: Mapping[str, Any], act: Act) -> Effect:
    return Effect(dict(status="collected", level=act.level, ledger_no=p["ledger_no"],
                       cadre=dict(p["cadre"]), visit=dict(p["visit"]),
                       village=p.get("village", ""), people=tuple(dict(x) for x in p["people"]),
                       content=p["content"], collected_on=iso_date(p["on"])),
                  f"{p['cadre']['name']}{p['visit']['how']}时听到：{p['content'][:40]}")


def _sorted(state: OpinionState, event: Event, p: Mapping[str, Any], act: Act) -> Effect:
    return Effect(dict(status="sorted", category=p["category"], route=p["route"],
                       note=p.get("note", "")), f"梳理：{p['category']}，{ROUTES[p['route']]}")


def _routed(state: OpinionState, event: Event, p: Mapping[str, Any], act: Act) -> Effect:
    route = str(_route_of(state, p))  # one of ROUTES: _check_routed passed
    return Effect(dict(status="routed", route=route, target_kind=p["target_kind"],
                       target=p.get("target") or None, unit=p.get("unit", ""),
                       routed_on=iso_date(p["on"]), due=iso_date(p["due"])),
                  f"{ROUTES[route]}" + (f"（{p['unit']}）" if p.get("unit") else ""))


def _answered(state: OpinionState, event: Event, p: Mapping[str, Any], act: Act) -> Effect:
    answer = {"answer": p["answer"], "method": p["method"], "by": dict(p["by"]),
              "level": p.get("level", ""), "dissatisfied": bool(p.get("dissatisfied")),
              "reason": p.get("reason", "")}
    return Effect(dict(status="answered", answer=answer, answered_on=iso_date(p["on"])),
                  f"{p['method']}反馈群众：{p['answer'][:40]}")


def _step(kind: str, sources: set[str], label: str, apply: Any, check: Any,
          **rules: Any) -> Rule:
    return Transition(kind, frozenset(sources), label, apply, check=check, claims=False,
                      **rules)


# The table of this workflow.  Who may make each step is app.domain.authority.WRITERS
# (the collecting level or above); the order is the order of the buttons.
OPINION: Flow[OpinionState] = Flow(
    name="民意台账", new=lambda record: OpinionState(record=record),
    wrong_status=_wrong_status, not_holder=_not_holder, common=_dated,
    steps=(
        _step("opinion.collected", {"new"}, "", _collected, _check_collected),
        _step("opinion.sorted", {"collected", "sorted"}, "梳理民情", _sorted, _check_sorted),
        # an item sorted as 直接答复 is answered, not routed (though a form may reroute it)
        _step("opinion.routed", {"sorted", "routed"}, "交办转办", _routed, _check_routed,
              ready=_routable,
              offer=lambda state: state.route != "answer" or state.awaiting_decision),
        _step("opinion.answered", {"sorted", "routed"}, "反馈结果", _answered,
              _check_answered, ready=_answerable),
    ))
EVENT_TYPES = OPINION.kinds
check_transition = OPINION.check
apply_event = OPINION.apply
fold = OPINION.fold


def feedback_due(routed_on: date, days: int) -> date:
    """The day the people should hear back (``opinion.feedback_days`` calendar days after
    the hand-over; a local default, not a statutory period)."""
    return routed_on + timedelta(days=days)


def overdue(state: OpinionState, today: date) -> bool:
    return state.status == "routed" and state.due is not None and today > state.due


__all__ = ["ANSWER_METHODS", "CATEGORIES", "EVENT_TYPES", "OpinionState", "ROUTES", "SOURCE",
           "STATUS_NAMES", "TARGET_KINDS", "VISITS", "check_transition", "feedback_due", "fold",
           "overdue"]
