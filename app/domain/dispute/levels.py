"""分级调处: what an upper 调处中心 is told when a dispute is brought to it directly.

The seed (三（三）规范工作制度): "对未经下级调处机构处理直接到上级调处机构反映的，上级不予
受理；对当事人不服下级处理结果到上级反映的，上级应审查处理结果，促进矛盾纠纷逐级反映、
分级解决".  The 调处 bodies are the village 调解室, the town 矛盾调处化解中心 and the county
调处中心; each reviews the level directly below it.  So at intake, when a party brings a
dispute to the town or the county:

* the level below handled the same matter of the same person (a linked dispute it
  finished, or a petition it dealt with) and the person contests that result: the upper
  level takes it and reviews that result (``review_of``); while the level below is still
  mediating it, waiting for that is proposed (``in_handling``);
* nobody below handled it: 不予受理 is proposed, telling where to go — the county may
  instead hand it down (交办, ``dispute.assigned``).  The officer may still take it with a
  written reason (a dispute across villages, a village cadre as a party, one about to
  flare up), which stays on the record (``override_reason``);
* a dispute the upper level found itself (排查发现), was handed (上级交办), came from a
  petition (信访转来) or from the 民意台账 (民意台账) was not brought over anyone's head:
  no proposal.

Like the petition proposals, this is computed at intake over the links this station
sees and stored in the registration, so replay never depends on what a node knows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from app.domain.dispute.links import Link
from app.domain.dispute.state import FINISHED, LEVEL_NAMES, LEVEL_RANK, LEVELS

# Sources that are not a party going over the lower level's head.
NOT_BROUGHT = frozenset({"排查发现", "上级交办", "信访转来", "民意台账"})
SOURCE = "新集镇意见三（三）规范工作制度：分级调处，未经下级调处机构处理直接到上级反映的，上级不予受理"


@dataclass(frozen=True)
class DisputeIntakeCheck:
    """``proposal``: {ground, label, where_to_go, message} or None; ``review_of``: the
    lower result this intake reviews, or None."""

    proposal: Mapping[str, str] | None
    review_of: Mapping[str, Any] | None


def check_dispute_intake(actor_level: str, source: str, links: Iterable[Link]
                         ) -> DisputeIntakeCheck:
    rank = LEVEL_RANK.get(actor_level, 0)
    if rank == 0:
        return DisputeIntakeCheck(None, None)  # the village 调解室 is the first level
    below = LEVELS[rank - 1]
    same = [link for link in links if link.same_person and link.same_matter]
    handled = [link for link in same if link.handled and link.level == below]
    done = [link for link in handled if link.kind != "dispute" or link.status in FINISHED]
    if done:
        lower = done[0]
        return DisputeIntakeCheck(None, {"record": lower.record, "kind": lower.kind,
                                         "level": lower.level, "status": lower.status})
    if handled:
        where = LEVEL_NAMES[below]
        return DisputeIntakeCheck({
            "ground": "in_handling", "label": f"正在{where}调处",
            "where_to_go": f"请等待{where}的调处结果，调处不成的由{where}上报",
            "message": f"这起纠纷正在{where}调处（{handled[0].record}），还没有结果。请告知当事人等待"
                       f"调处结果；如确需本级受理，请写明理由，理由将记录在案。"}, None)
    if source in NOT_BROUGHT:
        return DisputeIntakeCheck(None, None)
    where = LEVEL_NAMES[below]
    down = "，或由县里交办镇里调处" if actor_level == "county" else ""
    message = (f"没有查到{where}调处过这起纠纷。{SOURCE}。请告知当事人先到{where}调处{down}；"
               "如确需本级受理（如跨村纠纷、村干部是当事人、矛盾可能激化），请写明理由，理由将记录在案。")
    return DisputeIntakeCheck({"ground": "not_handled_below", "label": f"未经{where}调处",
                               "where_to_go": f"请到{where}调处", "message": message}, None)


__all__ = ["DisputeIntakeCheck", "NOT_BROUGHT", "check_dispute_intake"]
