"""Intake of a petition at the window: the ``petition.registered`` payload.

RULES.md §2: intake at any hour; 初信初访 flagged and given priority, repeats linked to the
earlier ones (``dispute.links``); 逐级反映 proposals (``petition.levels``); group visits
send at most five representatives (信访工作条例 Art 18, ``petition.group_visit_max_representatives``);
检举控告 is sealed and routed to discipline instead (``petition.sealed``).

``registered_payload`` raises ``PetitionIntakeError`` with a Chinese message for input the
window must correct before anything is written.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from app.domain.dispute.links import Link, is_first_time, link_payload
from app.domain.errors import DomainError
from app.domain.petition.checks import check_group
from app.domain.petition.levels import AppealCheck, Proposal
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import SEALED_CATEGORY


class PetitionIntakeError(DomainError):
    """A petition cannot be registered as entered (message says what to change)."""


def registered_payload(*, channel: str, category: str, petitioners: Sequence[Mapping[str, Any]],
                       summary: str, first_officer: Mapping[str, Any], received_at: str,
                       links: Iterable[Link] = (), village: str = "", request: str = "",
                       group: Mapping[str, Any] | None = None,
                       proposal: Proposal | None = None, appeal: AppealCheck | None = None,
                       first_time: bool | None = None,
                       rules: PetitionRules = PetitionRules()) -> dict[str, Any]:
    """Build the payload; ``first_time`` None means "as the links suggest"."""
    if category == SEALED_CATEGORY:
        raise PetitionIntakeError("检举控告类事项须密封后转纪检监察机关，请用“检举控告”登记",
                                  code="sealed_category")
    verdict = check_group(group, channel, rules)
    if not verdict.ok:
        raise PetitionIntakeError(verdict.message, code=verdict.code)
    links = list(links)
    payload: dict[str, Any] = {
        "channel": channel, "category": category,
        "petitioners": [dict(p) for p in petitioners], "summary": summary,
        "first_officer": dict(first_officer), "received_at": received_at,
        "first_time": is_first_time(links) if first_time is None else first_time,
        "links": link_payload(links), "stage": "处理",
    }
    if village:
        payload["village"] = village
    if request:
        payload["request"] = request
    if group:
        payload["group"] = {"size": int(group["size"]),
                            "representatives": list(group.get("representatives") or [])}
    if appeal is not None:
        # A request that cannot be a 复查/复核 (still in handling, after 复核) is still
        # registered, so that its refusal is decided and notified in writing like any other.
        if appeal.appeal_of is None:
            raise PetitionIntakeError(appeal.message or "这一答复不能再请求复查或复核",
                                      code="no_appeal")
        if appeal.stage is not None:
            payload["stage"] = appeal.stage
        payload["appeal_of"] = dict(appeal.appeal_of)
        payload["first_time"] = False if first_time is None else first_time
        proposal = appeal.proposal
    if proposal is not None:
        payload["proposal"] = proposal.payload()
    return payload
