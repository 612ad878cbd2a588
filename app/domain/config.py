"""Rule configuration: shipped defaults merged with the town's overrides.

RULES.md (preamble): where a rule is local practice or a number may change, the value is
a configurable default, kept in one file under ``schemas/`` (``schemas/config/defaults.json``),
changeable by the town, synced down to villages, and cited where it is used.  Every value
keeps its source: the default's citation, or the note the town gave with its change.

Town changes arrive as ``config.set`` events ``{key, value, note}``; ``overrides_from_events``
replays them (last writer in the total order wins: only the town office sets config, so a
concurrent pair is a re-decision, not a data conflict), ``merge_config`` applies them.
An override that is unknown or malformed is not applied and not dropped either: it is
listed in ``Config.rejected`` with a Chinese reason, and the default stays in force.

A key of the form ``calendar.holidays.2027`` is matched by the template
``calendar.holidays.{year}``: one config value per year, so two years entered at the same
time never overwrite each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from app.domain.errors import ConfigError
from app.domain.events import Event, order_key
from app.domain.schema_check import schema_problem


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any
    source: str
    label: str
    overridden: bool = False


@dataclass(frozen=True)
class Config:
    """Merged configuration; ``rejected`` lists (key, reason) of overrides not applied."""

    settings: Mapping[str, Setting]
    rejected: tuple[tuple[str, str], ...] = ()

    def value(self, key: str) -> Any:
        try:
            return self.settings[key].value
        except KeyError:
            raise ConfigError(f"缺少配置项“{key}”，请升级程序或联系镇里", code="missing") from None

    def source(self, key: str) -> str:
        return self.settings[key].source

    def by_template(self, template: str) -> dict[int, Any]:
        """Values of keys made from ``template`` (e.g. ``calendar.holidays.{year}``), by year."""
        pattern = _template_regex(template)
        out = {}
        for key, setting in self.settings.items():
            match = pattern.fullmatch(key)
            if match:
                out[int(match.group(1))] = setting.value
        return out

    def town_holidays(self) -> dict[int, Any]:
        """The town holiday list, ready for ``workdays.calendar_from_town_list``."""
        return self.by_template("calendar.holidays.{year}")


def _template_regex(template: str) -> re.Pattern[str]:
    prefix, _, suffix = template.partition("{year}")
    return re.compile(re.escape(prefix) + r"([0-9]{4})" + re.escape(suffix))


def check_defaults(defaults: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Raise ConfigError unless the defaults document and each default value are valid."""
    problem = schema_problem(dict(schema), defaults)
    if problem:
        raise ConfigError(f"规则默认值文件格式不对（{problem}）", code="defaults")
    for key, entry in defaults["values"].items():
        problem = schema_problem(entry["value_schema"], entry["value"])
        if problem:
            raise ConfigError(f"默认配置项“{key}”的值不符合要求（{problem}）", code="defaults")


def _entry_for(defaults: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    entry = defaults["values"].get(key)
    if entry is not None:
        return entry
    for template, spec in defaults.get("templates", {}).items():
        if _template_regex(template).fullmatch(key):
            return spec
    return None


def merge_config(defaults: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]],
                 ) -> Config:
    """Defaults with overrides ``{key: {"value": ..., "source": ...}}`` applied."""
    settings = {key: Setting(key, entry["value"], entry["source"], entry["label"])
                for key, entry in defaults["values"].items()}
    rejected = []
    for key in sorted(overrides):
        override = overrides[key]
        entry = _entry_for(defaults, key)
        if entry is None:
            rejected.append((key, f"不认识的配置项“{key}”，未采用；请升级程序后再看"))
            continue
        problem = schema_problem(entry["value_schema"], override.get("value"))
        if problem:
            rejected.append((key, f"镇里设置的“{entry['label']}”不符合要求（{problem}），"
                                  "仍按原规定执行；请镇里改正后重新下发"))
            continue
        source = override.get("source") or "镇里调整（未注明依据）"
        settings[key] = Setting(key, override["value"], source, entry["label"], True)
    return Config(settings, tuple(rejected))


def overrides_from_events(events: Iterable[Event]) -> dict[str, dict[str, Any]]:
    """Replay ``config.set`` events in order: the last value of each key, with its note."""
    out: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=order_key):
        if event.get("type") != "config.set":
            continue
        payload = event["payload"]
        out[payload["key"]] = {"value": payload["value"], "source": payload.get("note", ""),
                               "event": event["id"]}
    return out


def satisfaction_choices(config: Config) -> list[dict[str, Any]]:
    """The rating options offered to the citizen, in order (label, dissatisfied)."""
    return [dict(level) for level in config.value("service.satisfaction_levels")]


def rating_payload(config: Config, label: str, reason: str = "", on: str | None = None,
                   ) -> dict[str, Any]:
    """Build the ``svc.rated`` payload for a configured level.

    The payload carries ``dissatisfied`` itself, so replay never depends on the config
    a node happens to have (the town may rename or add levels; old ratings stay valid).
    """
    for level in satisfaction_choices(config):
        if level["label"] == label:
            payload: dict[str, Any] = {"level": label, "dissatisfied": level["dissatisfied"]}
            if reason:
                payload["reason"] = reason
            if on:
                payload["on"] = on
            return payload
    raise ConfigError(f"“{label}”不是可选的评价，请从列出的评价中选择", code="rating")
