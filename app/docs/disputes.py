"""The 人民调解协议书 (RULES.md §2; 人民调解法 Art 29, 31, 33), built from a folded dispute.

    mediation_agreement(state, *, agreement=None, committee="", calendar=…, rules=…,
                        footer=()) -> bytes

What the page states, in the order of Art 29:
    (一) each party's basic details — role, name, sex, age, ethnicity and occupation when
         known, ID number and phone **masked** as on the service receipt (RULES.md §5;
         ``mask_id_number``, ``mask_phone``), address;
    (二) the main facts, the disputed points and each side's responsibility;
    (三) the agreed terms, each with how and by when it is performed;
then the agreement number (title block), the effective date and what makes it effective
(Art 29 ¶2: parties sign, seal or fingerprint, the mediator signs, the committee seals),
its binding force (Art 31), the 司法确认 note with the last day to apply (Art 33; the
day from ``dispute.clocks.confirmation_due``), the signature lines (one per party by
name, the mediator) and the committee seal.

The agreement is the ``dispute.agreed`` payload's mapping as stored (``state.agreement``).
A party's ID number, phone and address missing from it are taken from the dispute's
registration (the same person by name): the agreement form need not retype them; sex and
age missing from both come from the ID number (age on the effective date).

A draft for signing can be printed before the outcome is recorded: pass ``agreement``
(the form's mapping, no signatures yet) with a state still in mediation.  The content
Art 29 requires must be complete either way (``NotReadyError`` lists what is missing);
without an effective date the dates are left blank to fill in by hand.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from app.docs.base import render
from app.docs.blocks import (
    Block, Document, Field, Fields, Grid, Heading, Seal, Signatures, Text)
from app.docs.errors import NotReadyError
from app.docs.service import cn_date
from app.domain.dispute.agreement import agreement_problems, effective_on
from app.domain.dispute.clocks import confirmation_due
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import DisputeState, Party
from app.domain.shared.idcard import birth_date_of, mask_id_number, sex_of
from app.domain.shared.phone import mask_phone
from app.domain.shared.workdays import WorkCalendar
from app.domain.workflow import iso_date

EFFECT_RULE = ("本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章之日起生效"
               "（《中华人民共和国人民调解法》第二十九条）。")
BINDING = ("经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行"
           "（人民调解法第三十一条）。")


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def _age(birth: date | None, on: date | None) -> int | None:
    if birth is None or on is None or on < birth:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def party_fields(party: Mapping[str, Any], registered: Party | None,
                 on: date | None) -> list[Field]:
    """One party's basic details (Art 29 (一)), masked, registration filling the gaps."""
    id_number = _text(party, "id_number") or (registered.id_number if registered else "")
    phone = _text(party, "phone") or (registered.phone if registered else "")
    address = _text(party, "address") or (registered.address if registered else "")
    sex = _text(party, "sex") or (sex_of(id_number) if id_number else None) or "—"
    age = party.get("age") if isinstance(party.get("age"), int) else None
    if age is None and id_number:
        age = _age(birth_date_of(id_number), on)
    fields = [Field(_text(party, "role") or "当事人", _text(party, "name"))]
    if sex == "—" and age is None and not (_text(party, "ethnicity") or id_number):
        # Not a person (a 村民组, a company): no sex, age or ID number rows to leave empty.
        fields.append(Field("联系电话", mask_phone(phone) if phone else "—"))
    else:
        fields += [Field("性别", sex), Field("年龄", f"{age}岁" if age is not None else "—"),
                   Field("民族", _text(party, "ethnicity") or "—"),
                   Field("身份证号", mask_id_number(id_number) if id_number else "—"),
                   Field("联系电话", mask_phone(phone) if phone else "—")]
    if _text(party, "occupation"):
        fields.append(Field("职业", _text(party, "occupation"), wide=True))
    fields.append(Field("住址", address or "—", wide=True))
    return fields


def _content_problems(agreement: Mapping[str, Any], parties: Sequence[Party]) -> list[str]:
    """What Art 29 (一)–(三) still lacks, ignoring signatures (a draft is signed on paper)."""
    names = [_text(p, "name") for p in agreement.get("parties") or [] if isinstance(p, Mapping)]
    signed = dict(agreement, signatures={"parties": names, "mediator": "—", "seal": True},
                  effective_on="2000-01-01")
    return agreement_problems(signed, parties)


TERM_HEADER = ("序号", "协议内容", "履行方式", "履行期限")
TERM_WIDTHS = (11, 72, 50, 37)  # mm of the 170 mm line; "2025年10月31日前" (31 mm) fits one line
LONG_TERM = 360  # characters: a row taller than a page cannot be laid out in a table


def _due(term: Mapping[str, Any]) -> str:
    due = iso_date(term.get("due"))
    return f"{cn_date(due)}前" if due else _text(term, "due")


def _terms(terms: Sequence[Mapping[str, Any]]) -> list[Block]:
    """Art 29 (三): each term with how and by when, one table row each.

    A table row never breaks across pages, so terms written at great length print as
    numbered paragraphs instead (which run on to the next page).
    """
    if all(len(_text(t, "content")) + len(_text(t, "how")) <= LONG_TERM for t in terms):
        rows = [[str(n), _text(t, "content"), _text(t, "how"), _due(t)]
                for n, t in enumerate(terms, 1)]
        return [Grid(TERM_HEADER, rows, TERM_WIDTHS)]
    # Paragraphs, not a NumberedList: a short list is kept whole on one page, which would
    # push a long one off the page and leave the heading behind.
    return [Text(f"{n}. {_text(t, 'content')}\n履行方式：{_text(t, 'how')}\n履行期限：{_due(t)}")
            for n, t in enumerate(terms, 1)]


def mediation_agreement(state: DisputeState, *, agreement: Mapping[str, Any] | None = None,
                        committee: str = "", calendar: WorkCalendar = WorkCalendar(),
                        rules: DisputeRules = DisputeRules(),
                        footer: Sequence[str] = ()) -> bytes:
    """The 人民调解协议书 of ``state`` as PDF bytes (A4).

    ``agreement``: default the recorded one (``state.agreement``); pass the form's mapping
    to print a draft for signing.  ``committee``: the issuing 人民调解委员会 when the
    agreement does not name it.  ``calendar``/``rules``: for the last day of 司法确认.
    ``footer``: lines printed at the foot of every page (e.g. the 司法所's phone).
    """
    agreement = agreement if agreement is not None else state.agreement
    if not agreement:
        raise NotReadyError("这起纠纷还没有调解成功，没有调解协议书可以打印", code="no_agreement")
    problems = _content_problems(agreement, state.parties)
    if problems:
        raise NotReadyError(f"调解协议书还缺：{'；'.join(problems)}（人民调解法第二十九条），"
                            "请补全后再打印", code="incomplete_agreement")
    committee = _text(agreement, "committee") or committee or (
        f"{state.village}人民调解委员会" if state.village else "人民调解委员会")
    effective = effective_on(agreement)
    registered = {p.name: p for p in state.parties}
    parties = [p for p in agreement["parties"] if isinstance(p, Mapping)]
    age_on = effective or state.received_on

    blocks: list[Block] = [Heading("一、当事人基本情况")]
    for party in parties:
        blocks.append(Fields(party_fields(party, registered.get(_text(party, "name")), age_on),
                             pairs_per_row=2))
    mediators = [m for m in agreement.get("mediators") or [] if isinstance(m, str) and m.strip()]
    if mediators:
        blocks.append(Text(f"人民调解员：{'、'.join(mediators)}"))
    blocks += [
        Heading("二、纠纷主要事实"),
        Text(_text(agreement, "facts"), indent=True),
        Heading("三、争议事项"),
        Text(_text(agreement, "disputed_points"), indent=True),
        Heading("四、各方当事人的责任"),
        Text(_text(agreement, "responsibilities"), indent=True),
        Heading("五、协议内容及履行方式、期限"),
        # A paragraph between heading and table: the heading keeps with it, and the table
        # is then free to break between rows instead of jumping whole to the next page.
        Text("经调解，各方当事人自愿达成如下协议，并按约定的方式和期限履行：",
             indent=True),
        *_terms([t for t in agreement["terms"] if isinstance(t, Mapping)]),
        Heading("六、协议的效力和司法确认"),
    ]
    if effective is not None:
        due = confirmation_due(effective, calendar, rules)
        blocks += [
            Text(f"本协议于{cn_date(effective)}经各方当事人签名（盖章或按指印）、人民调解员签名并加盖"
                 "人民调解委员会印章后生效。" + BINDING, indent=True),
            Text(f"各方当事人认为有必要的，可以自本协议生效之日起三十日内（即{cn_date(due.date)}前）"
                 "共同向人民法院申请司法确认（人民调解法第三十三条）；经确认有效后，一方拒绝履行或者"
                 "未全部履行的，对方可以向人民法院申请强制执行。", indent=True, emphasis=True),
        ]
    else:
        blocks += [
            Text(EFFECT_RULE + BINDING, indent=True),
            Text("各方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
                 "（人民调解法第三十三条）；经确认有效后，一方拒绝履行或者未全部履行的，对方可以向人民法院"
                 "申请强制执行。", indent=True, emphasis=True),
        ]
    blocks.append(Text(f"本协议一式{len(parties) + 1}份，当事人各执一份，人民调解委员会留存一份。"
                       "各方当事人在下方签名、盖章或按指印。", indent=True))
    signer = _text(agreement.get("signatures") or {}, "mediator") or (
        mediators[0] if mediators else "")
    blocks += [
        # One block, so that every signature line stays on the sheet with the seal.
        Signatures([f"{_text(p, 'role')} {_text(p, 'name')}" for p in parties]
                   + [f"人民调解员 {signer}".rstrip()]),
        Seal(committee, cn_date(effective)),
    ]
    return render(Document(
        issuer=committee, title="人民调解协议书", number=_text(agreement, "no"),
        number_label="编号", blocks=blocks, footer=tuple(footer), subject="人民调解协议书"))


__all__ = ["mediation_agreement", "party_fields"]
