"""规则数值 through the service (real SQLite): the town tightens a statutory number within
its legal bound; a looser one, a village, a wrong form or a missing 依据 writes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts import add_cadre
from app.services.errors import ServiceError
from app.services.rule_settings import set_rule, settings
from app.services.rules import load_rules
from tests.app.test_dispute_services import make_station


def _count(station) -> int:
    return station.store.conn.execute(
        "SELECT COUNT(*) FROM events WHERE type='config.set'").fetchone()[0]


def test_the_town_tightens_within_the_bound_and_nothing_looser_is_written(tmp_path: Path):
    town = make_station(tmp_path / "t", "town", "新集镇信访工作站")
    try:
        cadre = add_cadre(town.store, "张敏", "信访办主任", "258046")
        rows = {row.key: row for row in settings(town)}
        assert rows["petition.handling_days"].bound_text == (
            "法定界限：不得超过60日（镇里可以规定得更短）（信访工作条例（2022年）第三十四条）")
        assert rows["petition.handling_days"].source.startswith("法律法规：信访工作条例")
        assert rows["service.due_soon_working_days"].bound_text == ""   # local number
        for key, value, message in (
                ("petition.handling_days", "61", "超出法定界限：不得超过60日"),
                ("petition.review_request_days", "20", "超出法定界限：固定为30日"),
                ("petition.period_end_rolls_over", "否", "超出法定界限：必须顺延"),
                ("risk.blocking_dimensions", ["legality"], "超出法定界限：必须包括合法性、可行性、可控性"),
                ("petition.handling_days", "六十", "请填写数字（整数）"),
                ("petition.refusal_grounds", "x", "这一项不能在这里修改")):
            with pytest.raises(ServiceError) as caught:
                set_rule(town, cadre, key, value, "镇里决定")
            assert message in caught.value.message, caught.value.message
        with pytest.raises(ServiceError, match="请写明依据"):
            set_rule(town, cadre, "petition.handling_days", "45", " ")
        assert _count(town) == 0
        set_rule(town, cadre, "petition.handling_days", "45", "镇信访联席会议纪要〔2026〕4号")
        set_rule(town, cadre, "risk.blocking_dimensions",
                 ["legality", "reasonableness", "feasibility", "controllability"], "县稳评办通知")
        config = load_rules(town.store.conn).config
        assert config.value("petition.handling_days") == 45
        assert "reasonableness" in config.value("risk.blocking_dimensions")
        assert _count(town) == 2
    finally:
        town.close()


def test_the_decision_and_supervision_rules_are_shown_readably(tmp_path: Path):
    village = make_station(tmp_path / "v", "village", "王湾村")
    try:
        rows = {row.key: row for row in settings(village)}
        procedures = rows["decisions.procedures"]
        assert (procedures.group, procedures.value_text) == ("村级民主决策（四议两公开）", "四议两公开、一征三议两公开")
        bands = rows["supervision.star_bands"]
        assert (bands.group, bands.value_text) == ("党风政风监督", "5星95分、4星90分、3星80分、2星70分、1星60分")
        quorum = rows["decisions.representatives_attendance"]
        assert quorum.value_text == "三分之二以上" and quorum.bound_text.startswith("法定界限：不得低于“三分之二以上”")
    finally:
        village.close()


def test_a_village_only_reads_the_rules(tmp_path: Path):
    village = make_station(tmp_path / "v", "village", "王湾村")
    try:
        cadre = add_cadre(village.store, "李建国", "村委委员", "258046")
        with pytest.raises(ServiceError, match="村里不能修改"):
            set_rule(village, cadre, "petition.handling_days", "45", "试试")
        assert _count(village) == 0 and settings(village)
    finally:
        village.close()
