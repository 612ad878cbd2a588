"""The numbers of the supervision rules, read from the merged config.

Every field is the config value ``supervision.<field>`` of ``schemas/config/defaults.json``
(source beside each; statutory numbers carry their legal bound).  No defaults here, for
the reason given in ``app.domain.decisions.rules``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, Sequence

from app.domain.config import Config

PREFIX = "supervision."


@dataclass(frozen=True)
class SupervisionRules:
    # 村务监督委员会 (组织法 Art 32; 河南省实施办法 Art 56)
    close_relatives: Sequence[str]
    barred_posts: Sequence[str]
    accounting_member_required: bool
    committee_usual_members: int
    committee_max_members: int
    # 民主评议 (组织法 Art 33)
    review_interval_months: int
    review_consecutive_unfit: int
    review_grades: Sequence[str]
    # 监委会 opinions: the town answers within (a local default; oversight.py)
    opinion_answer_days: int
    # the 纪委's cases
    case_refer_up_working_days: int
    case_transfer_working_days: int
    case_accept_notice_working_days: int
    case_preliminary_days: int
    case_investigation_days: int
    case_investigation_extension_days: int
    case_reply_working_days: int
    case_revisit_days: int
    case_due_soon_days: int
    # 一案双查
    double_check_reviews: Sequence[str]
    accountability_forms: Sequence[str]
    # 百分制 assessment
    assessment_trim_min_assessors: int
    assessment_trim_each_end: int
    assessment_display_decimals: int
    assessment_empty_data: str
    star_bands: Sequence[Mapping[str, Any]]

    @classmethod
    def from_config(cls, config: Config) -> "SupervisionRules":
        return cls(**{f.name: config.value(PREFIX + f.name) for f in fields(cls)})
