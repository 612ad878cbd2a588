"""The 百分制 assessment result as a paper (issue #13 §4): the scheme (criteria, assessors,
star bands and their source), the ranking with totals, the two parts (组织认定, 群众评判),
each village's 党支部书记 and stars, then per village how every criterion was scored — for
the annual assessment and the cadre files. Pure: a Document for app.docs.base.render."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.docs.blocks import Document, Grid, Heading, Text
from app.domain.supervision.assessment_year import YearScheme
from app.domain.supervision.measures import MEASURES
from app.domain.supervision.scheme import PARTS, QUANTITATIVE, show
from app.domain.supervision.scoring import shown


def assessment_document(issuer: str, title: str, year: YearScheme, results: Sequence[Any],
                        decimals: int, date_text: str) -> Document:
    """``results``: app.services.assessment.Result, ranked."""
    criteria = Grid(header=["指标", "分值", "类别", "计分依据"],
                    rows=[[c.name, show(c.weight), f"{c.kind}·{c.part}",
                           f"{MEASURES[c.measure].label}（{c.method}）" if c.kind == QUANTITATIVE
                           else "评分人打分"] for c in year.scheme.criteria],
                    widths=[0.26, 0.1, 0.22, 0.42])
    bands = "；".join(f"{b['stars']}星：{b['min']:g}分以上" for b in year.bands)
    ranking = Grid(header=["名次", "村", "党支部书记", "总分", *PARTS, "星级"],
                   rows=[[str(r.rank), r.village, r.secretary or "—", r.total,
                          *(str(shown(r.score.parts[p], decimals)) for p in PARTS),
                          r.star_label.split("（")[0] if r.stars else r.star_label]
                         for r in results],
                   widths=[0.08, 0.14, 0.14, 0.11, 0.13, 0.13, 0.27])
    blocks = [Text(f"考核时间：{date_text}。百分制量化考核，定性与定量相结合、组织认定与群众评判相结合。"
                   + (f"依据：{year.basis}。" if year.basis else "")),
              Heading("一、考核指标"), criteria,
              Text(f"评分人：{'、'.join(year.assessors) or '（无定性指标）'}。", small=True),
              Text(f"村党支部书记星级化管理分数线：{bands}。依据：{year.band_source}", small=True),
              Heading("二、得分和名次"), ranking, Heading("三、各村计分说明")]
    for r in results:
        blocks.append(Heading(f"{r.village}：{r.total}分（第{r.rank}名）"))
        blocks.append(Grid(header=["指标", "得分", "怎么算的"],
                           rows=[[c.criterion.name, str(shown(c.points, decimals)), c.text]
                                 for c in r.score.criteria], widths=[0.2, 0.1, 0.7]))
        if r.score.note:
            blocks.append(Text(r.score.note, small=True))
    return Document(issuer=issuer, title=title, blocks=blocks, subject="百分制考核结果")
