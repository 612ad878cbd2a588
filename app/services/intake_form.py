"""What a cadre fills in to take a service case in, and what taking it in returns. Apart
from app.services.desk so the Desk's mixins (app.services.casework) name them without
importing the Desk."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.domain.service.intake import Notice


@dataclass
class IntakeForm:
    name: str
    phone: str
    matter_code: str
    summary: str
    sex: str = ""
    id_number: str = ""
    group: str = ""
    address: str = ""
    materials_present: list[str] = field(default_factory=list)
    mode: str = ""          # empty: suggested from the matter's handling level
    remark: str = ""


@dataclass(frozen=True)
class Intake:
    record: str
    receipt_no: str
    notice: Notice
    event: dict[str, Any]
