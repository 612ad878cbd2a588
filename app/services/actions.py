"""Which case actions to offer on a screen, decided by the domain's check_transition.

A button is shown only if the transition is allowed here and now for this station's level
and the case's status (service_transitions.py is the one place that decides). The probe
payloads below fill every required field with a valid placeholder, so the check judges
status and level (and the real payload-independent rules, e.g. 重新办理 only after 不满意);
the form behind the button then collects the real values and Desk.act checks them again.
"""
from __future__ import annotations

from typing import Any

from app.domain import CaseState, check_transition

# (event type, button label), in the order a case moves through them.
ACTIONS: tuple[tuple[str, str], ...] = (
    ("svc.started", "开始办理"),
    ("svc.done_at_once", "即办办结"),
    ("svc.escalated", "上报镇"),
    ("svc.assigned", "交办"),
    ("svc.forwarded", "转办县直部门"),
    ("svc.replied", "回复"),
    ("svc.returned", "退回"),
    ("svc.extended", "延期"),
    ("svc.closed", "办结"),
    ("svc.fed_back", "反馈群众"),
    ("svc.rated", "评价"),
    ("svc.revisited", "回访"),
    ("svc.reopened", "重新办理"),
    ("svc.materials_supplied", "补齐材料"),
    ("svc.urged", "催办"),
    ("svc.updated", "修改信息"),
    ("svc.withdrawn", "撤件"),
)
ACTION_LABELS = dict(ACTIONS)

_PLACEHOLDER = "·"
_PROBES: dict[str, dict[str, Any]] = {
    "svc.started": {},
    "svc.done_at_once": {"result": _PLACEHOLDER},
    "svc.escalated": {"summary": _PLACEHOLDER},
    "svc.assigned": {"assignee": {"name": _PLACEHOLDER}},
    "svc.forwarded": {"letter": {"letter_no": _PLACEHOLDER, "source": _PLACEHOLDER,
                                 "citizen": _PLACEHOLDER, "summary": _PLACEHOLDER,
                                 "department": _PLACEHOLDER, "deadline": "2099-12-31",
                                 "report_back": _PLACEHOLDER}},
    "svc.replied": {"reply": _PLACEHOLDER},
    "svc.returned": {"reason": _PLACEHOLDER},
    "svc.extended": {"reason": _PLACEHOLDER, "new_due": "9999-12-31"},
    "svc.closed": {"outcome": "resolved", "result": _PLACEHOLDER},
    "svc.fed_back": {},
    "svc.rated": {"level": _PLACEHOLDER, "dissatisfied": False},
    "svc.revisited": {},
    "svc.reopened": {"reason": _PLACEHOLDER},
    "svc.urged": {"note": _PLACEHOLDER},
    "svc.updated": {"fields": {"remark": _PLACEHOLDER}},
    "svc.withdrawn": {"reason_kind": "申请人撤回", "reason": _PLACEHOLDER},
}


def _probe(kind: str, state: CaseState) -> dict[str, Any]:
    if kind == "svc.extended" and state.extension_ceiling is not None:
        # as far as the catalog's 延长时限 allows (none: the ceiling is the promise itself)
        return dict(_PROBES[kind], new_due=state.extension_ceiling.isoformat())
    if kind == "svc.materials_supplied":   # offered only while something is missing
        return {"materials": state.missing_materials[:1]}
    return _PROBES[kind]


def allowed_actions(state: CaseState, level: str) -> list[tuple[str, str]]:
    """The (event type, label) pairs a station of ``level`` may take on ``state`` now."""
    return [(kind, label) for kind, label in ACTIONS
            if check_transition(state, {"type": kind, "v": 1, "payload": _probe(kind, state)},
                                level).ok]


__all__ = ["ACTIONS", "ACTION_LABELS", "allowed_actions"]
