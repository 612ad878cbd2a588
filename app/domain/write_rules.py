"""Who may write the event types added for the cadres' everyday work (issue #8 §3), in
one place, ready to move into the sync layer's per-type authority declaration (issue #7).

Each entry says which certified node levels may write the type, what the writer must be
to the record, and which role the signed-in cadre must hold on the tablet. The folds and
``check_transition`` of each record kind enforce the level and record rules while
replaying (an event breaking them is kept as rejected); the services enforce the cadre
role before writing (a cadre account lives on its tablet only, so no hub can vouch for
it: app.accounts).

record:
    "new"                  creates the record
    "holder_or_accepting"  the level holding the case, or the one that accepted it
    "sender"               the level that sent the case up to its holder (催办)
    "creator"              only the node that created the record (its own visit)
    "in_scope"             any node of the allowed levels that can see the record
"""
from __future__ import annotations

from dataclasses import dataclass

from app.domain.service_transitions import RULES as SERVICE_RULES

SETTINGS = "settings"


@dataclass(frozen=True)
class WriteRule:
    levels: frozenset[str]
    record: str
    cadre_role: str | None = None


def _service(kind: str) -> WriteRule:
    rule = SERVICE_RULES[kind]
    return WriteRule(rule.levels, rule.who)


WRITE_RULES: dict[str, WriteRule] = {
    "svc.withdrawn": _service("svc.withdrawn"),
    "svc.materials_supplied": _service("svc.materials_supplied"),
    "svc.urged": _service("svc.urged"),
    "visit.converted": WriteRule(frozenset({"village", "town", "county"}), "creator"),
    "catalog.matter_proposed": WriteRule(frozenset({"village"}), "new"),
    "catalog.proposal_decided": WriteRule(frozenset({"town", "county"}), "in_scope", SETTINGS),
    # Existing types whose writers this work narrows to a cadre with the settings role
    # (app.services.townrules): the town's catalog edits and settings.
    "catalog.matter_added": WriteRule(frozenset({"town", "county"}), "in_scope", SETTINGS),
    "catalog.matter_changed": WriteRule(frozenset({"town", "county"}), "in_scope", SETTINGS),
    "catalog.matter_retired": WriteRule(frozenset({"town", "county"}), "in_scope", SETTINGS),
    "config.set": WriteRule(frozenset({"town", "county"}), "in_scope", SETTINGS),
}
