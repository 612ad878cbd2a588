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

A statutory number carries a ``legal_bound`` (a JSON Schema, its Chinese text and the
article): the town may tighten the law, never loosen it (issue #10), so an override
outside the bound is rejected the same way — at the town's settings screen before it is
written (``override_problem``), and on every node that merges it, whoever wrote it.
A key the program no longer uses is listed in ``retired`` with the reason.

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
    bound: Mapping[str, Any] | None = None  # {schema, text, source} for statutory numbers
    default: Any = None
    default_source: str = ""

    @property
    def bound_text(self) -> str:
        """"法定界限：不得超过60日（信访工作条例第三十四条）", or "" for a local number."""
        if not self.bound:
            return ""
        return f"法定界限：{self.bound['text']}（{self.bound['source']}）"


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
        """The town holiday list, ready for ``shared.workdays.calendar_from_town_list``."""
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
        bound = entry.get("legal_bound")
        if not problem and bound and schema_problem(bound["schema"], entry["value"]):
            problem = f"超出法定界限：{bound['text']}"
        if problem:
            raise ConfigError(f"默认配置项“{key}”的值不符合要求（{problem}）", code="defaults")


def _entry_for(defaults: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    entry: Mapping[str, Any] | None = defaults["values"].get(key)
    if entry is not None:
        return entry
    templates: Mapping[str, Mapping[str, Any]] = defaults.get("templates", {})
    for template, spec in templates.items():
        if _template_regex(template).fullmatch(key):
            return spec
    return None


def override_problem(defaults: Mapping[str, Any], key: str, value: Any) -> str | None:
    """Why the town may not set ``key`` to ``value`` (Chinese), or None: unknown or retired
    key, a value of the wrong form, or one that loosens the law (its legal bound)."""
    retired = defaults.get("retired", {}).get(key)
    if retired:
        return f"“{key}”已不再使用：{retired}"
    entry = _entry_for(defaults, key)
    if entry is None:
        return f"不认识的配置项“{key}”，未采用；请升级程序后再看"
    problem = schema_problem(entry["value_schema"], value)
    if problem:
        return f"“{entry['label']}”不符合要求（{problem}）"
    bound = entry.get("legal_bound")
    if bound and schema_problem(bound["schema"], value):
        return (f"“{entry['label']}”超出法定界限：{bound['text']}（{bound['source']}）。"
                "镇里只能比法律规定更严，不能放宽")
    return None


def merge_config(defaults: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]],
                 ) -> Config:
    """Defaults with overrides ``{key: {"value": ..., "source": ...}}`` applied."""
    settings = {key: Setting(key, entry["value"], entry["source"], entry["label"],
                             bound=entry.get("legal_bound"), default=entry["value"],
                             default_source=entry["source"])
                for key, entry in defaults["values"].items()}
    rejected = []
    for key in sorted(overrides):
        override = overrides[key]
        entry = _entry_for(defaults, key)
        problem = override_problem(defaults, key, override.get("value"))
        if problem:
            if entry is not None and not defaults.get("retired", {}).get(key):
                problem = f"镇里设置的{problem}，仍按原规定执行；请镇里改正后重新下发"
            rejected.append((key, problem))
            continue
        assert entry is not None  # override_problem refuses a key without an entry
        source = override.get("source") or "镇里调整（未注明依据）"
        settings[key] = Setting(key, override["value"], source, entry["label"], True,
                                bound=entry.get("legal_bound"), default=entry.get("value"),
                                default_source=entry["source"])
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


def quick_phrases(config: Config, purpose: str) -> list[str]:
    """常用语 offered above a text box for ``purpose`` (result, reply, urge …); the town may
    replace the lists (``service.quick_phrases``). Empty for a purpose without any."""
    return [str(p) for p in (config.value("service.quick_phrases") or {}).get(purpose, [])]
