"""信访登记: letters, visits, calls and online petitions — how it came, category (建议意见 /
申诉求决; 检举控告 has its own sealed form), the petitioners (add or remove rows), a group
visit with at most five representatives, what is asked; a 复查/复核 request names the
answer it contests. Before saving, Petitions.preview shows the earlier records of the
same people (a wrong link can be unticked), 初信初访, and what the level rules say: a
proposed 不予受理 for a petition that skipped a level (越级), or the window and stage of a
复查/复核 request. The officer decides on the petition's own screen after saving."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.domain import check_id_number, check_phone
from app.domain.dispute.links import is_first_time
from app.domain.petition.state import CHANNELS, OPEN_CATEGORIES
from app.services.errors import ServiceError
from app.services.petitions import PetitionerForm, PetitionForm
from app.ui.links import kept, show_links
from app.ui.widgets import Body, Card, ChoiceButton, Page, esc, red

CHANNEL_OPTIONS = list(CHANNELS)
CATEGORY_OPTIONS = list(OPEN_CATEGORIES)


class PetitionerRow(BoxLayout):
    number = NumericProperty(1)
    removable = BooleanProperty(False)
    screen = ObjectProperty(None)

    def petitioner(self) -> PetitionerForm:
        ids = self.ids
        return PetitionerForm(name=ids.name.text.strip(), phone=ids.phone.text.strip(),
                              id_number=ids.id_number.text.strip(),
                              address=ids.address.text.strip())

    def check_fields(self) -> None:
        ids = self.ids
        phone = ids.phone.text.strip()
        result = check_phone(phone) if phone else None
        ids.phone.error = "" if result is None or result.ok else result.message
        number = ids.id_number.text.strip()
        checked = check_id_number(number, today=self.screen.app.today()) if number else None
        ids.id_number.error = "" if checked is None or checked.ok else checked.message


class AppealButton(ChoiceButton):
    """One earlier answer a 复查/复核 request may contest."""


class PetitionIntakeScreen(Page):
    done = BooleanProperty(False)
    appeal = BooleanProperty(False)
    town_level = BooleanProperty(False)
    appeal_of = StringProperty("")
    first_time_text = StringProperty("")
    result = None
    from_visit = ""     # the 来访登记 this petition is registered from (issue #8 §3)

    def show(self, from_visit: str = "", **_params) -> None:
        self.new()
        self.from_visit = ""
        if from_visit:
            self.fill_from_visit(from_visit)

    def fill_from_visit(self, record: str) -> None:
        """The visitor as petitioner, the visit's matter as the summary, 来访 as channel."""
        from app.services.frontdesk import visit
        from app.services.visit_conversions import petition_form
        try:
            form = petition_form(visit(self.app.conn, record))
        except ServiceError as exc:
            self.app.say(exc.message, error=True)
            return
        self.from_visit = record
        ids = self.ids
        ids.channel.value = form.channel
        ids.summary.text, ids.request.text = form.summary, form.request
        ids.received_at.text = str(form.received_at or ids.received_at.text)
        first = self.rows()[0].ids
        person = form.petitioners[0]
        first.name.text, first.phone.text, first.address.text = (person.name, person.phone,
                                                                 person.address)

    def new(self) -> None:
        app, ids = self.app, self.ids
        self.done = False
        self.appeal = False
        self.appeal_of = ""
        self.result = None
        self._preview = None
        self.town_level = app.level != "village"
        ids.channel.value = ""
        ids.category.value = ""
        ids.received_at.text = app.now().strftime("%Y-%m-%d %H:%M")
        for key in ("summary", "request", "group_size", "representatives", "village"):
            ids[key].text = ""
            ids[key].error = ""
        ids.error.text = ""
        ids.petitioners.clear_widgets()
        self.add_petitioner()
        self._fill_appealable()
        self._show_preview(None)
        ids.scroll.scroll_y = 1

    def add_petitioner(self) -> None:
        box = self.ids.petitioners
        box.add_widget(PetitionerRow(screen=self))
        self._renumber()

    def remove_petitioner(self, row: PetitionerRow) -> None:
        self.ids.petitioners.remove_widget(row)
        self._renumber()
        self.check()

    def _renumber(self) -> None:
        rows = self.rows()
        for number, row in enumerate(rows, 1):
            row.number = number
            row.removable = len(rows) > 1

    def rows(self) -> list[PetitionerRow]:
        return list(reversed(self.ids.petitioners.children))

    # 复查/复核 ----------------------------------------------------------------------------
    def toggle_appeal(self) -> None:
        self.appeal = not self.appeal
        if not self.appeal:
            self.appeal_of = ""
        self.check()

    def _fill_appealable(self) -> None:
        box = self.ids.appealable
        box.clear_widgets()
        try:
            rows = self.app.petitions.appealable()
        except ServiceError:
            rows = []
        if not rows:
            box.add_widget(Body(text="本机没有已经答复、还能请求复查或复核的信访事项。"))
        for row in rows[:20]:
            names = row.get("petitioners") or ""
            button = AppealButton(
                text=f"{esc(names)} · {esc((row.get('summary') or '')[:24])}\n"
                     f"[size=17sp]{row['stage']}意见 {row.get('answered_on') or ''} 答复 · "
                     f"可请求{row['next_stage']} · {esc(row.get('window') or '')}[/size]",
                value=row["record"], group=f"appeal-{id(self)}")
            button.bind(on_release=self._appeal_picked)
            box.add_widget(button)

    def _appeal_picked(self, button) -> None:
        self.appeal_of = button.value if button.state == "down" else ""
        self.check()

    # the form and its preview -----------------------------------------------------------
    def form(self) -> PetitionForm:
        ids = self.ids
        size = ids.group_size.text.strip()
        return PetitionForm(
            channel=ids.channel.value, category=ids.category.value,
            petitioners=[row.petitioner() for row in self.rows()],
            summary=ids.summary.text.strip(), request=ids.request.text.strip(),
            village=ids.village.text.strip() if self.town_level else "",
            group_size=int(size) if size.isdigit() else None,
            representatives=[r for r in ids.representatives.text.replace("，", "、")
                             .replace(",", "、").split("、") if r.strip()],
            received_at=ids.received_at.text.strip() or None,
            appeal_of=self.appeal_of if self.appeal else "")

    def check(self) -> None:
        """Ask the service what this petition is (links, 初信初访, 越级 or appeal check)."""
        form = self.form()
        if not any(p.name for p in form.petitioners) or not form.channel:
            self._show_preview(None)
            return
        try:
            preview = self.app.petitions.preview(form)
        except ServiceError as exc:
            self.ids.error.text = exc.message
            return
        self.ids.error.text = ""
        self._show_preview(preview)

    def _show_preview(self, preview) -> None:
        self._preview = preview
        links = list(preview.links) if preview else []
        self._links = links
        show_links(self.ids.links, self.ids.links_hint, self.app, links, self._update_flag)
        self._update_flag()
        box = self.ids.rules
        box.clear_widgets()
        if preview is None:
            box.add_widget(Body(text="选好信访形式、填好信访人后，这里显示逐级受理的检查结果。"))
            return
        if preview.appeal is not None:
            appeal = preview.appeal
            card = Card(tone="red" if appeal.proposal else "green")
            card.add_widget(Body(text=f"[b]{esc(preview.stage)}请求[/b]：{esc(appeal.message)}"))
            if appeal.window_end is not None:
                card.add_widget(Body(text=f"请求期限截止 {appeal.window_end.date.isoformat()}"))
            if appeal.proposal:
                card.add_widget(Body(text=red(f"建议不予受理：{esc(appeal.proposal.label)}。"
                                              f"告知信访人：{esc(appeal.proposal.where_to_go)}")))
            box.add_widget(card)
        elif preview.proposal is not None:
            proposal = preview.proposal
            card = Card(tone="red")
            message = proposal.message if proposal.label in proposal.message else \
                f"建议不予受理：{proposal.label}。{proposal.message}"
            card.add_widget(Body(text=red(esc(message))))
            if proposal.where_to_go not in message:
                card.add_widget(Body(text=f"告知信访人：{esc(proposal.where_to_go)}"))
            card.add_widget(Body(text="可以照常登记；登记后在这件信访里确认不予受理，"
                                      "或写明理由后受理（理由会记录在案）。"))
            box.add_widget(card)
        else:
            card = Card(tone="green")
            if self.app.level == "village":
                card.add_widget(Body(text="村委会不是信访工作机构：在这里登记后，由镇里在15日内作出受理"
                                          "决定并告知信访人；村里可以帮助群众、跟进进展。"))
            else:
                card.add_widget(Body(text="逐级受理检查：本级可以受理，请在15日内作出受理决定并告知信访人。"))
            if preview.hint:
                card.add_widget(Body(text=esc(preview.hint)))
            box.add_widget(card)

    def _update_flag(self) -> None:
        keep = set(kept(self.ids.links))
        if self.appeal:
            self.first_time_text = "复查/复核请求（不算初信初访）"
            return
        first = is_first_time([link for link in self._links if link.record in keep])
        self.first_time_text = ("初信初访：是（第一次反映，优先办理）" if first else
                                red("不是初信初访：同一人以前反映过同一件事（重复信访）"))

    # saving ------------------------------------------------------------------------------
    def save(self) -> None:
        ids = self.ids
        shown = {link.record for link in self._links}
        self.check()
        if {link.record for link in self._links} - shown:
            ids.error.text = "找到了以前的相关记录（见“查重”），请核对后再点保存。"
            return
        if self.appeal and not self.appeal_of:
            ids.error.text = "请在“复查/复核”里点选信访人不服的那件答复。"
            return
        try:
            self.result = self.app.petitions.register(self.app.user, self.form(),
                                                      keep_links=kept(ids.links),
                                                      from_visit=self.from_visit or None)
        except ServiceError as exc:
            problems = exc.problems or [exc.message]
            ids.error.text = "还不能保存：\n" + "\n".join(f"· {esc(p)}" for p in problems)
            return
        self.app.refresh_status()
        self._show_result()

    def _show_result(self) -> None:
        intake, ids = self.result, self.ids
        preview = intake.preview
        form = self.form()
        if intake.referred:
            ids.result_text.text = (
                f"信访人{esc('、'.join(p.name for p in form.petitioners))}的{esc(preview.stage)}请求"
                "不在本系统内办理，已登记在原答复上（请求日期和转往的上级机关），请告知信访人向上级提出。")
            self.done = True
            ids.scroll.scroll_y = 1
            return
        lines = [f"回执编号：{esc(intake.receipt_no)}（信访人凭回执编号和手机号后四位可以查询办理进度）",
                 f"信访人：{esc('、'.join(p.name for p in form.petitioners))}",
                 f"形式：{form.channel}　类别：{form.category}　阶段：{preview.stage}",
                 "初信初访：是" if preview.first_time and not form.appeal_of
                 else "初信初访：否"]
        proposal = preview.proposal
        if proposal is not None:
            lines.append(red(f"建议不予受理：{esc(proposal.label)}。请在这件信访里确认，"
                             "或写明理由后受理。"))
        elif self.app.level == "village":
            lines.append("已登记，镇里会在15日内作出受理决定并书面告知信访人。")
        else:
            lines.append("请在15日内作出受理决定并书面告知信访人。")
        ids.result_text.text = "\n".join(lines)
        self.done = True
        ids.scroll.scroll_y = 1

    def open_petition(self) -> None:
        self.app.go("petition", record=self.result.record)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
