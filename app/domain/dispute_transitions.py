"""Which dispute/mediation step may be recorded, by which level, from which status.

RULES.md §2 and issue #4 §1.  DESIGN.md "Conflicts": a step the holder could not make is
kept in the log and shown as rejected; ``check_transition`` is the one place that
decides, used by the UI before writing and by ``dispute_case.fold`` while replaying.
Checks that need today's date or the town's config (is the month over? is this risk
level one that alerts?) are not made here: replay must not depend on when or where it
runs.  They are in ``mediation_clocks`` and ``dispute_ledger``.

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
from dataclasses import dataclass
from typing import Any, Mapping

from app.domain.authority import WRITERS
from app.domain.dispute_state import (
    ACTIVE, CONFIRMATION_STATUSES, CONSENTING_ROLES, DISPUTE_TYPES, ESCALATION_BY_LEVEL,
    LEVEL_NAMES, LEVEL_RANK, LEVEL_SHORT, LEVELS, PARTY_ROLES, PERFORMANCE, REFERRALS,
    RISK_LEVELS, SOURCES, DisputeState, iso_date, party_from, received_date)
from app.domain.dispute_referrals import referral_refusal, referral_routes
from app.domain.mediation_agreement import agreement_problems
from app.domain.service_transitions import OK, Verdict, envelope_problem

EVENT_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[str]
    levels: frozenset[str] = frozenset(LEVELS)
    who: str = "holder"  # "holder", "holder_or_above", "anyone"


def _rule(kind: str, sources: set[str] | frozenset[str]) -> Rule:
    """The step's statuses; its action, levels and holder rule are the declaration of
    who may write it (app.domain.authority)."""
    writers = WRITERS[kind]
    return Rule(writers.action, frozenset(sources), writers.levels, writers.who)


RULES: dict[str, Rule] = {
    "dispute.registered": _rule("dispute.registered", {"new"}),
    "dispute.taken": _rule("dispute.taken", ACTIVE),
    "dispute.risk_changed": _rule("dispute.risk_changed", ACTIVE),
    "dispute.session": _rule("dispute.session", ACTIVE),
    "dispute.extended": _rule("dispute.extended", ACTIVE),
    "dispute.agreed": _rule("dispute.agreed", {"mediating"}),
    "dispute.failed": _rule("dispute.failed", {"mediating"}),
    "dispute.escalated": _rule("dispute.escalated", ACTIVE),
    "dispute.assigned": _rule("dispute.assigned", ACTIVE),
    "dispute.confirmation": _rule("dispute.confirmation", {"agreed", "performed"}),
    "dispute.revisited": _rule("dispute.revisited", {"agreed"}),
}
EVENT_TYPES = tuple(RULES)

_STATUS_PHRASE = {
    "registered": "已登记、还没有调解",
    "mediating": "正在调解",
    "escalated": "已上报上级调处",
    "agreed": "已调解成功",
    "performed": "已履行结案",
    "referred": "已调解不成并引导其他途径",
}


def _no(code: str, message: str) -> Verdict:
    return Verdict(False, code, message)


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def check_transition(state: DisputeState, event: Mapping[str, Any], actor_level: str | None,
                     ) -> Verdict:
    """May ``actor_level`` apply ``event`` to the dispute in ``state``?  Never raises."""
    problem = envelope_problem(event, actor_level, RULES, "纠纷调解")
    if problem is not None:
        return problem
    kind, payload = event["type"], event["payload"]
    rule = RULES[kind]
    for check in (_check_status, _check_level, _check_payload):
        verdict = check(state, kind, rule, actor_level, payload)
        if not verdict.ok:
            return verdict
    return OK


def _check_status(state, kind, rule, actor, payload) -> Verdict:
    if state.status in rule.sources:
        return OK
    if state.status == "new":
        return _no("not_registered", "这起纠纷还没有登记，请先登记")
    if kind == "dispute.registered":
        return _no("duplicate", "这起纠纷已经登记，不能重复登记")
    if kind in ("dispute.agreed", "dispute.failed") and state.status in ACTIVE:
        return _no("no_session", "请先登记调解过程（调解笔录），再登记调解结果")
    if kind == "dispute.revisited" and state.status == "performed":
        return _no("wrong_status", "协议已全部履行并结案，不用再回访")
    phrase = _STATUS_PHRASE.get(state.status, state.status_name)
    return _no("wrong_status", f"这起纠纷{phrase}，不能{rule.action}")


def _check_level(state, kind, rule, actor, payload) -> Verdict:
    if actor not in rule.levels:
        if kind == "dispute.escalated":
            return _no("wrong_level",
                       "县矛盾纠纷调处中心已是最高一级，不能再上报；调解不成的请引导诉讼等途径")
        if kind == "dispute.taken":
            return _no("wrong_level", "高风险纠纷由镇、县认领包案，村里不能认领")
        if kind == "dispute.assigned":
            return _no("wrong_level", "只有县矛盾纠纷调处中心可以交办镇里；调处不了的请上报上一级")
        return _no("wrong_level", f"{LEVEL_SHORT[actor]}不能{rule.action}")
    holder = state.level
    if rule.who == "anyone" or holder is None:
        return OK
    if rule.who == "holder_or_above" and LEVEL_RANK[actor] >= LEVEL_RANK[holder]:
        return OK
    if actor != holder:
        return _no("wrong_level", f"这起纠纷目前由{LEVEL_NAMES[holder]}调处，"
                                  f"{LEVEL_SHORT[actor]}不能{rule.action}")
    return OK


def _check_payload(state, kind, rule, actor, payload) -> Verdict:
    check = _PAYLOAD_CHECKS.get(kind)
    verdict = check(state, payload, actor) if check else OK
    if verdict.ok and kind != "dispute.registered" and "on" in payload:
        on = iso_date(payload.get("on"))
        if on is None:
            return _no("bad_date", "日期不对，请重新选择")
        if state.received_on is not None and on < state.received_on:
            return _no("bad_date", f"日期不能早于纠纷登记日期 {state.received_on.isoformat()}")
    return verdict


def _registered(state, p, actor) -> Verdict:
    if p.get("type") not in DISPUTE_TYPES:
        return _no("bad_type", "请选择纠纷类型：" + "、".join(DISPUTE_TYPES))
    parties = p.get("parties")
    if not isinstance(parties, list):
        return _no("missing_parties", "请填写纠纷当事人")
    for index, data in enumerate(parties, 1):
        party = party_from(data if isinstance(data, Mapping) else {})
        if not party.name.strip():
            return _no("missing_parties", f"第{index}位当事人的姓名没有填写")
        if party.role not in PARTY_ROLES:
            return _no("bad_role", f"请选择{party.name}的身份：" + "、".join(PARTY_ROLES))
    sides = [d for d in parties if isinstance(d, Mapping) and d.get("role") in CONSENTING_ROLES]
    if len(sides) < 2:
        return _no("missing_parties", "纠纷至少要有双方当事人（申请人和被申请人，或双方当事人），请补填")
    if not _text(p, "summary"):
        return _no("missing_summary", "请填写纠纷简要情况")
    if not _text(p.get("first_officer") or {}, "name"):
        return _no("missing_officer", "请填写首问负责人（第一个接待的工作人员）")
    if p.get("risk") not in RISK_LEVELS:
        return _no("bad_risk", "请评估激化风险：低、中或高")
    if received_date(p.get("received_at")) is None:
        return _no("bad_date", "受理时间不对，请重新选择（任何时间都可以受理）")
    if "source" in p and p.get("source") not in SOURCES:
        return _no("bad_source", "请选择纠纷来源：" + "、".join(SOURCES))
    proposal = p.get("proposal")
    if isinstance(proposal, Mapping) and not _text(p, "override_reason"):
        return _no("override_needs_reason", f"系统提示：{proposal.get('label', '')}（分级调处）。"
                                            f"{proposal.get('where_to_go', '')}；"
                                            "如确需本级受理，请写明理由，理由将记录在案")
    return OK


def _taken(state, p, actor) -> Verdict:
    if not _text(p.get("by") or {}, "name"):
        return _no("missing_person", "请填写认领人（包案领导）姓名")
    if state.taken is not None:
        who = state.taken.get("by", {}).get("name", "")
        return _no("already_taken", f"这起纠纷已由{who}认领，不用重复认领")
    return OK


def _risk_changed(state, p, actor) -> Verdict:
    if p.get("risk") not in RISK_LEVELS:
        return _no("bad_risk", "请选择激化风险：低、中或高")
    if p.get("risk") == state.risk:
        return _no("nothing_changed", f"激化风险已经是“{state.risk}”")
    if not _text(p, "reason"):
        return _no("missing_reason", "调整激化风险必须写明理由")
    return OK


def _attachments_ok(attachments: Any) -> bool:
    if attachments is None:
        return True
    if not isinstance(attachments, list):
        return False
    for item in attachments:
        if not isinstance(item, Mapping) or not _SHA256.match(str(item.get("sha256", ""))):
            return False
        if not isinstance(item.get("size"), int) or not _text(item, "mime"):
            return False
    return True


def _session(state, p, actor) -> Verdict:
    if iso_date(p.get("on")) is None:
        return _no("bad_date", "请选择调解日期")
    mediators = [m for m in p.get("mediators") or [] if isinstance(m, str) and m.strip()]
    if not mediators:
        return _no("missing_mediator", "请填写调解员")
    if not _text(p, "record_text"):
        return _no("missing_record", "请填写调解笔录（调解经过和各方意见）")
    if not _attachments_ok(p.get("attachments")):
        return _no("bad_attachment", "附件（签字笔录的照片或扫描件）信息不完整，请重新拍照上传")
    return OK


def _extended(state, p, actor) -> Verdict:
    if not _text(p, "reason"):
        return _no("missing_reason", "延长调解期限必须写明理由")
    new_due = iso_date(p.get("new_due"))
    if new_due is None:
        return _no("bad_date", "请选择延长后的调解期限")
    floor = state.extended_to or state.mediation_start
    if floor is not None and new_due <= floor:
        return _no("bad_date", f"延长后的期限必须晚于 {floor.isoformat()}")
    consents = {_text(c, "name") for c in p.get("consents") or [] if isinstance(c, Mapping)}
    missing = [name for name in state.consenting_parties if name not in consents]
    if missing:
        return _no("missing_consent", f"延长调解期限须双方当事人同意，还缺{'、'.join(missing)}的同意；"
                                      "请记录其同意（签字或口头同意及日期）后再延长")
    return OK


def _agreed(state, p, actor) -> Verdict:
    agreement = p.get("agreement")
    if not isinstance(agreement, Mapping):
        return _no("missing_agreement", "请填写调解协议书")
    problems = agreement_problems(agreement, state.parties)
    if problems:
        return _no("incomplete_agreement",
                   f"调解协议书还缺：{'；'.join(problems)}（人民调解法第二十九条），请补全后再登记")
    effective = iso_date(agreement.get("effective_on"))
    if state.received_on is not None and effective is not None and effective < state.received_on:
        return _no("bad_date", "协议生效日期不能早于纠纷登记日期")
    return OK


def _failed(state, p, actor) -> Verdict:
    """人民调解法 Art 26: tell the parties the routes open to them — those the dispute's
    type allows (dispute_referrals: 劳资 to labour arbitration first, never straight to
    court; 婚姻家庭 never to arbitration), or 上报 one level up."""
    if not _text(p, "reason"):
        return _no("missing_reason", "请写明调解不成的原因")
    referral = p.get("referral") or {}
    to = referral.get("to") if isinstance(referral, Mapping) else None
    if to not in REFERRALS:
        allowed = "、".join(referral_routes(state.dispute_type))
        return _no("missing_referral", f"请选择引导途径：{allowed}，或上报上级调处中心")
    wanted = ESCALATION_BY_LEVEL.get(actor)
    if to.startswith("上报"):
        if to != wanted:
            if wanted is None:
                return _no("wrong_level", "县矛盾纠纷调处中心已是最高一级，调解不成的请引导仲裁、诉讼等途径")
            return _no("wrong_level", f"{LEVEL_SHORT[actor]}调解不成的应{wanted}")
        return OK
    refusal = referral_refusal(state.dispute_type, to)
    if refusal:
        return _no("wrong_route", refusal)
    return OK


def _assigned(state, p, actor) -> Verdict:
    if not _text(p, "to"):
        return _no("missing_to", "请选择交办给哪个镇的矛盾调处化解中心")
    if not _text(p, "reason"):
        return _no("missing_reason", "请写明交办要求（需要镇里解决的问题）")
    return OK


def _escalated(state, p, actor) -> Verdict:
    if not _text(p, "reason"):
        return _no("missing_reason", "上报必须写明需要上级解决的问题")
    return OK


def _confirmation(state, p, actor) -> Verdict:
    status = p.get("status")
    if status not in CONFIRMATION_STATUSES:
        return _no("bad_status", "请选择司法确认情况：" + "、".join(CONFIRMATION_STATUSES))
    if status != "不申请" and not _text(p, "court"):
        return _no("missing_court", "请填写受理司法确认的人民法院")
    return OK


def _revisited(state, p, actor) -> Verdict:
    if not _text(p.get("by") or {}, "name"):
        return _no("missing_person", "请填写回访人")
    if p.get("performance") not in PERFORMANCE:
        return _no("bad_performance", "请选择协议履行情况：" + "、".join(PERFORMANCE))
    return OK


_PAYLOAD_CHECKS = {
    "dispute.registered": _registered,
    "dispute.taken": _taken,
    "dispute.risk_changed": _risk_changed,
    "dispute.session": _session,
    "dispute.extended": _extended,
    "dispute.agreed": _agreed,
    "dispute.failed": _failed,
    "dispute.escalated": _escalated,
    "dispute.assigned": _assigned,
    "dispute.confirmation": _confirmation,
    "dispute.revisited": _revisited,
}
