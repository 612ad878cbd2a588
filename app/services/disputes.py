"""矛盾纠纷预防化解 (issue #4 §1): dispute intake, mediation, outcomes, escalation to the
town 矛盾调处化解中心 and the county, 司法确认 and 回访, screenings and the 排查台账.

Screens call ``Disputes``; every write checks the step with
``app.domain.dispute.flow.DISPUTE`` (the declaration) for this station's level against the
dispute's state here and now, then writes exactly one event, or raises ServiceError
(Chinese, says what to do) and writes nothing.  Every clock and threshold comes from the
rules in force (``dispute.*`` config, app.domain.dispute.rules).

Who sees what (sync/policy.py): a dispute flows to the subtree of the station that
registered it and of its current owner; town-level stations see their whole town.  So a
high-risk dispute registered in a village reaches the town tablets at their next sync
without any handoff; escalating (上报) hands the record to the hub above (owner), as
Desk.escalate does, and whatever the town or county records on it flows back to the
village that registered it.

API (dates are ``date`` or "YYYY-MM-DD"; ``on`` defaults to today; results are the
domain's own types from app.domain):
    Disputes(station, today=date.today, now=None)
    .links_for(form)                       -> IntakeLinks (links, first_time) before saving
    .check_intake(form)                    -> list[str] problems (empty: can register)
    .register(officer, form, keep_links=None, first_time=None) -> DisputeIntake
    .dispute(record)                       -> DisputeState (fresh fold)
    .actions(state)                        -> [(event type, button label)] allowed here now
    .take / .change_risk / .add_session / .extend / .draft_agreement / .agreement_problems
    .record_agreement / .record_failure / .escalate / .record_confirmation / .revisit
    .referral_choices(record)              -> routes the dispute's type allows, 上报 here
    .towns() / .assign                     交办 (county → town)
    .confirmation_warning(record, on=None) -> 司法确认 applied for after the 30 days
    .ledger(DisputeFilter)                 -> [LedgerRow] (排查台账 columns, newest first)
    .board(origin="")                      -> [LedgerRow] open disputes, overdue and
                                              untaken high-risk first (town board)
    .alerts()                              -> [RiskAlert] high risk, nobody has taken it
    .confirmation_reminders()              -> [Reminder] 司法确认 inside the 30-day window
    .revisits_due(within_days=None)        -> [Reminder] 回访 owed at performance deadlines
    .record_screening(officer, ScreeningForm) -> event;  .screenings(village="")
    .screening_schedule()                  -> [ScreeningDue] villages due for screening
    .export_xlsx(rows, path, title)        -> Path of the 排查台账 workbook

Layout: the steps on one dispute here; intake and its forms in
app.services.dispute_intake; 调解协议书 and 司法确认 in app.services.dispute_agreements;
ledger, boards, reminders and export in app.services.dispute_boards; 排查 in
app.services.dispute_screenings (mixins of ``Disputes``; their public names are
re-exported here).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.dispute import flow as dispute_case
from app.domain.dispute.referrals import HINTS as REFERRAL_HINTS
from app.domain.dispute.referrals import referral_routes
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import ESCALATION_BY_LEVEL, PERFORMANCE, DisputeState
from app.services.directory import towns
from app.services.dispute_agreements import DisputeAgreements
from app.services.dispute_boards import DisputeBoards, DisputeFilter, Reminder
from app.services.dispute_intake import (
    DisputeForm, DisputeIntake, DisputeIntakes, IntakeLinks, PartyForm)
from app.services.dispute_screenings import (
    DisputeScreenings, ScreeningFinding, ScreeningForm)
from app.services.errors import ServiceError
from app.services.workflow import Attachment, Workflow, as_date, named, names, person

ACTION_LABELS = dispute_case.DISPUTE.labels
CONSENT_HOW = ("签字", "口头", "书面")
REVISIT_METHODS = ("上门", "电话", "其他")


class Disputes(DisputeIntakes, DisputeAgreements, DisputeBoards, DisputeScreenings, Workflow):
    kind_name = "纠纷"
    flow = dispute_case.DISPUTE

    @property
    def dispute_rules(self) -> DisputeRules:
        return DisputeRules.from_config(self.rules.config)

    # one dispute ------------------------------------------------------------------------
    def dispute(self, record: str) -> DisputeState:
        return self.state(record)

    def _act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any],
             owner: str | None = None) -> dict[str, Any]:
        state = self.dispute(record)
        return self.step(officer, record, state, event_type, payload, owner)

    def take(self, officer: Cadre, record: str, note: str = "",
             on: date | str | None = None) -> dict[str, Any]:
        """认领: the signed-in town or county cadre takes the dispute (包案领导); a high-risk
        alert stops showing."""
        payload: dict[str, Any] = {"on": self.on(on), "by": person(officer)}
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "dispute.taken", payload)

    def change_risk(self, officer: Cadre, record: str, risk: str, reason: str,
                    on: date | str | None = None) -> dict[str, Any]:
        return self._act(officer, record, "dispute.risk_changed",
                         {"on": self.on(on), "risk": risk, "reason": reason.strip()})

    def add_session(self, officer: Cadre, record: str, *, mediators: Sequence[str] | str,
                    record_text: str, attendees: Sequence[str] | str = (), place: str = "",
                    attachments: Sequence[Attachment] = (),
                    on: date | str | None = None) -> dict[str, Any]:
        """A mediation session with its 调解笔录; ``attachments``: photos or scans of the
        signed paper, kept on this tablet and uploaded with the next sync."""
        payload: dict[str, Any] = {"on": self.on(on), "mediators": names(mediators),
                                   "record_text": record_text.strip()}
        if names(attendees):
            payload["attendees"] = names(attendees)
        if place.strip():
            payload["place"] = place.strip()
        state = self.dispute(record)
        probe = {"type": "dispute.session", "v": 1, "payload": payload}
        verdict = self._check(state, probe)
        if not verdict.ok:
            raise ServiceError(verdict.message)  # before storing any file
        if attachments:
            refs = []
            for item in attachments:
                if not item.data:
                    raise ServiceError("附件是空的，请重新拍照。")
                ref = dict(self.store.add_blob(self.station.blobs, item.data), mime=item.mime)
                if item.name.strip():
                    ref["name"] = item.name.strip()[:200]
                refs.append(ref)
            payload["attachments"] = refs
        return self.step(officer, record, state, "dispute.session", payload)

    def attachment(self, ref: Mapping[str, Any]) -> bytes:
        """The bytes of an attachment held on this tablet."""
        try:
            return self.station.blobs.read(str(ref["sha256"]))
        except (KeyError, OSError) as exc:
            raise ServiceError("这份附件还没有下载到本机，请同步后再看。") from exc

    def extend(self, officer: Cadre, record: str, *, new_due: date | str, reason: str,
               consents: Sequence[Mapping[str, Any]], on: date | str | None = None
               ) -> dict[str, Any]:
        """Extend the mediation limit; ``consents``: [{name, how (签字/口头/书面), on?}] for
        every party on both sides (人民调解工作若干规定 2002 Art 33)."""
        today = self.on(on)
        clean = []
        for consent in consents:
            how = str(consent.get("how", "")).strip()
            if how not in CONSENT_HOW:
                raise ServiceError("请选择当事人同意的方式：签字、口头或书面。")
            item = {"name": str(consent.get("name", "")).strip(), "how": how,
                    "on": as_date(consent.get("on") or today).isoformat()}
            clean.append(item)
        return self._act(officer, record, "dispute.extended", {
            "on": today, "new_due": as_date(new_due).isoformat(), "reason": reason.strip(),
            "consents": clean})


    def referral_choices(self, record: str = "") -> list[str]:
        """Where a failed mediation may go from this level: the routes the dispute's type
        allows (dispute_referrals; 劳资 to labour arbitration, never straight to court),
        then 上报 one level up."""
        dispute_type = self.dispute(record).dispute_type if record else None
        up = ESCALATION_BY_LEVEL.get(self.level)
        return list(referral_routes(dispute_type)) + ([up] if up else [])

    def referral_hint(self, route: str) -> str:
        """What the parties are told about a route (shown with the choice)."""
        return REFERRAL_HINTS.get(route, "")

    def towns(self) -> list[dict[str, str]]:
        """The towns this county may hand a dispute down to: [{hub, name}]."""
        return towns(self.conn)

    def assign(self, officer: Cadre, record: str, *, town: str, reason: str,
               report_by: date | str | None = None, on: date | str | None = None
               ) -> dict[str, Any]:
        """交办 (county only): the town's 矛盾调处化解中心 mediates it from now on (its month
        starts that day) and the result comes back up."""
        target = next((t for t in self.towns() if town in (t["hub"], t["name"])), None)
        if target is None:
            raise ServiceError("请从列表里选择交办的镇（列表里没有的镇还没有同步到本机）。")
        payload: dict[str, Any] = {"on": self.on(on), "to": target["name"],
                                   "to_node": target["hub"], "reason": reason.strip()}
        if report_by:
            payload["report_by"] = as_date(report_by).isoformat()
        return self._act(officer, record, "dispute.assigned", payload, target["hub"])


    def record_failure(self, officer: Cadre, record: str, *, reason: str, referral_to: str,
                       unit: str = "", note: str = "", on: date | str | None = None
                       ) -> dict[str, Any]:
        """调解不成 and where it goes: 诉讼, 行政调解, 司法调解, or 上报 the town (from a
        village) / the county (from the town) 调处中心, which hands the record up."""
        referral: dict[str, Any] = {"to": referral_to}
        if unit.strip():
            referral["unit"] = unit.strip()
        if note.strip():
            referral["note"] = note.strip()
        owner = self.upper_hub() if referral_to == ESCALATION_BY_LEVEL.get(self.level) else None
        return self._act(officer, record, "dispute.failed",
                         {"on": self.on(on), "reason": reason.strip(), "referral": referral},
                         owner)

    def escalate(self, officer: Cadre, record: str, reason: str,
                 leader: Mapping[str, Any] | str | Cadre | None = None,
                 on: date | str | None = None) -> dict[str, Any]:
        """上报 without a failed session (e.g. beyond the village's power): village → town
        调处中心 → county; the hub above becomes the owner."""
        payload: dict[str, Any] = {"on": self.on(on), "reason": reason.strip()}
        if named(leader):
            payload["leader"] = named(leader)
        return self._act(officer, record, "dispute.escalated", payload, self.upper_hub())


    def revisit(self, officer: Cadre, record: str, performance: str, method: str = "",
                note: str = "", by: Mapping[str, Any] | str | Cadre | None = None,
                on: date | str | None = None) -> dict[str, Any]:
        """回访: how the agreement is performed (全部履行 closes the dispute)."""
        if performance not in PERFORMANCE:
            raise ServiceError("请选择协议履行情况：" + "、".join(PERFORMANCE) + "。")
        if method and method not in REVISIT_METHODS:
            raise ServiceError("回访方式只能选 上门、电话 或 其他。")
        payload: dict[str, Any] = {"on": self.on(on), "by": named(by) or person(officer),
                                   "performance": performance}
        if method:
            payload["method"] = method
        if note.strip():
            payload["note"] = note.strip()
        return self._act(officer, record, "dispute.revisited", payload)


__all__ = ["ACTION_LABELS", "CONSENT_HOW", "DisputeFilter", "DisputeForm",
           "DisputeIntake", "Disputes", "IntakeLinks", "PartyForm", "REVISIT_METHODS",
           "Reminder", "ScreeningFinding", "ScreeningForm"]
