"""A 来访登记 turned into a service case, a dispute or a petition without retyping (issue
#8 §3): the intake forms filled from what the visit register already holds. The screen
shows the form filled in, the cadre completes what a visit does not record (the matter
from the catalog, the other party of a dispute), and the service writes the new record
with a ``visit.converted`` link on the visit in the same transaction."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.services.desk import IntakeForm
from app.services.disputes import DisputeForm, PartyForm
from app.services.petitions import PetitionerForm, PetitionForm


def _text(visit: Mapping[str, Any], key: str) -> str:
    return str(visit.get(key) or "").strip()


def case_form(visit: Mapping[str, Any]) -> IntakeForm:
    """受理办事, the applicant and the request from the visit; the matter is chosen."""
    return IntakeForm(name=_text(visit, "name"), phone=_text(visit, "phone"), matter_code="",
                      summary=_text(visit, "matter"), sex=_text(visit, "sex"),
                      address=_text(visit, "address"), remark=_text(visit, "remark"))


def dispute_form(visit: Mapping[str, Any]) -> DisputeForm:
    """矛盾纠纷登记: the visitor as 申请人; the other side is added by the cadre."""
    visitor = PartyForm(name=_text(visit, "name"), role="申请人", phone=_text(visit, "phone"),
                        sex=_text(visit, "sex"), address=_text(visit, "address"))
    return DisputeForm(dispute_type="", parties=[visitor, PartyForm(name="", role="被申请人")],
                       summary=_text(visit, "matter"), risk="", source="群众申请",
                       received_at=_text(visit, "visited_at") or None)


def petition_form(visit: Mapping[str, Any]) -> PetitionForm:
    """信访登记 by 来访: the visitor as petitioner, the matter as the summary."""
    visitor = PetitionerForm(name=_text(visit, "name"), phone=_text(visit, "phone"),
                             sex=_text(visit, "sex"), address=_text(visit, "address"))
    return PetitionForm(channel="来访", category="", petitioners=[visitor],
                        summary=_text(visit, "matter"), request=_text(visit, "opinion"),
                        received_at=_text(visit, "visited_at") or None)
