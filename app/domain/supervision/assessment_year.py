"""A town's yearly 百分制 assessment as synced events (issue #13 §4), folded. Pure.

Two event types (declared in app.domain.authority: a certified town device with the
纪委 role writes both — "镇纪委负监督责任……科学考核推动，制定党风政风建设年度考评方案和细则",
新集镇意见, RULES.md §4; a village tablet can neither set the scheme nor score itself):

* ``assessment.scheme_set`` — the year's scheme: criteria (scheme.check_scheme), the
  villages assessed with their 党支部书记 (whose star band follows the village's total),
  the named assessors of the qualitative criteria, and the star bands with their source,
  copied into the scheme so a year's results do not move when the config changes later.
  The latest valid one (by clock) of the town's year is in force.
* ``assessment.score_given`` — one named assessor's marks on one qualitative criterion
  for one or more villages; the latest mark of an assessor for a (criterion, village)
  replaces the earlier one — latest by the day it was recorded (``on``), then by clock:
  a mark cannot be dated after its own clock stamp nor after today, so a far-future
  stamp (which a hub accepts with a flag) does not replace a later correction for good;
  such a mark is kept aside with why (review L2).

Who gives a mark: the assessors the scheme names are people (name and post: 镇党委书记,
群众代表), not cadres with an account on the 纪委's device; their score sheets are entered
by the device's cadre, who signs the event (its ``author``, a cadre of the certified
纪委 device). So the signer is not checked against the named assessor: that needs the
assessors' own keys (review L2, open).

A mark is counted only when its assessor is named in the scheme in force, its criterion is
qualitative there, its village is assessed and it lies between 0 and the weight; any other
is kept aside with the reason (shown as 未生效), never silently dropped.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from app.domain.decisions.workflow import day_of
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.scheme import QUALITATIVE, Scheme, check_scheme, exact, show
from app.domain.supervision.scoring import check_bands

SCHEME_SET, SCORE_GIVEN = "assessment.scheme_set", "assessment.score_given"


@dataclass(frozen=True)
class Unit:
    village: str
    secretary: str          # 村党支部书记 (星级化管理)


@dataclass(frozen=True)
class YearScheme:
    record: str
    year: int
    scheme: Scheme
    units: tuple[Unit, ...]
    assessors: tuple[str, ...]
    bands: tuple[Mapping[str, Any], ...]
    band_source: str
    basis: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Marks:
    """village → criterion code → [{assessor, score}], and the marks kept aside."""
    by_unit: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]
    aside: tuple[str, ...]


def check_year_scheme(payload: Mapping[str, Any]) -> Scheme:
    """Everything a scheme event must satisfy beyond its schema, in Chinese."""
    scheme = check_scheme(payload)
    units = [str(u.get("village") or "").strip() for u in payload.get("units") or []]
    if not units or not all(units):
        raise SupervisionError("请列出参加考核的村", code="scheme")
    if len(set(units)) != len(units):
        raise SupervisionError("参加考核的村有重复", code="scheme")
    assessors = [str(a.get("name") or "").strip() for a in payload.get("assessors") or []]
    if not all(assessors) or len(set(assessors)) != len(assessors):
        raise SupervisionError("评分人姓名不能为空，也不能重复", code="scheme")
    if any(c.kind == QUALITATIVE for c in scheme.criteria) and not assessors:
        raise SupervisionError("方案有定性指标，请写明评分人（谁来打分）", code="scheme")
    check_bands(payload.get("star_bands") or [])
    if not str(payload.get("star_source") or "").strip():
        raise SupervisionError("请写明星级分数线的依据（例如镇党委的星级化管理办法）", code="stars")
    return scheme


def _year_scheme(event: Mapping[str, Any]) -> YearScheme:
    payload = event["payload"]
    scheme = check_year_scheme(payload)
    units = tuple(Unit(str(u["village"]).strip(), str(u.get("secretary") or "").strip())
                  for u in payload["units"])
    return YearScheme(str(event["record"]), int(payload["year"]), scheme, units,
                      tuple(str(a["name"]).strip() for a in payload.get("assessors") or []),
                      tuple(payload["star_bands"]), str(payload["star_source"]),
                      str(payload.get("basis") or ""), payload)


def scheme_in_force(events: Iterable[Mapping[str, Any]], year: int) -> YearScheme | None:
    """The latest valid ``assessment.scheme_set`` of ``year`` (events of one town, in
    clock order)."""
    found = None
    for event in events:
        if event.get("type") != SCHEME_SET or event["payload"].get("year") != year:
            continue
        try:
            found = _year_scheme(event)
        except (SupervisionError, KeyError, TypeError, ValueError):
            continue        # refused where it was written; a forged one is not in force
    return found


def _recorded_on(event: Mapping[str, Any], as_of: date | None) -> tuple[date | None, str]:
    """The day a mark was recorded, and why it cannot count ("" if it can): not after its
    own clock stamp (one day's slack for a device's clock), not after ``as_of``."""
    try:
        on = date.fromisoformat(str((event.get("payload") or {}).get("on")))
    except ValueError:
        return None, ""     # (marks written before the day was recorded: by clock only)
    hlc = event.get("hlc")
    if isinstance(hlc, int) and hlc > 0 and on > day_of(hlc) + timedelta(days=1):
        return on, f"录入日期{on.isoformat()}晚于记录的时间，请在镇纪委的设备上重新录入"
    if as_of is not None and on > as_of:
        return on, f"录入日期{on.isoformat()}在今天之后，请核对录入设备的时钟后重新录入"
    return on, ""


def marks(events: Iterable[Mapping[str, Any]], year: YearScheme,
          as_of: date | None = None) -> Marks:
    """The qualitative marks in force under ``year``'s scheme on ``as_of`` (module
    docstring)."""
    criteria = {c.code: c for c in year.scheme.criteria}
    units = {u.village for u in year.units}
    assessors = set(year.assessors)
    latest: dict[tuple[str, str, str], tuple[tuple[date, int], Fraction]] = {}
    aside: list[str] = []
    for event in events:
        payload = event.get("payload") or {}
        if event.get("type") != SCORE_GIVEN or payload.get("year") != year.year:
            continue
        who, code = str(payload.get("assessor") or ""), str(payload.get("criterion") or "")
        criterion = criteria.get(code)
        on, late = _recorded_on(event, as_of)
        order = (on or date.min, int(event.get("hlc") or 0))
        for item in payload.get("scores") or []:
            unit = str(item.get("unit") or "")
            why = ""
            if late:
                why = late
            elif who not in assessors:
                why = f"{who}不是方案写明的评分人"
            elif criterion is None or criterion.kind != QUALITATIVE:
                why = f"方案里没有定性指标“{code}”"
            elif unit not in units:
                why = f"{unit}不在参加考核的村里"
            else:
                try:
                    mark = exact(item.get("score"), "分数")
                except SupervisionError as exc:
                    why = exc.message
                else:
                    if not 0 <= mark <= criterion.weight:
                        why = f"分数应在0到{show(criterion.weight)}之间"
            if why:
                aside.append(f"{who}给{unit}“{code}”打的{item.get('score')}分未生效：{why}")
                continue
            kept = latest.get((unit, code, who))
            if kept is None or kept[0] <= order:
                latest[(unit, code, who)] = (order, mark)
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (unit, code, who), (_, mark) in latest.items():
        out.setdefault(unit, {}).setdefault(code, []).append({"assessor": who, "score": show(mark)})
    return Marks(out, tuple(aside))


def missing_marks(year: YearScheme, given: Marks) -> list[str]:
    """What is still to be scored: "廉洁自律：王湾村还缺张三、李四的分数"."""
    out = []
    for criterion in year.scheme.criteria:
        if criterion.kind != QUALITATIVE:
            continue
        for unit in year.units:
            have = {m["assessor"] for m in given.by_unit.get(unit.village, {}).get(criterion.code, [])}
            lacking = [a for a in year.assessors if a not in have]
            if lacking:
                out.append(f"{criterion.name}：{unit.village}还缺{'、'.join(lacking)}的分数")
    return out
