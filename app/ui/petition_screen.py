"""一件信访: status, the clocks with days left (overdue in red at every level), the
proposed 不予受理 from intake if any, the petitioners and content, the timeline; and only
the steps Petitions.actions allows here now: 交办镇里 (county), 受理 (against a proposal only
with a reason, kept on the record), 不予受理 on a listed ground with where to go, or
按提示不予受理, 转送, 延期 (at most 30 days in total, approver and reason), 听证, 答复, 依法终结
and its hearing, follow-up, 向上级请求复查/复核 and the city's conclusion (above the county),
领导包案, 领导接访, 信访人评价. The 受理/不予受理告知书 print once decided."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from app.domain.config import satisfaction_choices
from app.domain.petition.state import (
    CONSEQUENCES, LEVEL_NAMES, NEXT_STAGE, RESULTS, REVIEW_RESULTS, SUGGESTION, SUGGESTION_RESULTS,
    TERMINATION_BASES, UPPER_OUTSIDE)
from app.services.directory import cadre_names, node_names
from app.services.errors import ServiceError
from app.services.petition_upper import RATING_HOW
from app.services.petitions import ACTION_LABELS
from app.services.printing import print_petition_notice
from app.ui.action_panel import ActionPanel
from app.ui.print_dialog import print_paper
from app.ui.widgets import BigButton, Body, Card, Page, Small, esc, red

CONFIRM = "confirm_proposal"
FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "petition.accepted": [("override_reason", "受理理由（有不予受理的提示时必填，记录在案）", "long",
                           False),
                          ("handler", "承办人（选填）", "text", False)],
    CONFIRM: [("reason", "说明（选填，默认按提示的理由）", "text", False)],
    "petition.refused": [("ground", "不予受理的理由", "list:grounds", True),
                         ("reason", "具体说明", "long", True),
                         ("where_to_go", "告知信访人到哪里反映（不填按所选理由）", "text", False)],
    "petition.transferred": [("to", "转送给哪个单位", "text", True),
                             ("reason", "转送理由（选填）", "text", False)],
    "petition.extended": [("days", "延长几天（最多30天）", "int", True),
                          ("approver", "批准的负责人", "text", True),
                          ("reason", "延期理由（要告知信访人）", "long", True)],
    "petition.hearing_started": [],
    "petition.hearing_held": [("start", "听证开始日期", "date", True),
                              ("end", "听证结束日期", "date", True),
                              ("panel", "听证员（用顿号隔开）", "text", True),
                              ("participants", "参加人（选填）", "text", False),
                              ("conclusion", "听证结论", "long", True)],
    "petition.answered": [("opinion", "处理意见", "long", True),
                          ("result", "处理结果", "choice:results", True),
                          ("review", "复查/复核结论（复查、复核时必选）", "choice:reviews", False),
                          ("document_no", "意见书文号（选填）", "text", False)],
    "petition.terminated": [("basis", "终结依据", "list:bases", True),
                            ("follow_up", "跟进责任人（有人管）", "text", True),
                            ("note", "说明（选填）", "text", False)],
    "petition.termination_heard": [("panel", "听证员（用顿号隔开）", "text", True),
                                   ("participants", "参加人", "text", True),
                                   ("conclusion", "听证结论", "long", True),
                                   ("consequence", "听证后的处理", "choice:consequences", True),
                                   ("unit", "被问责的办理单位（选“问责”时填）", "text", False)],
    "petition.follow_up_assigned": [("person", "新的跟进责任人", "text", True),
                                    ("reason", "更换原因（选填）", "text", False)],
    "petition.followed_up": [("note", "跟进情况", "long", True)],
    "petition.assigned": [("town", "交办给哪个镇", "choice:towns", True),
                          ("reason", "交办要求（选填，例如 办结后书面报告县里）", "long", False),
                          ("report_by", "要求报告结果的日期（选填，年-月-日）", "date", False)],
    "petition.referred_up": [("requested_on", "信访人提出请求的日期", "date", True),
                             ("to", "转往（或告知信访人去）的上级机关", "text", True),
                             ("note", "说明（选填）", "text", False)],
    "petition.reviewed": [("by", "作出结论的上级机关", "text", True),
                          ("result", "上级的结论", "choice:reviews", True),
                          ("opinion", "结论的主要内容", "long", True)],
    "petition.leader_assigned": [("leader", "包案领导姓名", "text", True),
                                 ("post", "职务", "text", True),
                                 ("note", "说明（选填）", "text", False)],
    "petition.leader_received": [("leader", "接访领导姓名", "text", True),
                                 ("place", "地点（选填）", "text", False),
                                 ("note", "接访情况（群众反映了什么、领导怎么答复）", "long", True),
                                 ("outcome", "处理意见（选填）", "long", False)],
    "petition.rated": [("level", "信访人的评价", "choice:ratings", True),
                       ("reason", "不满意的原因（评价“不满意”时必填）", "text", False),
                       ("how", "怎么问的", "choice:how", True)],
}
LABELS = {**ACTION_LABELS, CONFIRM: "按提示不予受理"}
DONE = {"petition.assigned": "已交办镇里，同步后镇里就能看到；请告知信访人由镇里办理。",
        "petition.referred_up": "已登记向上级的请求和转往的机关，请告知信访人。",
        "petition.reviewed": "已登记上级的复查、复核结论。",
        "petition.leader_assigned": "已登记领导包案。",
        "petition.leader_received": "已登记领导接访。",
        "petition.rated": "已登记信访人的评价。",
        "petition.accepted": "已受理，可以打印受理告知书。",
        "petition.refused": "已不予受理，可以打印不予受理告知书。",
        CONFIRM: "已按提示不予受理，可以打印不予受理告知书。"}


def _decision(decision) -> str:
    """受理 / 不予受理 / 转送 as decided, with the notice number and where to go."""
    if not decision:
        return ""
    kind = decision.get("kind")
    number = f"（{decision['notice_no']}）" if decision.get("notice_no") else ""
    if kind == "accepted":
        return f"已受理{number}"
    if kind == "refused":
        parts = [f"不予受理{number}：{decision.get('ground_label', '')}",
                 str(decision.get("reason", "")),
                 f"已告知信访人：{decision.get('where_to_go', '')}" if decision.get("where_to_go")
                 else ""]
        return "；".join(p for p in parts if p)
    if kind == "transferred":
        return f"已转送{decision.get('to', '')}"
    return ""


class PetitionActionButton(BigButton):
    pass


class PetitionScreen(ActionPanel, Page):
    FORMS, LABELS, DONE = FORMS, LABELS, DONE
    record = StringProperty("")
    action = StringProperty("")

    def refresh(self) -> None:
        app = self.app
        try:
            state = app.petitions.petition(self.record)
            clocks = app.petitions.clocks(self.record)
        except ServiceError as exc:
            self.ids.title.text = "找不到这件信访"
            self.ids.status.text = red(esc(exc.message))
            for key in ("facts", "actions", "timeline"):
                self.ids[key].clear_widgets()
            return
        self.state = state
        who = "、".join(p.name for p in state.petitioners)
        self.ids.title.text = f"{esc(who)} · {esc(state.category or '')}（{esc(state.channel or '')}）"
        lines = [f"[b]{esc(state.status_name)}[/b]" + (f"　{esc(state.stage)}阶段"
                                                       if state.stage != "处理" else "")]
        for clock in clocks:
            late = clock.overdue or clock.state == "due_soon"
            lines.append(red(esc(clock.label)) if late else esc(clock.label))
        if state.status in ("registered", "accepted"):
            lines.append("初信初访（优先办理）" if state.first_time else red("重复信访"))
        self.ids.status.text = "\n".join(lines)
        self._facts(state)
        self._actions(state)
        self._timeline(state)

    def _facts(self, state) -> None:
        box = self.ids.facts
        box.clear_widgets()
        if state.proposal and state.status == "registered":
            card = Card(tone="red")
            label = str(state.proposal.get("label", ""))
            message = str(state.proposal.get("message", ""))
            if label not in message:
                message = f"建议不予受理：{label}。{message}"
            card.add_widget(Body(text=red(esc(message))))
            where = str(state.proposal.get("where_to_go", ""))
            if where not in message:
                card.add_widget(Body(text="告知信访人：" + esc(where)))
            box.add_widget(card)
        officer = state.first_officer or {}
        group = state.group or {}
        people = [" ".join(x for x in (p.name, p.phone, p.address) if x) for p in state.petitioners]
        assigned = state.assigned or {}
        leader = state.leader or {}
        rating = state.rating or {}
        outside = state.appeals[-1] if state.appeal_outside else {}
        lines = [("回执编号", state.receipt_no or ""),
                 ("信访人", "\n".join(people)),
                 ("集体访", f"{group.get('size')}人，代表 {'、'.join(group.get('representatives') or [])}"
                  if group else ""),
                 ("收到时间", (state.received_at or "").replace("T", " ")),
                 ("村", state.village),
                 ("首问负责人", f"{officer.get('name', '')}（{officer.get('post', '')}）"
                  if officer.get("name") else ""),
                 ("现在由", LEVEL_NAMES.get(state.level or "", "")),
                 ("收到的地方", "村便民服务站（村委会不是信访工作机构，由镇里受理办理）"
                  if state.received_level == "village" else ""),
                 ("县里交办", f"{assigned.get('on', '')}交办{assigned.get('to', '')}"
                  + (f"，要求{assigned['report_by']}前报告结果" if assigned.get("report_by") else "")
                  if assigned else ""),
                 ("包案领导", f"{leader.get('name', '')}（{leader.get('post', '')}）" if leader else ""),
                 ("领导接访", f"{len(state.receptions)}次" if state.receptions else ""),
                 ("请求上级", f"{outside.get('requested_on', '')}请求{outside.get('stage', '')}，"
                              f"已转往{outside.get('to', '')}" if outside else ""),
                 ("信访人评价", rating.get("level", "") + (f"：{rating['reason']}"
                                                         if rating.get("reason") else "")),
                 ("反映内容", state.summary), ("诉求", state.request),
                 ("不服的答复", "有（复查/复核请求）" if state.appeal_of else ""),
                 ("决定", _decision(state.decision)),
                 ("受理时说明的理由", state.override or ""),
                 ("处理意见", str((state.answer or {}).get("opinion", ""))),
                 ("跟进责任人", str((state.follow_up_person or {}).get("name", "")))]
        card = Card()
        for label, value in lines:
            if value:
                card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        box.add_widget(card)

    def _actions(self, state) -> None:
        box = self.ids.actions
        box.clear_widgets()
        allowed = self.app.petitions.actions(state)
        kinds = [kind for kind, _ in allowed]
        if state.proposal and "petition.refused" in kinds:
            kinds.insert(0, CONFIRM)
        self.add_action_buttons(kinds, PetitionActionButton, lambda kind: "danger" if kind in (
            CONFIRM, "petition.refused") else "primary")
        decision = (state.decision or {}).get("kind")
        if decision in ("accepted", "refused"):
            text = "打印受理告知书" if decision == "accepted" else "打印不予受理告知书"
            button = PetitionActionButton(text=text, kind="plain")
            button.bind(on_release=lambda _b, d=decision: self.print_notice(d))
            box.add_widget(button)
        self.ids.no_actions.text = "" if kinds else (
            "这件信访现在不在本级办理，同步后会看到最新进展。"
            if state.level and state.level != self.app.level else
            "本级已经办完，没有要做的了。")

    def _timeline(self, state) -> None:
        names, nodes = cadre_names(self.app.conn), node_names(self.app.conn)
        box = self.ids.timeline
        box.clear_widgets()
        for step in state.steps:
            card = Card(tone="white", padding=["12dp", "6dp"], spacing="2dp")
            where = nodes.get(step.origin) or LEVEL_NAMES.get(step.level, step.level)
            card.add_widget(Small(text=f"{esc(step.on or '')} · {esc(where)} · "
                                       f"{esc(names.get(step.author, ''))}"))
            card.add_widget(Body(text=esc(step.what)))
            box.add_widget(card)
        for rejected in state.rejected:
            card = Card(tone="red", padding=["12dp", "6dp"])
            label = LABELS.get(rejected.event_type, rejected.event_type)
            card.add_widget(Body(text=red(f"未生效的“{esc(label)}”：{esc(rejected.reason)}")))
            box.add_widget(card)

    # acting -------------------------------------------------------------------------------
    def _options(self, name: str) -> list[str]:
        if name == "grounds":
            return [g["label"] for g in self.app.petitions.refusal_grounds()]
        if name == "towns":
            return [t["name"] for t in self.app.petitions.towns()]
        if name == "ratings":
            return [level["label"] for level in satisfaction_choices(self.app.rules.config)]
        results = SUGGESTION_RESULTS if self.state.category == SUGGESTION else RESULTS
        return {"results": list(results), "reviews": list(REVIEW_RESULTS),
                "bases": list(TERMINATION_BASES), "consequences": list(CONSEQUENCES),
                "how": list(RATING_HOW)}[name]

    def _default(self, key: str) -> str:
        if key in ("start", "end", "requested_on"):
            return self.app.today().isoformat()
        if key == "to":
            return UPPER_OUTSIDE
        if key == "how":
            return "电话"
        if key == "ground" and self.state.proposal:
            return str(self.state.proposal.get("label", ""))
        return ""

    def _apply(self, kind: str) -> None:
        svc, user, record, v = self.app.petitions, self.app.user, self.record, self.value
        if kind == "petition.accepted":
            svc.accept(user, record, override_reason=v("override_reason"),
                       handler=v("handler") or None)
        elif kind == CONFIRM:
            svc.confirm_proposal(user, record, reason=v("reason"))
        elif kind == "petition.refused":
            ground = next(g["code"] for g in svc.refusal_grounds() if g["label"] == v("ground"))
            svc.refuse(user, record, ground=ground, reason=v("reason"),
                       where_to_go=v("where_to_go"))
        elif kind == "petition.transferred":
            svc.transfer(user, record, to=v("to"), reason=v("reason"))
        elif kind == "petition.extended":
            svc.extend(user, record, days=int(v("days") or 0), approver=v("approver"),
                       reason=v("reason"))
        elif kind == "petition.hearing_started":
            svc.start_hearing(user, record)
        elif kind == "petition.hearing_held":
            svc.record_hearing(user, record, start=v("start"), end=v("end"), panel=v("panel"),
                               participants=v("participants"), conclusion=v("conclusion"))
        elif kind == "petition.answered":
            svc.answer(user, record, opinion=v("opinion"), result=v("result"),
                       document_no=v("document_no"), review_result=v("review"))
        elif kind == "petition.terminated":
            svc.terminate(user, record, basis=v("basis"), follow_up=v("follow_up"),
                          note=v("note"))
        elif kind == "petition.termination_heard":
            svc.record_termination_hearing(user, record, panel=v("panel"),
                                           participants=v("participants"),
                                           conclusion=v("conclusion"),
                                           consequence=v("consequence"),
                                           accountable_unit=v("unit"))
        elif kind == "petition.follow_up_assigned":
            svc.assign_follow_up(user, record, v("person"), reason=v("reason"))
        elif kind == "petition.followed_up":
            svc.follow_up(user, record, v("note"))
        elif kind == "petition.assigned":
            svc.assign(user, record, town=v("town"), reason=v("reason"),
                       report_by=v("report_by") or None)
        elif kind == "petition.referred_up":
            svc.refer_up(user, record, stage=NEXT_STAGE.get(self.state.stage, "复查"),
                         requested_on=v("requested_on"), to=v("to"), note=v("note"))
        elif kind == "petition.reviewed":
            svc.record_outside_review(user, record, by=v("by"), result=v("result"),
                                      opinion=v("opinion"))
        elif kind == "petition.leader_assigned":
            svc.assign_leader(user, record, {"name": v("leader"), "post": v("post")},
                              note=v("note"))
        elif kind == "petition.leader_received":
            svc.record_reception(user, record, v("leader"), v("note"), outcome=v("outcome"),
                                 place=v("place"))
        elif kind == "petition.rated":
            svc.rate(user, record, v("level"), reason=v("reason"), how=v("how"))

    def print_notice(self, decision: str) -> None:
        app = self.app
        what = "受理告知书" if decision == "accepted" else "不予受理告知书"
        print_paper(app, what, lambda: print_petition_notice(app.petitions, app.rules,
                                                             self.record, decision))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
