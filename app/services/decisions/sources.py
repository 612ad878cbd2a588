"""民意台账 → 村务决策 (issue #12 §1 动议事由 党员群众建议; app.domain.opinion.flow): an
entry of the opinion ledger routed to a village decision becomes a matter, and the two
name each other — the matter's 立项 carries ``source`` (the entry), the entry is routed
again with the matter's record (``Opinions.route_decision``, the one re-routing the
opinion flow allows), so the ledger shows how the matter stands and the matter shows
the people's words it came from."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.accounts import Cadre
from app.services.decisions.base import MatterView
from app.services.decisions.steps import MatterWrites
from app.services.errors import ServiceError

OPINION = "opinion"
MOTION = "党员群众建议"


class SourceService(MatterWrites):
    def _opinions(self) -> Any:
        from app.services.opinions import Opinions
        return Opinions(self.station, today=self.today, now=self.now)

    def opinion_draft(self, opinion: str) -> dict[str, str]:
        """What the 新建事项 form starts with for a ledger entry waiting for a decision."""
        state = self._waiting(opinion)
        first = state.content.strip().splitlines()[0] if state.content.strip() else ""
        return {"title": first[:30], "reason": state.content.strip(),
                "motion_source": MOTION, "ledger_no": state.ledger_no}

    def _waiting(self, opinion: str) -> Any:
        state = self._opinions().item(opinion)
        if not state.awaiting_decision:
            raise ServiceError("这条民意没有在等待村务决策：请先在民意台账里梳理，定为"
                               "“提交村务决策”并交办，再来立项")
        return state

    def open_from_opinion(self, officer: Cadre, opinion: str, *, title: str, reason: str,
                          kinds: Sequence[str], **matter: Any) -> str:
        """立项 from a 民意台账 entry (动议事由 党员群众建议), then name the matter in the
        entry.  The entry is checked first, so a refused link writes nothing."""
        state = self._waiting(opinion)
        record = self.open_matter(officer, title=title, reason=reason, kinds=kinds,
                                  motion_source=MOTION,
                                  source={"kind": OPINION, "record": opinion,
                                          "ledger_no": state.ledger_no},
                                  **matter)
        self._opinions().route_decision(officer, opinion, record)
        return record

    def source_of(self, view: MatterView) -> dict[str, str] | None:
        """The entry the matter came from, as this station holds it (its words, if synced)."""
        source = view.matter.opened.get("source")
        if not source or source.get("kind") != OPINION:
            return None
        out = {"record": str(source["record"]), "ledger_no": str(source.get("ledger_no") or ""),
               "content": ""}
        try:
            out["content"] = self._opinions().item(out["record"]).content
        except ServiceError:
            pass          # the entry has not reached this station (a town without it)
        return out
