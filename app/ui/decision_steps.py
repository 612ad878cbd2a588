"""The record of one 四议两公开 step on the tablet (issue #12 §3): the form of each kind of
step (RULES.md §3 records per step: date, content, place, form, participants,
signatures or a photo of the signed sheet, township attendees, minutes, the notice period
and 监督意见 …), and for a vote the attendance sheet — one line per person who should
attend (应到, from the roster for the body chosen), ticked 到场 / 电话 / 视频 / 缺席 with the
vote — and the quorum and vote counted live by the pure rules (meetings.tally, exact
fractions), written proxies recorded beside it (not counted, by default)."""
from __future__ import annotations

from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from app.domain.decisions import meetings
from app.domain.decisions import roster as rosters
from app.domain.decisions.procedure import StepDef
from app.services.errors import ServiceError
from app.ui import style
from app.ui.widgets import Body, ChoiceRow, Small, esc, red

ABSENT = "缺席"
MODES = [meetings.IN_PERSON, meetings.PHONE, meetings.VIDEO, ABSENT]
BODY_CHOICES = [meetings.REPRESENTATIVES, meetings.VILLAGERS]
COMMON = [("date", "日期", "date", True), ("content", "议题和内容", "long", True)]
MEETING = [("place", "地点", "text", True), ("form", "会议形式（如 现场会议）", "text", True)]
SIGNED = [("signatures", "参会人员签名（写“见签名页照片”并拍照）", "text", True),
          ("photo", "签名页照片", "photo", False)]
KIND_SPECS = {
    "consultation": [("method", "征求意见方式（座谈、入户、问卷）", "text", True),
                     ("participants", "参加人数和范围", "text", True),
                     ("opinions", "意见汇总", "long", True)],
    "meeting": [*MEETING, ("participants", "参加人员", "text", True), *SIGNED,
                ("outcome", "会议结果", "choice:outcomes", True)],
    "vote": [*MEETING, ("township_attendees", "镇里参会人员（每行：姓名 职务）", "long", True),
             ("minutes", "会议记录", "long", True), *SIGNED,
             ("plan_sent", "方案送达党员的日期（党员大会，须提前3天）", "date", False),
             ("announced_on", "村民会议通知日期（须提前10天）", "date", False)],
    "publicity": [("place", "公开地点或渠道（如 村务公开栏、微信群）", "text", True),
                  ("period_start", "公开开始日期", "date", True),
                  ("period_end", "公开结束日期", "date", True),
                  ("supervision_opinions", "收到的监督意见（没有写“无”）", "long", True),
                  ("photo", "公开栏照片", "photo", False)],
    "implementation": [("done_on", "完成日期", "date", True), ("notes", "实施情况", "long", True),
                       ("approvals", "已取得的审批（每行一项，没有不填）", "long", False),
                       ("photo", "实施情况照片", "photo", False)],
}
OPTION_LISTS = {"outcomes": ["通过", "未通过"], "sources": ["党员群众建议", "村干部提议", "上级安排"],
                "bodies": BODY_CHOICES}


def step_spec(step: StepDef, first: bool) -> list[tuple[str, str, str, bool]]:
    spec = list(COMMON)
    if first:
        spec.append(("motion_source", "动议事由", "choice:sources", True))
    if step.kind == "vote" and step.body not in meetings.BODIES:
        spec.append(("body", "会议", "choice:bodies", True))
    return spec + KIND_SPECS[step.kind]


def step_fields(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's ``fields`` and the other arguments of ``record_step`` from the form."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, _label, kind, _required in form.spec:
        value = form.value(key)
        if not value or kind == "photo" or key == "joint":
            continue
        if key == "body":
            extra["body"] = value
        elif key == "plan_sent":
            extra["plan_day"] = value
        elif key == "township_attendees":
            fields[key] = [{"name": parts[0], **({"post": " ".join(parts[1:])} if parts[1:] else {})}
                           for line in value.splitlines() if (parts := line.split())]
        elif key == "approvals":
            fields[key] = [line.strip() for line in value.splitlines() if line.strip()]
        else:
            fields[key] = value
    return fields, extra


class AttendanceSheet(BoxLayout):
    """应到 people of the meeting's body, each with how they attend and how they voted;
    the tally under it is the rules' own (what the record will be judged by)."""

    def __init__(self, service: Any, record: str, step: StepDef, form: Any, body: str = "",
                 heading: str = "", **kwargs) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=dp(6), **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.service, self.record, self.step, self.form = service, record, step, form
        self.fixed_body = body
        self.heading = heading
        self.rows: dict[str, tuple[ChoiceRow, ChoiceRow]] = {}
        self.body = ""
        self.tally = Body(text="")
        self.proxies_field = None
        self.refresh_people()

    def _body(self) -> str:
        if self.fixed_body:
            return self.fixed_body
        return self.step.body if self.step.body in meetings.BODIES else self.form.value("body")

    def expected(self) -> list[Any]:
        people = self.service.view(self.record).context.people
        body, on = self._body(), self.service.today()
        if body == meetings.PARTY:
            return rosters.party_voters(people)
        if body == meetings.REPRESENTATIVES:
            return rosters.representatives_members(people)
        if body == meetings.VILLAGERS:
            return rosters.adults(people, on)
        return []

    def refresh_people(self) -> None:
        body = self._body()
        if body == self.body and self.rows:
            self.update_tally()
            return
        self.body = body
        self.clear_widgets()
        self.rows = {}
        if not body:
            self.add_widget(Small(text="先选择会议，再登记出席和表决。"))
            return
        people = self.expected()
        self.add_widget(Small(text=f"出席和表决（{esc(self.heading or body)}，应到{len(people)}人，按花名册）",
                              color=style.TEXT))
        if not people:
            self.add_widget(Body(text=red("花名册里没有应到人员，请先在花名册中登记。")))
        for person in people:
            line = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(2))
            line.bind(minimum_height=line.setter("height"))
            line.add_widget(Small(text=esc(person.name), color=style.TEXT))
            mode = ChoiceRow(options=MODES, value=ABSENT)
            vote = ChoiceRow(options=list(meetings.VOTES))
            mode.bind(value=lambda *_a: self.update_tally())
            vote.bind(value=lambda *_a: self.update_tally())
            line.add_widget(mode)
            line.add_widget(vote)
            self.add_widget(line)
            self.rows[person.id] = (mode, vote)
        from app.ui.widgets import Field
        self.proxies_field = Field(label="书面委托（每行：委托人姓名 受托人姓名；记录在案，不计入实到）",
                                   multiline=True, lines=2)
        self.proxies_field.bind(text=lambda *_a: self.update_tally())
        self.add_widget(self.proxies_field)
        self.add_widget(self.tally)
        self.update_tally()

    def attendance(self) -> list[dict[str, Any]]:
        out = []
        for person, (mode, vote) in self.rows.items():
            if mode.value and mode.value != ABSENT:
                out.append({"person": person, "mode": mode.value, "vote": vote.value or None})
        return out

    def proxies(self) -> list[dict[str, str]]:
        if self.proxies_field is None:
            return []
        by_name = {p.name: p.id for p in self.expected()}
        out = []
        for line in self.proxies_field.text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in by_name:
                out.append({"principal": by_name[parts[0]], "holder": parts[1],
                            "scope": "本次会议"})
        return out

    def update_tally(self) -> None:
        if not self.body:
            return
        try:
            result = self.service.preview(self.record, self.body, self.attendance(),
                                          self.proxies())
        except ServiceError as exc:
            self.tally.text = red(esc(exc.message))
            return
        names = {p.id: p.name for p in self.expected()}
        self.tally.text = esc(result.explain(names))

    def payload(self) -> dict[str, Any]:
        """``record_step``'s arguments: body, attendance, proxies, plan deliveries."""
        out: dict[str, Any] = {"body": self.body, "attendance": self.attendance(),
                               "proxies": self.proxies()}
        return out
