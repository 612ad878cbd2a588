"""镇里设置 → 文书和电话 (town and county): what the papers print that only the town knows —
the real numbers of the phones on every receipt and notice (the catalog ships samples),
the address of the public status page the receipt's QR code opens, and the 转办函's
机关代字 (GB/T 9704 发文字号 新集便民转〔2026〕12号).  A paper whose value is missing is not
printed and its message sends the cadre here (app.services.printing).  Saved as config
events that sync down to every village (app.services.townrules)."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from app.services.errors import ServiceError
from app.services.printing import LETTER_CODE, STATUS_URL, paper_settings_missing
from app.services.rules import load_rules
from app.ui.widgets import Field, Page, esc, red


class PaperSettingsScreen(Page):
    def show(self, **_params) -> None:
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        ids = self.ids
        town = self.app.level in ("town", "county")
        ids.editor.disabled = not town
        ids.error.text = ""
        rules = load_rules(self.app.conn)
        phones = rules.catalog.doc["phones"]
        box = ids.phones
        box.clear_widgets()
        self._phones: dict[str, Field] = {}
        for key, phone in phones.items():
            field = Field(label=f"{phone['label']}的电话" + ("" if phone["configured"]
                                                              else "（还没有设置）"),
                          text=phone["number"] if phone["configured"] else "",
                          hint="例如 0376-2988123", input_type="tel")
            box.add_widget(field)
            self._phones[key] = field
        ids.status_url.text = str(rules.config.value(STATUS_URL) or "")
        ids.letter_code.text = str(rules.config.value(LETTER_CODE) or "")
        keys = list(phones)
        missing = paper_settings_missing(rules, keys, status_url=True, letter_code=True)
        ids.summary.text = (red("还没有设置：" + esc("、".join(missing)) + "。没有设置的，用到它的文书不能打印。")
                            if missing else "文书要用的电话、网址和机关代字都已设置。")
        if not town:
            ids.summary.text += "\n这些由镇里统一设置，村里不能修改；如有错误请告诉镇便民服务中心。"

    def example(self, code: str) -> str:
        code = code.strip()
        return f"发文字号示例：{code}〔{self.app.today().year}〕1号" if code else ""

    def save(self) -> None:
        from app.services.townrules import set_paper_setting, set_phone
        app, ids = self.app, self.ids
        rules = load_rules(app.conn)
        phones = rules.catalog.doc["phones"]
        problems, saved = [], 0
        for key, field in self._phones.items():
            field.error = ""
            number = field.text.strip()
            old = phones[key]
            if not number or (old["configured"] and number == old["number"]):
                continue
            try:
                set_phone(app.station, app.user, key, number, old["label"])
                saved += 1
            except ServiceError as exc:
                field.error = exc.message
                problems.append(old["label"])
        for key, field in ((STATUS_URL, ids.status_url), (LETTER_CODE, ids.letter_code)):
            field.error = ""
            value = field.text.strip()
            if not value or value == str(rules.config.value(key) or ""):
                continue
            try:
                set_paper_setting(app.station, app.user, key, value)
                saved += 1
            except ServiceError as exc:
                field.error = exc.message
                problems.append(field.label.split("（")[0])
        if problems:
            ids.error.text = "有几项没有保存：" + "、".join(problems) + "。请按红字改正后再点保存。"
        if saved:
            app.say(f"已保存 {saved} 项，同步后各村打印的文书都用新的设置。")
            app.refresh_status()
        if not problems:
            self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
