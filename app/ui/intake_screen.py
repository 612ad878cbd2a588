"""受理: applicant (ID and phone checked as they are typed), the matter from the catalog by
category, the materials checklist (what is missing goes on the 一次性告知单), summary and
handling mode. Saving shows the receipt number big, with the one-time notice, and offers
the printouts when the document module is there.

A matter finished on the spot (当场办结, handled at this level) with every material there
offers 受理并办结: the result is written here and both steps are saved at once. Opened from a
来访登记 (``show(from_visit=…)``), the form comes filled with what the visit recorded and
the visit is linked to the new case. A village without the matter in the catalog can
apply for a matter of its own (本村事项).

Every rule is the domain's: check_phone, check_id_number, one_time_notice, suggest_mode;
Desk.intake / intake_and_finish check everything again and write or write nothing."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.togglebutton import ToggleButton

from app.domain import check_id_number, check_phone, one_time_notice, suggest_mode
from app.domain.config import quick_phrases
from app.services.desk import MODES, Intake, IntakeForm
from app.services.errors import ServiceError
from app.services.printing import docs_available, print_notice, print_receipt
from app.ui.phrases import add_with_phrases
from app.ui.print_dialog import print_paper
from app.ui.widgets import BigButton, Body, CheckRow, Field, Page, Small, esc, red

MATTER_LEVEL = {"village": "村里办理", "town": "镇里办理", "county": "县里办理"}
MODE_OPTIONS = list(MODES)


class MatterButton(ToggleButton):
    code = StringProperty("")


class IntakeScreen(Page):
    done = BooleanProperty(False)
    more = BooleanProperty(False)
    matter = ObjectProperty(None, allownone=True)
    can_print = BooleanProperty(False)
    result: Intake | None = None

    from_visit = StringProperty("")
    result_field = None          # 受理并办结: the result box, when offered

    def show(self, from_visit: str = "", **_params) -> None:
        self.can_print = docs_available()
        self.new()
        if from_visit:
            self.fill_from_visit(from_visit)

    def fill_from_visit(self, record: str) -> None:
        """The form filled with what the 来访登记 recorded (issue #8 §3: no retyping)."""
        from app.services.frontdesk import visit
        from app.services.visit_conversions import case_form
        try:
            row = visit(self.app.conn, record)
        except ServiceError as exc:
            self.app.say(exc.message, error=True)
            return
        form, ids = case_form(row), self.ids
        self.from_visit = record
        ids.name.text, ids.phone.text, ids.summary.text = form.name, form.phone, form.summary
        ids.address.text = form.address
        ids.sex.value = form.sex
        if form.address:
            self.more = True
        at = str(row.get("visited_at") or "")
        when = f"{int(at[5:7])}月{int(at[8:10])}日{at[10:]}" if len(at) >= 10 else at
        ids.from_visit_note.text = (f"从来访登记转来：{esc(row['name'])}，{esc(when)}来访。"
                                    "姓名、电话和事由已经填好，请选择要办的事项。")

    # the form -------------------------------------------------------------------------------
    def new(self) -> None:
        ids = self.ids
        self.done = False
        self.more = False
        self.result = None
        for key in ("name", "phone", "id_number", "group", "address", "summary"):
            ids[key].text = ""
            ids[key].error = ""
            ids[key].ok = ""
        ids.sex.value = ""
        ids.mode.value = ""
        ids.error.text = ""
        ids.from_visit_note.text = ""
        self.from_visit = ""
        self.matter = None
        groups: OrderedDict[str, list] = OrderedDict()
        for matter in self.app.rules.catalog.active_matters(self.app.station.node_id):
            groups.setdefault(matter["category"], []).append(matter)
        self._groups = groups
        ids.category.options = list(groups)
        ids.category.value = ""
        self.pick_category("")
        self._update_notice()

    def pick_category(self, category: str) -> None:
        box = self.ids.matters
        box.clear_widgets()
        if not category:
            box.add_widget(Body(text="先点上面的类别，再点具体事项。"))
            if self.app.level == "village":
                apply = BigButton(text="目录里没有？申请增加本村事项", kind="light")
                apply.bind(on_release=lambda _b: self.app.go("local_matter"))
                box.add_widget(apply)
            return
        for matter in self._groups.get(category, []):
            days = matter["time_limit_working_days"]
            limit = "当场办结" if days == 0 else f"{days}个工作日"
            button = MatterButton(
                text=f"{matter['name']}\n[size=17sp]{MATTER_LEVEL[matter['level']]} · {limit}[/size]",
                code=matter["code"], group=f"matter-{id(self)}",
                state="down" if self.matter and self.matter["code"] == matter["code"] else "normal")
            button.bind(on_release=self._matter_pressed)
            box.add_widget(button)

    def _matter_pressed(self, button: MatterButton) -> None:
        self.pick_matter(button.code if button.state == "down" else "")

    def pick_matter(self, code: str) -> None:
        catalog = self.app.rules.catalog
        self.matter = catalog.matter(code) if code else None
        box = self.ids.materials
        box.clear_widgets()
        if self.matter is None:
            box.add_widget(Body(text="选好事项后，这里列出要带的材料。"))
        else:
            for material in self.matter["materials"]:
                how = f"{material['form']}{material['copies']}份"
                row = CheckRow(text=f"{esc(material['name'])}　[size=17sp][color=4d4f59]"
                                    f"{esc(how)}[/color][/size]")
                row.material = material["name"]
                row.bind(active=lambda *_: self._update_notice())
                box.add_widget(row)
            self.ids.mode.value = suggest_mode(self.matter["level"], self.app.level)
        self._update_notice()

    def present(self) -> list[str]:
        return [row.material for row in reversed(self.ids.materials.children)
                if isinstance(row, CheckRow) and row.active]

    def _update_notice(self) -> None:
        ids = self.ids
        if self.matter is None:
            ids.notice.text = "一次性告知：选好事项并勾选带来的材料后，这里显示还缺哪些材料和承诺办结日期。"
            ids.notice_card.tone = "plain"
            ids.mode_hint.text = ""
            self._on_the_spot(False)
            return
        app = self.app
        rules = app.rules
        notice = one_time_notice(rules.catalog, self.matter["code"], self.present(), app.today(),
                                 rules.calendar)
        lines = [f"承诺时限：{esc(notice.time_limit_text())}"]
        if notice.missing:
            names = "、".join(esc(m["name"]) for m in notice.missing)
            lines.insert(0, red(f"还缺 {len(notice.missing)} 份材料：{names}") +
                         "\n（保存后列在一次性告知单上，一次告诉群众）")
            ids.notice_card.tone = "red"
        else:
            lines.insert(0, "材料已齐全。")
            ids.notice_card.tone = "green"
        ids.notice.text = "\n".join(lines)
        suggested = suggest_mode(self.matter["level"], app.level)
        ids.mode_hint.text = f"建议：{suggested}（此事项由{MATTER_LEVEL[self.matter['level']][:-2]}办理）"
        self._on_the_spot(not notice.missing)

    def _on_the_spot(self, complete: bool) -> None:
        """受理并办结, offered (built, not hidden) for a 当场办结 matter with every material."""
        box = self.ids.on_the_spot
        offered = bool(self.matter) and complete and \
            self.app.desk.finishes_on_the_spot(self.matter["code"])
        if not offered:
            box.clear_widgets()
            self.result_field = None
            return
        if box.children:
            return
        box.add_widget(Small(text="这个事项当场就能办完：写上办理结果，点“受理并办结”，一步登记完。",
                             color=(0.11, 0.11, 0.13, 1)))
        self.result_field = Field(label="办理结果", multiline=True, lines=2)
        add_with_phrases(box, self.result_field,
                         quick_phrases(self.app.rules.config, "done_at_once"))
        finish = BigButton(text="受理并办结", font_size="24sp")
        finish.bind(on_release=lambda _b: self.save(finish=True))
        box.add_widget(finish)
        self.finish_button = finish

    # inline checks ------------------------------------------------------------------------------
    def check_phone_field(self) -> None:
        field = self.ids.phone
        if not field.text.strip():
            field.error, field.ok = "", ""
            return
        result = check_phone(field.text)
        field.error = "" if result.ok else result.message
        field.ok = f"✓ {result.number}" if result.ok else ""

    def check_id_field(self) -> None:
        field = self.ids.id_number
        if not field.text.strip():
            field.error, field.ok = "", ""
            return
        result = check_id_number(field.text, today=self.app.today())
        field.error = "" if result.ok else result.message
        if result.ok:
            sex = result.sex or ""
            field.ok = f"✓ 出生日期 {result.birth_date.isoformat()}" + (f"，{sex}" if sex else "")
            if sex in ("男", "女") and not self.ids.sex.value:
                self.ids.sex.value = sex

    # saving -------------------------------------------------------------------------------------
    def form(self) -> IntakeForm:
        ids = self.ids
        return IntakeForm(name=ids.name.text, phone=ids.phone.text,
                          matter_code=self.matter["code"] if self.matter else "",
                          summary=ids.summary.text, sex=ids.sex.value,
                          id_number=ids.id_number.text, group=ids.group.text,
                          address=ids.address.text, materials_present=self.present(),
                          mode=ids.mode.value)

    def save(self, finish: bool = False) -> None:
        ids = self.ids
        ids.name.error = "" if ids.name.text.strip() else "请填写群众姓名。"
        if not ids.phone.text.strip():
            ids.phone.error = "请输入联系电话（手机或带区号的座机）。"
        else:
            self.check_phone_field()
        self.check_id_field()
        ids.summary.error = "" if ids.summary.text.strip() else "请简要写明群众要办的事。"
        try:
            if finish:
                result = self.result_field.text if self.result_field else ""
                self.result = self.app.desk.intake_and_finish(
                    self.app.user, self.form(), result, from_visit=self.from_visit or None)
            else:
                self.result = self.app.desk.intake(self.app.user, self.form(),
                                                   from_visit=self.from_visit or None)
        except ServiceError as exc:
            ids.error.text = "还不能保存：" + "；".join(exc.problems or [exc.message])
            return
        self.finished = finish
        ids.error.text = ""
        self.app.refresh_status()
        self._show_result()

    def _show_result(self) -> None:
        intake, ids = self.result, self.ids
        notice = intake.notice
        ids.receipt.text = intake.receipt_no
        ids.done_title.text = ("受理并办结。回执编号：" if getattr(self, "finished", False)
                               else "受理成功。回执编号：")
        officer = self.app.user
        lines = [
            f"申请人：{esc(ids.name.text.strip())}",
            f"事项：{esc(notice.matter['name'])}",
            f"承诺时限：{esc(notice.time_limit_text())}",
            f"首接责任人：{esc(officer.name)}（{esc(officer.post)}）",
            f"办理方式：{ids.mode.value or suggest_mode(notice.matter['level'], self.app.level)}"]
        if getattr(self, "finished", False) and self.result_field is not None:
            lines.append(f"办理结果：{esc(self.result_field.text.strip())}（已办结，请告诉群众并登记评价）")
        ids.result_text.text = "\n".join(lines)
        if notice.missing:
            ids.missing_card.tone = "red"
            ids.missing.text = "一次性告知：请群众补齐以下材料\n" + "\n".join(
                f"{i}. {esc(m['name'])}（{m['form']}{m['copies']}份，{esc(m['issuer'])}出具）"
                for i, m in enumerate(notice.missing, 1))
        else:
            ids.missing_card.tone = "green"
            ids.missing.text = "材料已齐全，不用再补。"
        self.done = True
        self.ids.scroll.scroll_y = 1

    def print_receipt(self) -> None:
        self._print(print_receipt, "受理回执")

    def print_notice(self) -> None:
        self._print(print_notice, "一次性告知单")

    def _print(self, make, what: str) -> None:
        print_paper(self.app, what, lambda: make(self.app.desk, self.result.record))

    def open_case(self) -> None:
        self.app.go("case", record=self.result.record)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
