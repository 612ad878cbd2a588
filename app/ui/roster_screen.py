"""花名册 for village decisions (issue #12 §3): who should attend each body — party members
(正式, 预备, working away), 村民代表, 村委会 members, households and adult villagers — with
the composition checks of the 代表会议 shown as the rules give them (村民代表 ≥ 4/5, women
≥ 1/3, a woman on the 村委会: 组织法 Art 25, 6), one person added at a time, and the
村民会议's authorisations of the 代表会议 (Art 25(1))."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from app.domain.decisions import roster as rosters
from app.domain.decisions.matters import ART24_ITEMS
from app.services.errors import ServiceError
from app.ui.forms import Form
from app.ui.widgets import Body, Page, Small, esc, red

PERSON = [("name", "姓名（必填）", "text", True),
          ("sex", "性别", "choice:sexes", True),
          ("birth_date", "出生日期", "date", True),
          ("household", "户（户主姓名或户号）", "text", True),
          ("group", "村民小组", "text", False),
          ("party", "党员", "choice:party", True),
          ("roles", "职务", "choice:roles", False),
          ("away", "外出务工（仍计入应到）", "choice:yesno", False)]
GRANT = [("scope", "授权事项", "choice:scopes", True),
         ("since", "授权起始日期", "date", True),
         ("until", "授权截止日期（不填为长期）", "date", False),
         ("record", "作出授权的村民会议（日期、会议记录编号）", "long", True)]
OPTIONS = {"sexes": ["男", "女"], "party": ["正式党员", "预备党员", "不是党员"],
           "roles": ["村民代表", "村委会成员", "村委会成员兼村民代表"], "yesno": ["是", "否"],
           "scopes": ["全部", *ART24_ITEMS]}
SHOWN = 300      # people listed on the page (the rest are counted)


def _service(app):
    from app.ui.decision_screen import _service as decisions
    return decisions(app)


class RosterScreen(Page):
    def show(self, **_params) -> None:
        today = self.app.today().isoformat()
        self._person = Form(self.ids.person_fields, PERSON, lambda n: OPTIONS.get(n, []),
                            lambda k: {"party": "不是党员", "away": "否"}.get(k, ""),
                            lambda *_a: None)
        self._grant = Form(self.ids.grant_fields, GRANT, lambda n: OPTIONS.get(n, []),
                           lambda k: today if k == "since" else "", lambda *_a: None)
        self.ids.person_error.text = self.ids.grant_error.text = ""
        self.refresh()

    def refresh(self) -> None:
        svc, ids = _service(self.app), self.ids
        register = svc.register()
        people = register.people() if register else ()
        entries = register.entries() if register else []
        party = [p for p in people if p.party]
        away = sum(1 for e in entries if e.get("away"))
        members = rosters.representatives_members(people)
        ids.counts.text = (
            f"党员{len(party)}人（正式{sum(1 for p in party if p.party == '正式')}人、"
            f"预备{sum(1 for p in party if p.party == '预备')}人，外出{away}人）· "
            f"村民代表会议组成人员{len(members)}人 · "
            f"{len(rosters.households(people))}户 · 成年村民"
            f"{len(rosters.adults(people, self.app.today()))}人")
        warnings = svc.roster_warnings()
        ids.warnings.text = "\n".join(red(esc(w.message)) + f"（{esc(w.source)}）"
                                      for w in warnings) or "村民代表会议的组成符合要求。"
        box = ids.people
        box.clear_widgets()
        for entry in entries[:SHOWN]:
            tags = [t for t, on in (("正式党员", entry.get("party") == "正式"),
                                    ("预备党员", entry.get("party") == "预备"),
                                    ("外出", entry.get("away")),
                                    ("村民代表", entry.get("representative")),
                                    ("村委会", entry.get("committee_member"))) if on]
            box.add_widget(Body(text=f"{esc(entry['name'])}  " + _tags(tags)))
        if len(entries) > SHOWN:
            box.add_widget(Small(text=f"另有{len(entries) - SHOWN}人未列出。"))
        if not entries:
            box.add_widget(Body(text="花名册还是空的。"))

    def _save(self, form, error, write, said: str) -> None:
        """Check the form's required fields, write, say so and show the page again; what
        goes wrong is said on ``error`` (under the form's button)."""
        missing = form.missing()
        if missing:
            error.text = "请填写：" + "、".join(missing)
            return
        try:
            write()
        except ServiceError as exc:
            error.text = exc.message
            return
        self.app.say(said)
        self.show()

    def add_person(self) -> None:
        form = self._person
        self._save(form, self.ids.person_error, lambda: _service(self.app).set_people(
            self.app.user, [self._entry()]), f"已登记：{form.value('name')}。")

    def _entry(self) -> dict:
        form = self._person
        role = form.value("roles")
        entry = {"name": form.value("name"), "female": form.value("sex") == "女",
                 "birth_date": form.value("birth_date"), "household": form.value("household"),
                 "group": form.value("group"),
                 "party": {"正式党员": "正式", "预备党员": "预备"}.get(form.value("party")),
                 "representative": "村民代表" in role, "committee_member": "村委会" in role,
                 "away": form.value("away") == "是"}
        return entry

    def add_grant(self) -> None:
        form = self._grant
        scope = form.value("scope")
        self._save(form, self.ids.grant_error, lambda: _service(self.app).authorise(
            self.app.user, scope=["all" if scope == "全部" else scope],
            since=form.value("since"), until=form.value("until") or None,
            record=form.value("record")), "授权已保存。")


def _tags(tags: list[str]) -> str:
    return f"[color=#4d4f59]{'、'.join(tags)}[/color]" if tags else ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
