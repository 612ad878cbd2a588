"""The rules of the dispute/mediation workflow (declared in ``dispute.flow.DISPUTE``): how a
refused step is worded, the rules on the state alone, and the payload checks.

RULES.md §2 and issue #4 §1.  DESIGN.md "Conflicts": a step the holder could not make is
kept in the log and shown as rejected; ``DISPUTE.check`` is the one place that decides,
used by the services before writing and by the fold while replaying.
Checks that need today's date or the town's config (is the month over? is this risk
level one that alerts?) are not made here: replay must not depend on when or where it
runs.  They are in ``dispute.clocks`` and ``dispute.ledger``.

| event type            | from status                      | who                            |
|-----------------------|----------------------------------|--------------------------------|
| dispute.registered    | (new record)                     | any level (首问负责); above the |
|                       |                                  | village a proposal (分级调处)   |
|                       |                                  | needs a written reason          |
| dispute.assigned      | registered, mediating, escalated | county holding it: 交办 a town  |
| dispute.taken         | registered, mediating, escalated | town or county, once (认领/包案) |
| dispute.risk_changed  | registered, mediating, escalated | holder or above                |
| dispute.session       | registered, mediating, escalated | holder                         |
| dispute.extended      | registered, mediating, escalated | holder, with both sides' consent|
| dispute.agreed        | mediating (a session is recorded)| holder                         |
| dispute.failed        | mediating                        | holder; a route its type allows|
| dispute.escalated     | registered, mediating, escalated | holder: village → town → county|
| dispute.confirmation  | agreed, performed                | holder or above                |
| dispute.revisited     | agreed                           | holder or above                |
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from app.domain.dispute.agreement import agreement_problems
from app.domain.dispute.referrals import referral_refusal, referral_routes
from app.domain.dispute.state import (
    ACTIVE, CONFIRMATION_STATUSES, CONSENTING_ROLES, DISPUTE_TYPES, ESCALATION_BY_LEVEL,
    LEVEL_NAMES, LEVEL_SHORT, PARTY_ROLES, PERFORMANCE, REFERRALS, RISK_LEVELS, SOURCES,
    DisputeState, party_from, received_date)
from app.domain.workflow import (
    OK, Act, Transition, Verdict, business_date, iso_date, no, text)
from app.domain.workflow.payload import (
    FIRST_OFFICER, Need, checked_date, first_failure, need_choice, need_date, need_list, need_text, requires)
from app.domain.workflow.refusals import StatusWords

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Step = Transition[DisputeState]


def _step_order(state: DisputeState, step: Step) -> Verdict | None:
    if step.kind in ("dispute.agreed", "dispute.failed") and state.status in ACTIVE:
        return no("no_session", "请先登记调解过程（调解笔录），再登记调解结果")
    if step.kind == "dispute.revisited" and state.status == "performed":
        return no("wrong_status", "协议已全部履行并结案，不用再回访")
    return None


_WORDS = StatusWords[DisputeState](
    "这起纠纷", "dispute.registered",
    missing=no("not_registered", "这起纠纷还没有登记，请先登记"),
    duplicate=no("duplicate", "这起纠纷已经登记，不能重复登记"),
    phrases={
        "registered": "已登记、还没有调解",
        "mediating": "正在调解",
        "escalated": "已上报上级调处",
        "agreed": "已调解成功",
        "performed": "已履行结案",
        "referred": "已调解不成并引导其他途径",
    },
    special=_step_order)
# Flow.wrong_status: the refusal of a step the record's status does not allow.
wrong_status = _WORDS.refusal


def wrong_level(state: DisputeState, step: Step, act: Act) -> Verdict:
    if step.kind == "dispute.escalated":
        return no("wrong_level",
                  "县矛盾纠纷调处中心已是最高一级，不能再上报；调解不成的请引导诉讼等途径")
    if step.kind == "dispute.taken":
        return no("wrong_level", "高风险纠纷由镇、县认领包案，村里不能认领")
    if step.kind == "dispute.assigned":
        return no("wrong_level", "只有县矛盾纠纷调处中心可以交办镇里；调处不了的请上报上一级")
    return no("wrong_level", f"{LEVEL_SHORT[act.level]}不能{step.action}")


def not_holder(state: DisputeState, step: Step, act: Act) -> Verdict:
    return no("wrong_level", f"这起纠纷目前由{LEVEL_NAMES[str(state.level)]}调处，"
                             f"{LEVEL_SHORT[act.level]}不能{step.action}")


def dated(state: DisputeState, step: Step, payload: Mapping[str, Any], act: Act) -> Verdict:
    """Every step after registration: its date (if given) is a date, not before the
    dispute was registered."""
    if "on" not in payload:
        return OK
    return business_date(payload, state.received_on, "纠纷登记日期")


def not_taken(state: DisputeState, act: Act) -> Verdict:
    if state.taken is not None:
        who = state.taken.get("by", {}).get("name", "")
        return no("already_taken", f"这起纠纷已由{who}认领，不用重复认领")
    return OK


_REGISTRATION = (
    need_text("summary", "missing_summary", "请填写纠纷简要情况"),
    FIRST_OFFICER,
    need_choice("risk", RISK_LEVELS, "bad_risk", "请评估激化风险：低、中或高"),
    Need(lambda p: received_date(p.get("received_at")) is not None,
         "bad_date", "受理时间不对，请重新选择（任何时间都可以受理）"),
    need_choice("source", SOURCES, "bad_source", "请选择纠纷来源：" + "、".join(SOURCES),
                when=lambda p: "source" in p))


def check_registered(state: DisputeState, p: Mapping[str, Any], act: Act) -> Verdict:
    if p.get("type") not in DISPUTE_TYPES:
        return no("bad_type", "请选择纠纷类型：" + "、".join(DISPUTE_TYPES))
    parties = p.get("parties")
    if not isinstance(parties, list):
        return no("missing_parties", "请填写纠纷当事人")
    for index, data in enumerate(parties, 1):
        party = party_from(data if isinstance(data, Mapping) else {})
        if not party.name.strip():
            return no("missing_parties", f"第{index}位当事人的姓名没有填写")
        if party.role not in PARTY_ROLES:
            return no("bad_role", f"请选择{party.name}的身份：" + "、".join(PARTY_ROLES))
    sides = [d for d in parties if isinstance(d, Mapping) and d.get("role") in CONSENTING_ROLES]
    if len(sides) < 2:
        return no("missing_parties", "纠纷至少要有双方当事人（申请人和被申请人，或双方当事人），请补填")
    verdict = first_failure(p, _REGISTRATION)
    if not verdict.ok:
        return verdict
    proposal = p.get("proposal")
    if isinstance(proposal, Mapping) and not text(p, "override_reason"):
        return no("override_needs_reason", f"系统提示：{proposal.get('label', '')}（分级调处）。"
                                            f"{proposal.get('where_to_go', '')}；"
                                            "如确需本级受理，请写明理由，理由将记录在案")
    return OK


check_taken = requires(need_text("by.name", "missing_person", "请填写认领人（包案领导）姓名"))

_RISK_CHANGE = (need_choice("risk", RISK_LEVELS, "bad_risk", "请选择激化风险：低、中或高"),
                need_text("reason", "missing_reason", "调整激化风险必须写明理由"))


def check_risk_changed(state: DisputeState, p: Mapping[str, Any], act: Act) -> Verdict:
    if p.get("risk") in RISK_LEVELS and p.get("risk") == state.risk:
        return no("nothing_changed", f"激化风险已经是“{state.risk}”")
    return first_failure(p, _RISK_CHANGE)


def _attachments_ok(attachments: Any) -> bool:
    if attachments is None:
        return True
    if not isinstance(attachments, list):
        return False
    for item in attachments:
        if not isinstance(item, Mapping) or not _SHA256.match(str(item.get("sha256", ""))):
            return False
        if not isinstance(item.get("size"), int) or not text(item, "mime"):
            return False
    return True


check_session = requires(
    need_date("on", "bad_date", "请选择调解日期"),
    need_list("mediators", "missing_mediator", "请填写调解员"),
    need_text("record_text", "missing_record", "请填写调解笔录（调解经过和各方意见）"),
    Need(lambda p: _attachments_ok(p.get("attachments")),
         "bad_attachment", "附件（签字笔录的照片或扫描件）信息不完整，请重新拍照上传"))

def _later_with_consent(state: DisputeState, p: Mapping[str, Any], act: Act) -> Verdict:
    new_due = checked_date(p.get("new_due"))
    floor = state.extended_to or state.mediation_start
    if floor is not None and new_due <= floor:
        return no("bad_date", f"延长后的期限必须晚于 {floor.isoformat()}")
    consents = {text(c, "name") for c in p.get("consents") or [] if isinstance(c, Mapping)}
    missing = [name for name in state.consenting_parties if name not in consents]
    if missing:
        return no("missing_consent", f"延长调解期限须双方当事人同意，还缺{'、'.join(missing)}的同意；"
                                      "请记录其同意（签字或口头同意及日期）后再延长")
    return OK


check_extended = requires(
    need_text("reason", "missing_reason", "延长调解期限必须写明理由"),
    need_date("new_due", "bad_date", "请选择延长后的调解期限"),
    then=_later_with_consent)


def check_agreed(state: DisputeState, p: Mapping[str, Any], act: Act) -> Verdict:
    agreement = p.get("agreement")
    if not isinstance(agreement, Mapping):
        return no("missing_agreement", "请填写调解协议书")
    problems = agreement_problems(agreement, state.parties)
    if problems:
        return no("incomplete_agreement",
                   f"调解协议书还缺：{'；'.join(problems)}（人民调解法第二十九条），请补全后再登记")
    effective = iso_date(agreement.get("effective_on"))
    if state.received_on is not None and effective is not None and effective < state.received_on:
        return no("bad_date", "协议生效日期不能早于纠纷登记日期")
    return OK


def _open_route(state: DisputeState, p: Mapping[str, Any], act: Act) -> Verdict:
    """人民调解法 Art 26: tell the parties the routes open to them — those the dispute's
    type allows (dispute_referrals: 劳资 to labour arbitration first, never straight to
    court; 婚姻家庭 never to arbitration), or 上报 one level up."""
    referral = p.get("referral") or {}
    to = referral.get("to") if isinstance(referral, Mapping) else None
    if to not in REFERRALS:
        allowed = "、".join(referral_routes(state.dispute_type))
        return no("missing_referral", f"请选择引导途径：{allowed}，或上报上级调处中心")
    wanted = ESCALATION_BY_LEVEL.get(act.level)
    if to.startswith("上报"):
        if to != wanted:
            if wanted is None:
                return no("wrong_level", "县矛盾纠纷调处中心已是最高一级，调解不成的请引导仲裁、诉讼等途径")
            return no("wrong_level", f"{LEVEL_SHORT[act.level]}调解不成的应{wanted}")
        return OK
    refusal = referral_refusal(state.dispute_type, to)
    if refusal:
        return no("wrong_route", refusal)
    return OK


check_failed = requires(need_text("reason", "missing_reason", "请写明调解不成的原因"),
                        then=_open_route)


check_assigned = requires(
    need_text("to", "missing_to", "请选择交办给哪个镇的矛盾调处化解中心"),
    need_text("reason", "missing_reason", "请写明交办要求（需要镇里解决的问题）"))

check_escalated = requires(need_text("reason", "missing_reason", "上报必须写明需要上级解决的问题"))

check_confirmation = requires(
    need_choice("status", CONFIRMATION_STATUSES, "bad_status",
                "请选择司法确认情况：" + "、".join(CONFIRMATION_STATUSES)),
    need_text("court", "missing_court", "请填写受理司法确认的人民法院",
              when=lambda p: p.get("status") != "不申请"))

check_revisited = requires(
    need_text("by.name", "missing_person", "请填写回访人"),
    need_choice("performance", PERFORMANCE, "bad_performance",
                "请选择协议履行情况：" + "、".join(PERFORMANCE)))
