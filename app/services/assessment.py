"""The 百分制 assessment of a town's villages over a year (issue #13 §4), from the data the
town's station already holds, with the pure rules of app.domain.supervision (scheme,
measures, scoring): each quantitative criterion's items are read here, per village, and
every score carries how it was computed; qualitative criteria take named assessors'
scores. Results ranked (ties share a rank), star bands for the village party
secretaries (星级化管理), exported as .xlsx for the annual assessment and cadre files.

Measures read here (``measures.MEASURES``):
    service_on_time       cases (便民服务) accepted in the year: {due, done = closed_on}
    service_satisfaction  rated cases of the year: good unless 不满意
    mediation_success     disputes received in the year whose mediation ended: good when
                          an agreement was reached (调解成功 / 协议已履行), bad when 调解不成
Not read yet (no data on this branch): petitions_on_time, publicity_on_time (#12),
opinions_answered (§3) — a scheme using them is refused with that reason.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.scheme import QUANTITATIVE, Scheme, check_scheme
from app.domain.supervision.scoring import UnitScore, rank, score_unit, shown, stars
from app.services.errors import ServiceError

READ = ("service_on_time", "service_satisfaction", "mediation_success")
AGREED, FAILED = ("agreed", "performed"), ("referred",)


def measure_items(conn: sqlite3.Connection, year: int) -> dict[str, dict[str, list[dict]]]:
    """village → measure → items, for the year (by the date a matter came in)."""
    start, end = f"{year}-01-01", f"{year}-12-31"
    out: dict[str, dict[str, list[dict]]] = {}

    def add(village: str | None, measure: str, item: dict) -> None:
        if village:
            out.setdefault(village, {m: [] for m in READ})[measure].append(item)

    for village, due, closed, rating, dissatisfied in conn.execute(
            "SELECT village, due, closed_on, rating, dissatisfied FROM cases"
            " WHERE accepted_on BETWEEN ? AND ? AND due IS NOT NULL", (start, end)):
        add(village, "service_on_time", {"due": due, "done": closed})
        if rating:
            add(village, "service_satisfaction", {"good": not dissatisfied})
    for village, status in conn.execute(
            "SELECT village, status FROM disputes WHERE received_on BETWEEN ? AND ?", (start, end)):
        if status in AGREED or status in FAILED:
            add(village, "mediation_success", {"good": status in AGREED})
    return out


@dataclass(frozen=True)
class Result:
    rank: int
    village: str
    score: UnitScore
    total: str
    stars: int
    star_label: str


def assess(conn: sqlite3.Connection, villages: Sequence[str], scheme_doc: Mapping[str, Any],
           year: int, qualitative: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
           rules: SupervisionRules, as_of: date) -> tuple[Scheme, list[Result]]:
    """Score every village; ``qualitative[village][criterion code]`` = [{assessor, score}]."""
    scheme = check_scheme(scheme_doc)
    unread = [c.name for c in scheme.criteria
              if c.kind == QUANTITATIVE and c.measure not in READ]
    if unread:
        raise ServiceError(f"“{'、'.join(unread)}”的数据本系统还没有，暂时不能用作定量指标")
    items = measure_items(conn, year)
    scores = {}
    for village in villages:
        data: dict[str, Any] = {}
        for criterion in scheme.criteria:
            if criterion.kind == QUANTITATIVE:
                data[criterion.code] = items.get(village, {}).get(criterion.measure, [])
            else:
                data[criterion.code] = list(qualitative.get(village, {}).get(criterion.code, []))
        scores[village] = score_unit(village, scheme, data, as_of, rules)
    results = []
    for ranked in rank(scores.values(), rules):
        count, label = stars(scores[ranked.unit].total, rules)
        results.append(Result(ranked.rank, ranked.unit, scores[ranked.unit], str(ranked.total),
                              count, label))
    return scheme, results


def export_xlsx(scheme: Scheme, results: Sequence[Result], path: Path, title: str,
                rules: SupervisionRules) -> Path:
    """One sheet of totals and ranks (with stars and both parts), one of how every score
    was computed."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    names = [c.name for c in scheme.criteria]
    sheet.append(["名次", "村", "总分", "星级", "组织认定", "群众评判", *names])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    places = rules.assessment_display_decimals
    for r in results:
        parts = [float(shown(r.score.parts[p], places)) for p in ("组织认定", "群众评判")]
        sheet.append([r.rank, r.village, float(r.total), r.star_label, *parts,
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
    book.save(path)
    return path
