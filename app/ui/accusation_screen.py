"""检举控告: filed sealed for the discipline devices (纪委) of the town and the county, never
shown to the unit or person accused. The content, whom it is about, the evidence photo and
the complainant are encrypted on this tablet (app.sealing) and written as one confidential
event; after saving, the form is cleared and this tablet shows only the receipt number,
the date and 已密封 (issue #13 §1).
With no 纪委 key on this tablet yet, the screen says so and nothing can be filed."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.domain.petition.sealed import SUBJECTS
from app.domain.petition.state import CHANNELS
from app.services.errors import ServiceError
from app.ui.widgets import Page, esc

CHANNEL_OPTIONS = list(CHANNELS)
SUBJECT_OPTIONS = list(SUBJECTS)
NO_KEY = ("镇纪委的密钥还没有同步到本机，现在不能登记检举控告（内容必须加密后才能保存）。"
          "请点“现在同步”；同步后仍不行，请联系镇纪委。也可以告诉群众直接到镇纪委反映，或拨打12388。")


class AccusedRow(BoxLayout):
    number = NumericProperty(1)
    screen = ObjectProperty(None)

    def accused(self) -> dict[str, str]:
        item = {"name": self.ids.name.text.strip(), "unit": self.ids.unit.text.strip(),
                "post": self.ids.post.text.strip()}
        return {k: v for k, v in item.items() if v}


class AccusationScreen(Page):
    done = BooleanProperty(False)
    can_seal = BooleanProperty(False)
    done_text = StringProperty("")
    done_receipt = StringProperty("")

    def show(self, **_params) -> None:
        self.new()

    def refresh(self) -> None:
        """Is a 纪委 key here yet (a sync may just have brought it)? The form keeps what
        was typed."""
        from app.sealing import can_seal
        self.can_seal = can_seal(self.app.station)
        self.ids.no_key.text = "" if self.can_seal else NO_KEY

    def new(self) -> None:
        app, ids = self.app, self.ids
        self.done = False
        self.refresh()
        ids.channel.value = ""
        ids.received_at.text = app.now().strftime("%Y-%m-%d %H:%M")
        for key in ("content", "complainant", "phone"):
            ids[key].text = ""
        ids.error.text = ""
        ids.subject.value = ""
        ids.accused.clear_widgets()
        self.add_accused()
        from app.ui.photo_picker import PhotoField
        ids.evidence.clear_widgets()
        self.photo = PhotoField(app, "证据照片或材料扫描件（选填；保存时加密）")
        ids.evidence.add_widget(self.photo)
        ids.scroll.scroll_y = 1

    def add_accused(self) -> None:
        box = self.ids.accused
        box.add_widget(AccusedRow(screen=self, number=len(box.children) + 1))

    def save(self) -> None:
        from app.sealing import seal_for_discipline
        from app.services.photos import attachment_from_file
        app, ids = self.app, self.ids
        accused = [a for a in (row.accused() for row in reversed(ids.accused.children)) if a]
        name, phone = ids.complainant.text.strip(), ids.phone.text.strip()
        complainant = {k: v for k, v in {"name": name, "phone": phone}.items() if v} or None
        path = self.photo.path
        try:
            evidence = [attachment_from_file(path)] if path else []
            filed = app.petitions.file_accusation(
                app.user, content=ids.content.text.strip(), accused=accused,
                channel=ids.channel.value, seal=seal_for_discipline,
                received_at=ids.received_at.text.strip() or None, complainant=complainant,
                subject=ids.subject.value or None, evidence=evidence,
                evidence_files=[path] if path else [])
        except ServiceError as exc:
            ids.error.text = exc.message
            return
        # what was typed leaves the screen: from now on this tablet shows only the line
        for key in ("content", "complainant", "phone"):
            ids[key].text = ""
        ids.accused.clear_widgets()
        ids.subject.value = ""
        self.photo.path = ""
        self.done_receipt = f"回执编号：[b]{esc(filed['receipt_no'])}[/b]　{esc(filed['summary']['received_on'])}　已密封"
        self.done_text = esc(filed["line"])
        self.done = True
        app.refresh_status()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
