"""The written notices and the hearing record of a petition (信访), from the folded state.

    acceptance_notice(state, *, issuer, …)        信访事项受理告知书   (信访工作条例 Art 22, 23)
    refusal_notice(state, *, issuer, …)           信访事项不予受理告知书 (ground, reason, where
                                                  to go, the 复查/复核 right as it applies)
    hearing_record(state, *, issuer, …)           听证记录 of a 依法终结 hearing: date, panel,
                                                  participants, conclusion and the consequence
                                                  (问责 of the handling unit, or 依法处理)
    handling_hearing_record(state, *, issuer, …)  听证记录 of a hearing held while handling
                                                  (复核: its days are not counted, Art 36)

RULES.md §2.  Every period is printed from ``PetitionRules`` (the rules in force on the
node; statutory defaults) and the town's ``WorkCalendar``, with the same functions as the
clocks on screen (``petition.clocks.petition_period_end``), so paper and screen agree.

Personal information (RULES.md §5): a notice goes to the petitioner, a hearing record
into the file; neither needs an ID number or phone, so neither prints one — petitioners
are named, with their village.  检举控告 never reaches these functions (it is sealed, not a
petition record, ``petition.sealed``).

Each notice has a tear-off 送达回执 at the foot: the date the petitioner was told in writing
is what the 15-day acceptance clock is checked against.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from app.docs.base import render
from app.docs.blocks import (
    Block, Document, Field, Fields, Heading, Seal, Signatures, Slip, Text)
from app.docs.errors import NotReadyError
from app.docs.service import cn_date
from app.domain.petition.clocks import hearing_days, petition_period_end
from app.domain.petition.levels import upper_level
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import LEVEL_NAMES, Hearing, PetitionState
from app.domain.shared.workdays import WorkCalendar
from app.domain.workflow import iso_date

CHANNEL_PHRASE = {"来信": "来信", "来访": "来访", "电话": "电话", "网上": "网上信访"}
STAGE_REQUEST = {"处理": "信访事项", "复查": "复查请求", "复核": "复核请求"}
REGULATION = "《信访工作条例》"


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def _person(person: Mapping[str, Any] | None) -> str:
    if not person or not _text(person, "name"):
        return ""
    post = _text(person, "post")
    return f"{person['name']}（{post}）" if post else str(person["name"])


def petitioner_names(state: PetitionState) -> str:
    """"刘桂芳" / "刘桂芳、王建设" / "刘桂芳等12人" (a group visit names its size)."""
    names = [p.name for p in state.petitioners if p.name]
    size = int((state.group or {}).get("size") or 0)
    if size > len(names) and names:
        return f"{'、'.join(names[:2])}等{size}人"
    return "、".join(names)


def _petitioner_field(state: PetitionState) -> Field:
    villages = sorted({p.village for p in state.petitioners if p.village} | (
        {state.village} if state.village else set()))
    text = petitioner_names(state) + (f"（{'、'.join(villages)}）" if villages else "")
    representatives = [r for r in (state.group or {}).get("representatives") or [] if r]
    if representatives:
        text += f"\n代表：{'、'.join(representatives)}"
    return Field("信访人", text, wide=True)


def _matter_fields(state: PetitionState, how_received: bool = True) -> list[Field]:
    fields = [_petitioner_field(state)]
    if how_received:
        fields += [Field("信访形式", CHANNEL_PHRASE.get(state.channel or "", state.channel or "")),
                   Field("收到日期", cn_date(state.received_on))]
    fields.append(Field("信访事项", state.summary, wide=True))
    if state.request:
        fields.append(Field("信访诉求", state.request, wide=True))
    return fields


def _upper_body(level: str | None) -> str:
    upper = upper_level(level) if level else None
    return LEVEL_NAMES[upper] if upper else "上一级机关"


def _appeal_phrase(state: PetitionState) -> str:
    """"你（们）对村委会2026年4月2日送达的处理意见不服" for a 复查/复核 request."""
    appeal = state.appeal_of or {}
    body = LEVEL_NAMES.get(str(appeal.get("level")), "原办理机关")
    if appeal.get("level") == "village" and state.village:
        body = f"{state.village}村委会"
    delivered = iso_date(appeal.get("delivered_on"))
    when = f"{cn_date(delivered)}送达的" if delivered else ""
    return f"你（们）对{body}{when}{appeal.get('stage', '处理')}意见不服"


def _salutation(state: PetitionState) -> Text:
    return Text(f"{petitioner_names(state)}：")


def _receipt_slip(state: PetitionState, issuer: str, title: str, number: str) -> Slip:
    which = f"{number}号" if number and not number.endswith("号") else number
    return Slip([
        Heading("送达回执", align="center"),
        # Short enough for one line: the slip comes back to the issuer, the number names it.
        Text(f"本人已收到《{title}》{f'（{which}）' if which else ''}一份。"),
        Signatures(["信访人（签名）", "送达人（签名）"]),
    ], cut_text="沿此线剪开，回执由送达人带回存档")


def _contact_line(contact: str) -> list[Block]:
    return [Text(f"（{contact}）", align="right", small=True)] if contact else []


# ---- 受理告知书 --------------------------------------------------------------------------

def _handling_text(state: PetitionState, accepted: date, calendar: WorkCalendar,
                   rules: PetitionRules, review_to: str) -> tuple[list[str], str]:
    """(paragraphs on the time limit and what comes next, the due date as printed)."""
    if state.stage == "处理":
        days = rules.handling_days
        due = petition_period_end(accepted, days, calendar, rules)
        limit = (f"根据{REGULATION}第三十四条，本机关将自受理之日起{days}日内（即{cn_date(due.date)}前）"
                 f"办结，并书面答复你（们）；情况复杂的，经本机关负责人批准，可以适当延长办理期限，"
                 f"延长期限不超过{rules.extension_max_days}日，并告知你（们）延期理由。")
        after = (f"你（们）对处理意见不服的，可以自收到书面答复之日起{rules.review_request_days}日内，"
                 f"向{review_to or _upper_body(state.level)}请求复查（{REGULATION}第三十五条）。")
        return [limit, after], cn_date(due.date)
    start = state.received_on or accepted
    days = rules.answer_days(state.stage)
    due = petition_period_end(start, days, calendar, rules)
    article = "第三十五条" if state.stage == "复查" else "第三十六条"
    limit = (f"根据{REGULATION}{article}，本机关将自收到{state.stage}请求之日起{days}日内"
             f"（即{cn_date(due.date)}前）提出{state.stage}意见，并书面答复你（们）。")
    if state.stage in rules.hearing_not_counted_stages:
        limit += "需要举行听证的，听证所需时间不计算在上述期限内。"
    if state.stage == "复查":
        after = (f"你（们）对复查意见不服的，可以自收到书面答复之日起{rules.re_review_request_days}日内，"
                 f"向{review_to or _upper_body(state.level)}请求复核（{REGULATION}第三十六条）。")
    else:
        after = (f"复核意见为本信访事项的最终意见；对复核意见不服，仍以同一事实和理由提出信访的，"
                 f"不再受理（{REGULATION}第三十六条）。")
    return [limit, after], cn_date(due.date)


def acceptance_notice(state: PetitionState, *, issuer: str,
                      calendar: WorkCalendar = WorkCalendar(),
                      rules: PetitionRules = PetitionRules(), contact: str = "",
                      review_to: str = "", footer: Sequence[str] = ()) -> bytes:
    """The 信访事项受理告知书 of an accepted petition (PDF bytes, A4).

    ``issuer``: the accepting body as printed and sealed (e.g. 新集镇人民政府); ``review_to``:
    the body the next 复查/复核 goes to, as printed (default the domain's name of the level
    above, e.g. 县信访部门); ``contact``:
    who the petitioner may call (e.g. "联系人：周建国　电话：0376-7123420"), printed under the
    seal; ``footer``: lines at the foot of every page.  Works on the state at any later step:
    it prints the decision as it was made (the original time limit, not an extension).
    """
    decision = state.decision or {}
    if decision.get("kind") != "accepted" or state.accepted_on is None:
        raise NotReadyError("这件信访事项还没有受理，不能打印受理告知书", code="not_accepted")
    notice_on = iso_date(decision.get("notice_on")) or state.accepted_on
    number = _text(decision, "notice_no")
    paragraphs, due_text = _handling_text(state, state.accepted_on, calendar, rules, review_to)
    if state.stage == "处理":
        opening = (f"你（们）于{cn_date(state.received_on)}以{CHANNEL_PHRASE.get(state.channel or '', '')}"
                   f"方式向本机关反映的信访事项（见下表），本机关已于{cn_date(state.accepted_on)}依法受理。")
    else:
        opening = (f"{_appeal_phrase(state)}，于{cn_date(state.received_on)}向本机关请求{state.stage}"
                   f"（见下表）。本机关已于{cn_date(state.accepted_on)}依法受理。")
    handler = _person(decision.get("handler")) or _person(state.first_officer)
    fields = _matter_fields(state) + [
        Field("受理日期", cn_date(state.accepted_on)),
        Field("承办人", handler),
        Field("办理期限" if state.stage == "处理" else f"{state.stage}期限", f"{due_text}前",
              wide=True, emphasis=True),
    ]
    blocks: list[Block] = [
        _salutation(state),
        Text(opening, indent=True),
        Fields(fields, pairs_per_row=2),
        *[Text(p, indent=True) for p in paragraphs],
        Text("特此告知。", indent=True),
        Seal(issuer, cn_date(notice_on)),
        *_contact_line(contact),
        _receipt_slip(state, issuer, "信访事项受理告知书", number),
    ]
    return render(Document(issuer=issuer, title="信访事项受理告知书", number=number,
                           number_label="", blocks=blocks, footer=tuple(footer),
                           subject="信访事项受理告知书"))


# ---- 不予受理告知书 ----------------------------------------------------------------------

def _appeal_window(state: PetitionState, calendar: WorkCalendar,
                   rules: PetitionRules) -> tuple[date, str] | None:
    """(last day to ask the right level, what is asked) for a refused 复查/复核 request."""
    appeal = state.appeal_of or {}
    delivered = iso_date(appeal.get("delivered_on"))
    days = rules.request_days(str(appeal.get("stage")))
    if delivered is None or days is None:
        return None
    window = petition_period_end(delivered, days, calendar, rules)
    return window.date, ("复查" if appeal.get("stage") == "处理" else "复核")


def review_right(state: PetitionState, ground: str, notice_on: date,
                 calendar: WorkCalendar = WorkCalendar(),
                 rules: PetitionRules = PetitionRules()) -> str:
    """What a refusal on ``ground`` leaves the petitioner, as to 复查/复核 (may be "")."""
    window = _appeal_window(state, calendar, rules) if state.stage != "处理" else None
    if ground in ("skip_level", "in_handling") and state.stage == "处理":
        who = "原受理机关" if ground == "in_handling" else "有权处理的机关"
        return (f"{who}作出处理意见后，你（们）不服的，可以自收到书面答复之日起"
                f"{rules.review_request_days}日内向其上一级机关请求复查（{REGULATION}第三十五条）。")
    if ground in ("skip_review", "wrong_level") and window is not None:
        last, asked = window
        if notice_on <= last:
            return (f"请求{asked}的期限至{cn_date(last)}止（自收到书面答复之日起"
                    f"{rules.request_days(str((state.appeal_of or {}).get('stage')))}日），"
                    f"请在此之前向上述机关提出。")
        return f"请求{asked}的期限已于{cn_date(last)}届满。"
    if ground == "late" and window is not None:
        last, asked = window
        return (f"请求{asked}的期限已于{cn_date(last)}届满，原{(state.appeal_of or {}).get('stage', '处理')}"
                "意见已经生效。")
    if ground == "closed":
        return ("本信访事项已经复核或依法终结，对以同一事实和理由提出的信访不再受理；"
                "有新的事实和理由的，可以另行提出。")
    return ""


def refusal_notice(state: PetitionState, *, issuer: str,
                   calendar: WorkCalendar = WorkCalendar(),
                   rules: PetitionRules = PetitionRules(), contact: str = "",
                   footer: Sequence[str] = ()) -> bytes:
    """The 信访事项不予受理告知书 (PDF bytes, A4): the ground, the reason, where to go, and
    the 复查/复核 right or window where one applies (``review_right``)."""
    decision = state.decision or {}
    if decision.get("kind") != "refused" or state.decided_on is None:
        raise NotReadyError("这件信访事项没有作出不予受理决定，不能打印不予受理告知书",
                            code="not_refused")
    notice_on = iso_date(decision.get("notice_on")) or state.decided_on
    number = _text(decision, "notice_no")
    ground = _text(decision, "ground")
    label = _text(decision, "ground_label") or str((rules.ground(ground) or {}).get("label", ground))
    where = _text(decision, "where_to_go")
    decided = f"经审查，属于“{label}”的情形，本机关决定不予受理。"
    if state.appeal_of and state.stage == "处理":  # nothing left to ask for (after 复核)
        opening = (f"{_appeal_phrase(state)}，于{cn_date(state.received_on)}再次向本机关提出"
                   f"（见下表）。{decided}")
    elif state.stage == "处理":
        opening = (f"你（们）于{cn_date(state.received_on)}以{CHANNEL_PHRASE.get(state.channel or '', '')}"
                   f"方式向本机关反映的信访事项（见下表），{decided}")
    else:
        opening = (f"{_appeal_phrase(state)}，于{cn_date(state.received_on)}向本机关请求{state.stage}"
                   f"（见下表）。{decided}")
    fields = _matter_fields(state) + [
        Field("不予受理理由", label, wide=True),
        Field("具体情况", _text(decision, "reason"), wide=True),
        Field("请向以下机关反映" if ground not in ("late", "closed") else "告知事项", where,
              wide=True, emphasis=True),
    ]
    right = review_right(state, ground, notice_on, calendar, rules)
    if right and ground != "closed":  # for a closed matter the 告知事项 already says it all
        fields.append(Field("复查、复核", right, wide=True))
    blocks: list[Block] = [
        _salutation(state),
        Text(opening, indent=True),
        Fields(fields, pairs_per_row=2),
        Text("特此告知。", indent=True),
        Seal(issuer, cn_date(notice_on)),
        *_contact_line(contact),
        _receipt_slip(state, issuer, "信访事项不予受理告知书", number),
    ]
    return render(Document(issuer=issuer, title="信访事项不予受理告知书", number=number,
                           number_label="", blocks=blocks, footer=tuple(footer),
                           subject="信访事项不予受理告知书"))


# ---- 听证记录 ----------------------------------------------------------------------------

CONSEQUENCE_TEXT = {
    "问责": "经听证，原办理单位在办理中存在过错，信访事项案结事不了，对{unit}启动问责程序。",
    "依法处理": ("经听证，信访人的诉求缺乏事实和法律依据，原处理意见正确。本信访事项依法终结，"
               "对以同一事实和理由提出的信访不再受理，依法处理。"),
}


def _history(state: PetitionState) -> str:
    """How the petition got here: accepted, answered, delivered, terminated."""
    parts = []
    body = LEVEL_NAMES.get(state.level or "", "")
    if state.level == "village" and state.village:
        body = f"{state.village}村委会"
    if state.accepted_on:
        parts.append(f"{body}于{cn_date(state.accepted_on)}受理")
    if state.answer:
        result = _text(state.answer, "result")
        parts.append(f"{cn_date(state.answered_on)}出具{state.stage}意见（{result}），"
                     f"{cn_date(state.delivered_on)}送达信访人")
    if state.review:
        parts.append(f"上一级{_text(state.review, 'stage')}结论：{_text(state.review, 'result')}原意见")
    if state.terminated:
        parts.append(f"{cn_date(iso_date(state.terminated.get('on')))}以“"
                     f"{_text(state.terminated, 'basis')}”依法终结")
    return "；".join(parts) + "。" if parts else ""


def _signing(panel: Sequence[str], sealed_by: str, on: date | None) -> list[Block]:
    return [
        Text("听证员、参加人员核对以上记录无误后签名。", small=True),
        # Signed at the hearing itself: the seal's date is the date of every signature.
        Signatures([f"听证员 {name}" for name in panel] + ["信访人", "记录人"], dated=False),
        Seal(sealed_by, cn_date(on)),
    ]


def hearing_record(state: PetitionState, *, issuer: str, index: int = -1, number: str = "",
                   footer: Sequence[str] = ()) -> bytes:
    """听证记录 of a 依法终结 hearing (``petition.termination_heard``; PDF bytes, A4).

    ``index`` picks the hearing (default the last); ``issuer`` the organising body when the
    hearing names none (usually the county 矛盾纠纷调处中心); ``number`` an optional file
    number for the title block.
    """
    if not state.termination_hearings:
        raise NotReadyError("这件信访事项还没有举行依法终结听证，没有听证记录可以打印",
                            code="no_hearing")
    try:
        hearing = state.termination_hearings[index]
    except IndexError:
        raise NotReadyError("没有这一次听证的记录", code="no_hearing") from None
    on = iso_date(hearing.get("on"))
    organiser = _text(hearing, "organiser") or issuer
    panel = [n for n in hearing.get("panel") or [] if isinstance(n, str) and n.strip()]
    participants = [n for n in hearing.get("participants") or [] if isinstance(n, str) and n.strip()]
    consequence = _text(hearing, "consequence")
    unit = _text(hearing, "accountable_unit")
    outcome = CONSEQUENCE_TEXT.get(consequence, consequence).format(unit=unit or "原办理单位")
    follow = _person(hearing.get("follow_up")) or _person(state.follow_up_person)
    fields = [
        Field("听证日期", cn_date(on)),
        Field("组织单位", organiser),
        Field("听证事由", "信访事项已依法终结，信访人仍不接受，依法组织听证", wide=True),
        *_matter_fields(state, how_received=False),
        Field("办理经过", _history(state), wide=True),
        Field("听证员", "、".join(panel), wide=True),
        Field("参加人员", "、".join(participants), wide=True),
    ]
    if consequence == "问责":
        decided = [Field("处理", "问责（办理单位有过错）", emphasis=True),
                   Field("被问责单位", unit or "—", emphasis=True)]
    else:
        decided = [Field("处理", "依法处理（信访人诉求不合理）", wide=True, emphasis=True)]
    decided += [Field("说明", outcome, wide=True),
                Field("跟进责任人", f"{follow or '—'}，负责后续跟进、化解（有人管、管得住）", wide=True)]
    # One table, record and decision alike: the record, its signatures and the seal
    # should share a sheet.
    fields += [Field("听证结论", _text(hearing, "conclusion"), wide=True), *decided]
    blocks: list[Block] = [Fields(fields, pairs_per_row=2), *_signing(panel, organiser, on)]
    return render(Document(issuer=organiser, title="信访事项听证记录", number=number,
                           number_label="编号", blocks=blocks, footer=tuple(footer),
                           subject="信访事项听证记录"))


def _hearing_dates(hearing: Hearing) -> str:
    if hearing.end is None or hearing.end == hearing.start:
        return cn_date(hearing.start)
    return f"{cn_date(hearing.start)}至{cn_date(hearing.end)}"


def handling_hearing_record(state: PetitionState, *, issuer: str, index: int = -1,
                            number: str = "", rules: PetitionRules = PetitionRules(),
                            footer: Sequence[str] = ()) -> bytes:
    """听证记录 of a hearing held while the petition was handled (``petition.hearing_held``).

    In the stages of ``rules.hearing_not_counted_stages`` (复核 by default, Art 36) the
    record says how many days are left out of the time limit.
    """
    held = [h for h in state.hearings if h.end is not None]
    if not held:
        raise NotReadyError("这件信访事项还没有登记听证结果，没有听证记录可以打印", code="no_hearing")
    try:
        hearing = held[index]
    except IndexError:
        raise NotReadyError("没有这一次听证的记录", code="no_hearing") from None
    fields = [
        Field("听证日期", _hearing_dates(hearing)),
        Field("组织单位", issuer),
        Field("听证事由", f"{state.stage}阶段，就信访事项的事实和处理依据听取各方意见", wide=True),
        *_matter_fields(state, how_received=False),
        Field("听证员", "、".join(hearing.panel), wide=True),
        Field("参加人员", "、".join(hearing.participants) or "—", wide=True),
    ]
    fields.append(Field("听证结论", hearing.conclusion, wide=True))
    if state.stage in rules.hearing_not_counted_stages and hearing.end is not None:
        days = hearing_days(
            PetitionState(state.record, stage=state.stage, hearings=(hearing,)),
            hearing.end, rules)[0]
        fields.append(Field("期限", f"本次听证所需时间（{days}日）不计算在{state.stage}期限内"
                                    f"（{REGULATION}第三十六条）。", wide=True))
    blocks: list[Block] = [Fields(fields, pairs_per_row=2),
                           *_signing(hearing.panel, issuer, hearing.end)]
    return render(Document(issuer=issuer, title="信访事项听证记录", number=number,
                           number_label="编号", blocks=blocks, footer=tuple(footer),
                           subject="信访事项听证记录"))


__all__ = ["acceptance_notice", "handling_hearing_record", "hearing_record",
           "petitioner_names", "refusal_notice", "review_right"]
