"""The service desk's three printed documents (RULES.md §1), built from domain values.

    acceptance_receipt(case, station_name, matter, phones)   受理回执, with a QR code
    one_time_notice(notice, station_name=…, notice_no=…, …)  一次性告知单
    transfer_letter(case, letter, issuer=…, …)               群众反映事项转办函 + 回执联

Personal information (RULES.md §5; 个人信息保护法 Art 28, GB/T 35273): the receipt leaves
the building in the citizen's pocket, so the ID number and phone are printed masked
(``mask_id_number``, ``mask_phone``) and the QR code carries the receipt number only; the
transfer letter names the citizen and the village group (the department needs to know whose
matter it is) but carries no ID number or phone: the department reaches the citizen through
the 首接责任人 named on it (首接责任制).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import quote

from app.docs.base import render
from app.docs.blocks import (
    QR, Blank, Block, Document, Field, Fields, Grid, Heading, Seal, Signatures, Text, Together)
from app.docs.errors import NotReadyError, UnfilledError
from app.docs.official import OfficialLetter, render_letter
from app.domain.service.catalog import Catalog
from app.domain.service.intake import Notice
from app.domain.service.state import CaseState
from app.domain.shared.idcard import mask_id_number
from app.domain.shared.phone import mask_phone

PROVISIONAL = "（暂定：所跨年份的节假日安排尚未由镇里录入，录入后按实际工作日重新计算）"
MODE_TEXT = {
    "即办": "即办（由受理单位直接办理）",
    "代办": "代办（由代办员代为报送上级部门办理，全程代理）",
    "上报镇": "上报镇（超出村级职权，报请镇党委、政府处理）",
}


@dataclass(frozen=True)
class Phones:
    """Enquiry and complaint phones as printed, e.g. "12345政务服务便民热线：12345"."""

    enquiry: str
    complaint: str

    def footer(self) -> tuple[str, str]:
        return (f"咨询电话　{self.enquiry}", f"投诉电话　{self.complaint}")


def phones_for(catalog: Catalog, matter: Mapping[str, Any] | None) -> Phones:
    """The matter's phones from the catalog; the town's own for a problem outside it."""
    enquiry = matter["enquiry_phone"] if matter else "town_service_center"
    complaint = matter["complaint_phone"] if matter else "town_discipline"
    return Phones(catalog.phone_text(enquiry), catalog.phone_text(complaint))


def receipt_qr_payload(status_url: str, receipt_no: str) -> str:
    """What the receipt's QR code says: the town's public status page with the receipt
    number filled in ("https://…/status?receipt=XJ003-…"), so a phone camera or WeChat opens
    it straight away; the phone digits are still asked there.  Nothing personal."""
    if not status_url.strip():
        raise UnfilledError("受理回执的二维码要用查询网址，镇里还没有设置", code="unfilled")
    base = status_url.strip()
    return f"{base}{'&' if '?' in base else '?'}receipt={quote(receipt_no)}"


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _time_limit(days: int | None, due: date | None, provisional: bool,
                extended: int | None = None) -> str:
    if days == 0:
        text = "当场办结"
    elif days is None:
        text = f"承诺于{cn_date(due)}前办结"
    else:
        text = f"{days}个工作日（受理次日起算），承诺于{cn_date(due)}前办结"
    if extended:
        text += f"；特殊情况可延长至{extended}个工作日"
    return text + (PROVISIONAL if provisional else "")


def _material_rows(matter: Mapping[str, Any] | None, present: Sequence[str],
                   missing: Sequence[str]) -> tuple[list[list[str]], frozenset[int]]:
    """Rows 序号 | 材料名称 | 原件/复印件 | 份数 | 出具单位 | 情况, missing rows marked."""
    rows: list[list[str]] = []
    marked: set[int] = set()
    listed: set[str] = set()
    for material in (matter or {}).get("materials", []):
        name = material["name"]
        if name in missing:
            state = "尚缺"
            marked.add(len(rows))
        elif name in present:
            state = "已收"
        else:
            state = "—"
        note = f"\n（{material['note']}）" if material.get("note") else ""
        rows.append([str(len(rows) + 1), name + note, material["form"],
                     str(material["copies"]), material["issuer"], state])
        listed.add(name)
    for name in [*present, *missing]:  # anything received or asked for outside the catalog
        if name in listed:
            continue
        if name in missing:
            marked.add(len(rows))
        rows.append([str(len(rows) + 1), name, "—", "—", "—",
                     "尚缺" if name in missing else "已收"])
        listed.add(name)
    return rows, frozenset(marked)


MATERIAL_HEADER = ("序号", "材料名称", "原件/复印件", "份数", "出具单位", "情况")
MATERIAL_WIDTHS = (12, 68, 38, 12, 26, 14)  # mm of the 170 mm line


def _material_text(matter: Mapping[str, Any] | None, name: str) -> str:
    """"居民身份证：原件（核验后退还）1份" from the catalog, or the name as typed."""
    for material in (matter or {}).get("materials", []):
        if material["name"] == name:
            return f"{name}：{material['form']}{material['copies']}份"
    return name


def _person(person: Mapping[str, Any] | None) -> str:
    if not person:
        return ""
    post = person.get("post")
    return f"{person['name']}（{post}）" if post else str(person["name"])


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


# ---- 受理回执 ------------------------------------------------------------------------------

def acceptance_receipt(case: CaseState, station_name: str,
                       matter: Mapping[str, Any] | None, phones: Phones,
                       status_url: str) -> bytes:
    """The 受理回执 handed to the citizen at acceptance (PDF bytes).

    ``matter`` is the catalog matter of the case (None for a problem reported outside the
    catalog); ``phones`` are printed in the body and on the foot of the page;
    ``status_url`` is the town's public status page (config ``papers.status_page_url``),
    which the QR code opens with the receipt number filled in.
    """
    if case.status == "new" or not case.receipt_no or case.accepted_on is None:
        raise NotReadyError("此事项还没有受理登记，不能打印受理回执", code="not_accepted")
    f = case.fields
    applicant: list[Field] = [Field("申请人", str(f.get("applicant.name", "")))]
    if f.get("applicant.id_number"):
        applicant.append(Field("身份证号", mask_id_number(str(f["applicant.id_number"]))))
    if f.get("applicant.phone"):
        applicant.append(Field("联系电话", mask_phone(str(f["applicant.phone"]))))
    where = "，".join(str(f[k]) for k in ("applicant.group", "applicant.address") if f.get(k))
    if where:
        applicant.append(Field("村民组/住址", where))

    matter_name = case.matter_name or "群众反映问题（目录外事项）"
    if case.matter_code:
        matter_name += f"（{case.matter_code}）"
    extended_to = any(step.event_type == "svc.extended" for step in case.steps)
    limit = _time_limit(case.time_limit, case.due, case.due_provisional,
                        (matter or {}).get("extended_time_limit_working_days"))
    if extended_to:
        limit = f"已延期，承诺于{cn_date(case.due)}前办结" + (
            PROVISIONAL if case.due_provisional else "")
    handling = [
        Field("申请事项", matter_name, wide=True),
        Field("事项摘要", str(f.get("summary", "")), wide=True),
        Field("受理日期", cn_date(case.accepted_on)),
        Field("首接责任人", _person(case.first_officer)),
        Field("办理方式", MODE_TEXT.get(case.mode or "", case.mode or ""), wide=True),
        Field("承诺时限", limit, wide=True, emphasis=case.due_provisional),
    ]
    present, missing = _strings(f.get("materials_present")), _strings(f.get("materials_missing"))
    materials = [Field("已收材料", [_material_text(matter, name) for name in present] or "未收取材料",
                       wide=True)]
    if missing:
        notice = f"（见一次性告知单，编号{f['notice_no']}）" if f.get("notice_no") else ""
        lines = [f"{n}. {name}" for n, name in enumerate(missing, 1)]
        materials.append(Field("尚缺材料", "\n".join(lines + [f"请补齐后交本站或代办员{notice}。"]),
                               wide=True, emphasis=True))
    # The QR code opens the town's status page with this receipt number filled in; the
    # phone digits are asked there, so the code alone reveals nothing (RULES.md §5).
    qr = QR(receipt_qr_payload(status_url, case.receipt_no), "手机扫码查进度")
    query = Field("查询进度", "用手机扫描右上角二维码（微信“扫一扫”也可以），再输入登记的手机号后四位，"
                          f"就能看到办理进度；也可以在手机上打开 {status_url.strip()}，输入回执编号查询。",
                  wide=True)
    blocks: list[Block] = [
        Fields(applicant + handling + materials + [query], pairs_per_row=2),
        Together([
            Text("请妥善保管本回执。办结后我们会通知您，请对办理结果作出评价（满意、基本满意、不满意）。"
                 f"有疑问请咨询：{phones.enquiry}；对办理有意见的，可以投诉：{phones.complaint}。",
                 small=True),
            Signatures(["申请人（签名）", "受理人（签名）"]),
            Seal(station_name, cn_date(case.accepted_on))]),
    ]
    return render(Document(
        issuer=station_name, title="受理回执", number=case.receipt_no, number_label="回执编号",
        qr=qr, blocks=blocks, footer=phones.footer(), subject="受理回执"))


# ---- 一次性告知单 --------------------------------------------------------------------------

def one_time_notice(notice: Notice, *, station_name: str, notice_no: str, issued_on: date,
                    applicant_name: str = "", present: Iterable[str] | None = None) -> bytes:
    """The 一次性告知单 (PDF bytes): everything about the matter, once, missing materials marked.

    ``present``: materials handed in; by default every material not in ``notice.missing``.
    """
    m = notice.matter
    missing = [x["name"] for x in notice.missing]
    have = list(present) if present is not None else [
        x["name"] for x in m["materials"] if x["name"] not in missing]
    rows, marked = _material_rows(m, have, missing)
    salutation = f"{applicant_name}：" if applicant_name else "申请人："
    blocks: list[Block] = [
        Text(salutation),
        Text(f"您申请办理的“{m['name']}”事项，现将办理依据、条件、所需材料、程序、时限、收费标准和"
             "咨询投诉电话一次性告知如下：", indent=True),
    ]
    if missing:  # first, what the citizen must still bring (一次性告知制: listed once)
        lines = [f"{n}. {name}" for n, name in enumerate(missing, 1)]
        blocks.append(Text(f"您还需补齐以下{len(missing)}项材料（请补齐后再来，或交给代办员）：\n"
                           + "\n".join(lines), emphasis=True))
    blocks += [
        Fields([
            Field("事项名称", f"{m['name']}（{m['code']}）"),
            Field("办理依据", list(m["legal_basis"])),
            Field("办理条件", list(m["conditions"])),
        ]),
        Heading(f"所需材料（共{len(m['materials'])}项）"),
        Grid(MATERIAL_HEADER, rows, MATERIAL_WIDTHS, marked),
    ]
    if not missing:
        blocks.append(Text("所需材料已齐全。"))
    more = [Field("办理程序", list(m["procedure"])),
            Field("承诺时限", _time_limit(m["time_limit_working_days"], notice.due.date,
                                          notice.due.provisional,
                                          m.get("extended_time_limit_working_days")),
                  emphasis=notice.due.provisional),
            Field("收费标准", m["fees"])]
    if m.get("note"):
        more.append(Field("说明", m["note"]))
    # The phones, the statement the signatures attest, the signatures and the seal share a
    # page: a signed sheet must carry the text it signs.
    blocks += [
        Fields(more),
        Together([
            Fields([Field("咨询电话", notice.enquiry), Field("投诉电话", notice.complaint)]),
            Text("以上为一次性告知的全部内容；除法律法规另有规定外，不再要求提供本告知单以外的材料。"
                 "申请人签名表示已收到本告知单。", small=True),
            Signatures(["告知人（签名）", "申请人（签名）"]),
            Seal(station_name, cn_date(issued_on)),
        ]),
    ]
    return render(Document(
        issuer=station_name, title="一次性告知单", number=notice_no, number_label="告知单编号",
        blocks=blocks, footer=Phones(notice.enquiry, notice.complaint).footer(),
        subject="一次性告知单"))


# ---- 群众反映事项转办函 ----------------------------------------------------------------------

def _forwarded_on(case: CaseState) -> date | None:
    for step in reversed(case.steps):
        if step.event_type == "svc.forwarded" and step.on:
            return date.fromisoformat(step.on)
    return None


def _letter_request(deadline: date, report_back: str) -> str:
    """The request sentence: "请…于2025年11月3日前办结，并将办理结果书面回复新集镇便民服务中心".

    ``report_back`` is what the department does with the result ("书面回复…"). Letters
    forwarded before that wording carry a whole sentence of their own ("请在期限内将办理结果
    书面回复…"): it then follows as its own sentence rather than being spliced in.
    """
    head = f"请按有关规定认真办理，于{cn_date(deadline)}前办结"
    report_back = report_back.strip().rstrip("。；")
    if report_back.startswith("请"):
        return f"{head}。{report_back}。"
    return f"{head}，并将办理结果{report_back}。"


def transfer_letter(case: CaseState, letter: Mapping[str, Any] | None = None, *,
                    issuer: str, contact: str, issued_on: date | None = None) -> bytes:
    """The 群众反映事项转办函 to a county department (PDF bytes), laid out as a 函 after
    GB/T 9704 (app.docs.official), with its 回执 as the 附件 page.

    ``letter`` is the ``svc.forwarded`` payload's letter (default: the case's last one);
    ``issuer`` the forwarding office (e.g. 新集镇便民服务中心): its 发文机关标志 and signature;
    ``contact`` the 附注: who the department calls with questions ("联系人：张敏，联系电话：
    0376-7123456"), required; ``issued_on`` defaults to the date of the forwarding step.
    Fields per RULES.md §1: letter no., source, citizen, summary, receiving department,
    deadline, how to report back, receipt slip.
    """
    letter = letter if letter is not None else case.letter
    if not letter:
        raise NotReadyError("此事项还没有转办县直部门，不能打印转办函", code="not_forwarded")
    if not contact.strip():
        raise UnfilledError("转办函要写明联系人和联系电话（附注），请补上后再打印", code="unfilled")
    issued_on = issued_on or _forwarded_on(case)
    deadline = date.fromisoformat(str(letter["deadline"]))
    department, number = str(letter["department"]), str(letter["letter_no"])
    matter = case.matter_name or "群众反映问题"
    citizen = str(letter["citizen"])
    group = case.fields.get("applicant.group")
    receipt = case.receipt_no or "—"
    details = [
        Field("事项来源", str(letter["source"])),
        Field("受理回执编号", receipt),
        Field("反映人", citizen + (f"（{group}）" if group else "")),
        Field("受理日期", cn_date(case.accepted_on)),
        Field("事项类别", matter + (f"（{case.matter_code}）" if case.matter_code else "")),
        Field("反映事项摘要", str(letter["summary"])),
        Field("办理时限", f"{cn_date(deadline)}前"),
        Field("首接责任人", _person(case.first_officer)),
    ]
    return render_letter(OfficialLetter(
        issuer=issuer, number=number, title=f"{issuer}关于转办群众反映事项的函",
        addressee=f"{department}：",
        paragraphs=[f"现将群众反映的“{matter}”事项转你单位办理，有关情况如下：",
                    _letter_request(deadline, str(letter["report_back"]))
                    + "办结后请填写附件回执，加盖公章后交回我单位。"],
        details=details, date_text=cn_date(issued_on), note=contact.strip().strip("（）()"),
        attachment_title="转办函回执",
        attachment=[
            Text(f"{issuer}："),
            Text(f"你单位{number}函（反映人：{citizen}；事项：{matter}；受理回执编号：{receipt}）"
                 "已收悉，办理情况如下。", indent=True),
            Blank("办理情况：", 5),
            Blank("办结日期：", 1),
            Blank("承办人（签名）：", 1),
            Blank("联系电话：", 1),
        ],
        attachment_seal=department))
