"""人民调解协议书: the agreement form, pre-filled from Disputes.draft_agreement (number,
committee, mediators, both sides with their addresses), with what 人民调解法 Art 29 still
requires listed beside it as it is typed; 打印协议书 saves the PDF (a draft for signing
until the outcome is saved); 保存协议 records 调解成功 once everyone has signed and the
committee's seal is on it.

The list of what is missing is the service's (Disputes.agreement_problems); saving goes
through Disputes.record_agreement, which checks again."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from app.services.errors import ServiceError
from app.services.workflow import names
from app.services.printing import print_agreement
from app.ui.print_dialog import print_paper
from app.ui.widgets import Body, CheckRow, Page, esc, red

# What must be complete before the draft can be printed for signing (the signatures,
# seal and effective date come on paper): problems about these are "to sign".
SIGNING_WORDS = ("签名", "印章", "生效日期")


class AgreementParty(BoxLayout):
    """One side in the agreement: name and role as registered, the address to fill."""
    party = ObjectProperty(None)
    title = StringProperty("")
    screen = ObjectProperty(None)


class TermRow(BoxLayout):
    """One agreed term: what, how and by when (Art 29 (三))."""
    number = NumericProperty(1)
    removable = BooleanProperty(False)
    screen = ObjectProperty(None)

    def term(self) -> dict[str, str]:
        return {"content": self.ids.content.text.strip(), "how": self.ids.how.text.strip(),
                "due": self.ids.due.text.strip()}


class AgreementScreen(Page):
    record = StringProperty("")
    complete = BooleanProperty(False)
    draft: dict[str, Any] = {}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._check = Clock.create_trigger(lambda _dt: self.update_problems(), 0.3)

    def show(self, record: str = "", **_params) -> None:
        if record:
            self.record = record
        app, ids = self.app, self.ids
        try:
            self.draft = app.disputes.draft_agreement(self.record)
            state = app.disputes.dispute(self.record)
        except ServiceError as exc:
            app.say(exc.message, error=True)
            return
        ids.subtitle.text = (f"{esc('、'.join(state.party_names))} · {esc(state.dispute_type or '')}"
                             f"纠纷 · 台账编号 {esc(state.ledger_no or '')}")
        ids.no.text = self.draft.get("no", "")
        ids.committee.text = self.draft.get("committee", "")
        mediators = self.draft.get("mediators") or ([app.user.name] if app.user else [])
        ids.mediators.text = "、".join(mediators)
        for key in ("facts", "disputed_points", "responsibilities"):
            ids[key].text = state.summary if key == "facts" else ""
        ids.parties.clear_widgets()
        ids.signed.clear_widgets()
        for party in self.draft.get("parties", []):
            row = AgreementParty(party=party, screen=self,
                                 title=f"{esc(party.get('name', ''))}（{esc(party.get('role', ''))}）")
            row.ids.address.text = party.get("address", "")
            ids.parties.add_widget(row)
            check = CheckRow(text=f"{esc(party.get('name', ''))} 已签名（盖章或按指印）")
            check.party_name = party.get("name", "")
            check.bind(active=lambda *_: self._check())
            ids.signed.add_widget(check)
        ids.mediator_signed.text = mediators[0] if mediators else ""
        ids.seal.active = False
        ids.effective_on.text = self.draft.get("effective_on", app.today().isoformat())
        ids.terms.clear_widgets()
        self.add_term()
        self.update_problems()
        ids.scroll.scroll_y = 1

    # the form ---------------------------------------------------------------------------
    def changed(self) -> None:
        self._check()

    def add_term(self) -> None:
        box = self.ids.terms
        box.add_widget(TermRow(screen=self))
        self._renumber()
        self._check()

    def remove_term(self, row: TermRow) -> None:
        box = self.ids.terms
        if len(box.children) <= 1:
            for key in ("content", "how", "due"):
                row.ids[key].text = ""
            return
        box.remove_widget(row)
        self._renumber()
        self._check()

    def _renumber(self) -> None:
        rows = list(reversed(self.ids.terms.children))
        for number, row in enumerate(rows, 1):
            row.number = number
            row.removable = len(rows) > 1

    def agreement(self) -> dict[str, Any]:
        """The agreement as typed, in the shape ``dispute.agreed`` stores."""
        ids = self.ids
        parties = []
        for row in reversed(ids.parties.children):
            party = dict(row.party)
            party["address"] = row.ids.address.text.strip()
            parties.append({k: v for k, v in party.items() if v})
        terms = [row.term() for row in reversed(ids.terms.children)]
        signed = [row.party_name for row in reversed(ids.signed.children) if row.active]
        return {**self.draft, "no": ids.no.text.strip(), "committee": ids.committee.text.strip(),
                "mediators": names(ids.mediators.text), "parties": parties,
                "facts": ids.facts.text.strip(),
                "disputed_points": ids.disputed_points.text.strip(),
                "responsibilities": ids.responsibilities.text.strip(),
                "terms": [t for t in terms if any(t.values())],
                "signatures": {"parties": signed, "mediator": ids.mediator_signed.text.strip(),
                               "seal": ids.seal.active},
                "effective_on": ids.effective_on.text.strip()}

    def problems(self) -> list[str]:
        try:
            return self.app.disputes.agreement_problems(self.record, self.agreement())
        except ServiceError as exc:
            return [exc.message]

    def update_problems(self) -> None:
        problems = self.problems()
        content = [p for p in problems if not any(w in p for w in SIGNING_WORDS)]
        signing = [p for p in problems if p not in content]
        self.complete = not problems
        box = self.ids.problems
        box.clear_widgets()
        card = self.ids.problems_card
        self.ids.status_line.text = (
            "内容齐全，各方已签名盖章：请点“保存协议”。" if not problems else
            red(f"还缺 {len(content)} 项内容（见上面的清单），补齐后才能打印。") if content else
            "内容已齐全：先点“打印协议书”交双方签字，签字盖章后勾选⑤，再点“保存协议”。")
        if not problems:
            card.tone = "green"
            box.add_widget(Body(text="[b]协议书内容齐全[/b]，各方已签名、已盖章：可以保存（调解成功）。"))
            return
        card.tone = "red" if content else "plain"
        if content:
            box.add_widget(Body(text=red("[b]还缺（人民调解法第二十九条）：[/b]")))
            for item in content:
                box.add_widget(Body(text=red("· " + esc(item))))
        else:
            box.add_widget(Body(text="[b]内容已齐全[/b]：请打印协议书，交双方当事人签字。"))
        if signing:
            box.add_widget(Body(text="[b]签字后才能保存：[/b]" + esc("；".join(signing))))

    # saving and printing ------------------------------------------------------------------
    def print_draft(self) -> None:
        app, draft = self.app, self.agreement()
        self.ids.error.text = ""

        def failed(message: str) -> None:
            self.ids.error.text = message
        print_paper(app, "调解协议书（请双方签字）",
                    lambda: print_agreement(app.disputes, app.rules, self.record, draft), failed)

    def save(self) -> None:
        try:
            self.app.disputes.record_agreement(self.app.user, self.record, self.agreement())
        except ServiceError as exc:
            self.ids.error.text = exc.message
            self.update_problems()
            return
        self.ids.error.text = ""
        self.app.refresh_status()
        self.app.say("调解成功，协议书已保存。可在这起纠纷里点“打印协议书”打印正式文本。", seconds=12)
        self.app.back()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
