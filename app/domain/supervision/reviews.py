"""民主评议: how often, and what two consecutive 不称职 do to a post.

村民委员会组织法（2018年修正）第三十三条:

* 第一款 — 村民委员会成员 and staff paid a 误工补贴 by the villagers or the collective are
  reviewed by the 村民会议 or 村民代表会议 on how they did their duties, "每年至少进行一次，
  由村务监督机构主持" (``supervision.review_interval_months``, 12; a town may review more
  often, never less).
* 第二款 — "村民委员会成员连续两次被评议不称职的，其职务终止"
  (``supervision.review_consecutive_unfit``, 2, fixed by the statute).

Read as a court would, the termination in 第二款 is for 村民委员会成员 only.  A 村务监督委员会
member (or a paid staff member) rated 不称职 twice running does not lose the post by law:
a 监督委员会 member is removed by the 村民会议 through the 罢免 procedure (河南省实施办法
第五十六条第三款), so the result says so and suggests it, naming the body.  "连续" means two
reviews next to each other in date order with nothing in between; 不称职, 称职, 不称职 is
not consecutive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.dispute.periods import add_months
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.rules import SupervisionRules

UNFIT = "不称职"
COMMITTEE_POST = "村民委员会成员"
SUPERVISOR_POST = "村务监督委员会成员"
ART33 = "村民委员会组织法（2018年修正）第三十三条"
HENAN = "河南省实施《中华人民共和国村民委员会组织法》办法（2011年）第五十六条第三款"


@dataclass(frozen=True)
class ReviewOutcome:
    ends_post: bool            # the post ends by law (村委会 members)
    longest_unfit_run: int
    message: str = ""
    source: str = ""


def _ordered(reviews: Iterable[Mapping[str, Any]], rules: SupervisionRules) -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    for review in reviews:
        grade = review.get("grade")
        if not isinstance(grade, str) or grade not in rules.review_grades:
            raise SupervisionError(f"评议结果“{grade}”不对，应为{'、'.join(rules.review_grades)}",
                                   code="review")
        try:
            out.append((date.fromisoformat(str(review.get("date"))), grade))
        except ValueError:
            raise SupervisionError(f"评议日期“{review.get('date')}”不对", code="review") from None
    out.sort()
    days = [d for d, _ in out]
    if len(set(days)) != len(days):
        raise SupervisionError("同一天有两次评议结果，请核对后删去重复的一条", code="review")
    return out


def review_outcome(name: str, post: str, reviews: Iterable[Mapping[str, Any]],
                   rules: SupervisionRules) -> ReviewOutcome:
    """What this person's review history means for their ``post``."""
    run = longest = 0
    for _, grade in _ordered(reviews, rules):
        run = run + 1 if grade == UNFIT else 0
        longest = max(longest, run)
    needed = rules.review_consecutive_unfit
    if longest < needed:
        return ReviewOutcome(False, longest)
    if post == COMMITTEE_POST:
        return ReviewOutcome(True, longest,
                             f"{name}连续{needed}次被评议不称职，村民委员会成员职务终止", f"{ART33}第二款")
    if post == SUPERVISOR_POST:
        return ReviewOutcome(False, longest,
                             f"{name}连续{needed}次被评议不称职；法律不因此自动终止村务监督委员会成员的职务，"
                             "建议由村民会议依照罢免程序罢免", HENAN)
    return ReviewOutcome(False, longest,
                         f"{name}连续{needed}次被评议不称职；建议由聘用的村民会议或村民代表会议决定是否解聘",
                         f"{ART33}第一款")


@dataclass(frozen=True)
class ReviewDue:
    due: date
    overdue: bool
    message: str
    source: str = f"{ART33}第一款"


def review_due(last_review: date | None, term_start: date, today: date,
               rules: SupervisionRules) -> ReviewDue:
    """When the next 民主评议 falls due (a year after the last one, or after the term began)."""
    since = last_review or term_start
    due = add_months(since, rules.review_interval_months)
    if today > due:
        return ReviewDue(due, True, f"民主评议应在{due.isoformat()}前进行，已超期；请由村务监督委员会主持召开评议")
    return ReviewDue(due, False, f"下一次民主评议请在{due.isoformat()}前进行")
