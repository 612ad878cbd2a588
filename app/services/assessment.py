"""The town's yearly 百分制 assessment (issue #13 §4), end to end on the town 纪委's
station: the year's scheme and the assessors' marks are synced events
(app.domain.supervision.assessment_year), the quantitative criteria are read from the
records the station holds (app.services.assessment_data), and the pure rules
(scheme, measures, scoring) score, rank and band them — every score with how it was
computed. Exported as .xlsx and PDF for the annual assessment and the cadre files.

    Assessments(station, today)
        .draft(year) -> dict            the scheme in force, or a starting one to edit
        .weights(doc) -> (ok, text)     "合计95分，还差5分" for the scheme screen
        .set_scheme(officer, doc)       checked, then ``assessment.scheme_set``
        .give_marks(officer, year, criterion, assessor, {village: score})
        .outcome(year) -> Outcome       results (ranked, stars), what is missing, marks aside
        .export_xlsx(year, path) / .export_pdf(year, path)
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from app.accounts import Cadre
from app.authority import admissible, author_of
from app.domain.supervision.assessment_year import (
    SCHEME_SET, SCORE_GIVEN, Marks, YearScheme, check_year_scheme, marks, missing_marks,
    scheme_in_force)
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.measures import MEASURES
from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.scheme import FULL, PARTS, QUANTITATIVE, Scheme, exact, show
from app.domain.supervision.scoring import UnitScore, rank, score_unit, shown, stars
from app.services import assessment_data
from app.services.errors import ServiceError
from app.services.rules import load_rules
from app.station import Station
from sync import log
from sync.policy import DISCIPLINE_ROLE
from sync.store import NewEvent

KIND = "assessment"
NOT_HERE = "考评方案由镇纪委的登记设备制定和打分；本机不是镇纪委的设备，只能查看。"


@dataclass(frozen=True)
class Result:
    rank: int
    village: str
    secretary: str
    score: UnitScore
    total: str
    stars: int
    star_label: str


@dataclass(frozen=True)
class Outcome:
    year: YearScheme | None
    results: list[Result] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)      # marks still to give
    aside: tuple[str, ...] = ()                           # marks not in force, with why
    problem: str = ""                                     # why nothing can be scored yet


def assess(year: YearScheme, data: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
           given: Marks, rules: SupervisionRules, as_of: date) -> list[Result]:
    """Score, rank and band every village of the scheme. ``data[measure][village]``:
    the quantitative items; ``given``: the qualitative marks."""
    scores: dict[str, UnitScore] = {}
    for unit in year.units:
        items: dict[str, Any] = {}
        for criterion in year.scheme.criteria:
            if criterion.kind == QUANTITATIVE:
                items[criterion.code] = data.get(criterion.measure, {}).get(unit.village, [])
            else:
                items[criterion.code] = list(given.by_unit.get(unit.village, {}).get(criterion.code, []))
        scored = score_unit(unit.village, year.scheme, items, as_of, rules)
        scores[unit.village] = replace(scored, criteria=tuple(
            replace(c, text=f"{c.text}。数据来源：本机{assessment_data.SOURCES[c.criterion.measure]}"
                            f"{len(items[c.criterion.code])}条记录")
            if c.criterion.kind == QUANTITATIVE else c for c in scored.criteria))
    banded = replace(rules, star_bands=list(year.bands))
    secretaries = {u.village: u.secretary for u in year.units}
    out = []
    for ranked in rank(scores.values(), rules):
        count, label = stars(scores[ranked.unit].total, banded)
        out.append(Result(ranked.rank, ranked.unit, secretaries[ranked.unit], scores[ranked.unit],
                          str(ranked.total), count, label))
    return out


class Assessments:
    def __init__(self, station: Station, today: Callable[[], date] = date.today,
                 town: str | None = None) -> None:
        """``town``: the town hub whose assessment to read (a county station names it);
        default: this station's own town."""
        self.station, self.today, self._town = station, today, town
        self.conn = station.store.conn

    @property
    def rules(self) -> SupervisionRules:
        return SupervisionRules.from_config(load_rules(self.conn).config)

    @property
    def town(self) -> str | None:
        """The town whose assessment is read here: its own town hub, or the one named."""
        if self._town:
            return self._town
        return self.station.hub_id() if self.station.level == "town" else None

    def may_write(self) -> bool:
        return self.station.level == "town" and self.town == self.station.hub_id() and \
            DISCIPLINE_ROLE in self.station.identity().get("roles", [])

    def record(self, year: int) -> str:
        """One record per town and year (all its schemes and marks)."""
        return str(uuid5(NAMESPACE_URL, f"sanji:assessment:{self.town}:{year}"))

    # reading ------------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        """This town's assessment events, as the declaration admits them, in clock order:
        only those whose certified author belongs to this station's town."""
        rows = self.conn.execute(log.SELECT + " WHERE kind=? ORDER BY hlc, origin, seq", (KIND,))
        directory = self.station.store.directory
        out = []
        for event in admissible([log.row_to_event(r) for r in rows], directory):
            cert = directory.verified(event["origin"]) if directory.root is not None else None
            if cert is None or author_of(cert).parent == self.town:
                out.append(event)
        return out

    def scheme(self, year: int) -> YearScheme | None:
        return scheme_in_force(self.events(), year)

    def villages(self) -> list[dict[str, str]]:
        """The town's villages (certified names) with their 党支部书记 if registered."""
        out = []
        for node, name in assessment_data.town_villages(self.station, self.town).items():
            row = self.conn.execute("SELECT name FROM cadres WHERE origin=? AND active=1 AND"
                                    " post LIKE '%党支部书记%' ORDER BY name LIMIT 1", (node,)).fetchone()
            out.append({"village": name, "secretary": row[0] if row else ""})
        return out

    def draft(self, year: int) -> dict[str, Any]:
        """The scheme to edit: the one in force, else a starting one (this town's villages,
        the config's star bands and their source; criteria to fill in)."""
        current = self.scheme(year)
        if current is not None:
            return dict(current.payload)
        config = load_rules(self.conn).config
        return {"year": year, "title": f"{year}年度村级党风政风建设考评", "basis": "",
                "criteria": [], "units": self.villages(), "assessors": [],
                "star_bands": list(config.value("supervision.star_bands")),
                "star_source": re.sub(r"^\[\w+\]\s*", "", str(config.source("supervision.star_bands")))}

    @staticmethod
    def weights(doc: Mapping[str, Any]) -> tuple[bool, str]:
        """What the scheme screen says under the criteria: the total and what to fix."""
        try:
            total = sum((exact(c.get("weight"), f"“{c.get('name') or '未命名'}”的分值")
                         for c in doc.get("criteria") or []), exact(0, ""))
        except SupervisionError as exc:
            return False, exc.message + "，请填数字"
        if total == FULL:
            return True, "各项分值合计100分"
        gap = FULL - total
        return False, (f"各项分值合计{show(total)}分，{'还差' if gap > 0 else '多了'}{show(abs(gap))}分："
                       f"请{'加到' if gap > 0 else '减到'}合计100分")

    def unavailable(self, scheme: Scheme) -> list[str]:
        return [f"{c.name}（{MEASURES[c.measure].label}）" for c in scheme.criteria
                if c.kind == QUANTITATIVE and c.measure not in assessment_data.READERS]

    # writing ------------------------------------------------------------------------------
    def _write(self, event_type: str, year: int, payload: dict[str, Any], officer: Cadre) -> None:
        if not self.may_write():
            raise ServiceError(NOT_HERE)
        try:
            self.station.store.append(NewEvent(event_type, self.record(year), payload, officer.id))
        except Exception as exc:   # the schema or the write policy refused: nothing written
            raise ServiceError(f"没有保存：{getattr(exc, 'message', str(exc))}") from exc

    def set_scheme(self, officer: Cadre, doc: Mapping[str, Any]) -> YearScheme:
        payload = _clean(doc)
        try:
            scheme = check_year_scheme(payload)
        except SupervisionError as exc:
            raise ServiceError(exc.message) from exc
        unavailable = self.unavailable(scheme)
        if unavailable:
            raise ServiceError(f"{'、'.join(unavailable)}的数据本机还没有，暂时不能作为定量指标：请改为定性指标或换一项")
        self._write(SCHEME_SET, int(payload["year"]), payload, officer)
        found = self.scheme(int(payload["year"]))
        assert found is not None
        return found

    def give_marks(self, officer: Cadre, year: int, criterion: str, assessor: str,
                   scores: Mapping[str, Any]) -> Marks:
        current = self.scheme(year)
        if current is None:
            raise ServiceError(f"{year}年度还没有考评方案：请先制定方案")
        if assessor not in current.assessors:
            raise ServiceError(f"请选择方案写明的评分人（{'、'.join(current.assessors)}）")
        target = next((c for c in current.scheme.criteria if c.code == criterion), None)
        if target is None or target.kind == QUANTITATIVE:
            raise ServiceError("请选择一项定性指标打分；定量指标由系统按数据计算")
        items = []
        for village, value in scores.items():
            if value in (None, ""):
                continue
            try:
                mark = exact(str(value).strip(), f"{village}的分数")
            except SupervisionError as exc:
                raise ServiceError(exc.message + "，请填数字") from exc
            if not 0 <= mark <= target.weight or mark * 100 % 1:
                raise ServiceError(f"{village}的分数应在0到{show(target.weight)}之间，最多两位小数")
            items.append({"unit": village, "score": show(mark)})
        if not items:
            raise ServiceError("请至少给一个村打分")
        self._write(SCORE_GIVEN, year, {"year": year, "criterion": criterion, "assessor": assessor,
                                        "scores": items, "on": self.today().isoformat()}, officer)
        return marks(self.events(), current, self.today())

    # results ------------------------------------------------------------------------------
    def outcome(self, year: int) -> Outcome:
        events = self.events()
        current = scheme_in_force(events, year)
        if current is None:
            return Outcome(None, problem=f"{year}年度还没有考评方案")
        given = marks(events, current, self.today())
        missing = missing_marks(current, given)
        unavailable = self.unavailable(current.scheme)
        if unavailable:
            return Outcome(current, [], missing, given.aside,
                           f"{'、'.join(unavailable)}的数据本机还没有，不能计分")
        measures = {c.measure for c in current.scheme.criteria if c.kind == QUANTITATIVE}
        data = assessment_data.read(self.station, measures, year, self.today(), self.town)
        try:
            results = assess(current, data, given, self.rules, self.today())
        except SupervisionError as exc:
            return Outcome(current, [], missing, given.aside, exc.message)
        return Outcome(current, results, missing, given.aside)

    def export_xlsx(self, year: int, path: Path) -> Path:
        outcome = self._complete(year)
        assert outcome.year is not None
        return export_xlsx(outcome.year, outcome.results, path, self.rules)

    def export_pdf(self, year: int, path: Path) -> Path:
        from app.docs.assessment import assessment_document
        from app.docs.base import render
        outcome = self._complete(year)
        assert outcome.year is not None
        day = self.today()
        path.write_bytes(render(assessment_document(
            self.station.identity().get("hub", {}).get("name") or self.station.name,
            outcome.year.payload["title"], outcome.year, outcome.results,
            self.rules.assessment_display_decimals, f"{day.year}年{day.month}月{day.day}日")))
        return path

    def _complete(self, year: int) -> Outcome:
        outcome = self.outcome(year)
        if not outcome.results:
            raise ServiceError(f"还不能导出：{outcome.problem or '没有结果'}")
        return outcome


def _clean(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The scheme as the screen filled it, trimmed to the event's fields."""
    def text(value: Any) -> str:
        return str(value if value is not None else "").strip()
    criteria = []
    for c in doc.get("criteria") or []:
        item = {k: text(c.get(k)) for k in ("code", "name", "weight", "kind", "part")}
        if item["kind"] == QUANTITATIVE:
            item["measure"] = text(c.get("measure"))
            item["method"] = text(c.get("method")) or "比例"
            if item["method"] == "扣分":
                item["deduct"] = text(c.get("deduct"))
        criteria.append(item)
    return {"year": int(doc["year"]), "title": text(doc.get("title")), "basis": text(doc.get("basis")),
            "criteria": criteria,
            "units": [{"village": text(u.get("village")), "secretary": text(u.get("secretary"))}
                      for u in doc.get("units") or []],
            "assessors": [{"name": text(a.get("name")), "post": text(a.get("post"))}
                          for a in doc.get("assessors") or [] if text(a.get("name"))],
            "star_bands": [{"stars": int(b["stars"]), "min": float(exact(b["min"], "星级分数线"))}
                           for b in doc.get("star_bands") or []],
            "star_source": text(doc.get("star_source"))}


def export_xlsx(year: YearScheme, results: Sequence[Result], path: Path,
                rules: SupervisionRules) -> Path:
    """One sheet of totals and ranks (stars, both parts, every criterion), one of how
    every score was computed, one of the scheme (weights, assessors, star bands and source)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    sheet.append([str(year.payload["title"])])
    sheet["A1"].font = Font(bold=True, size=14)
    names = [c.name for c in year.scheme.criteria]
    sheet.append(["名次", "村", "党支部书记", "总分", "星级", *PARTS, *names])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    places = rules.assessment_display_decimals
    for r in results:
        sheet.append([r.rank, r.village, r.secretary, float(r.total), r.star_label,
                      *(float(shown(r.score.parts[p], places)) for p in PARTS),
                      *(float(shown(c.points, places)) for c in r.score.criteria)])
    detail = book.create_sheet("计分说明")
    detail.append(["村", "指标", "分值", "得分", "怎么算的"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for r in results:
        for c in r.score.criteria:
            detail.append([r.village, c.criterion.name, float(c.criterion.weight),
                           float(shown(c.points, places)), c.text])
        if r.score.note:
            detail.append([r.village, "说明", None, None, r.score.note])
    detail.column_dimensions["E"].width = 90
    for row in detail.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True)
    plan = book.create_sheet("考评方案")
    plan.append(["指标", "分值", "类别", "计分方法"])
    for c in year.scheme.criteria:
        plan.append([c.name, float(c.weight), f"{c.kind}·{c.part}",
                     f"{MEASURES[c.measure].label}，{c.method}" if c.kind == QUANTITATIVE else "评分人打分"])
    plan.append([])
    plan.append(["评分人", "、".join(year.assessors)])
    plan.append(["星级分数线", "；".join(f"{b['stars']}星{b['min']}分以上" for b in year.bands)])
    plan.append(["分数线依据", year.band_source])
    book.save(path)
    return path
