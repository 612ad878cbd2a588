"""PDFs of the dispute screens, saved into the station's ``prints/`` folder for the printer,
as app.services.printing does for the service desk (same folder, same messages).

The documents come from app.docs (reportlab), imported only when a cadre presses a print
button: never on the start path. Should move to app.services.printing with the other
prints; it lives here only because the screens needed it first.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.services.errors import ServiceError
from app.services.printing import PRINTS


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "-", name).strip("-") or "未编号"


def _write(data_dir: Path, name: str, make: Callable[[], bytes]) -> Path:
    folder = data_dir / PRINTS
    folder.mkdir(parents=True, exist_ok=True)
    try:
        data = make()
    except ServiceError:
        raise
    except Exception as exc:
        message = getattr(exc, "message", "") or type(exc).__name__
        raise ServiceError(f"打印文件没有生成：{message}") from exc
    path = folder / name
    path.write_bytes(data)
    return path


def print_agreement(app: Any, record: str, agreement: Mapping[str, Any] | None = None) -> Path:
    """The 人民调解协议书 of ``record``: the recorded one, or ``agreement`` (the form's
    mapping) as a draft for the parties to sign."""
    disputes = app.disputes
    state = disputes.dispute(record)
    doc = agreement if agreement is not None else state.agreement
    if not doc:
        raise ServiceError("这起纠纷还没有调解协议书。")

    def make() -> bytes:
        from app.docs.disputes import mediation_agreement
        return mediation_agreement(state, agreement=agreement, calendar=app.rules.calendar,
                                   rules=disputes.dispute_rules)

    draft = "（待签字）" if agreement is not None and state.agreement is None else ""
    return _write(app.station.data, f"调解协议书{draft}-{_safe(str(doc.get('no', '')))}.pdf", make)


def print_petition_notice(app: Any, record: str, decision: str) -> Path:
    """信访事项受理告知书 (``decision`` "accepted") or 不予受理告知书 ("refused")."""
    petitions = app.petitions
    state = petitions.petition(record)
    number = str((state.decision or {}).get("notice_no") or record[-8:])

    def make() -> bytes:
        from app.docs.petitions import acceptance_notice, refusal_notice
        render = acceptance_notice if decision == "accepted" else refusal_notice
        return render(state, issuer=app.station.name, calendar=app.rules.calendar,
                      rules=petitions.petition_rules)

    what = "受理告知书" if decision == "accepted" else "不予受理告知书"
    return _write(app.station.data, f"信访{what}-{_safe(number)}.pdf", make)


__all__ = ["print_agreement", "print_petition_notice"]
