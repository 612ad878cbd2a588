"""Which meeting may decide a matter, and the land matters that need two thirds of everyone.

村民委员会组织法 (2018) — article numbers of the 2018 text; the 2025 amendment (in force
2026-01-01) renumbers them, see the package docstring:

* 第二十四条第一款: the matters listed there "经村民会议讨论决定方可办理"; 第二款: the
  村民会议 may authorise the 村民代表会议 to decide them.  So an Art 24 matter decided by
  the representatives' meeting without such an authorisation is refused.
* 第二十五条第一款: the representatives' meeting decides "村民会议授权的事项" — it has no
  power of its own, so any matter needs an authorisation (a general one in the 村民自治章程
  is enough for matters outside Art 24).
* 第二十七条第一款: the 村民会议 makes and amends the 村民自治章程 and 村规民约; no
  delegation is provided, so those stay with the 村民会议.

Land (consent of two thirds of *all* members, not of those present — 民法典第一千二百五十九条:
"三分之二以上" includes exactly two thirds; the number is ``decisions.collective_land_consent``):

* 农村土地承包法 (2018) 第五十二条: letting land to a unit or person outside the collective
  economic organisation needs, beforehand, the consent of 三分之二以上 of the members of the
  村民会议 of the organisation's members, or of 三分之二以上 of the 村民代表, and the approval
  of the 乡（镇）人民政府.
* 同法第二十八条第二款: adjusting contracted land between households — the same consent, and
  the approval of the 乡（镇）人民政府 and the county's agriculture (and forestry) department.
* 同法第十九条第三项: the 承包方案 — the same consent.
* 土地管理法 (2019) 第六十三条第二款: letting collective commercial construction land — the
  same consent.

Reading "三分之二以上成员" as a court would: the base is every member of the 村民会议 who is a
member of the collective economic organisation (adults 18+, 组织法第二十一条), and the
consent must come from those persons; a 村民会议 held by household representatives cannot
show it.  Through the representatives' meeting the base is every 村民代表 — 村委会 members
who are not 村民代表 neither count in the base nor give consent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.decisions import roster as rosters
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.meetings import (
    ADULTS, FOR, REPRESENTATIVES, VILLAGERS, MeetingResult)
from app.domain.decisions.roster import Person
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.thresholds import Threshold, ratio_text

ORG_LAW = "村民委员会组织法（2018年修正）"
# Art 24(1) items: code -> (label, item)
ART24_ITEMS: dict[str, tuple[str, str]] = {
    "误工补贴": ("本村享受误工补贴的人员及补贴标准", "（一）"),
    "集体收益使用": ("从村集体经济所得收益的使用", "（二）"),
    "公益事业": ("本村公益事业的兴办和筹资筹劳方案及建设承包方案", "（三）"),
    "土地承包经营方案": ("土地承包经营方案", "（四）"),
    "集体经济项目": ("村集体经济项目的立项、承包方案", "（五）"),
    "宅基地": ("宅基地的使用方案", "（六）"),
    "征地补偿": ("征地补偿费的使用、分配方案", "（七）"),
    "处分集体财产": ("以借贷、租赁或者其他方式处分村集体财产", "（八）"),
    "村民会议保留事项": ("村民会议认为应当由村民会议讨论决定的涉及村民利益的其他事项", "（九）"),
}
# matters the 村民会议 keeps (no delegation in the text)
VILLAGERS_ONLY: dict[str, str] = {
    "村规民约": f"{ORG_LAW}第二十七条第一款：村民会议制定和修改村民自治章程、村规民约",
}
# land matters: code -> (label, source, approvals required after the vote)
LAND: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "土地发包给集体以外": ("将农村土地发包给本集体经济组织以外的单位或者个人承包",
                          "农村土地承包法（2018年修正）第五十二条", ("乡（镇）人民政府批准",)),
    "调整承包地": ("承包期内对个别农户之间承包的耕地和草地进行调整",
                  "农村土地承包法（2018年修正）第二十八条第二款",
                  ("乡（镇）人民政府批准", "县级人民政府农业农村、林业和草原等主管部门批准")),
    "土地承包经营方案": ("土地承包方案", "农村土地承包法（2018年修正）第十九条第三项", ()),
    "集体经营性建设用地": ("集体经营性建设用地出让、出租等",
                          "土地管理法（2019年修正）第六十三条第二款", ()),
}
KNOWN = set(ART24_ITEMS) | set(VILLAGERS_ONLY) | set(LAND) | {"其他"}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""
    source: str = ""


def _covered(kind: str, authorisations: Iterable[Mapping[str, Any]], on: date) -> bool:
    """Whether a 村民会议 authorisation in force on ``on`` covers ``kind``."""
    for auth in authorisations:
        try:
            start, end = (date.fromisoformat(auth[k]) if auth.get(k) else None
                          for k in ("from", "until"))
        except (TypeError, ValueError):
            raise DecisionError("村民会议授权记录的日期不对，请核对授权记录", code="authorisation") from None
        if (start and start > on) or (end and end < on):
            continue
        scope = auth.get("scope")
        if scope == "all" or (isinstance(scope, list) and kind in scope):
            return True
    return False


def deciding_body(kinds: Iterable[str], body: str, authorisations: Iterable[Mapping[str, Any]],
                  on: date) -> Verdict:
    """May ``body`` make the decision (决议) on a matter of these ``kinds`` on ``on``?

    ``authorisations`` are the 村民会议's recorded grants to the representatives' meeting:
    ``{"scope": "all" | [kind, ...], "from": "YYYY-MM-DD", "until": ..., "record": id}``.
    """
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in KNOWN]
    if unknown:
        return Verdict(False, f"事项类别“{'、'.join(unknown)}”不认识，请从列出的类别中选择")
    if body == VILLAGERS:
        return Verdict(True)
    if body != REPRESENTATIVES:
        return Verdict(False, f"决议应由村民会议或者村民代表会议作出，不能由{body}作出",
                       f"{ORG_LAW}第二十四条、第二十五条")
    auths = list(authorisations)
    for kind in kinds:
        if kind in VILLAGERS_ONLY:
            return Verdict(False, f"“{kind}”只能由村民会议决定，村民代表会议不能决定；请召开村民会议",
                           VILLAGERS_ONLY[kind])
    for kind in kinds:
        if kind in ART24_ITEMS and not _covered(kind, auths, on):
            label, item = ART24_ITEMS[kind]
            return Verdict(
                False, f"“{label}”属于{ORG_LAW}第二十四条第一款第{item}项规定的事项，须经村民会议讨论决定；"
                       "村民代表会议只有经村民会议授权才能决定（第二十四条第二款）。请召开村民会议，"
                       "或者先由村民会议作出授权并登记授权记录",
                f"{ORG_LAW}第二十四条")
    if not any(_covered(kind, auths, on) for kind in kinds or ("其他",)):
        return Verdict(False, "村民代表会议只能讨论决定村民会议授权的事项，本村还没有登记村民会议的授权"
                              "（如村民自治章程中的授权）；请登记授权，或召开村民会议",
                       f"{ORG_LAW}第二十五条第一款")
    return Verdict(True)


@dataclass(frozen=True)
class LandConsent:
    needed: bool
    met: bool
    base: int = 0
    consenting: int = 0
    required: int = 0
    text: str = ""
    approvals: tuple[str, ...] = ()   # still to be obtained after the vote
    sources: tuple[str, ...] = ()


def land_consent(kinds: Iterable[str], result: MeetingResult, people: Iterable[Person],
                 on: date, rules: DecisionRules) -> LandConsent:
    """Two thirds of *all* members for the land matters in ``kinds`` (module docstring)."""
    land = [LAND[k] for k in kinds if k in LAND]
    if not land:
        return LandConsent(False, True)
    sources = tuple(source for _, source, _ in land)
    approvals = tuple(dict.fromkeys(a for _, _, needed in land for a in needed))
    people = rosters.check_roster(people)
    threshold = Threshold(rules.collective_land_consent)
    if result.body == VILLAGERS:
        if result.basis != ADULTS:
            return LandConsent(True, False, text="土地事项须经村民会议成员本人表决同意，不能按户代表计算；"
                               "请召开十八周岁以上村民参加的村民会议，或经村民代表表决", sources=sources)
        base = [p.id for p in rosters.adults(people, on) if p.collective_member]
        whom = "本集体经济组织成员的村民会议成员"
    elif result.body == REPRESENTATIVES:
        base = [p.id for p in people if p.representative]
        whom = "村民代表"
    else:
        return LandConsent(True, False, text="土地事项须由村民会议或村民代表会议表决", sources=sources)
    consenting = sum(1 for i in base if result.votes.get(i) == FOR)
    met = threshold.met(consenting, len(base))
    text = (f"土地事项须经全体{whom}的{threshold.phrase}同意（不是到会人员）：全体{len(base)}人，"
            f"至少{threshold.minimum(len(base))}人；同意{ratio_text(consenting, len(base))}，"
            + ("达到" if met else "未达到"))
    if met and approvals:
        text += "；表决通过后还须" + "、".join(approvals) + "，批准前不能实施"
    return LandConsent(True, met, len(base), consenting, threshold.minimum(len(base)), text,
                       approvals, sources)
