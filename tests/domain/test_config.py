"""Rule defaults with sources, town overrides, and what happens to a bad override."""
from __future__ import annotations

import re
from datetime import date

import pytest

import schemas.config
from app.domain.config import (
    check_defaults, merge_config, overrides_from_events, rating_payload, satisfaction_choices)
from app.domain.errors import ConfigError
from app.domain.service.flow import check_transition
from app.domain.shared.workdays import add_working_days, calendar_from_town_list
from tests.domain.builders import log_at

DEFAULTS = schemas.config.load_defaults()


def test_shipped_defaults_are_valid_and_every_value_cites_a_source():
    check_defaults(DEFAULTS, schemas.config.defaults_schema())
    config = merge_config(DEFAULTS, {})
    assert config.rejected == ()
    # Every source says what kind of rule it is; every [law] one names its article.
    for setting in config.settings.values():
        kind = setting.source[:setting.source.index("]") + 1]
        assert kind in ("[law]", "[seed]", "[local]", "[practice]", "[default]"), setting.key
        if kind == "[law]":   # an article (第…条) or a standard's clause (7.2.4)
            assert re.search(r"第[一二三四五六七八九十百零]+条|\d+\.\d+\.\d+", setting.source), \
                setting.key
            if not isinstance(setting.value, str):   # a statutory number, not a text
                assert setting.bound_text, setting.key
    assert config.value("service.due_soon_working_days") == 2


def test_a_default_that_breaks_its_own_schema_is_refused():
    broken = schemas.config.load_defaults()
    broken["values"]["service.due_soon_working_days"]["value"] = -1
    with pytest.raises(ConfigError) as info:
        check_defaults(broken, schemas.config.defaults_schema())
    assert info.value.message.startswith("默认配置项“service.due_soon_working_days”的值不符合要求")


def test_town_override_replaces_the_value_and_its_source():
    config = merge_config(DEFAULTS, {"service.due_soon_working_days":
                                     {"value": 3, "source": "镇党委会议纪要〔2026〕5号"}})
    setting = config.settings["service.due_soon_working_days"]
    assert (setting.value, setting.source, setting.overridden) == (3, "镇党委会议纪要〔2026〕5号", True)


def test_bad_and_unknown_overrides_are_listed_not_applied():
    config = merge_config(DEFAULTS, {
        "service.due_soon_working_days": {"value": "三天"},
        "service.no_such_rule": {"value": 1},
    })
    assert config.value("service.due_soon_working_days") == 2
    reasons = dict(config.rejected)
    assert reasons["service.no_such_rule"] == "不认识的配置项“service.no_such_rule”，未采用；请升级程序后再看"
    assert reasons["service.due_soon_working_days"].startswith("镇里设置的“到期前几个工作日起提示“即将到期””不符合要求")
    assert reasons["service.due_soon_working_days"].endswith("仍按原规定执行；请镇里改正后重新下发")


def test_missing_key_raises_a_chinese_error():
    with pytest.raises(ConfigError) as info:
        merge_config(DEFAULTS, {}).value("service.unknown")
    assert info.value.message == "缺少配置项“service.unknown”，请升级程序或联系镇里"


def _config_event(i: int, hlc: int, key: str, value, note: str = "") -> dict:
    return {"id": f"e{i}", "origin": "t1", "seq": i, "hlc": hlc, "type": "config.set", "v": 1,
            "record": "config", "kind": "config", "author": "u",
            "payload": {"key": key, "value": value, "note": note}}


def test_town_holiday_list_travels_as_one_config_value_per_year():
    events = [
        _config_event(2, 200, "calendar.holidays.2027", {"holidays": ["2027-01-01"]}, "国办发明电〔2026〕x号"),
        _config_event(1, 100, "calendar.holidays.2027", {"holidays": []}),
        _config_event(3, 150, "calendar.holidays.2028", {"holidays": ["2028-01-01"]}),
        {"id": "x", "origin": "t1", "seq": 9, "hlc": 50, "type": "visit.logged", "payload": {}},
    ]
    overrides = overrides_from_events(events)
    assert overrides["calendar.holidays.2027"]["value"] == {"holidays": ["2027-01-01"]}  # last in order
    config = merge_config(DEFAULTS, overrides)
    assert config.rejected == ()
    assert config.town_holidays() == {2027: {"holidays": ["2027-01-01"]}, 2028: {"holidays": ["2028-01-01"]}}
    calendar = calendar_from_town_list(config.town_holidays())
    due = add_working_days(date(2026, 12, 31), 1, calendar)
    # 2027-01-01 listed, then the weekend: the 4th.  The list holds one of 2027's
    # statutory days only, so the year stays provisional (issue #10).
    assert (due.date, due.provisional) == (date(2027, 1, 4), True)


def test_malformed_holiday_year_is_rejected_by_its_template():
    config = merge_config(DEFAULTS, {"calendar.holidays.2027": {"value": {"holidays": ["1月1日"]}}})
    assert config.town_holidays() == {}
    assert [key for key, _ in config.rejected] == ["calendar.holidays.2027"]


def test_rating_payload_carries_the_dissatisfied_flag_from_config():
    config = merge_config(DEFAULTS, {})
    assert [c["label"] for c in satisfaction_choices(config)] == ["满意", "基本满意", "不满意"]
    payload = rating_payload(config, "不满意", reason="办得太慢", on="2025-10-20")
    assert payload == {"level": "不满意", "dissatisfied": True, "reason": "办得太慢", "on": "2025-10-20"}
    log = log_at("fed_back")
    event = log.event("svc.rated", "v1", payload=payload)
    assert check_transition(log.state(), event, "village").ok


def test_town_may_rename_rating_levels_without_breaking_old_ratings():
    levels = [{"label": "非常满意", "dissatisfied": False}, {"label": "不满意", "dissatisfied": True}]
    config = merge_config(DEFAULTS, {"service.satisfaction_levels": {"value": levels, "source": "镇定"}})
    assert rating_payload(config, "非常满意")["dissatisfied"] is False
    with pytest.raises(ConfigError) as info:
        rating_payload(config, "基本满意")
    assert info.value.message == "“基本满意”不是可选的评价，请从列出的评价中选择"
    # An old "基本满意" rating in the log still replays: the fold does not read config.
    log = log_at("fed_back")
    log.add("svc.rated", "v1", level="基本满意", dissatisfied=False)
    assert log.state().rating == {"level": "基本满意", "dissatisfied": False, "reason": ""}


def test_satisfaction_levels_must_keep_a_dissatisfied_option():
    config = merge_config(DEFAULTS, {"service.satisfaction_levels": {
        "value": [{"label": "满意", "dissatisfied": False}, {"label": "一般", "dissatisfied": False}]}})
    assert [key for key, _ in config.rejected] == ["service.satisfaction_levels"]


def test_quick_phrases_are_offered_per_purpose_and_the_town_may_replace_them():
    from app.domain.config import quick_phrases
    config = merge_config(DEFAULTS, {})
    assert "群众来问进度，请尽快办理" in quick_phrases(config, "urge")
    assert quick_phrases(config, "no_such_purpose") == []
    ours = merge_config(DEFAULTS, {"service.quick_phrases": {
        "value": {"urge": ["请本周内答复"]}, "source": "镇便民服务中心2026年工作规范"}})
    assert quick_phrases(ours, "urge") == ["请本周内答复"]
    too_long = merge_config(DEFAULTS, {"service.quick_phrases": {"value": {"urge": ["长" * 61]}}})
    assert too_long.rejected and quick_phrases(too_long, "urge") == quick_phrases(config, "urge")
