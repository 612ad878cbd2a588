"""Which service-desk transition may be made, by which level, from which status.

RULES.md §1: what the village can solve it solves (即办); beyond its powers it is reported
to the town (上报镇, 村"两委"报请镇党委、政府); what the town cannot solve goes to a county
department by a 群众反映事项转办函 (转办); answers flow back down to the station that took
the matter and from it to the citizen (反馈群众); refusals state the reason (一次性告知制).
DESIGN.md "Conflicts": a transition the current holder could not make is kept in the log
and shown as rejected — ``check_transition`` is the one place that decides, used by the UI
before writing an event and by ``service_case.fold`` while replaying.

Levels, not individual nodes, are checked: any node of the holding level that can see
the case (the sync scope policy decides that) may act for that level. The levels and
the holder rule of each step are declared once, in app.domain.authority.WRITERS, with
who may write it; this table repeats them for reading.

| event type        | from status                                  | who may make it            |
|-------------------|----------------------------------------------|----------------------------|
| svc.accepted      | (new record)                                 | any level (首接)           |
| svc.started       | accepted, escalated, returned                | the holding level          |
| svc.done_at_once  | accepted                                     | the holding level (即办)   |
| svc.escalated     | accepted, in_progress, returned              | village, holding it        |
| svc.assigned      | escalated, in_progress, replied, returned    | town, holding it           |
| svc.forwarded     | escalated, in_progress, replied, returned    | town, holding it           |
| svc.replied       | forwarded                                    | county, holding it         |
| svc.returned      | escalated, in_progress, forwarded, replied,  | the holding level, above   |
|                   | returned                                     | the level it came from     |
| svc.extended      | any active status                            | the holding level          |
| svc.closed        | escalated, in_progress, replied, returned    | the holding level          |
| svc.fed_back      | closed                                       | the accepting level        |
| svc.rated         | fed_back                                     | the accepting level        |
| svc.revisited     | rated                                        | accepting level or above   |
| svc.reopened      | rated, revisited — only if "不满意"           | accepting level or above   |
| svc.updated       | any but new (corrections of plain fields)    | any level                  |
| svc.withdrawn     | any active status (撤件, reason required)     | holding or accepting level |
| svc.materials_    | any active status, materials on the notice   | holding or accepting level |
|   supplied        |   (补齐材料)                                  |                            |
| svc.urged         | escalated, forwarded (催办)                   | the level that sent it up  |

Who may write each step (levels, holder rule) is declared once, in ``app.domain.authority``;
``RULES`` below adds the statuses it applies in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from app.domain.authority import WRITERS
from app.domain.service_state import (
    ACTIVE, FINISHED, LEVEL_NAMES, LEVEL_RANK, LEVEL_SHORT, LEVELS, MODES, PLAIN_FIELDS,
    WITHDRAW_KINDS, WITHDRAWN, CaseState, iso_date)
from app.domain.verdict import OK, Verdict, no

EVENT_VERSION = 1


@dataclass(frozen=True)
class Rule:
    action: str  # Chinese verb phrase used in messages
    sources: frozenset[str]
    levels: frozenset[str] = frozenset(LEVELS)  # levels allowed to make it at all
    # "holder", "holder_or_above", "holder_or_accepting", "sender" (the level that sent
    # the case up to its holder) or "anyone"
    who: str = "holder"


def _rule(kind: str, sources: set[str] | frozenset[str]) -> Rule:
    """The step's statuses; its action, levels and holder rule are the declaration of
    who may write it (app.domain.authority)."""
    writers = WRITERS[kind]
    return Rule(writers.action, frozenset(sources), writers.levels, writers.who)


RULES: dict[str, Rule] = {
    "svc.accepted": _rule("svc.accepted", {"new"}),
    "svc.started": _rule("svc.started", {"accepted", "escalated", "returned"}),
    "svc.done_at_once": _rule("svc.done_at_once", {"accepted"}),
    "svc.escalated": _rule("svc.escalated", {"accepted", "in_progress", "returned"}),
    "svc.assigned": _rule("svc.assigned", {"escalated", "in_progress", "replied", "returned"}),
    "svc.forwarded": _rule("svc.forwarded", {"escalated", "in_progress", "replied", "returned"}),
    "svc.replied": _rule("svc.replied", {"forwarded"}),
    "svc.returned": _rule("svc.returned", {"escalated", "in_progress", "forwarded", "replied",
                                           "returned"}),
    "svc.extended": _rule("svc.extended", ACTIVE),
    "svc.closed": _rule("svc.closed", {"escalated", "in_progress", "replied", "returned"}),
    "svc.fed_back": _rule("svc.fed_back", {"closed"}),
    "svc.rated": _rule("svc.rated", {"fed_back"}),
    "svc.revisited": _rule("svc.revisited", {"rated"}),
    "svc.reopened": _rule("svc.reopened", {"rated", "revisited"}),
    "svc.updated": _rule("svc.updated", set(ACTIVE | FINISHED | {WITHDRAWN})),
    "svc.withdrawn": _rule("svc.withdrawn", ACTIVE),
    "svc.materials_supplied": _rule("svc.materials_supplied", ACTIVE),
    "svc.urged": _rule("svc.urged", {"escalated", "forwarded"}),
}
EVENT_TYPES = tuple(RULES)

# How the current status reads in a refusal: "此事项{phrase}，不能…".
_STATUS_PHRASE = {
    "accepted": "已受理、还未开始办理",
    "in_progress": "正在办理中",
    "escalated": "已上报镇，正等待镇里处理",
    "forwarded": "已转办县直部门，正等待回复",
    "replied": "县直部门已回复，正等待镇里办结",
    "returned": "已退回",
    "closed": "已办结",
    "fed_back": "已办结并反馈群众",
    "rated": "已办结并评价",
    "revisited": "已办结并回访",
    "withdrawn": "已撤件",
}
_REOPEN_HINT = "如群众不满意，请先登记“不满意”后重新办理"
# Steps done out of order after 办结: say which step comes first.
_ORDER_HINTS = {
    ("svc.rated", "closed"): "办理结果还没有反馈群众，请先登记“反馈群众”，再登记评价",
    ("svc.revisited", "closed"): "群众还没有评价，请先反馈群众并登记评价，再回访",
    ("svc.revisited", "fed_back"): "群众还没有评价，请先登记评价，再回访",
}


def envelope_problem(event: Mapping[str, Any], actor_level: str | None, known: Any,
                     what: str, record_word: str = "记录") -> Verdict | None:
    """What every workflow refuses before looking at its own rules (None if nothing):
    an event type it does not know (``what``: 信访办理, 纠纷调解 …), a newer version, an
    origin of no known level, a payload that is not an object."""
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in known:
        return _no("unknown_type", f"不认识的{what}操作“{kind}”，请升级程序后再看")
    if event.get("v", EVENT_VERSION) != EVENT_VERSION:
        return _no("newer_version", "这条记录来自更新版本的程序，本机暂时不能处理；请升级程序后再看")
    if actor_level not in LEVEL_RANK:
        return _no("unknown_level", "无法确认操作来自村、镇还是县（来源节点未登记），请联系管理员")
    if not isinstance(event.get("payload"), Mapping):
        return _no("bad_payload", f"{record_word}内容缺失，请重新填写")
    return None


def _no(code: str, message: str) -> Verdict:
    return no(code, message)


def _text(payload: Any, key: str) -> str:
    value = payload.get(key) if isinstance(payload, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def check_transition(state: CaseState, event: Mapping[str, Any], actor_level: str | None,
                     ) -> Verdict:
    """May ``actor_level`` apply ``event`` to a case in ``state``?  Pure; never raises.

    ``event`` needs only "type", "v" and "payload" (the UI checks before it has an id).
    """
    problem = envelope_problem(event, actor_level, RULES, "办理", "办理记录")
    if problem is not None:
        return problem
    kind, payload = event["type"], event["payload"]
    rule = RULES[kind]
    verdict = _check_status(state, kind, rule)
    if verdict.ok:
        verdict = _check_level(state, kind, rule, actor_level)
    if verdict.ok:
        verdict = _check_payload(state, kind, payload)
    return verdict


def _check_status(state: CaseState, kind: str, rule: Rule) -> Verdict:
    if state.status in rule.sources:
        return OK
    if state.status == "new":
        return _no("not_accepted", "此事项还没有受理登记，请先受理")
    if kind == "svc.accepted":
        receipt = f"（回执编号 {state.receipt_no}）" if state.receipt_no else ""
        return _no("duplicate", f"此事项已受理{receipt}，不能重复受理")
    if kind == "svc.reopened":
        return _no("wrong_status", "只有已办结并由群众评价为“不满意”的事项才能重新办理")
    hint = _ORDER_HINTS.get((kind, state.status))
    if hint:
        return _no("wrong_status", hint)
    phrase = _STATUS_PHRASE.get(state.status, state.status_name)
    if state.status == "returned" and state.level:
        phrase = f"已退回{LEVEL_NAMES[state.level]}"
    if state.status == WITHDRAWN:
        return _no("wrong_status", f"此事项已撤件，不能再{rule.action}；群众要重新办理的，请重新受理")
    if state.status in FINISHED and kind not in {"svc.fed_back", "svc.rated", "svc.revisited"}:
        return _no("wrong_status", f"此事项{phrase}，不能再{rule.action}；{_REOPEN_HINT}")
    return _no("wrong_status", f"此事项{phrase}，不能{rule.action}")


def _check_level(state: CaseState, kind: str, rule: Rule, actor: str) -> Verdict:
    if actor not in rule.levels:
        return _no("wrong_level", _level_refusal(kind, actor, rule))
    holder = state.level
    if rule.who == "anyone" or holder is None:
        return OK
    if rule.who == "holder_or_above" and LEVEL_RANK[actor] >= LEVEL_RANK[holder]:
        return OK
    if rule.who == "holder_or_accepting" and actor == state.accepting_level:
        return OK
    if rule.who == "sender":
        if actor == state.sender_level:
            return OK
        return _no("wrong_level", f"只有把事项送上去的一级才能催办；此事项目前由"
                                  f"{LEVEL_NAMES[holder]}办理，{LEVEL_SHORT[actor]}不能催办")
    if actor != holder:
        where = (f"已退回{LEVEL_NAMES[holder]}" if state.status == "returned"
                 else f"目前由{LEVEL_NAMES[holder]}办理")
        return _no("wrong_level", f"此事项{where}，{LEVEL_SHORT[actor]}不能{rule.action}")
    if kind == "svc.returned" and len(state.path) < 2:
        return _no("nothing_below", f"此事项是{LEVEL_NAMES[holder]}自己受理的，没有下级可以退回")
    return OK


def _level_refusal(kind: str, actor: str, rule: Rule) -> str:
    if kind == "svc.escalated":
        if actor == "town":
            return "镇里不用“上报镇”；需要县直部门办理的，请用“转办县直部门”"
        return "县直部门不能上报镇；不能办理的，请“退回”镇里并写明理由"
    if kind == "svc.forwarded" and actor == "village":
        return "村里不能直接转办县直部门；请先“上报镇”，由镇里发转办函"
    allowed = "、".join(LEVEL_SHORT[level] for level in LEVELS if level in rule.levels)
    return f"只有{allowed}可以{rule.action}，{LEVEL_SHORT[actor]}不能"


def _check_payload(state: CaseState, kind: str, payload: Mapping[str, Any]) -> Verdict:
    check = _PAYLOAD_CHECKS.get(kind)
    return check(state, payload) if check else OK


def _accepted(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    applicant = payload.get("applicant") or {}
    officer = payload.get("first_officer") or {}
    if not _text(applicant, "name"):
        return _no("missing_applicant", "请填写申请人姓名")
    if not _text(officer, "name"):
        return _no("missing_officer", "请填写首接责任人（第一个接待群众的工作人员）")
    if payload.get("mode") not in MODES:
        return _no("bad_mode", "请选择办理方式：即办、代办或上报镇")
    accepted_on, due = iso_date(payload.get("accepted_on")), iso_date(payload.get("promised_due"))
    if accepted_on is None or due is None:
        return _no("bad_date", "受理日期或承诺办结日期不对，请重新选择")
    if due < accepted_on:
        return _no("bad_date", "承诺办结日期不能早于受理日期")
    return OK


def _needs(key: str, message: str, code: str = "missing_reason"):
    def check(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
        return OK if _text(payload, key) else _no(code, message)
    return check


def _assigned(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if not _text(payload.get("assignee") or {}, "name"):
        return _no("missing_assignee", "请选择承办人")
    return OK


# 群众反映事项转办函 (RULES.md §1): letter no., source, citizen, summary, receiving
# department, deadline, how to report back (the receipt slip is optional on the form).
_LETTER_FIELDS = {"letter_no": "函号", "source": "来源", "citizen": "反映人",
                  "summary": "反映事项摘要", "department": "承办部门", "deadline": "办理期限",
                  "report_back": "反馈方式"}


def _forwarded(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    letter = payload.get("letter") or {}
    missing = [label for key, label in _LETTER_FIELDS.items() if not _text(letter, key)]
    if missing:
        return _no("incomplete_letter", f"转办函还缺：{'、'.join(missing)}，请补全后再转办")
    if iso_date(letter.get("deadline")) is None:
        return _no("bad_date", "转办函的办理期限不是有效日期，请重新选择")
    return OK


def _extended(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if not _text(payload, "reason"):
        return _no("missing_reason", "延期必须写明理由，并告知群众")
    new_due = iso_date(payload.get("new_due"))
    if new_due is None:
        return _no("bad_date", "延期后的办结日期不对，请重新选择")
    if state.due is not None and new_due <= state.due:
        return _no("bad_date", f"延期后的日期必须晚于原承诺日期 {state.due.isoformat()}")
    ceiling = state.extension_ceiling
    if ceiling is not None and new_due > ceiling:
        # 服务承诺制 (RULES.md §1): the promise stretches only as far as the catalog's
        # 延长时限, fixed in the acceptance (issue #10 item 10).  Cases accepted before
        # the ceiling was recorded carry none and are not checked.
        if state.extended_limit:
            return _no("beyond_extended_limit",
                       f"本事项特殊情况最多延长至{state.extended_limit}个工作日，延期后的日期不能晚于"
                       f"{ceiling.isoformat()}（事项目录的延长时限）")
        return _no("no_extended_limit",
                   "本事项在事项目录中没有延长时限，不能延期；请按承诺日期办结，确需延长的请镇里先在"
                   "事项目录中设定延长时限")
    return OK


def _closed(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if not _text(payload, "result"):
        return _no("missing_result", "请填写办理结果")
    if payload.get("outcome") == "refused" and not _text(payload, "reason"):
        return _no("missing_reason", "不予办理必须写明理由，并一次性告知群众")
    return OK


def _rated(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if not _text(payload, "level"):
        return _no("missing_level", "请选择群众的评价：满意、基本满意或不满意")
    if payload.get("dissatisfied") and not _text(payload, "reason"):
        return _no("missing_reason", "评价为“不满意”时必须填写原因，请问清群众不满意的地方后填写")
    return OK


def _reopened(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if not state.dissatisfied:
        level = (state.rating or {}).get("level", "")
        return _no("not_dissatisfied", f"群众评价为“{level}”，不能重新办理；"
                                       "只有评价“不满意”的事项才能重新办理")
    if not _text(payload, "reason"):
        return _no("missing_reason", "重新办理必须写明原因（群众不满意的地方）")
    return OK


def _updated(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    fields = payload.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        return _no("nothing_changed", "没有要修改的内容")
    unknown = [name for name in fields if name not in PLAIN_FIELDS]
    if unknown:
        return _no("bad_field", f"“{unknown[0]}”不能直接修改；办理进度请用对应的办理操作登记")
    return OK


def _withdrawn(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    if payload.get("reason_kind") not in WITHDRAW_KINDS:
        return _no("missing_reason", "请选择撤件的原因：" + "、".join(WITHDRAW_KINDS))
    if not _text(payload, "reason"):
        return _no("missing_reason", "撤件必须写明理由（例如 群众说已在县里办好，不需要再办）")
    return OK


def _materials_supplied(state: CaseState, payload: Mapping[str, Any]) -> Verdict:
    names = payload.get("materials")
    if not isinstance(names, list) or not names:
        return _no("nothing_supplied", "请勾选群众这次补交的材料")
    missing = state.missing_materials
    if not missing:
        return _no("nothing_missing", "此事项的材料已经齐全，不用再补")
    extra = [str(name) for name in names if name not in missing]
    if extra:
        return _no("not_missing", f"“{extra[0]}”不在一次性告知单的缺少材料里；"
                                  f"还缺的是：{'、'.join(missing)}")
    return OK


_PAYLOAD_CHECKS = {
    "svc.accepted": _accepted,
    "svc.escalated": _needs("summary", "上报镇必须写明需要镇里解决的问题"),
    "svc.assigned": _assigned,
    "svc.forwarded": _forwarded,
    "svc.replied": _needs("reply", "请填写县直部门的答复内容", "missing_reply"),
    "svc.returned": _needs("reason", "退回必须写明理由，方便下级补正后重新办理"),
    "svc.extended": _extended,
    "svc.closed": _closed,
    "svc.done_at_once": _needs("result", "请填写办理结果", "missing_result"),
    "svc.rated": _rated,
    "svc.reopened": _reopened,
    "svc.updated": _updated,
    "svc.withdrawn": _withdrawn,
    "svc.materials_supplied": _materials_supplied,
    "svc.urged": _needs("note", "催办要写明催问的内容（例如 群众来问进度，请尽快答复）", "missing_note"),
}
