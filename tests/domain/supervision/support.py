"""The shipped supervision rules (numbers from defaults.json) for the tests."""
from __future__ import annotations

import schemas.config
from app.domain.config import merge_config
from app.domain.supervision.rules import SupervisionRules

DEFAULTS = schemas.config.load_defaults()
RULES = SupervisionRules.from_config(merge_config(DEFAULTS, {}))


def rules_with(**overrides) -> SupervisionRules:
    config = merge_config(DEFAULTS, {f"supervision.{k}": {"value": v, "source": "测试"}
                                     for k, v in overrides.items()})
    assert config.rejected == (), config.rejected
    return SupervisionRules.from_config(config)
