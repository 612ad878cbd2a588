"""The configurable numbers of petitions (信访), read from the merged ``Config``.

RULES.md §2 (信访工作条例 2022, article numbers as RULES.md gives them).  The regulation
says "日" throughout and "工作日" nowhere, so every period is in **calendar days**,
counted from the day after the event (民法典 Art 201).  Whether a period ending on a
rest day moves to the next working day is one setting (``petition.period_end_rolls_over``,
default yes: 民法典 Art 203 is the general rule for periods, and it protects the
petitioner's 30-day windows as much as it lengthens the office's own limits).

| key                                       | default | source                          |
|-------------------------------------------|---------|---------------------------------|
| petition.acceptance_notice_days           | 15      | Art 22, 23                      |
| petition.handling_days                    | 60      | Art 34                          |
| petition.extension_max_days               | 30      | Art 34                          |
| petition.extension_max_count              | 1       | Art 34 ("可以适当延长", once)     |
| petition.review_request_days              | 30      | Art 35 (复查请求)               |
| petition.review_answer_days               | 30      | Art 35 (复查意见)               |
| petition.re_review_request_days           | 30      | Art 36 (复核请求)               |
| petition.re_review_answer_days            | 30      | Art 36 (复核意见)               |
| petition.hearing_not_counted_stages       | ["复核"] | Art 36 ¶2                      |
| petition.period_end_rolls_over            | true    | 民法典 Art 203                   |
| petition.group_visit_max_representatives  | 5       | Art 18                          |
| petition.due_soon_days                    | 5       | [default]                       |
| petition.refusal_grounds                  | list    | RULES.md §2; 国家信访局 2014 逐级走访办法 |

Hearing time: Art 36 ¶2 says "听证所需时间不计算在前款规定的期限内" of the 复核 period only;
Art 33 allows hearings while handling too, without such a sentence.  So by default only
the 复核 clock leaves hearing days out; a town whose rules say otherwise (some local
rules also exclude them in 复查) adds "复查" or "处理" to the list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from app.domain.config import Config
from app.domain.errors import CalendarError
from app.domain.shared.workdays import WorkCalendar, calendar_from_town_list

DEFAULT_GROUNDS: tuple[Mapping[str, str], ...] = (
    {"code": "skip_level", "label": "越级反映，下级尚未处理",
     "where_to_go": "请先向有权处理的下一级机关反映"},
    {"code": "other_organ", "label": "属于人大、法院、检察院职权范围",
     "where_to_go": "请向有关人大及其常委会、人民法院或人民检察院提出"},
    {"code": "litigation", "label": "涉法涉诉，应通过诉讼、仲裁、复议等法定途径解决（诉访分离）",
     "where_to_go": "请向政法机关或通过诉讼、仲裁、行政复议等法定途径提出"},
    {"code": "in_handling", "label": "同一事项已经受理或正在办理",
     "where_to_go": "请等待原受理机关的办理结果"},
    {"code": "skip_review", "label": "未经复查或复核，越级提出",
     "where_to_go": "请向原办理机关的上一级机关请求复查或复核"},
    {"code": "wrong_level", "label": "复查、复核应向原办理机关的上一级机关提出",
     "where_to_go": "请向原办理机关的上一级机关请求复查或复核"},
    {"code": "late", "label": "超过请求复查、复核的期限，且无正当理由",
     "where_to_go": "复查、复核请求期限已过，原处理意见已生效"},
    {"code": "closed", "label": "已经复核（或复查、复核期满）终结，同一事实和理由不再受理",
     "where_to_go": "信访程序已终结，不再受理；有新的事实和理由的请另行提出"},
)


@dataclass(frozen=True)
class PetitionRules:
    acceptance_notice_days: int = 15
    handling_days: int = 60
    extension_max_days: int = 30
    extension_max_count: int = 1
    review_request_days: int = 30
    review_answer_days: int = 30
    re_review_request_days: int = 30
    re_review_answer_days: int = 30
    hearing_not_counted_stages: tuple[str, ...] = ("复核",)
    period_end_rolls_over: bool = True
    group_visit_max_representatives: int = 5
    due_soon_days: int = 5
    refusal_grounds: tuple[Mapping[str, str], ...] = field(default=DEFAULT_GROUNDS)
    # The town's working calendar: replay judges whether a petitioner's window had ended
    # (依法终结 on 逾期未请求复查/复核) against it, like the services do.
    calendar: WorkCalendar = field(default_factory=WorkCalendar, compare=False)

    @classmethod
    def from_config(cls, config: Config) -> "PetitionRules":
        v = config.value
        try:
            calendar = calendar_from_town_list(config.town_holidays())
        except CalendarError:
            calendar = WorkCalendar()  # a broken list: every year provisional (in the
            # citizen's favour); the rules screen shows the list's error to the town
        return cls(
            calendar=calendar,
            acceptance_notice_days=int(v("petition.acceptance_notice_days")),
            handling_days=int(v("petition.handling_days")),
            extension_max_days=int(v("petition.extension_max_days")),
            extension_max_count=int(v("petition.extension_max_count")),
            review_request_days=int(v("petition.review_request_days")),
            review_answer_days=int(v("petition.review_answer_days")),
            re_review_request_days=int(v("petition.re_review_request_days")),
            re_review_answer_days=int(v("petition.re_review_answer_days")),
            hearing_not_counted_stages=tuple(v("petition.hearing_not_counted_stages")),
            period_end_rolls_over=bool(v("petition.period_end_rolls_over")),
            group_visit_max_representatives=int(v("petition.group_visit_max_representatives")),
            due_soon_days=int(v("petition.due_soon_days")),
            refusal_grounds=tuple(dict(g) for g in v("petition.refusal_grounds")),
        )

    def ground(self, code: str) -> Mapping[str, Any] | None:
        for ground in self.refusal_grounds:
            if ground.get("code") == code:
                return ground
        return None

    def request_days(self, answered_stage: str) -> int | None:
        """Days to request the next stage after an answer at ``answered_stage``."""
        return {"处理": self.review_request_days,
                "复查": self.re_review_request_days}.get(answered_stage)

    def answer_days(self, stage: str) -> int:
        return {"处理": self.handling_days, "复查": self.review_answer_days,
                "复核": self.re_review_answer_days}[stage]
