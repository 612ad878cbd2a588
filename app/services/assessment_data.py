"""The items of the assessment's quantitative criteria, read per village from what the
town's station already holds (issue #13 §4). Each reader returns village (node id) →
items in the shapes of app.domain.supervision.measures; "the year" is the year a matter
came in (受理/登记), so a case counts once, in the year it was taken.

A matter counts for the village whose certified station took it in (the record's
origin, from its certificate), never for a name: a village could once announce itself
under another village's name (review H3; refused since, app.domain.authority), and a
name typed in a payload is no certificate. Only a matter a town or county station took
in is placed by the village its record names. ``read`` then names each village of the
town by its certified name (``town_villages``); other nodes' items are left out.

    service_on_time       便民服务 cases accepted in the year: {due, done = closed_on}
    service_satisfaction  rated cases of the year: good unless 不满意
    mediation_success     disputes registered in the year whose mediation ended: good on
                          调解成功 / 协议已履行, bad on 调解不成
    petitions_on_time     申诉求决 petitions received in the year and accepted: due = the
                          60-day 办理 period (+ approved extensions) of 信访工作条例 Art 34 from
                          acceptance, by the same rule as the petition screens'
                          (petition.clocks.petition_period_end), done = answered_on
    publicity_on_time     村务公开 dues of the year (组织法 Art 30; decisions.publicity) from
                          the village's register: done = published, due = the period's end
    opinions_answered     村务监督委员会 opinions sent in the year: due = sent + the town's
                          answer days, done = the town's first answer — read through the
                          监委会 module (app.services.oversight) when it is installed; without
                          it the measure is unavailable and a scheme using it is refused
                          with that reason (``register_reader`` plugs in another reader).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from importlib.util import find_spec
from typing import Any

from app.domain.petition.clocks import petition_period_end
from app.domain.petition.rules import PetitionRules
from app.station import Station

Items = dict[str, list[dict[str, Any]]]
Reader = Callable[[Station, int, date], Items]
AGREED, FAILED = ("agreed", "performed"), ("referred",)
NOT_HANDLED = ("new", "registered", "refused", "transferred")


def _year(year: int) -> tuple[str, str]:
    return f"{year}-01-01", f"{year}-12-31"


def certified_name(station: Station, node: str, listed: str | None) -> str:
    """The node's name on its verified certificate; the directory's (announced) name only
    on a station that has no certificates yet (enrolled before issue #7)."""
    directory = station.store.directory
    if directory.root is not None:
        cert = directory.verified(node)
        return cert.name if cert is not None else ""
    return listed or ""


def town_villages(station: Station, town: str | None) -> dict[str, str]:
    """node id → certified name of the town's villages (certified parent = the town hub)."""
    return {node: name for node, listed in station.store.conn.execute(
        "SELECT id, name FROM nodes_dir WHERE level='village' AND hub=? ORDER BY short_code",
        (town,)) if (name := certified_name(station, node, listed))}


class _Placer:
    """Which village a matter counts for: its origin when that is a village station;
    a matter taken in above a village by the village its record names (certified names)."""

    def __init__(self, station: Station) -> None:
        conn = station.store.conn
        self.villages = {node for (node,) in conn.execute(
            "SELECT id FROM nodes_dir WHERE level='village'")}
        self.by_name: dict[str, str] = {}
        for node in self.villages:
            name = certified_name(station, node, None)
            if name:
                self.by_name.setdefault(name, node)

    def __call__(self, origin: str | None, named: str | None) -> str | None:
        if origin in self.villages:
            return origin
        return self.by_name.get(named or "")


def _add(out: Items, village: str | None, item: dict[str, Any]) -> None:
    if village:
        out.setdefault(village, []).append(item)


def service_on_time(station: Station, year: int, as_of: date) -> Items:
    out: Items = {}
    for origin, due, closed in station.store.conn.execute(
            "SELECT origin, due, closed_on FROM cases WHERE accepted_on BETWEEN ? AND ?"
            " AND due IS NOT NULL", _year(year)):
        _add(out, origin, {"due": due, "done": closed})
    return out


def service_satisfaction(station: Station, year: int, as_of: date) -> Items:
    out: Items = {}
    for origin, dissatisfied in station.store.conn.execute(
            "SELECT origin, dissatisfied FROM cases WHERE accepted_on BETWEEN ? AND ?"
            " AND rating IS NOT NULL AND rating<>''", _year(year)):
        _add(out, origin, {"good": not dissatisfied})
    return out


def mediation_success(station: Station, year: int, as_of: date) -> Items:
    place = _Placer(station)
    out: Items = {}
    for origin, village, status in station.store.conn.execute(
            "SELECT origin, village, status FROM disputes WHERE received_on BETWEEN ? AND ?",
            _year(year)):
        if status in AGREED or status in FAILED:
            _add(out, place(origin, village), {"good": status in AGREED})
    return out


def petitions_on_time(station: Station, year: int, as_of: date) -> Items:
    from app.services.rules import load_rules
    loaded = load_rules(station.store.conn)
    rules = PetitionRules.from_config(loaded.config)
    place = _Placer(station)
    out: Items = {}
    for origin, village, accepted, extension, answered in station.store.conn.execute(
            "SELECT origin, village, accepted_on, extension_days, answered_on FROM petitions"
            " WHERE received_on BETWEEN ? AND ? AND category<>'建议意见' AND stage='处理'"
            " AND accepted_on IS NOT NULL AND status NOT IN (?,?,?,?)",
            (*_year(year), *NOT_HANDLED)):
        due = petition_period_end(date.fromisoformat(accepted),
                                  rules.handling_days + int(extension or 0), loaded.calendar, rules)
        _add(out, place(origin, village), {"due": due.date.isoformat(), "done": answered})
    return out


def publicity_on_time(station: Station, year: int, as_of: date) -> Items:
    from app.services.decisions import VillageDecisions
    desk = VillageDecisions(station, today=lambda: min(as_of, date(year, 12, 31)))
    out: Items = {}
    for (node,) in station.store.conn.execute("SELECT DISTINCT village FROM village_registers"):
        for due in desk.publicity(node):
            if due.due.year == year:
                _add(out, node, {"due": due.due.isoformat(),
                                 "done": due.published.isoformat() if due.published else None})
    return out


# where each measure's items come from, as a criterion's explanation names it
SOURCES = {"service_on_time": "便民服务台账（当年受理、有承诺期限的办件）",
           "service_satisfaction": "便民服务台账（当年受理、已登记评价的办件）",
           "mediation_success": "矛盾纠纷台账（当年登记、调解已结束的纠纷）",
           "petitions_on_time": "信访台账（当年收到、已受理的申诉求决事项）",
           "publicity_on_time": "村务公开登记（当年到期的公开）",
           "opinions_answered": "村务监督委员会意见（当年提出的）"}

def opinions_answered(station: Station, year: int, as_of: date) -> Items:
    """村务监督委员会 opinions sent in the year, answered by their due date or not — read
    through the 监委会 module of issue #13 §3 (branch ``watchers``: app.services.oversight,
    ``answer_items`` of app.domain.supervision.oversight); its village is the sending
    station's node id."""
    from app.domain.supervision.oversight import answer_items
    from app.services.oversight import Oversight
    desk = Oversight(station, today=lambda: as_of)
    sent = [o for o in desk.opinions() if o.sent_on is not None and o.sent_on.year == year]
    return dict(answer_items(sent, desk.answer_days()))


READERS: dict[str, Reader] = {
    "service_on_time": service_on_time, "service_satisfaction": service_satisfaction,
    "mediation_success": mediation_success, "petitions_on_time": petitions_on_time,
    "publicity_on_time": publicity_on_time,
}
if find_spec("app.services.oversight") is not None:     # the 监委会's opinions are there
    READERS["opinions_answered"] = opinions_answered


def register_reader(measure: str, reader: Reader) -> None:
    """Plug in the reader of a measure whose records another module owns (the 监委会
    opinions: ``opinions_answered``). The reader returns village node id → deadline items
    ``{"due": "YYYY-MM-DD", "done": "YYYY-MM-DD" or None}``."""
    READERS[measure] = reader


def read(station: Station, measures: set[str], year: int, as_of: date,
         town: str | None) -> dict[str, Items]:
    """measure → village (its certified name) → items, for the measures asked (each must
    have a reader), for the villages the town hub ``town`` certified only."""
    names = town_villages(station, town)
    out: dict[str, Items] = {}
    for measure in measures:
        by_node = READERS[measure](station, year, as_of)
        out[measure] = {names[node]: items for node, items in by_node.items() if node in names}
    return out

