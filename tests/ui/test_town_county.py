"""The same app at the town center and at a county window, by touch (issue #3 §1–3,
issue #8 §1, §3): the town's inbox of what villages sent up at the top of its home screen
(opened from there) and things to supervise, the
overview by village with its bar charts, forwarding to a county department with a
printable 转办函; the county's inbox of forwarded matters and its reply. Village data
reaches them the way a hub relays it (events carried in-process, hash-checked on
arrival)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from tests.ui.flows import current, go_home, keep_without_printing, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app

PEOPLE = {  # village → intakes: (name, phone, matter, summary, accepted on, what then)
    "王湾村": [("王秀英", "13812345678", "SB-001", "申请城乡居民养老保险参保登记，户口簿在外地",
              date(2026, 11, 12), "escalate"),
             ("陈玉兰", "13912345670", "JZ-003", "家中失火，申请临时救助", TODAY, "escalate"),
             ("张国强", "13700001111", "SB-005", "打印社保缴费证明", date(2026, 11, 20),
              "unhappy")],
    "李庄村": [("周凤英", "15012345678", "YB-001", "给新生儿办理医保参保", date(2026, 11, 18),
              None),
             ("吴建军", "15112345678", "DY-003", "外出务工开党员证明信", date(2026, 11, 25),
              "happy"),
             ("孙丽", "15212345678", "JS-001", "办理生育登记", date(2026, 11, 26), "happy"),
             ("郑桂芝", "15312345678", "JZ-004", "家里添了孙子，报告低保家庭人口变化", TODAY, None)],
}


def _village(root: Path, name: str, code: str, who: tuple[str, str]) -> Path:
    path = make_station(root / name, name=name, short_code=code, cadres=(who,))
    station = unlocked(path)
    try:
        officer = cadre(station, who[0])
        for person, phone, matter, summary, day, then in PEOPLE[name]:
            desk = Desk(station, today=lambda day=day: day)
            record = desk.intake(officer, IntakeForm(name=person, phone=phone,
                                                     matter_code=matter, summary=summary)).record
            if then == "escalate":
                desk.escalate(officer, record, "超出村里职权，请镇里协调")
            elif then in ("happy", "unhappy"):
                desk.act(officer, record, "svc.done_at_once", {"result": "已当场办理"})
                desk.act(officer, record, "svc.fed_back", {"method": "当面"})
                rating = {"level": "满意", "dissatisfied": False} if then == "happy" else \
                    {"level": "不满意", "dissatisfied": True, "reason": "证明上的年份打错了"}
                desk.act(officer, record, "svc.rated", rating)
    finally:
        station.close()
    return path


def _two_tablets_at_once(village: Path, root: Path) -> None:
    """Two tablets of 李庄村 act on 郑桂芝's matter before they sync: one settles it at once,
    the other, later, starts handling it. Replayed in order, the second step comes after the
    matter was settled: it is kept, shown as not applied (DESIGN.md "Conflicts")."""
    first = unlocked(village)
    second = unlocked(make_station(root / "li-2", name="李庄村二号平板", short_code="XJ003",
                                       cadres=(("钱明", "代办员"),)))
    try:
        [(record,)] = first.store.conn.execute("SELECT record FROM cases WHERE applicant=?",
                                               ("郑桂芝",)).fetchall()
        carry(first, second)
        Desk(second, today=lambda: TODAY).act(cadre(second, "钱明"), record,
                                              "svc.done_at_once", {"result": "已当场登记上报"})
        Desk(first, today=lambda: TODAY).act(cadre(first, "赵红梅"), record, "svc.started",
                                             {"note": "开始核实家庭人口"})
        carry(second, first)
    finally:
        first.close()
        second.close()


@pytest.fixture
def township(tmp_path: Path) -> dict[str, Path]:
    villages = [_village(tmp_path, "王湾村", "XJ001", ("李建国", "村委委员")),
                _village(tmp_path, "李庄村", "XJ002", ("赵红梅", "村支书"))]
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ010", cadres=(("张敏", "中心主任"), ("刘洋", "科员")))
    county = make_station(tmp_path / "county", name="县人社局窗口", kind="county",
                          short_code="XA001", cadres=(("刘强", "科员"),))
    _two_tablets_at_once(villages[1], tmp_path)
    target = unlocked(town)
    try:
        for village in [*villages, tmp_path / "li-2"]:
            source = unlocked(village)
            carry(source, target)
            source.close()
    finally:
        target.close()
    return {"town": town, "county": county}


def town_home_shows_inbox(ui) -> None:
    sign_in(ui, "张敏")
    home = screen(ui.app, "home")
    inbox = ui.texts(home.ids.inbox)            # the villages' matters first, on top
    assert "村里上报，等镇里处理：2" in inbox, inbox
    assert inbox.count("王湾村 · ") == 2, inbox        # one row each
    assert "村里写：超出村里职权，请镇里协调" in inbox
    assert "群众不满意" in ui.texts(home.ids.extra)
    board = ui.texts(home.ids.board)
    assert "王秀英" in board and "周凤英" in board
    ui.shot("home", title("home", "hello"))


def overview(ui) -> None:
    ui.tap("镇里概况")
    town = screen(ui.app, "town")
    chart = [row.name for row in town.ids.overdue_chart.ids.rows.children]
    # Every station of the town has a line, the quiet second tablet of 李庄村 too.
    assert sorted(chart) == ["李庄村", "李庄村二号平板", "王湾村"]
    ui.shot("overview", title("town"))


def open_wang(ui) -> None:
    go_home(ui)
    ui.tap("王湾村 · 王秀英", within=screen(ui.app, "home").ids.inbox)
    assert current(ui) == "case"
    case = screen(ui.app, "case")
    labels = [b.text for b in case.ids.actions.children]
    assert "转办县直部门" in labels and "交办" in labels and "退回" in labels
    assert "上报镇" not in labels
    assert "李建国" in ui.texts(case.ids.facts)      # 首接责任人, shown at every level
    ui.shot("case", title("case", "actions_title"))


def forward(ui) -> None:
    case = screen(ui.app, "case")
    ui.tap("转办县直部门", within=case.ids.actions)
    ui.tap("县人力资源和社会保障局", within=case.ids.form_fields)
    ui.fill("反映事项摘要", "群众户口簿在外地，请县人社局核实参保资格并答复")
    ui.done_typing()
    ui.shot("forward-form")
    ui.tap("确定", within=case.ids.form)
    assert case.state.status == "forwarded", case.ids.form_error.text
    ui.tap("打印转办函", within=case.ids.actions)
    keep_without_printing(ui, "转办函")
    ui.shot("forwarded", title("case", "actions_title"))


def assign(ui) -> None:
    go_home(ui)
    ui.tap("王湾村 · 陈玉兰", within=screen(ui.app, "home").ids.inbox)
    case = screen(ui.app, "case")
    ui.tap("交办", within=case.ids.actions)
    assignees = case._inputs["assignee"]
    assert assignees.options == ["刘洋", "张敏"]
    ui.tap("刘洋", within=assignees)
    ui.fill("交办意见", "请三天内入户核实灾情")
    ui.done_typing()
    ui.shot("assign-form")
    ui.tap("确定", within=case.ids.form)
    assert case.state.status == "in_progress", case.ids.form_error.text
    assert case.state.assignee["name"] == "刘洋" and case.state.assignee["post"] == "科员"
    ui.shot("assigned", title("case", "actions_title"))


def rejected_step_shown(ui) -> None:
    go_home(ui)
    ui.tap("台账查询")
    ui.fill("查姓名", "郑桂芝")
    ui.tap("查找")
    [row] = screen(ui.app, "ledger").ids.rows.data
    ui.tap("郑桂芝")
    case = screen(ui.app, "case")
    assert case.state.status == "closed" and len(case.state.rejected) == 1
    shown = ui.texts(case.ids.timeline)
    assert "未生效的“开始办理”" in shown and "钱明" in shown and "赵红梅" in shown
    assert "步操作未生效" in case.ids.status.text
    ui.scroll_into_view(case.ids.timeline.children[-1])
    ui.shot("rejected-step")


def test_town_inbox_overview_and_forwarding(township: dict[str, Path]) -> None:
    with touch_app(station_app(township["town"]), "tablet", name="town") as ui:
        ui.shot("signin", title("signin", "pick_title"))
        town_home_shows_inbox(ui)
        overview(ui)
        open_wang(ui)
        forward(ui)
        assign(ui)
        rejected_step_shown(ui)
    town = unlocked(township["town"])
    try:
        letters = list((township["town"] / "prints").glob("转办函-*.pdf"))
        assert len(letters) == 1 and letters[0].read_bytes().startswith(b"%PDF")
        # the county window sees the forwarded matter, the way the hubs would relay it
        county = unlocked(township["county"])
        carry(town, county)
        county.close()
    finally:
        town.close()

    with touch_app(station_app(township["county"]), "phone", name="county") as ui:
        sign_in(ui, "刘强")
        home = screen(ui.app, "home")
        assert "镇里转办、等县直部门回复：1" in ui.texts(home.ids.extra)
        ui.shot("home", title("home", "hello"))
        ui.tap("镇里转办、等县直部门回复")
        [row] = screen(ui.app, "ledger").ids.rows.data
        ui.tap("王秀英")
        case = screen(ui.app, "case")
        assert [b.text for b in reversed(case.ids.actions.children)][:2] == ["回复", "退回"]
        ui.tap("回复", within=case.ids.actions)
        ui.fill("答复内容", "已核实，可以参保，请携带户口簿复印件到镇里办理")
        ui.done_typing()
        ui.shot("reply-form")
        ui.tap("确定", within=case.ids.form)
        assert case.state.status == "replied", case.ids.form_error.text
        assert current(ui) == "case"
        ui.shot("replied", title("case", "actions_title"))
