"""A town center also receives its villages' duty rosters and visits; its own window
shows only its own (helper note from the demo: 王芳 of 张楼村 must not appear as on
duty at the town center)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from app.accounts import add_cadre
from app.services.frontdesk import (VisitForm, log_visit, on_duty_now, recent_visits, roster,
                                    schedule_duty)
from app.station import open_station
from sync.keys import SigningKey


def test_roster_and_visits_can_be_kept_to_one_station(tmp_path: Path) -> None:
    station = open_station(tmp_path / "town")
    station.store.set_identity("town-center", SigningKey.generate(),
                               {"kind": "town", "name": "镇便民服务中心", "short_code": "XJ001"})
    me = add_cadre(station.store, "张敏", "中心主任", "258046")
    day, now = date(2026, 11, 27), datetime(2026, 11, 27, 9, 30)
    schedule_duty(station.store, me, day, me, "全天", "坐班")
    log_visit(station.store, me, VisitForm(name="王秀英", matter="咨询医保"), now)
    # A village's rows, as a pull would have projected them.
    station.store.conn.execute(
        "INSERT INTO duty(record, date, shift, cadre, cadre_name, role, cancelled, origin)"
        " VALUES('r-v', ?, '全天', 'c-v', '王芳', '坐班', 0, 'zhanglou')", (day.isoformat(),))
    station.store.conn.execute(
        "INSERT INTO visits(record, name, matter, visited_at, origin) VALUES"
        "('v-v', '李四', '邻里纠纷', '2026-11-27 10:00', 'zhanglou')")
    assert {e["cadre_name"] for e in roster(station.store.conn, day)} == {"张敏", "王芳"}
    own = roster(station.store.conn, day, station.node_id)
    assert [e["cadre_name"] for e in own] == ["张敏"]
    assert [p["cadre_name"] for p in on_duty_now(station.store.conn, now, station.node_id)] \
        == ["张敏"]
    assert [v["name"] for v in recent_visits(station.store.conn, origin=station.node_id)] \
        == ["王秀英"]
    station.close()
