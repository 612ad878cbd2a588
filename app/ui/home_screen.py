"""首页: who is on duty now, what is overdue or due soon (in red, labels from the
deadline board), big buttons to the main tasks; the town sees its escalation inbox and the
things that need a leader's attention, the county its forwarded inbox."""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from app.domain.duty import next_start
from app.services.frontdesk import duty_board
from app.services.ledger import LedgerFilter, deadline_board, ledger
from app.ui.widgets import BigButton, Body, Card, Heading, ListRow, Page, TileButton, esc, red

WEEKDAYS = "一二三四五六日"
BOARD_ROWS = 6


def case_title(row: dict) -> str:
    who = row.get("applicant") or "（未填姓名）"
    what = row.get("matter_name") or row.get("summary") or "群众事项"
    return f"{esc(who)} · {esc(what)}"


class HomeScreen(Page):
    def refresh(self) -> None:
        app = self.app
        today = app.today()
        self.ids.hello.text = f"{esc(app.user.name)}，您好" if app.user else "您好"
        self.ids.today.text = f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}"
        member = self._level_tiles()
        self.ids.add_cadre_button.shown = not member
        self._village_inbox()
        if member:      # a 监委会 member keeps no duty roster (issue #13 §3)
            self.ids.duty.clear_widgets()
            self.ids.duty.add_widget(Body(text="您以村务监督委员会成员身份登录：请点“村务监督”。"))
        else:
            self._duty()
        self._board()
        self._dispute_alerts()
        self._reminders()
        self.ids.extra.clear_widgets()
        if app.level in ("town", "county"):
            self._inbox()
        if app.level == "town":
            town = BigButton(text="镇里概况（各村办事、纠纷、信访，可打印）")
            town.bind(on_release=lambda _b: app.go("town"))
            self.ids.extra.add_widget(town)

    def _level_tiles(self) -> bool:
        """Tiles added in code: 镇里设置 at the town and county; 民意台账 and 规则数值 everywhere;
        村务监督 at villages and towns. Returns whether a 监委会 member is signed in."""
        tiles = self.ids.tiles
        for tile in [t for t in tiles.children if getattr(t, "level_tile", False)]:
            tiles.remove_widget(tile)
        self.rules_tile = None
        if self._supervisor_tiles(tiles):
            return True
        if self.app.level in ("town", "county"):
            tile = TileButton(text="镇里设置")
            tile.level_tile = True
            tile.bind(on_release=lambda _b: self.app.go("rules"))
            tiles.add_widget(tile)
            self.rules_tile = tile
        ledger = TileButton(text="民意台账")
        ledger.level_tile = True
        ledger.bind(on_release=lambda _b: self.app.go("opinions"))
        tiles.add_widget(ledger)
        self.opinions_tile = ledger
        if "discipline" in self.app.station.identity().get("roles", []):
            jiwei = TileButton(text="纪委办案")      # issue #13 §2: discipline devices only
            jiwei.level_tile = True
            jiwei.bind(on_release=lambda _b: self.app.go("discipline"))
            tiles.add_widget(jiwei)
            self.discipline_tile = jiwei
        if self.app.level == "town" and "discipline" in self.app.station.identity().get("roles", []):
            scores = TileButton(text="年度考评")     # issue #13 §4: the 百分制 results
            scores.level_tile = True
            scores.bind(on_release=lambda _b: self.app.go("assessment"))
            tiles.add_widget(scores)
        if self.app.level in ("village", "town"):
            self._oversight_tile(tiles)
        settings = TileButton(text="规则数值" if self.app.level != "village" else "规则和依据")
        settings.level_tile = True
        settings.bind(on_release=lambda _b: self.app.go("settings"))
        tiles.add_widget(settings)
        self.settings_tile = settings
        return False

    def _oversight_tile(self, tiles) -> None:
        tile = TileButton(text="村务监督")          # issue #13 §3: the 监委会 and the town's answers
        tile.level_tile = True
        tile.bind(on_release=lambda _b: self.app.go("oversight"))
        tiles.add_widget(tile)
        self.oversight_tile = tile

    def _supervisor_tiles(self, tiles) -> bool:
        """A 村务监督委员会 member signed in does none of the village's business: the
        tiles of the tasks are out of the tree (app.services.oversight); only 村务监督."""
        from app.accounts import SUPERVISOR_ROLE, cadre_roles
        fixed = self.__dict__.setdefault("_fixed_tiles", list(reversed(tiles.children)))
        member = self.app.user is not None and \
            SUPERVISOR_ROLE in cadre_roles(self.app.station.store, self.app.user.id)
        tiles.clear_widgets()
        if member:
            self._oversight_tile(tiles)
            return True
        for tile in fixed:
            tiles.add_widget(tile)
        return False

    def _village_inbox(self) -> None:
        """The town's inbox first (issue #8 §3): what the villages sent up and wait for,
        oldest first, with the village's own words; disputes reported up; villages' own
        matters waiting for approval."""
        box = self.ids.inbox
        box.clear_widgets()
        app = self.app
        if app.level != "town":
            return
        from app.services.inbox import town_inbox
        inbox = town_inbox(app.desk, app.today())
        card = Card(tone="red" if any(c.overdue for c in inbox.cases) else "white")
        card.add_widget(Heading(text=f"村里上报，等镇里处理：{len(inbox.cases)} 件" if inbox.cases
                                else "村里上报：没有等镇里处理的事"))
        shown = 3 if app.narrow else BOARD_ROWS     # a phone still shows the tiles below
        for item in inbox.cases[:shown]:
            when = f"{item.sent_on.month}月{item.sent_on.day}日上报" if item.sent_on else "已上报"
            extra = [when, f"等了 {item.waiting_days} 个工作日"]
            if item.urges:
                extra.append(red(f"村里催办 {item.urges} 次"))
            if item.overdue:
                extra.append(red("已过答复期限"))
            words = item.words if len(item.words) <= 40 else item.words[:40] + "…"
            card.add_widget(ListRow(
                title=f"{esc(item.village)} · {esc(item.applicant)} · {esc(item.matter)}",
                detail=" · ".join(extra) + f"\n村里写：{esc(words)}", record=item.record,
                tone="red" if item.overdue or item.urges else "plain"))
        if len(inbox.cases) > shown:
            more = BigButton(text=f"查看全部 {len(inbox.cases)} 件 →", kind="light")
            more.bind(on_release=lambda _b: app.go("ledger", status="escalated"))
            card.add_widget(more)
        for count, text, target in ((inbox.disputes, "矛盾纠纷上报到镇里", "disputes"),
                                    (inbox.proposals, "村里申请的本村事项待审批", "local_matter")):
            if count:
                button = BigButton(text=f"{text}：{count} 件 →", kind="primary")
                button.bind(on_release=lambda _b, t=target: app.go(t))
                card.add_widget(button)
        box.add_widget(card)

    def _duty(self) -> None:
        """现在值班: the lines of the 带班坐班 screen that are on duty now, in its words."""
        box = self.ids.duty
        box.clear_widgets()
        lines = duty_board(self.app.conn, self.app.now(), self.app.station.node_id)
        current = [line for line in lines if line.now]
        if not lines:
            box.add_widget(Body(text=red("今天还没有排班：窗口不能无人值守，请到“带班坐班”排班。")))
            return
        if not current:
            upcoming = next_start(lines)
            box.add_widget(Body(text="现在不在值班时间。" + (
                f"下一班：{esc(upcoming.entry['cadre_name'])} {upcoming.label}。"
                if upcoming else "今天的班已经结束。")))
            return
        for line in current:
            entry = line.entry
            state = red(esc(line.label)) if line.urgent else esc(line.label)
            box.add_widget(Body(text=f"{esc(entry['cadre_name'])}　{entry['role']} · "
                                     f"{entry['shift']}　{state}"))

    def _board(self) -> None:
        app = self.app
        items = deadline_board(app.conn, app.rules, app.today())
        overdue = sum(1 for item in items if item.state == "overdue")
        soon = len(items) - overdue
        parts = [red(f"超期 {overdue} 件") if overdue else "", red(f"快到期 {soon} 件") if soon else ""]
        self.ids.board_title.text = "到期提醒" + ("：" + "，".join(p for p in parts if p)
                                                 if items else "")
        box = self.ids.board
        box.clear_widgets()
        self.ids.board_card.tone = "red" if items else "plain"
        if not items:
            box.add_widget(Body(text="没有超期或快到期的事项。"))
        for item in items[:BOARD_ROWS]:
            row = item.row
            where = f" · {esc(row['village'])}" if row.get("village") and self.app.level != "village" else ""
            box.add_widget(ListRow(
                title=case_title(row), record=row["record"], tone="red",
                detail=f"{red(item.label)}{where} · {row['status_name']} · 回执 {row['receipt_no']}"))
        if len(items) > BOARD_ROWS:
            more = BigButton(text=f"查看全部 {len(items)} 件 →", kind="light")
            more.bind(on_release=lambda _b: self.app.go("ledger", overdue=True))
            box.add_widget(more)

    def _dispute_alerts(self) -> None:
        """High-risk disputes nobody has taken yet, across the top of the town's (and
        county's) home screen until a cadre takes them (认领包案, on the dispute)."""
        box = self.ids.alerts
        box.clear_widgets()
        app = self.app
        if app.level == "village":
            return
        alerts = app.disputes.alerts()
        if not alerts:
            return
        card = Card(tone="red")
        card.add_widget(Heading(text=red(f"高风险矛盾纠纷 {len(alerts)} 起，还没有人认领包案")))
        card.add_widget(Body(text="请点开，指定包案领导认领并跟进（认领后这里不再提醒）。"))
        for alert in alerts[:BOARD_ROWS]:
            state = app.disputes.dispute(alert.record)
            received = (state.received_at or "").replace("T", " ")
            card.add_widget(ListRow(
                title=f"{esc('、'.join(state.party_names))} · {esc(state.dispute_type or '')}纠纷",
                detail=red(f"激化风险{esc(alert.risk)}") + f" · {esc(state.village)} · "
                       f"{esc(received)} 受理 · {esc(state.status_name)}",
                record=alert.record, target="dispute", tone="red"))
        if len(alerts) > BOARD_ROWS:
            more = BigButton(text=f"查看全部 {len(alerts)} 起 →", kind="light")
            more.bind(on_release=lambda _b: app.go("disputes"))
            card.add_widget(more)
        box.add_widget(card)

    def _reminders(self) -> None:
        """矛盾纠纷 owed today: mediations past their limit, 司法确认 (inside its 30
        days) and 回访 (at the performance deadline) on agreements this station holds;
        nothing shown when there are none."""
        box = self.ids.reminders
        box.clear_widgets()
        app = self.app
        disputes = app.disputes
        overdue = [row for row in disputes.board() if row.overdue]
        items = disputes.confirmation_reminders() + disputes.revisits_due()
        if not items and not overdue:
            return
        items.sort(key=lambda r: (r.status.due, r.record))
        late = overdue or any(r.status.overdue for r in items)
        card = Card(tone="red" if late else "plain")
        card.add_widget(Heading(text="矛盾纠纷提醒"))
        if overdue:
            button = BigButton(text=f"调解超期 {len(overdue)} 起 →", kind="danger")
            button.bind(on_release=lambda _b: app.go("disputes"))
            card.add_widget(button)
        for item in items[:BOARD_ROWS]:
            urgent = item.status.overdue or item.status.state == "due_soon"
            where = f" · {esc(item.village)}" if item.village and app.level != "village" else ""
            card.add_widget(ListRow(
                title=f"{esc(item.parties)}（{esc(item.ledger_no)}）{where}",
                detail=red(esc(item.status.label)) if urgent else esc(item.status.label),
                record=item.record, target="dispute",
                tone="red" if item.status.overdue else "plain"))
        box.add_widget(card)

    def _inbox(self) -> None:
        app, level = self.app, self.app.level
        card = Card()
        title = Heading(text="镇里待办" if level == "town" else "转办到县里的事项")
        card.add_widget(title)
        box = card
        self.ids.extra.add_widget(card)
        conn, today = app.conn, app.today()

        def count(status: str) -> int:
            return len(ledger(conn, LedgerFilter(status=status, limit=5000), today))

        if level == "town":    # 村里上报 is the inbox at the top (_village_inbox)
            lines = [("replied", "县直部门已回复、待镇里办结"), ("returned", "已退回")]
        else:
            lines = [("forwarded", "镇里转办、等县直部门回复")]
        for status, label in lines:
            n = count(status)
            button = BigButton(text=f"{label}：{n} 件", kind="primary" if n else "plain")
            button.bind(on_release=lambda _b, s=status: app.go("ledger", status=s))
            box.add_widget(button)
        if level == "town":
            unhappy = [r for r in ledger(conn, LedgerFilter(status="rated", limit=5000), today)
                       if r["dissatisfied"]]
            overdue = len(ledger(conn, LedgerFilter(overdue_only=True, limit=5000), today))
            box.add_widget(Body(text=red(f"需要领导督办：超期 {overdue} 件，群众不满意 {len(unhappy)} 件")
                                if overdue or unhappy else "没有需要督办的事项。"))
            for row in unhappy[:3]:
                box.add_widget(ListRow(title=case_title(row), record=row["record"], tone="red",
                                       detail=red("群众不满意") + f" · {esc(row.get('village') or '')}"
                                              f" · 回执 {row['receipt_no']}"))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
