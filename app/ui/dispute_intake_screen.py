"""矛盾纠纷登记: intake at any hour — when it was received, type, the parties (add or remove
rows: name, role, phone, ID number, address), summary, 激化风险 低/中/高, and, before
saving, the earlier records of the same people or matter with the 初信初访 flag; the
officer drops a link that is wrong by unticking it.

Every rule is the service's: Disputes.links_for (what is shown), Disputes.register (checks
everything again and writes one event or nothing); the signed-in cadre is 首问负责人."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.domain import check_id_number, check_phone
from app.domain.dispute.links import is_first_time
from app.domain.dispute.state import DISPUTE_TYPES, METHODS, PARTY_ROLES, RISK_LEVELS, SOURCES
from app.services.disputes import DisputeForm, PartyForm
from app.services.errors import ServiceError
from app.ui.links import kept, show_links
from app.ui.widgets import Body, Card, Field, Page, esc, red

TYPE_OPTIONS = list(DISPUTE_TYPES)
ROLE_OPTIONS = list(PARTY_ROLES)
RISK_OPTIONS = list(RISK_LEVELS)
SOURCE_OPTIONS = list(SOURCES)
METHOD_OPTIONS = list(METHODS)
RISK_HINTS = {"低": "低：一般矛盾，村里调解。",
              "中": "中：有激化苗头，要抓紧调解，注意跟进。",
              "高": "高：可能引发冲突或越级上访。保存后，下次同步时镇里会收到提醒，"
                    "在镇里认领包案前一直显示在镇里首页。"}


class PartyRow(BoxLayout):
    """One party of the dispute; ``number`` is its place in the list (1, 2 …); a row can
    be removed only while more than two are left (both sides must be there)."""
    number = NumericProperty(1)
    removable = BooleanProperty(False)
    screen = ObjectProperty(None)

    def party(self) -> PartyForm:
        ids = self.ids
        return PartyForm(name=ids.name.text.strip(), role=ids.role.value,
                         phone=ids.phone.text.strip(), id_number=ids.id_number.text.strip(),
                         address=ids.address.text.strip())

    def check_phone_field(self) -> None:
        field = self.ids.phone
        result = check_phone(field.text) if field.text.strip() else None
        field.error = "" if result is None or result.ok else result.message

    def check_id_field(self) -> None:
        field = self.ids.id_number
        if not field.text.strip():
            field.error = ""
            return
        result = check_id_number(field.text, today=self.screen.app.today())
        field.error = "" if result.ok else result.message


class DisputeIntakeScreen(Page):
    done = BooleanProperty(False)
    more = BooleanProperty(False)
    town_level = BooleanProperty(False)
    first_time_text = StringProperty("")
    result = None
    from_visit = ""     # the 来访登记 this dispute is registered from (issue #8 §3)

    def show(self, from_visit: str = "", **_params) -> None:
        self.new()
        self.from_visit = ""
        if from_visit:
            self.fill_from_visit(from_visit)

    def fill_from_visit(self, record: str) -> None:
        """The visitor as 申请人, the visit's matter as the summary, its time as received."""
        from app.services.frontdesk import visit
        from app.services.visit_conversions import dispute_form
        try:
            form = dispute_form(visit(self.app.conn, record))
        except ServiceError as exc:
            self.app.say(exc.message, error=True)
            return
        self.from_visit = record
        ids = self.ids
        ids.summary.text = form.summary
        ids.received_at.text = str(form.received_at or ids.received_at.text)
        first = self.rows()[0].ids
        party = form.parties[0]
        first.name.text, first.phone.text, first.address.text = (party.name, party.phone,
                                                                 party.address)
        ids.officer.text += "\n从来访登记转来：请补上另一方当事人，选纠纷类型和激化风险。"

    # the form ---------------------------------------------------------------------------
    def new(self) -> None:
        app, ids = self.app, self.ids
        self.done = False
        self.more = False
        self.result = None
        self._shown_links: list = []
        self.override = None
        ids.levels.clear_widgets()
        self.town_level = app.level != "village"
        ids.received_at.text = app.now().strftime("%Y-%m-%d %H:%M")
        ids.received_at.error = ""
        ids.summary.text = ""
        ids.summary.error = ""
        ids.dispute_type.value = ""
        ids.risk.value = ""
        ids.source.value = SOURCES[0]
        ids.method.value = METHODS[0]
        ids.error.text = ""
        villages = app.disputes.villages() if self.town_level else []
        ids.village.options = villages
        ids.village.value = ""
        ids.village_other.text = ""
        officer = app.user
        ids.officer.text = (f"首问负责人：{esc(officer.name)}（{esc(officer.post)}）"
                            if officer else "")
        ids.parties.clear_widgets()
        self.add_party("申请人")
        self.add_party("被申请人")
        self._show_links([])
        ids.scroll.scroll_y = 1

    def add_party(self, role: str = "") -> None:
        box = self.ids.parties
        row = PartyRow(screen=self, number=len(box.children) + 1)
        row.ids.role.value = role
        box.add_widget(row)
        self._renumber()

    def remove_party(self, row: PartyRow) -> None:
        box = self.ids.parties
        if len(box.children) <= 2:
            self.ids.error.text = "纠纷至少要有双方当事人，这一行不能删除；可以改写内容。"
            return
        box.remove_widget(row)
        self._renumber()
        self.check_links()

    def _renumber(self) -> None:
        rows = self.rows()
        for number, child in enumerate(rows, 1):
            child.number = number
            child.removable = len(rows) > 2

    def rows(self) -> list[PartyRow]:
        return list(reversed(self.ids.parties.children))

    def village(self) -> str:
        if not self.town_level:
            return ""
        return self.ids.village_other.text.strip() or self.ids.village.value

    def form(self) -> DisputeForm:
        ids = self.ids
        return DisputeForm(dispute_type=ids.dispute_type.value,
                           parties=[row.party() for row in self.rows()],
                           summary=ids.summary.text.strip(), risk=ids.risk.value,
                           received_at=ids.received_at.text.strip() or None,
                           village=self.village(), source=ids.source.value or SOURCES[0],
                           method=ids.method.value or METHODS[0])

    # links ----------------------------------------------------------------------------
    def check_links(self) -> list:
        """Ask the service which earlier records look like the same person or matter and
        show them (ticked: kept), with the 初信初访 flag. Returns the links found."""
        form = self.form()
        if not any(p.name for p in form.parties):
            self._show_links([])
            return []
        try:
            checked = self.app.disputes.links_for(form)
        except ServiceError as exc:
            self.ids.error.text = exc.message
            return self._shown_links
        found = list(checked.links)
        self._show_links(found)
        self._show_levels(checked.proposal)
        return found

    def _show_levels(self, proposal) -> None:
        """分级调处 (dispute_levels): an upper 调处中心 is told where the parties should go
        first, and may take it with a written reason.  The reason field exists only then."""
        box = self.ids.levels
        reason = self.override.text if getattr(self, "override", None) else ""
        box.clear_widgets()
        self.override = None
        if not proposal:
            return
        card = Card(tone="red")
        card.add_widget(Body(text=red(esc(proposal.get("message") or proposal.get("label", "")))))
        self.override = Field(label="如确需本级受理，写明理由（会记录在案）", text=reason,
                              hint="例如 跨村纠纷；村干部是一方当事人")
        card.add_widget(self.override)
        box.add_widget(card)

    def _show_links(self, links: list) -> None:
        self._shown_links = links
        show_links(self.ids.links, self.ids.links_hint, self.app, links,
                   self._update_first_time)
        self._update_first_time()

    def kept_links(self) -> list[str]:
        return kept(self.ids.links)

    def _update_first_time(self) -> None:
        kept = set(self.kept_links())
        first = is_first_time([link for link in self._shown_links if link.record in kept])
        self.first_time_text = (
            "初信初访：是（第一次反映这件事，优先办理）" if first else
            red("不是初信初访：同一人以前反映过同一件事（重复反映），已关联在一起"))

    # saving -----------------------------------------------------------------------------
    def save(self) -> None:
        ids = self.ids
        ids.error.text = ""
        shown = {link.record for link in self._shown_links}
        found = self.check_links()
        if {link.record for link in found} - shown:
            ids.error.text = (f"找到 {len(found)} 件可能相关的以前的记录（见“查重”），"
                              "请核对：不是同一件事的去掉勾，然后再点保存。")
            ids.scroll.scroll_to(ids.links_card, animate=False)
            return
        try:
            self.result = self.app.disputes.register(
                self.app.user, self.form(), keep_links=self.kept_links(),
                override_reason=self.override.text if getattr(self, "override", None) else "",
                from_visit=self.from_visit or None)
        except ServiceError as exc:
            problems = exc.problems or [exc.message]
            ids.error.text = "还不能保存：\n" + "\n".join(f"· {esc(p)}" for p in problems)
            return
        self.app.refresh_status()
        self._show_result()

    def _show_result(self) -> None:
        intake, ids = self.result, self.ids
        form = self.form()
        ids.ledger_no.text = esc(intake.ledger_no)
        lines = [f"纠纷类型：{esc(form.dispute_type)}",
                 "当事人：" + "、".join(f"{esc(p.name)}（{p.role}）" for p in form.parties),
                 f"激化风险：{red('高') if form.risk == '高' else form.risk}",
                 "初信初访：是" if intake.first_time else red("重复反映（不是初信初访）"),
                 f"首问负责人：{esc(self.app.user.name)}"]
        if intake.links:
            lines.append(f"已关联以前的记录 {len(intake.links)} 件")
        if intake.alert:
            lines.append(red("激化风险高：下次同步后镇里会收到提醒，请及时同步。"))
        ids.result_text.text = "\n".join(lines)
        self.done = True
        ids.scroll.scroll_y = 1

    def open_dispute(self) -> None:
        self.app.go("dispute", record=self.result.record)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
