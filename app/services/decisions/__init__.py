"""村级民主决策 (issue #12) as a workflow service: the matter file (一事一档), filing with
the town before deciding (决策前论证备案), the 四议两公开 steps with meetings judged against
the roster, 决议公开 / 实施结果公开, the village register (roster, 村民会议 authorisations,
村务公开) and the town's inbox.

Every write is checked first by replaying the matter with the new event at the end
(base.py): what the fold would keep
as rejected is refused here with the same Chinese message, and nothing is written.

API (dates ``date`` or "YYYY-MM-DD"):
    VillageDecisions(station, today=date.today, now=None)
    village side: .set_people(officer, entries, removed=()), .roster(), .roster_warnings(),
        .authorise(officer, scope=, since=, until=None, record=), .publish(officer, …),
        .open_matter(officer, title=, motion_source=, reason=, kinds=, …) -> record,
        .submit_filing(officer, record, legality=, feasibility=, consultation=, options=,
        assessment=None), .record_step(officer, record, step, fields, …), .step_back(…)
    town side: .review_filing(officer, record, result=, asked="", reasons="")
    reading: .view(record) -> MatterView, .matters(village=None), .inbox(),
        .preview(record, step, body, attendance, …) -> MeetingResult, .publicity(village)

Modules by concept: base (rules, the replay check, ``view``), register (roster,
authorisations, 村务公开), steps (the writes on a matter), reading (PDF, tally, lists), notices (决议公开 / 实施结果公开 for the board), sources (民意台账 → matter).
"""
from __future__ import annotations

from app.services.decisions.base import MatterView
from app.services.decisions.notices import NoticeService
from app.services.decisions.reading import ReadingService
from app.services.decisions.register import RegisterService
from app.services.decisions.sources import SourceService


class VillageDecisions(SourceService, NoticeService, ReadingService, RegisterService):
    """The whole decision service (the modules' parts over one ``DecisionsBase``)."""


__all__ = ["MatterView", "VillageDecisions"]
