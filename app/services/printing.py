"""The station's papers as PDFs in its ``prints/`` folder, ready for the printer
(app.services.printers sends them there).

    print_receipt, print_notice, print_letter        service desk (RULES.md §1)
    print_agreement                                   人民调解协议书 (RULES.md §2)
    print_petition_notice                             信访受理 / 不予受理告知书
    print_risk_report                                 社会稳定风险评估报告
    station_title(station)                            the station as named on paper
    paper_settings_missing(rules)                     what the town has still to set

Each gathers the record, the catalog and the town's settings, and refuses (ServiceError,
nothing written) when a value the paper prints is not set yet — a phone number the town
has not entered, the public status page address, a contact person — saying what to set and
where, instead of printing a placeholder.  The documents come from app.docs (reportlab),
imported only when a paper is made: never on the start path.

A PDF is a plain copy of personal data (names, ID numbers, phones) outside the encrypted
database (issue #11), so it is not kept: every paper can be made again from the database
whenever it is needed, and the folder is emptied whenever the app locks (sign-out, idle
sign-out) and when it starts (`clear_prints`); backups never hold it. So a PDF outlives
neither the sign-in that made it nor the app's next start (copy it elsewhere before
signing out, if it must travel to another computer).
"""
from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import one_time_notice as notice_for
from app.services.desk import Desk
from app.services.directory import node_names
from app.services.errors import ServiceError
from app.services.rules import Rules
from app.station import Station
from sync import log

PRINTS = "prints"
STATUS_URL = "papers.status_page_url"
LETTER_CODE = "papers.letter_code"
TOWN_PHONE = "town_service_center"
SETTINGS_PLACE = "“镇里设置 → 文书和电话”"


def clear_prints(data: Path) -> int:
    """Delete every print file of the station in `data`; returns how many."""
    folder = data / PRINTS
    if not folder.is_dir():
        return 0
    gone = 0
    for path in folder.iterdir():
        if path.is_file():
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def docs_available() -> bool:
    try:
        return importlib.util.find_spec("app.docs.service") is not None
    except (ImportError, ValueError):
        return False


def _docs(module: str = "service"):
    try:
        return importlib.import_module(f"app.docs.{module}")
    except Exception as exc:
        raise ServiceError("这台平板上的程序不能生成打印文件，请升级程序。") from exc


def safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "-", name).strip("-") or "未编号"


def write_paper(data_dir: Path, name: str, make: Callable[[], bytes]) -> Path:
    """``make()``'s PDF saved as prints/``name``; a document error becomes a ServiceError."""
    folder = data_dir / PRINTS
    folder.mkdir(parents=True, exist_ok=True)
    try:
        data = make()
    except ServiceError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", "") or type(exc).__name__
        raise ServiceError(f"打印文件没有生成：{message}。") from exc
    path = folder / safe_name(name)
    path.write_bytes(data)
    return path


# what is printed, and whether it is set ------------------------------------------------------
def station_title(station: Station) -> str:
    """The station as named on paper: a village station "王湾村" under the town hub "新集镇"
    is "新集镇王湾村便民服务站"; a town center or county window keeps its own full name."""
    name = station.name or "便民服务站"
    if station.level != "village":
        return name
    town = str((station.identity().get("hub") or {}).get("name") or "")
    prefix = town if town and not name.startswith(town) else ""
    suffix = "" if name.endswith(("站", "中心", "委员会")) else "便民服务站"
    return f"{prefix}{name}{suffix}"


def _phone_label(rules: Rules, key: str) -> str:
    phone = rules.catalog.doc["phones"].get(key) or {}
    return f"“{phone.get('label') or key}”的电话号码"


def paper_settings_missing(rules: Rules, phone_keys: Sequence[str] = (TOWN_PHONE,),
                           status_url: bool = False, letter_code: bool = False) -> list[str]:
    """What the town has not set among what a paper needs, in Chinese."""
    missing = [_phone_label(rules, key) for key in dict.fromkeys(phone_keys)
               if not rules.catalog.phone_configured(key)]
    if status_url and not str(rules.config.value(STATUS_URL) or "").strip():
        missing.append("群众查询办理进度的网址")
    if letter_code and not str(rules.config.value(LETTER_CODE) or "").strip():
        missing.append("转办函发文字号的机关代字")
    return missing


def refuse_unset(station: Station, paper: str, missing: Sequence[str]) -> None:
    """Raise a ServiceError that says what to set, and where, if anything is missing."""
    if not missing:
        return
    where = (f"请在{SETTINGS_PLACE}里填写后再打印。" if station.level in ("town", "county")
             else f"请联系镇便民服务中心在{SETTINGS_PLACE}里填写，同步后再打印。")
    raise ServiceError(f"{paper}还不能打印：镇里还没有设置{'、'.join(missing)}。{where}")


def _matter_phone_keys(matter: Mapping[str, Any] | None) -> list[str]:
    if matter is None:
        return [TOWN_PHONE, "town_discipline"]
    return [matter["enquiry_phone"], matter["complaint_phone"]]


# the service desk ----------------------------------------------------------------------------
def print_receipt(desk: Desk, record: str) -> Path:
    """受理回执, its QR code opening the town's status page with the receipt filled in."""
    docs, state, rules = _docs(), desk.case(record), desk.rules
    matter = rules.catalog.matter(state.matter_code) if state.matter_code else None
    refuse_unset(desk.station, "受理回执",
                 paper_settings_missing(rules, _matter_phone_keys(matter), status_url=True))
    url = str(rules.config.value(STATUS_URL)).strip()
    return write_paper(desk.station.data, f"受理回执-{state.receipt_no}.pdf",
                       lambda: docs.acceptance_receipt(
                           state, station_title(desk.station), matter,
                           docs.phones_for(rules.catalog, matter), url))


def print_notice(desk: Desk, record: str) -> Path:
    """一次性告知单 for the case's matter, the missing materials marked."""
    docs, state, rules = _docs(), desk.case(record), desk.rules
    if not state.matter_code or state.accepted_on is None:
        raise ServiceError("这件事不在事项目录里，没有一次性告知单。")
    matter = rules.catalog.matter(state.matter_code)
    refuse_unset(desk.station, "一次性告知单",
                 paper_settings_missing(rules, _matter_phone_keys(matter)))
    present = list(state.fields.get("materials_present") or [])
    notice = notice_for(rules.catalog, state.matter_code, present, state.accepted_on,
                        rules.calendar)
    number = str(state.fields.get("notice_no") or state.receipt_no or "")
    name = str(state.fields.get("applicant.name") or "")
    return write_paper(desk.station.data, f"一次性告知单-{state.receipt_no}.pdf",
                       lambda: docs.one_time_notice(
                           notice, station_name=station_title(desk.station), notice_no=number,
                           issued_on=state.accepted_on or date.today(), applicant_name=name,
                           present=present))


def _forwarding(desk: Desk, record: str) -> dict[str, Any] | None:
    """The last svc.forwarded event of the case (who forwarded it, from which node)."""
    events = [e for e in log.of_record(desk.station.store.conn, record)
              if e["type"] == "svc.forwarded"]
    return events[-1] if events else None


def print_letter(desk: Desk, record: str) -> Path:
    """群众反映事项转办函 of the case's last forwarding (GB/T 9704 函), with its 回执.

    Issued by the office that forwarded it; its 附注 names the cadre who forwarded it and
    the town center's phone (both required)."""
    docs, state, rules = _docs(), desk.case(record), desk.rules
    if not state.letter:
        raise ServiceError("这件事还没有转办县直部门，没有转办函。")
    refuse_unset(desk.station, "转办函", paper_settings_missing(rules, [TOWN_PHONE]))
    event = _forwarding(desk, record) or {}
    leader = str(((event.get("payload") or {}).get("leader") or {}).get("name") or "").strip()
    if not leader:
        raise ServiceError("转办函要写明联系人，这次转办没有记下经办人；请重新转办或联系镇里。")
    issuer = node_names(desk.station.store.conn).get(str(event.get("origin")), "") \
        or station_title(desk.station)
    phone = rules.catalog.doc["phones"][TOWN_PHONE]["number"]
    number = str(state.letter.get("letter_no", state.receipt_no))
    return write_paper(desk.station.data, f"转办函-{number}.pdf", lambda: docs.transfer_letter(
        state, issuer=issuer, contact=f"联系人：{leader}，联系电话：{phone}"))


# disputes, petitions, risk -------------------------------------------------------------------
def print_agreement(disputes: Any, rules: Rules, record: str,
                    agreement: Mapping[str, Any] | None = None) -> Path:
    """The 人民调解协议书 of ``record``: the recorded one, or ``agreement`` (the form's
    mapping) as a draft for the parties to sign.  ``disputes``: app.services.disputes."""
    state = disputes.dispute(record)
    doc = agreement if agreement is not None else state.agreement
    if not doc:
        raise ServiceError("这起纠纷还没有调解协议书。")

    def make() -> bytes:
        return _docs("disputes").mediation_agreement(
            state, agreement=agreement, calendar=rules.calendar, rules=disputes.dispute_rules)

    draft = "（待签字）" if agreement is not None and state.agreement is None else ""
    return write_paper(disputes.station.data, f"调解协议书{draft}-{doc.get('no', '')}.pdf", make)


def print_petition_notice(petitions: Any, rules: Rules, record: str, decision: str) -> Path:
    """信访事项受理告知书 (``decision`` "accepted") or 不予受理告知书 ("refused")."""
    state = petitions.petition(record)
    number = str((state.decision or {}).get("notice_no") or record[-8:])

    def make() -> bytes:
        module = _docs("petitions")
        render = module.acceptance_notice if decision == "accepted" else module.refusal_notice
        return render(state, issuer=station_title(petitions.station), calendar=rules.calendar,
                      rules=petitions.petition_rules)

    what = "受理告知书" if decision == "accepted" else "不予受理告知书"
    return write_paper(petitions.station.data, f"信访{what}-{number}.pdf", make)


def print_risk_report(assessments: Any, record: str) -> Path:
    """The 社会稳定风险评估报告 of ``record`` (app.services.risk.RiskAssessments)."""
    state = assessments.assessment(record)
    number = str((state.report or {}).get("report_no") or record[-8:])
    return write_paper(assessments.station.data, f"社会稳定风险评估报告-{number}.pdf",
                       lambda: _docs("risk").risk_report(state, rules=assessments.risk_rules))


def print_decision_file(decisions: Any, record: str) -> Path:
    """The 一事一档 of a village matter (app.services.decisions.VillageDecisions)."""
    return write_paper(decisions.station.data, f"一事一档-{record[-8:]}.pdf",
                       lambda: decisions.file_pdf(record))


def print_decision_notice(decisions: Any, record: str, step: str, label: str,
                          fields: Any = None) -> Path:
    """The 决议公开 / 实施结果公开 notice of a matter for the notice board."""
    return write_paper(decisions.station.data, f"{label}-{record[-8:]}.pdf",
                       lambda: decisions.notice_pdf(record, step, fields))


__all__ = ["PRINTS", "clear_prints", "docs_available", "paper_settings_missing",
           "print_agreement", "print_decision_file", "print_decision_notice",
           "print_letter", "print_notice", "print_petition_notice",
           "print_receipt", "print_risk_report", "refuse_unset", "safe_name", "station_title",
           "write_paper"]
