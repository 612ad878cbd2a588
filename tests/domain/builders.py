"""Event logs for service-case tests: realistic payloads, explicit origins and clocks."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.domain.service.flow import fold
from app.domain.service.state import CaseState

# Two tablets in one village, two nodes in the town, one county department.
LEVELS = {"v1": "village", "v2": "village", "t1": "town", "t2": "town", "c1": "county"}

PERSON = {"id": "u-wang", "name": "王秀兰", "post": "便民服务站代办员"}


def accepted_p(mode: str = "代办", **extra: Any) -> dict[str, Any]:
    payload = {
        "receipt_no": "XJ003-250926-0007-12",
        "accepted_on": "2025-09-26",
        "applicant": {"name": "李建国", "sex": "男", "phone": "13812345678", "group": "三组"},
        "matter_code": "JZ-001",
        "matter_name": "最低生活保障申请",
        "summary": "申请最低生活保障",
        "materials_present": ["居民身份证", "户口簿"],
        "materials_missing": ["家庭经济状况核对授权书"],
        "first_officer": PERSON,
        "mode": mode,
        "time_limit_working_days": 25,
        "promised_due": "2025-11-06",
        "due_provisional": False,
    }
    payload.update(extra)
    return payload


def payload_for(kind: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid payload for each svc event type (``accepted_p`` for acceptance)."""
    on = {"on": "2025-09-29"}
    base: dict[str, dict[str, Any]] = {
        "svc.accepted": accepted_p(),
        "svc.started": dict(on),
        "svc.done_at_once": dict(on, result="当场打印参保缴费证明"),
        "svc.escalated": dict(on, summary="需镇里入户调查、组织民主评议", due="2025-10-13",
                              leader={"name": "张副镇长"}),
        "svc.assigned": dict(on, assignee={"id": "u-zhao", "name": "赵民政"}, due="2025-10-20"),
        "svc.forwarded": dict(on, letter={
            "letter_no": "新集转〔2025〕12号", "source": "村便民服务站上报", "citizen": "李建国",
            "summary": "最低生活保障审批", "department": "县民政局", "deadline": "2025-10-31",
            "report_back": "书面回复镇便民服务中心", "receipt_slip": "回执随函附后"}),
        "svc.replied": dict(on, reply="经审核符合条件，自11月起发放", department="县民政局"),
        "svc.returned": dict(on, reason="缺少家庭经济状况核对授权书，请补齐后重新上报"),
        "svc.extended": dict(on, new_due="2025-11-28", reason="需补充调查，按特殊情况延长"),
        "svc.closed": dict(on, outcome="resolved", result="已批准，自11月起发放低保金"),
        "svc.fed_back": dict(on, method="电话"),
        "svc.rated": dict(on, level="满意", dissatisfied=False),
        "svc.revisited": dict(on, method="上门", note="低保金已到账"),
        "svc.reopened": dict(on, reason="群众认为保障金额算错"),
        "svc.updated": dict(on, fields={"applicant.phone": "13987654321"},
                            was={"applicant.phone": "13812345678"}),
        "svc.withdrawn": dict(on, reason_kind="申请人撤回", reason="群众已在县里办好，不需要再办"),
        "svc.materials_supplied": dict(on, materials=["家庭经济状况核对授权书"]),
        "svc.urged": dict(on, note="群众来问进度，请尽快办理", method="电话"),
    }
    payload = base[kind]
    payload.update(extra)
    return payload


DISSATISFIED = {"level": "不满意", "dissatisfied": True, "reason": "金额算错"}


class Log:
    """An append-only event log for one record, with per-origin sequence numbers."""

    def __init__(self, record: str = "rec-1") -> None:
        self.record = record
        self.events: list[dict[str, Any]] = []
        self._seq: dict[str, int] = defaultdict(int)
        self._clock = 1000

    def event(self, kind: str, origin: str = "v1", payload: dict[str, Any] | None = None,
              hlc: int | None = None, **extra: Any) -> dict[str, Any]:
        """Build (without appending) the next event of ``origin``."""
        self._seq[origin] += 1
        if hlc is None:
            self._clock += 10
            hlc = self._clock
        body = payload if payload is not None else payload_for(kind, **extra)
        return {"id": f"{origin}-{self._seq[origin]}", "origin": origin,
                "seq": self._seq[origin], "hlc": hlc, "type": kind, "v": 1,
                "record": self.record, "kind": "svc_case", "author": f"user-{origin}",
                "payload": body}

    def add(self, kind: str, origin: str = "v1", payload: dict[str, Any] | None = None,
            hlc: int | None = None, **extra: Any) -> dict[str, Any]:
        event = self.event(kind, origin, payload, hlc, **extra)
        self.events.append(event)
        return event

    def state(self) -> CaseState:
        return fold(self.events, LEVELS)


# Paths to every status: (event type, origin, extra payload) in order.
PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "accepted": [("svc.accepted", "v1", {})],
}
PATHS["started_village"] = PATHS["accepted"] + [("svc.started", "v1", {})]
PATHS["escalated"] = PATHS["accepted"] + [("svc.escalated", "v1", {})]
PATHS["assigned_town"] = PATHS["escalated"] + [("svc.assigned", "t1", {})]
PATHS["forwarded"] = PATHS["escalated"] + [("svc.forwarded", "t1", {})]
PATHS["replied"] = PATHS["forwarded"] + [("svc.replied", "c1", {})]
PATHS["returned_to_village"] = PATHS["escalated"] + [("svc.returned", "t1", {})]
PATHS["returned_to_town"] = PATHS["forwarded"] + [("svc.returned", "c1", {})]
PATHS["closed_by_town"] = PATHS["escalated"] + [("svc.closed", "t1", {})]
PATHS["done_at_once"] = [("svc.accepted", "v1", {"mode": "即办"}),
                         ("svc.done_at_once", "v1", {})]
PATHS["fed_back"] = PATHS["closed_by_town"] + [("svc.fed_back", "v1", {})]
PATHS["rated_satisfied"] = PATHS["fed_back"] + [("svc.rated", "v1", {})]
PATHS["rated_dissatisfied"] = PATHS["fed_back"] + [("svc.rated", "v1", DISSATISFIED)]
PATHS["revisited"] = PATHS["rated_satisfied"] + [("svc.revisited", "t1", {})]
PATHS["reopened"] = PATHS["rated_dissatisfied"] + [("svc.reopened", "v1", {})]
PATHS["withdrawn"] = PATHS["accepted"] + [("svc.withdrawn", "v1", {})]


def log_at(path: str) -> Log:
    """A log whose case has gone through ``PATHS[path]``."""
    log = Log()
    for kind, origin, extra in PATHS[path]:
        if kind == "svc.accepted":
            log.add(kind, origin, accepted_p(**extra))
        else:
            log.add(kind, origin, **extra)
    return log
