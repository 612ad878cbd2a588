"""The rules of the petition workflow (declared in ``petition.flow.PETITION``): how a refused
step is worded, the rules on the state alone, and the payload checks.

RULES.md §2 信访工作条例 and 逐级反映、分级解决; issue #4 §2.  ``PETITION.check`` is the one
place that decides, used by the services before writing and by the fold while replaying (DESIGN.md
"Conflicts": a step that could not be made is kept and shown as rejected).

Limits that are configurable (group-visit cap, extension length and count) are checked
against the ``PetitionRules`` passed in — the rules in force on this node; they are
statutory numbers, so a town changes them only when the law changes.  Checks that need
today's date (is the request window still open?) or other records (did a lower level
handle this?) are made at intake by ``petition.levels`` and their outcome is stored in
the registration (``proposal``, ``appeal_of``); replay then checks that the officer's
decision is consistent with what was proposed (an override needs a reason).

| event type                  | from status        | who                                |
|-----------------------------|--------------------|------------------------------------|
| petition.registered         | (new record)       | any level (首问负责); not 检举控告  |
| petition.assigned           | registered         | county holding it: 交办 to a town  |
| petition.accepted           | registered         | holder; reason if against proposal |
| petition.refused            | registered         | holder; ground, where to go, notice|
| petition.transferred        | registered         | holder; to whom, notice            |
| petition.extended           | accepted, stage 处理| holder; ≤ 30 days in total, approver|
| petition.hearing_started    | accepted           | holder                             |
| petition.hearing_held       | accepted           | holder                             |
| petition.answered           | accepted           | holder; no hearing still open      |
| petition.appealed           | answered           | the level above the holder         |
| petition.referred_up        | answered           | county holder: asked of the city   |
| petition.reviewed           | appealed           | the level above; the holder when   |
|                             |                    | the city (outside) reviewed        |
| petition.terminated         | answered; reviewed | holder or above; follow-up person; |
|                             | after a 复核        | a lapsed window only once ended    |
| petition.termination_heard  | answered, terminated| town or county                    |
| petition.follow_up_assigned | terminated         | holder or above                    |
| petition.followed_up        | terminated         | any level                          |
| petition.leader_assigned    | any after registered| town or county, holder or above (包案)|
| petition.leader_received    | any after registered| town or county, holder or above (接访)|
| petition.rated              | answered and after | any level, once (可评价)            |

The holder is a 信访 organ: the town or the county, never a village (Art 2; see
petition_state).  A village station registers and follows up; everything else is done
by the town for it.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from app.domain.petition.clocks import request_window_end
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import (
    CHANNELS, CONSEQUENCES, LEVEL_NAMES, LEVEL_RANK, LEVEL_SHORT, LEVELS, NEXT_STAGE,
    OPEN_CATEGORIES, RESULTS, REVIEW_RESULTS, SEALED_CATEGORY, STAGES, SUGGESTION,
    SUGGESTION_RESULTS, TERMINATION_BASES, PetitionState, received_date)
from app.domain.workflow import (
    OK, Act, Transition, Verdict, business_date, iso_date, no, text, texts)
from app.domain.workflow.payload import (
    FIRST_OFFICER, Need, first_failure, need_choice, need_date, need_list, need_text, rated_dissatisfied,
    requires)
from app.domain.workflow.refusals import StatusWords


Step = Transition[PetitionState]


def _step_order(state: PetitionState, step: Step) -> Verdict | None:
    kind = step.kind
    if kind == "petition.appealed" and state.status in ("appealed", "reviewed"):
        stage = state.appeals[-1].get("stage", "复查") if state.appeals else "复查"
        return no("in_handling", f"信访人已对这一答复请求{stage}，同一事项不再重复受理")
    if kind == "petition.appealed" and state.status == "terminated":
        return no("closed", "这件信访事项已依法终结，同一事实和理由不再受理")
    if kind in ("petition.extended", "petition.answered", "petition.hearing_held",
                "petition.hearing_started") and state.status == "registered":
        return no("not_accepted", "请先决定是否受理并书面告知信访人")
    return None


_WORDS = StatusWords[PetitionState](
    "这件信访事项", "petition.registered",
    missing=no("not_registered", "这件信访事项还没有登记，请先登记"),
    duplicate=no("duplicate", "这件信访事项已经登记，不能重复登记"),
    phrases={
        "registered": "已登记、还没有决定是否受理",
        "accepted": "已受理、正在办理",
        "refused": "已不予受理",
        "transferred": "已转送",
        "answered": "已答复",
        "appealed": "信访人已请求上级复查或复核",
        "reviewed": "上级已复查或复核",
        "terminated": "已依法终结",
    },
    special=_step_order)
# Flow.wrong_status: the refusal of a step the record's status does not allow.
wrong_status = _WORDS.refusal


def who(state: PetitionState) -> str:
    """A 复查/复核 concluded outside the system (the city) is recorded by the holder."""
    return "holder" if state.appeal_outside else "upper"


def not_holder(state: PetitionState, step: Step, act: Act) -> Verdict:
    holder, actor = str(state.level), act.level
    if step.kind == "petition.reviewed" and state.appeal_outside:
        return no("wrong_level", f"上级（{state.appeals[-1].get('to', '')}）的复查、复核结论"
                                 f"由{LEVEL_NAMES[holder]}登记，{LEVEL_SHORT[actor]}不能登记")
    if step.writers.who == "upper":
        if holder == LEVELS[-1]:
            return no("wrong_level", "县级答复的复查、复核由市级机关办理：请在县里的原答复上"
                                     "登记“向上级请求复查/复核”，写明转往何处")
        upper = LEVELS[LEVEL_RANK[holder] + 1]
        return no("wrong_level", f"对{LEVEL_NAMES[holder]}答复的复查、复核由上一级"
                                 f"（{LEVEL_NAMES[upper]}）办理，{LEVEL_SHORT[actor]}不能{step.action}")
    if actor == "village":
        return no("not_an_organ", f"村委会不是信访工作机构（信访工作条例第二条），村里登记的信访事项由"
                                  f"{LEVEL_NAMES[holder]}{step.action}；村里可以帮助群众、登记跟进情况")
    return no("wrong_level", f"这件信访事项由{LEVEL_NAMES[holder]}办理，"
                             f"{LEVEL_SHORT[actor]}不能{step.action}")


def dated(state: PetitionState, step: Step, payload: Mapping[str, Any], act: Act) -> Verdict:
    """Every step after registration carries its date, not before the petition came in."""
    return business_date(payload, state.received_on, "收到信访事项的日期")


# rules on the state alone (part of the gate: no button when they fail) ----------------------
def extendable(state: PetitionState, act: Act) -> Verdict:
    rules: PetitionRules = act.rules
    if state.stage != "处理":
        return no("no_extension", f"{state.stage}意见应在收到请求之日起"
                                  f"{rules.answer_days(state.stage)}日内提出，不能延期"
                                  "（信访工作条例第三十五、三十六条）")
    if state.category == SUGGESTION:
        return no("no_extension", "建议意见类事项没有法定办理期限，不用延期（信访工作条例第三十一条）")
    if len(state.extensions) >= rules.extension_max_count:
        times = "一次" if rules.extension_max_count == 1 else f"{rules.extension_max_count}次"
        return no("extended_once", f"办理期限按规定只能延长{times}，已经延长过；"
                                   "请在延长后的期限内办结")
    if state.extension_days >= rules.extension_max_days:
        return _too_long(state, rules)
    return OK


def _too_long(state: PetitionState, rules: PetitionRules) -> Verdict:
    cap, used = rules.extension_max_days, state.extension_days
    already = f"已经延长{used}日，" if used else ""
    return no("too_long", f"延长期限合计不得超过{cap}日（信访工作条例第三十四条），"
                          f"{already}这次最多还能延长{max(0, cap - used)}日")


def no_open_hearing(state: PetitionState, act: Act) -> Verdict:
    if state.open_hearing is not None:
        return no("hearing_open", "已有一次听证还没有结束，请先登记该听证结果")
    return OK


def hearing_over(state: PetitionState, act: Act) -> Verdict:
    if state.open_hearing is not None:
        return no("hearing_open", "听证还没有结束，请先登记听证结果，再出具意见")
    return OK


def appealable(state: PetitionState, act: Act) -> Verdict:
    if state.category == SUGGESTION:
        return no("not_appealable", "建议意见类事项的答复不适用复查、复核（信访工作条例第三十一、三十五条）")
    if NEXT_STAGE.get(state.stage) is None:
        return no("closed", "对复核意见不服、仍以同一事实和理由提出的，不再受理（信访工作条例第三十六条）")
    return OK


def terminable(state: PetitionState, act: Act) -> Verdict:
    if state.category == SUGGESTION:
        return no("bad_basis", "建议意见类事项答复后即办结，不适用依法终结")
    if state.status == "reviewed" and _reviewed_stage(state) != "复核":
        return no("wrong_status", "这一答复已由上一级复查，请在上一级的复查记录上办理")
    return OK


def not_rated(state: PetitionState, act: Act) -> Verdict:
    if state.rating is not None:
        return no("already_rated", f"信访人已评价为“{state.rating.get('level', '')}”，不能重复评价")
    return OK


def _reviewed_stage(state: PetitionState) -> str:
    return str((state.review or {}).get("stage", "")) if state.status == "reviewed" else ""


def check_group(group: Any, channel: Any, rules: PetitionRules = PetitionRules()) -> Verdict:
    """Art 18 ¶2: several people *visiting* (走访) about a common matter send at most N
    representatives.  A joint letter, call or online petition is not a visit: the people
    it names as contacts are not capped (Art 18 says nothing about them)."""
    if group is None:
        return OK
    if not isinstance(group, Mapping) or not isinstance(group.get("size"), int):
        return no("bad_group", "请填写来访人数")
    if channel != "来访":
        return OK
    cap = rules.group_visit_max_representatives
    representatives = texts(group.get("representatives"))
    if group["size"] > 1 and not representatives:
        return no("missing_representatives",
                   f"多人来访反映共同事项，应推选代表（不超过{cap}人），请登记代表姓名")
    if len(representatives) > cap:
        return no("too_many_representatives",
                   f"多人走访反映共同事项，代表人数不得超过{cap}人（信访工作条例第十八条），"
                   f"现有{len(representatives)}人；请群众推选{cap}名以内的代表，其余人员请在场外等候")
    return OK


_REGISTRATION = (
    need_text("summary", "missing_summary", "请填写信访事项的主要内容"),
    FIRST_OFFICER,
    Need(lambda p: received_date(p.get("received_at")) is not None,
         "bad_date", "收到日期不对，请重新选择"))


def check_registered(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    rules: PetitionRules = act.rules
    category = p.get("category")
    if category == SEALED_CATEGORY:
        return no("sealed_category", "检举控告类事项不能按普通信访登记：请用“检举控告”登记，"
                                      "内容密封后转纪检监察机关（信访工作条例，RULES.md §2、§4）")
    if category not in OPEN_CATEGORIES:
        return no("bad_category", "请选择信访类别：建议意见、检举控告或申诉求决")
    if p.get("channel") not in CHANNELS:
        return no("bad_channel", "请选择信访形式：来信、来访、电话或网上")
    petitioners = p.get("petitioners")
    if not isinstance(petitioners, list) or not petitioners or not all(
            text(x, "name") for x in petitioners):
        return no("missing_petitioner", "请填写信访人姓名")
    verdict = first_failure(p, _REGISTRATION)
    if not verdict.ok:
        return verdict
    stage = p.get("stage", "处理")
    if stage not in STAGES:
        return no("bad_stage", "请选择：初次信访、请求复查或请求复核")
    if stage != "处理":
        appeal = p.get("appeal_of")
        if not isinstance(appeal, Mapping) or not text(appeal, "record"):
            return no("missing_appeal", f"请求{stage}的，请选择被请求{stage}的原答复")
        if NEXT_STAGE.get(str(appeal.get("stage"))) != stage:
            return no("bad_stage", f"对{appeal.get('stage')}意见不能请求{stage}")
    return check_group(p.get("group"), p.get("channel"), rules)


def _override_explained(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    if state.proposal and not text(p, "override_reason"):
        label = state.proposal.get("label", "")
        return no("override_needs_reason", f"系统提示本事项可能不予受理（{label}）；"
                                            "如仍要受理，请写明受理理由，理由将记录在案")
    return OK


check_accepted = requires(
    need_date("notice_on", "missing_notice", "受理须书面告知信访人，请填写告知日期"),
    then=_override_explained)


check_refused = requires(
    need_text("ground", "missing_ground", "请选择不予受理的理由"),
    need_text("reason", "missing_reason", "请写明不予受理的具体理由"),
    need_text("where_to_go", "missing_where", "不予受理须告知信访人向哪里反映，请填写"),
    need_date("notice_on", "missing_notice", "不予受理须书面告知信访人，请填写告知日期"))

check_transferred = requires(
    need_text("to", "missing_to", "请填写转送的机关或单位"),
    need_date("notice_on", "missing_notice", "转送须告知信访人转送去向，请填写告知日期"))

_EXTENSION = (
    need_text("approver.name", "missing_approver", "延期须经本机关负责人批准，请填写批准人"),
    need_text("reason", "missing_reason", "请写明延期理由"),
    need_date("told_on", "missing_notice", "延期须告知信访人延期理由，请填写告知日期"))


def check_extended(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    rules: PetitionRules = act.rules
    days = p.get("days")
    cap, used = rules.extension_max_days, state.extension_days
    if not isinstance(days, int) or days < 1:
        return no("bad_days", "请填写延长的天数")
    if used + days > cap:
        return _too_long(state, rules)
    return first_failure(p, _EXTENSION)


_PANEL = need_list("panel", "missing_panel", "请填写听证员")
_CONCLUSION = need_text("conclusion", "missing_conclusion", "请填写听证结论")


def check_hearing_held(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    start, end = iso_date(p.get("from")), iso_date(p.get("to"))
    if start is None or end is None:
        return no("bad_date", "请填写听证开始和结束日期")
    if end < start:
        return no("bad_date", "听证结束日期不能早于开始日期")
    return first_failure(p, (_PANEL, _CONCLUSION))


def check_answered(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    if not text(p, "opinion"):
        return no("missing_opinion", f"请填写{state.stage}意见")
    results = SUGGESTION_RESULTS if state.category == SUGGESTION else RESULTS
    if p.get("result") not in results:
        return no("bad_result", "请选择处理结果：" + "、".join(results))
    delivered = iso_date(p.get("delivered_on"))
    if delivered is None:
        return no("missing_delivery", "请填写书面答复送达信访人的日期（复查、复核请求期限从这天起算）")
    on = iso_date(p.get("on"))
    if on is not None and delivered < on:
        return no("bad_date", "送达日期不能早于出具意见的日期")
    return OK


def check_appealed(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    wanted = NEXT_STAGE.get(state.stage)
    if p.get("stage") != wanted:
        return no("bad_stage", f"对{state.stage}意见只能请求{wanted}")
    if not text(p, "appeal_record"):
        return no("missing_appeal", f"请关联登记{wanted}请求的信访记录")
    return OK


def check_referred_up(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    """A 复查 of a county answer, or a 复核 of the county's 复查, lies with the city (Art
    35, 36: 原办理机关的上一级), outside this system: record the request and where it went."""
    verdict = check_appealed(state, {**p, "appeal_record": "outside"}, act)
    if not verdict.ok:
        return verdict
    return first_failure(p, _REFERRAL_UP)


_REFERRAL_UP = (
    need_text("to", "missing_to", "请填写请求转往（或告知信访人去）的上级机关"),
    need_date("requested_on", "bad_date", "请填写信访人提出请求的日期"))

_REVIEW = (
    need_choice("result", REVIEW_RESULTS, "bad_result",
                "请选择复查/复核结论：" + "、".join(REVIEW_RESULTS)),
    need_text("opinion", "missing_opinion", "请填写复查/复核意见"))


def check_reviewed(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    if state.appeal_outside and not text(p, "by"):
        return no("missing_by", "请填写作出复查、复核结论的上级机关")
    return first_failure(p, _REVIEW)


_BASIS_STAGE = {"复核意见已送达": "复核", "逾期未请求复查": "处理", "逾期未请求复核": "复查"}
_LAPSED = frozenset({"逾期未请求复查", "逾期未请求复核"})


def _window_over(state: PetitionState, p: Mapping[str, Any], basis: str,
                 rules: PetitionRules) -> Verdict:
    """逾期未请求复查/复核 only once the petitioner's 30 days (信访工作条例 Art 35, 36) have
    ended — judged at its latest possible end while the year's holiday notice is not
    entered (a provisional date never refuses anyone, issue #10)."""
    on = iso_date(p.get("on"))
    end = (request_window_end(state.delivered_on, state.stage, rules.calendar, rules)
           if state.delivered_on is not None else None)
    if end is None or on is None:
        return no("window_open", f"没有书面答复送达日期，无法判断信访人是否{basis[:3]}，"
                                  "不能以此终结")
    if on <= end.latest:
        asked = "复查" if state.stage == "处理" else "复核"
        favour = f"（{end.favour_note()}）" if end.favour_note() else ""
        return no("window_open", f"信访人请求{asked}的期限到{end.latest.isoformat()}才届满{favour}，"
                                  f"期满前不能以“{basis}”依法终结（信访工作条例第三十五、三十六条）；"
                                  f"请在{(end.latest + timedelta(days=1)).isoformat()}以后再登记")
    return OK


def check_terminated(state: PetitionState, p: Mapping[str, Any], act: Act) -> Verdict:
    rules: PetitionRules = act.rules
    basis = p.get("basis")
    if basis not in TERMINATION_BASES:
        return no("bad_basis", "请选择终结依据：" + "、".join(TERMINATION_BASES))
    reviewed = _reviewed_stage(state)
    if state.status == "reviewed" and basis != "复核意见已送达":
        return no("wrong_status", "这一答复已由上一级复查，请在上一级的复查记录上办理")
    wanted = _BASIS_STAGE.get(basis)
    if wanted and wanted != state.stage and not (wanted == reviewed == "复核"):
        return no("bad_basis", f"这件信访事项是{state.stage}阶段的答复，终结依据不能选“{basis}”")
    if basis in _LAPSED:
        verdict = _window_over(state, p, basis, rules)
        if not verdict.ok:
            return verdict
    return first_failure(p, _TERMINATION)


_TERMINATION = (
    need_text("note", "missing_reason", "请写明依法终结的具体情形",
              when=lambda p: p.get("basis") == "其他依法终结情形"),
    need_text("follow_up.name", "missing_follow_up",
              "依法终结的信访事项须明确跟进责任人（有人管、管得住），请填写"))


check_termination_heard = requires(
    _PANEL,
    need_list("participants", "missing_participants", "请填写参加听证的人员"),
    _CONCLUSION,
    need_choice("consequence", CONSEQUENCES, "bad_consequence",
                "请选择听证后的处理：问责（办理单位有过错）或依法处理（诉求不合理）"),
    need_text("accountable_unit", "missing_unit", "请填写被问责的办理单位（案结事不了的责任单位）",
              when=lambda p: p.get("consequence") == "问责"))

check_follow_up_assigned = requires(
    need_text("person.name", "missing_follow_up", "请填写跟进责任人"))

check_followed_up = requires(
    need_text("by.name", "missing_note", "请填写跟进人和跟进情况"),
    need_text("note", "missing_note", "请填写跟进人和跟进情况"))

check_assigned = requires(
    need_text("to", "missing_to", "请选择交办给哪个镇"),
    need_date("notice_on", "missing_notice", "交办须告知信访人由哪里办理，请填写告知日期"))

check_leader_assigned = requires(
    need_text("leader.name", "missing_leader", "请填写包案领导姓名"),
    need_text("leader.post", "missing_leader", "请填写包案领导的职务"))

check_leader_received = requires(
    need_text("leader.name", "missing_leader", "请填写接访领导姓名"),
    need_text("note", "missing_note", "请填写接访情况（群众反映了什么、领导怎么答复）"))

check_rated = requires(
    need_text("level", "missing_level", "请选择信访人的评价：满意、基本满意或不满意"),
    need_text("reason", "missing_reason", "评价为“不满意”时必须填写原因", when=rated_dissatisfied))
