"""Quantitative criteria of the 百分制 assessment, as counts over plain data.

Each measure reads plain records the other workflows already hold (extracted by the
caller; nothing here touches storage) and counts good and bad items, so a criterion's
score can always show how it was computed (issue #13 §4):

* ``deadline`` measures — items ``{"due": date, "done": date or None}``: good when done
  by the due date, bad when done late or still open after it; an open item not yet due is
  not judged (and is named in the explanation as such);
* ``outcome`` measures — items ``{"good": bool}``.

| code                 | what is counted                                     | shape    |
|----------------------|-----------------------------------------------------|----------|
| service_on_time      | 便民服务 cases closed by the promised date          | deadline |
| service_satisfaction | ratings that are not 不满意                          | outcome  |
| mediation_success    | mediations that ended in agreement                  | outcome  |
| petitions_on_time    | petitions answered within their period              | deadline |
| publicity_on_time    | 村务公开 published by its due date (publicity.py)   | deadline |
| opinions_answered    | 监委会 opinions answered by their due date           | deadline |
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.supervision.errors import SupervisionError


@dataclass(frozen=True)
class Measure:
    label: str
    shape: str          # "deadline" / "outcome"
    unit: str           # 件 / 次 / 条
    good: str           # what a good item is called
    bad: str


MEASURES: dict[str, Measure] = {
    "service_on_time": Measure("便民服务办件按期办结率", "deadline", "件", "按期办结", "超期"),
    "service_satisfaction": Measure("便民服务群众满意率", "outcome", "件", "满意或基本满意", "不满意"),
    "mediation_success": Measure("矛盾纠纷调解成功率", "outcome", "件", "调解成功", "调解不成"),
    "petitions_on_time": Measure("信访事项按期办结率", "deadline", "件", "按期办结", "超期"),
    "publicity_on_time": Measure("村务公开按时公开率", "deadline", "次", "按时公开", "逾期"),
    "opinions_answered": Measure("村务监督委员会意见按期答复率", "deadline", "条", "按期答复", "逾期或未答复"),
}


@dataclass(frozen=True)
class Count:
    measure: Measure
    good: int
    bad: int
    pending: int = 0

    @property
    def total(self) -> int:
        return self.good + self.bad

    @property
    def text(self) -> str:
        m = self.measure
        text = f"共{self.total}{m.unit}，其中{m.good}{self.good}{m.unit}、{m.bad}{self.bad}{m.unit}"
        if self.pending:
            text += f"（另有{self.pending}{m.unit}尚未到期，不计入）"
        return text


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SupervisionError(f"考核数据中的日期“{value}”不对", code="data") from None


def count(code: str, items: Iterable[Mapping[str, Any]], as_of: date) -> Count:
    """Good and bad items of measure ``code`` as they stand on ``as_of``."""
    if code not in MEASURES:
        raise SupervisionError(f"没有“{code}”这项计算依据", code="data")
    measure = MEASURES[code]
    good = bad = pending = 0
    for item in items:
        if measure.shape == "outcome":
            if not isinstance(item.get("good"), bool):
                raise SupervisionError(f"{measure.label}的数据不完整", code="data")
            good, bad = good + item["good"], bad + (not item["good"])
            continue
        due, done = _day(item.get("due")), _day(item.get("done"))
        if due is None:
            raise SupervisionError(f"{measure.label}的数据缺少期限", code="data")
        if done is not None:
            good, bad = (good + 1, bad) if done <= due else (good, bad + 1)
        elif as_of > due:
            bad += 1
        else:
            pending += 1
    return Count(measure, good, bad, pending)
