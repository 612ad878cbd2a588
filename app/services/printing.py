"""Printable PDFs for a case, written to the station's ``prints/`` folder for the printer.

The documents themselves come from app.docs (imported lazily: a build without it simply
offers no print buttons). This module only gathers the case, the catalog matter and the
phones, and names the file after the receipt number.
"""
from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.domain import one_time_notice as notice_for
from app.services.desk import Desk
from app.services.errors import ServiceError

PRINTS = "prints"


def docs_available() -> bool:
    try:
        return importlib.util.find_spec("app.docs.service") is not None
    except (ImportError, ValueError):
        return False


def _docs():
    try:
        return importlib.import_module("app.docs.service")
    except Exception as exc:
        raise ServiceError("这台平板上的程序不能生成打印文件，请升级程序。") from exc


def _write(desk: Desk, name: str, make: Callable[[], bytes]) -> Path:
    folder = desk.station.data / PRINTS
    folder.mkdir(parents=True, exist_ok=True)
    try:
        data = make()
    except ServiceError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", "") or type(exc).__name__
        raise ServiceError(f"打印文件没有生成：{message}。") from exc
    path = folder / name
    path.write_bytes(data)
    return path


def print_receipt(desk: Desk, record: str) -> Path:
    """受理回执 (with its QR code) for the case."""
    docs, state, catalog = _docs(), desk.case(record), desk.rules.catalog
    matter = catalog.matter(state.matter_code) if state.matter_code else None
    return _write(desk, f"受理回执-{state.receipt_no}.pdf", lambda: docs.acceptance_receipt(
        state, desk.station.name, matter, docs.phones_for(catalog, matter)))


def print_notice(desk: Desk, record: str) -> Path:
    """一次性告知单 for the case's matter, the missing materials marked."""
    docs, state, rules = _docs(), desk.case(record), desk.rules
    if not state.matter_code or state.accepted_on is None:
        raise ServiceError("这件事不在事项目录里，没有一次性告知单。")
    present = list(state.fields.get("materials_present") or [])
    notice = notice_for(rules.catalog, state.matter_code, present, state.accepted_on,
                        rules.calendar)
    number = str(state.fields.get("notice_no") or state.receipt_no or "")
    name = str(state.fields.get("applicant.name") or "")
    return _write(desk, f"一次性告知单-{state.receipt_no}.pdf", lambda: docs.one_time_notice(
        notice, station_name=desk.station.name, notice_no=number,
        issued_on=state.accepted_on or date.today(), applicant_name=name, present=present))


def print_letter(desk: Desk, record: str) -> Path:
    """群众反映事项转办函 of the case's last forwarding."""
    docs, state = _docs(), desk.case(record)
    if not state.letter:
        raise ServiceError("这件事还没有转办县直部门，没有转办函。")
    number = str(state.letter.get("letter_no", state.receipt_no))
    return _write(desk, f"转办函-{number}.pdf", lambda: docs.transfer_letter(
        state, issuer=desk.station.name))


__all__ = ["PRINTS", "docs_available", "print_letter", "print_notice", "print_receipt"]
