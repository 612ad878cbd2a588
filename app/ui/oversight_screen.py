"""村务监督 (issue #13 §3): the 村务监督委员会 and the town's answers.

On a village tablet, a cadre sees the committee's roster with the checks of 组织法 Art 32
(who may not serve and why, with the source), the 民主评议 due and its results (Art 33),
and the opinions sent to the town with their answers; a colleague opens a member's
account there.  A member signed in (app.services.oversight) sees the village's decision
files, 村务公开 and 财务收支 — read only — and records inspections and opinions with a photo.
On a town tablet: the villages' opinions, overdue ones in red, each answered from
``OversightOpinionScreen``; the answered-on-time count per village; the 党风政风监督组.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty

from app.domain.supervision.kinship import RELATIONS
from app.domain.supervision.oversight import SUBJECTS, Opinion
from app.domain.supervision.town_group import POSTS
from app.services.errors import ServiceError
from app.services.oversight import Oversight
from app.ui.forms import Form
from app.ui.widgets import BigButton, Body, Card, ChoiceRow, Field, Heading, ListRow, Page, Small, esc, red

FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "committee": [("elected_on", "推选日期", "date", True),
                  ("members", "成员，每行一人：姓名，有财会或管理知识的写在后面（如：王德明 财会）", "long", True),
                  ("committee", "村民委员会成员姓名（用顿号隔开，用来查近亲属）", "text", True),
                  ("bookkeeper", "村报账员姓名（选填）", "text", False),
                  ("relations", "成员与村委会成员的亲属关系，每行一条（如：李秀珍 是 王振华 的 配偶）；没有就不填",
                   "long", False)],
    "review": [("on", "评议日期", "date", True), ("grades", "评议结果", "grades", True)],
    "account": [("member", "给哪位成员开通", "choice:members", True),
                ("pin", "成员自己的密码（6 到 12 位数字）", "pin", True)],
    "inspection": [("subject", "监督事项", "choice:subjects", True), ("place", "地点（选填）", "text", False),
                   ("findings", "看到的情况", "long", True), ("on", "日期", "date", True),
                   ("photo", "照片（选填）", "photo", False)],
    "opinion": [("subject", "监督事项", "choice:subjects", True), ("text", "意见和建议（写清问题和希望镇里怎么处理）", "long", True),
                ("on", "日期", "date", True), ("photo", "照片（选填）", "photo", False)],
    "group": [("members", "成员，每行一人：姓名 职务 单位（职务为组长、副组长或成员；如：周立新 组长 镇纪委）",
               "long", True), ("on", "日期", "date", True)],
    "answer": [("answer", "镇里的答复（怎么处理、谁负责、什么时候办完）", "long", True),
               ("on", "答复日期", "date", True)],
    "key": [("offer", "哪个村的哪位成员（请成员本人带平板到场）", "choice:offers", True),
            ("fingerprint", "成员平板上显示的16位数字指纹（看着成员的平板输入）", "text", True)],
}
TITLES = {"committee": "登记村务监督委员会名单", "review": "登记民主评议结果", "account": "为监委会成员开通账号",
          "inspection": "记录监督巡查", "opinion": "向镇里提意见", "group": "登记党风政风监督组名单",
          "answer": "答复这条意见", "key": "核对认证监委会成员的签名钥匙"}
DONE = {"committee": "已登记村务监督委员会名单。", "review": "已登记民主评议结果。",
        "account": "已开通账号：请成员用自己的名字和密码登录。", "inspection": "已保存巡查记录。",
        "opinion": "意见已保存，同步后送到镇里。", "group": "已登记党风政风监督组名单。",
        "answer": "答复已保存，同步后送回村里。",
        "key": "已认证：同步后，这位成员就可以在平板上记录巡查、向镇里提意见了。"}


RELATION_LINE = re.compile(r"^\s*(.+?)\s*是\s*(.+?)\s*的\s*(\S+)\s*$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _names(text: str) -> list[str]:
    return [x.strip() for x in re.split("[、，,\\s]+", text) if x.strip()]


def parse_committee(v: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
    """The roster form's lines as the service takes them (members, village people, relations)."""
    members: list[dict[str, Any]] = []
    for line in _lines(v("members")):
        name, *tags = line.replace("，", " ").split()
        # the id is the name: a member's account keeps signing for the same person when
        # the roster is registered again (names are unique in one small committee)
        members.append({"id": f"m:{name}", "name": name, "accounting": "财会" in tags,
                        "management": "管理" in tags})
    people: list[dict[str, Any]] = [
        {"id": f"c:{name}", "name": name, "posts": ["村民委员会成员"]}
        for name in _names(v("committee"))]
    people += [{"id": f"b:{name}", "name": name, "posts": ["村报账员"]}
               for name in _names(v("bookkeeper"))]
    ids = {p["name"]: p["id"] for p in [*members, *people]}
    if len(ids) < len(members) + len(people):
        raise ServiceError("名单里有重名的人：同名的请在名字后加以区分（如 王强（东组））")
    relations = []
    for line in _lines(v("relations")):
        found = RELATION_LINE.match(line)
        if not found or found[1] not in ids or found[2] not in ids or found[3] not in RELATIONS:
            raise ServiceError(f"亲属关系“{line}”看不懂：请按“李秀珍 是 王振华 的 配偶”写，"
                               f"姓名要在上面的名单里，关系从{'、'.join(RELATIONS[:8])}等中选")
        relations.append({"a": ids[found[2]], "relation": found[3], "b": ids[found[1]]})
    return members, people, relations


def parse_group(text: str) -> list[dict[str, str]]:
    rows = []
    for line in _lines(text):
        name, post, *unit = line.replace("，", " ").split() + [""]
        rows.append({"name": name, "post": post, "unit": " ".join(unit).strip()})
    return rows


class _Forms:
    """The one open form of a page (ids: form_slot, form_title, form_fields, form_error)."""

    action = StringProperty("")

    def open_form(self, kind: str) -> None:
        self.action = kind
        self.ids.form_title.text = TITLES[kind]
        self.ids.form_error.text = ""
        self._rows: dict[str, ChoiceRow] = {}
        self._form = Form(self.ids.form_fields, FORMS[kind], self._options, self._default,
                          lambda *_: setattr(self.ids.form_error, "text", ""), app=self.app,
                          custom={"grades": self._grades, "pin": self._pin})
        Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(
            self.ids.form_slot, padding=dp(16), animate=False) if self.action else None, 0.05)

    def _grades(self, box: Any, label: str, on_change: Any) -> Any:
        for member in self.service.roster():
            box.add_widget(Small(text=f"{esc(member['name'])}："))
            row = ChoiceRow(options=list(self.service.supervision_rules.review_grades))
            row.bind(value=on_change)
            box.add_widget(row)
            self._rows[str(member["id"])] = row
        return Field(text="ok")

    def _pin(self, box: Any, label: str, on_change: Any) -> Any:
        field = Field(label=label, password=True, input_filter="int")
        field.bind(text=on_change)
        box.add_widget(field)
        return field

    def _options(self, name: str) -> list[str]:
        if name == "offers":
            return list(self._offers())
        return {"subjects": list(SUBJECTS), "members": [m["name"] for m in self.service.roster()],
                "posts": list(POSTS)}[name]

    def _offers(self) -> dict[str, str]:
        """At the town: "村名 成员名" → the offered key's record (its fingerprint is never
        shown here: the town cadre types the one the member's tablet shows)."""
        names, out = self.service.village_names(), {}
        for offer in self.service.key_offers():
            label = f"{names.get(offer['village'], offer['village'][:8])} {offer['member']['name']}"
            # a second offer for the same member (a new account, or someone else's):
            # listed apart, the typed fingerprint tells which one the member holds
            while label in out:
                label += "（又一个申请）"
            out[label] = str(offer["record"])
        return out

    def _default(self, key: str) -> str:
        return self.app.today().isoformat() if key in ("on", "elected_on") else ""

    def cancel(self) -> None:
        self.action = ""

    def submit(self) -> None:
        missing = self._form.missing()
        if missing:
            self.ids.form_error.text = "请填写：" + "、".join(missing)
            return
        kind = self.action
        try:
            self._apply(kind, self._form.value)
        except ServiceError as exc:
            self.ids.form_error.text = exc.message
            return
        self.app.say(DONE[kind])
        self.action = ""
        self.refresh()

    def _photos(self, v: Any) -> list[Any]:
        from app.services.photos import attachment_from_file
        return [attachment_from_file(v("photo"))] if v("photo") else []


class OversightScreen(_Forms, Page):
    def show(self, **_params: Any) -> None:
        self.action = ""
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        app = self.app
        self.service = Oversight(app.station, today=app.today)
        self.member = self.service.member_of(app.user) if app.user else None
        body = self.ids.body
        body.clear_widgets()
        self.ids.actions.clear_widgets()
        if app.level == "town":
            self.ids.title.text = "村务监督（镇里）"
            self._town(body)
        elif self.member is not None:
            self.ids.title.text = "村务监督委员会"
            self._member(body)
        else:
            self.ids.title.text = "村务监督委员会"
            self._village(body)

    def _button(self, kind: str, text: str) -> None:
        button = BigButton(text=text, size_hint_x=None, width=dp(220))
        button.bind(on_release=lambda _b: self.open_form(kind))
        self.ids.actions.add_widget(button)

    # village, any cadre ---------------------------------------------------------------------
    def _village(self, body: Any) -> None:
        service = self.service
        try:
            committee = service.committee(app_name(self))
        except ServiceError as exc:
            body.add_widget(Body(text=esc(exc.message) + "请先登记村民会议推选的名单。"))
            self._button("committee", "登记监委会名单")
            self._opinions(body)
            return
        card = Card(tone="red" if not committee.eligibility.ok else "white")
        card.add_widget(Heading(text=f"本届监委会（{committee.elected_on.isoformat()}推选）"))
        for member in committee.members:
            outcome = committee.outcomes.get(member["id"])
            skills = "、".join(s for s, k in (("财会", "accounting"), ("管理", "management")) if member.get(k))
            line = f"{esc(member['name'])}" + (f"（{skills}知识）" if skills else "")
            card.add_widget(Body(text=line))
            if outcome is not None and outcome.message:
                card.add_widget(Small(text=red(esc(outcome.message)) + f"\n依据：{esc(outcome.source)}"))
        for finding in committee.eligibility.problems:
            card.add_widget(Small(text=red("不符合规定：" + esc(finding.message)) + f"\n依据：{esc(finding.source)}"))
        for finding in committee.eligibility.warnings:
            card.add_widget(Small(text="提示：" + esc(finding.message) + f"（{esc(finding.source)}）"))
        if committee.eligibility.ok:
            card.add_widget(Small(text="资格审查：没有村委会成员及其近亲属、村报账员；有具备财会知识的成员"
                                       "（村民委员会组织法第三十二条）。"))
        body.add_widget(card)
        due = committee.due
        review = Card(tone="red" if due.overdue else "white")
        review.add_widget(Heading(text="民主评议"))
        review.add_widget(Body(text=red(esc(due.message)) if due.overdue else esc(due.message)))
        review.add_widget(Small(text=f"依据：{esc(due.source)}"))
        for item in committee.reviews:
            review.add_widget(Small(text=f"{esc(item['on'])}：" + "；".join(
                f"{esc(g['name'])} {esc(g['grade'])}" for g in item["grades"])))
        body.add_widget(review)
        self._button("review", "登记民主评议")
        self._button("committee", "重新登记名单")
        if service.certified():
            self._button("account", "为成员开通账号")
        else:
            body.add_widget(Small(text="本机还没有经镇里认证为监委会使用的平板，成员不能在本机登录记录监督意见；"
                                       "需要时请镇里管理员给本机加上“村务监督委员会”权限。"))
        self._opinions(body)

    # a member signed in ----------------------------------------------------------------------
    def _member(self, body: Any) -> None:
        service, member = self.service, self.member
        assert member is not None
        body.add_widget(Body(text=f"您以村务监督委员会成员{esc(member['name'])}的身份登录：可以查看村务、"
                                  "记录巡查、向镇里提意见，不能办理村里的事项。"))
        if not service.key_certified(self.app.user):
            card = Card(tone="red")
            card.add_widget(Heading(text="您的签名钥匙还没有经镇里认证"))
            card.add_widget(Body(text="请带着这台平板到镇便民服务中心，把下面的数字指纹给镇里干部看，"
                                      "由他输入核对。认证后同步一次，才能记录巡查和提意见。"))
            card.add_widget(Heading(text=esc(service.member_fingerprint(self.app.user) or "")))
            body.add_widget(card)
        self._button("inspection", "记录巡查")
        self._button("opinion", "向镇里提意见")
        files = service.village_files()
        for title, rows, line in (
                ("村里的决策档案（一事一档）", files["matters"],
                 lambda m: f"{esc(m.get('title', ''))} · {esc(m.get('status_name') or m.get('status') or '')}"),
                ("财务收支公开", files["finances"], lambda p: f"{esc(p.get('on', ''))} {esc(p.get('title', ''))}"),
                ("村务公开", files["publicity"],
                 lambda p: f"{esc(p.get('on', ''))} {esc(p.get('category', ''))} · {esc(p.get('title', ''))}")):
            card = Card(tone="white")
            card.add_widget(Heading(text=f"{title}：{len(rows)} 项"))
            for row in rows[:8]:
                card.add_widget(Small(text=line(row)))
            if not rows:
                card.add_widget(Small(text="还没有。"))
            body.add_widget(card)
        kept, _refused = service.inspections()
        card = Card(tone="white")
        card.add_widget(Heading(text=f"巡查记录：{len(kept)} 次"))
        for item in kept[:8]:
            photos = f"（照片 {len(item.attachments)} 张）" if item.attachments else ""
            card.add_widget(Small(text=f"{esc(item.on)} {esc(item.subject)} · {esc(item.member['name'])}："
                                       f"{esc(item.findings[:60])}{photos}"))
        body.add_widget(card)
        self._opinions(body)

    def _opinions(self, body: Any, town: bool = False) -> None:
        service = self.service
        days, today = service.answer_days(), self.app.today()
        opinions = service.opinions()
        names = service.village_names() if town else {}
        body.add_widget(Heading(text=f"{'各村' if town else '提给镇里'}的意见：{len(opinions)} 条"
                                     f"（镇里应在{days}天内答复）"))
        for opinion in opinions:
            status = opinion.status(days, today)
            late = status in ("超期未答复", "已答复（逾期）")
            where = f"{esc(names.get(opinion.village, ''))} · " if town else ""
            row = ListRow(title=f"{where}{esc(opinion.subject)} · {esc(status)}",
                          detail=f"{opinion.sent_on} {esc(opinion.member.get('name', ''))}：{esc(opinion.text[:50])}",
                          record=opinion.record, target="oversight_opinion",
                          tone="red" if late else "plain")
            body.add_widget(row)
        if not opinions:
            body.add_widget(Small(text="还没有意见。"))

    # the town ----------------------------------------------------------------------------------
    def _town(self, body: Any) -> None:
        service = self.service
        self._opinions(body, town=True)
        counts = service.on_time()
        names = service.village_names()
        card = Card(tone="white")
        card.add_widget(Heading(text="各村意见按期答复情况（百分制考核用）"))
        for village, count in sorted(counts.items(), key=lambda kv: names.get(kv[0], "")):
            card.add_widget(Small(text=f"{esc(names.get(village, village[:8]))}：{esc(count.text)}"))
        if not counts:
            card.add_widget(Small(text="还没有村里提意见。"))
        body.add_widget(card)
        group = service.group()
        card = Card(tone="white")
        card.add_widget(Heading(text="党风政风监督组"))
        if group is None:
            card.add_widget(Small(text="还没有登记监督组名单。"))
        else:
            card.add_widget(Small(text=f"{esc(group['on'])} {esc(group.get('basis', ''))}"))
            for m in group["members"]:
                card.add_widget(Body(text=f"{esc(m['post'])}：{esc(m['name'])} {esc(m.get('unit', ''))}"))
        if service.keeps_group():
            self._button("group", "登记监督组名单")
        else:
            card.add_widget(Small(text="监督组名单由镇纪委的平板登记。"))
        body.add_widget(card)
        offers = self._offers()
        card = Card(tone="white")
        card.add_widget(Heading(text=f"待核对的监委会成员签名钥匙：{len(offers)} 个"))
        card.add_widget(Small(text="成员本人带平板来，看着他平板上的数字指纹输入；对不上的不要认证。"))
        for label in offers:
            card.add_widget(Body(text=esc(label)))
        body.add_widget(card)
        if offers:
            self._button("key", "核对签名钥匙")

    # saving ------------------------------------------------------------------------------------
    def _apply(self, kind: str, v: Any) -> None:
        service, user = self.service, self.app.user
        if kind == "committee":
            members, people, relations = parse_committee(v)
            found = service.set_committee(user, app_name(self), v("elected_on"), members, people, relations)
            if found.warnings:
                self.app.say("已登记。提示：" + "；".join(f.message for f in found.warnings))
        elif kind == "review":
            service.record_review(user, app_name(self), v("on"),
                                  {mid: row.value for mid, row in self._rows.items()})
        elif kind == "account":
            member = next(m for m in service.roster() if m["name"] == v("member"))
            service.open_member_account(user, str(member["id"]), v("pin"))
        elif kind == "inspection":
            service.record_inspection(user, subject=v("subject"), findings=v("findings"),
                                      place=v("place"), on=v("on"), photos=self._photos(v))
        elif kind == "opinion":
            service.send_opinion(user, subject=v("subject"), text=v("text"), on=v("on"),
                                 photos=self._photos(v))
        elif kind == "group":
            service.set_group(user, parse_group(v("members")), on=v("on"))
        elif kind == "key":
            service.certify_member_key(user, self._offers()[v("offer")], v("fingerprint"))


def app_name(screen: Any) -> str:
    return str(screen.app.station.name)


class OversightOpinionScreen(_Forms, Page):
    """One opinion: what the committee wrote, its photos, the town's answer; the town
    answers here."""

    record = StringProperty("")

    def show(self, record: str = "", **_params: Any) -> None:
        self.record, self.action = record, ""
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def refresh(self) -> None:
        self.service = Oversight(self.app.station, today=self.app.today)
        body = self.ids.body
        body.clear_widgets()
        self.ids.actions.clear_widgets()
        try:
            opinion: Opinion = self.service.opinion(self.record)
        except ServiceError as exc:
            body.add_widget(Body(text=red(esc(exc.message))))
            return
        days = self.service.answer_days()
        status = opinion.status(days, self.app.today())
        village = self.service.village_names().get(opinion.village, "")
        self.ids.title.text = f"{esc(village)}村务监督意见"
        late = status in ("超期未答复", "已答复（逾期）")
        body.add_widget(Heading(text=red(esc(status)) if late else esc(status)))
        card = Card(tone="white")
        due = opinion.due(days)
        for label, value in (("监督事项", opinion.subject), ("提出人", opinion.member.get("name", "")),
                             ("提出日期", str(opinion.sent_on or "")),
                             ("答复期限", f"{due}（{days}天，镇里的规定）" if due else ""),
                             ("意见", opinion.text),
                             ("照片", "、".join(a.get("name", "照片") for a in opinion.attachments))):
            if value:
                card.add_widget(Body(text=f"[color=4d4f59]{label}：[/color]{esc(value)}"))
        for answer in opinion.answers:   # the answer right under the status: what is new
            reply = Card(tone="green")
            self.answer_heading = Heading(text="镇里的答复")
            reply.add_widget(self.answer_heading)
            reply.add_widget(Small(text=f"{esc(answer['on'])} {esc(answer['by'].get('name', ''))}"))
            reply.add_widget(Body(text=esc(answer["answer"])))
            body.add_widget(reply)
        body.add_widget(card)
        for refused in opinion.rejected:
            body.add_widget(Small(text=red("未生效：" + esc(refused.message))))
        if self.app.level == "town" and not opinion.answers:
            self._answer_button()

    def _answer_button(self) -> None:
        button = BigButton(text="答复这条意见", size_hint_x=None, width=dp(220))
        button.bind(on_release=lambda _b: self.open_form("answer"))
        self.ids.actions.add_widget(button)

    def _apply(self, kind: str, v: Any) -> None:
        self.service.answer(self.app.user, self.record, v("answer"), on=v("on"))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
