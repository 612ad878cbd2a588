"""The shipped defaults of disputes, petitions and risk assessment: valid, sourced, cited."""
from __future__ import annotations

from pathlib import Path

import schemas.config
from app.domain.config import merge_config
from app.domain.dispute.rules import DisputeRules
from app.domain.petition.rules import PetitionRules
from app.domain.risk.grading import RiskRules

DEFAULTS = schemas.config.load_defaults()
DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
PREFIXES = ("dispute.", "petition.", "risk.")


def test_rules_read_from_the_shipped_config_equal_the_built_in_defaults():
    config = merge_config(DEFAULTS, {})
    assert DisputeRules.from_config(config) == DisputeRules()
    assert PetitionRules.from_config(config) == PetitionRules()
    assert RiskRules.from_config(config) == RiskRules()


def test_every_key_has_a_source_and_is_cited_in_the_code_that_uses_it():
    keys = [k for k in DEFAULTS["values"] if k.startswith(PREFIXES)]
    assert len(keys) == 29
    code = "".join(p.read_text(encoding="utf-8")
                   for package in ("dispute", "petition", "risk", "opinion")
                   for p in (DOMAIN / package).glob("*.py"))
    for key in keys:
        entry = DEFAULTS["values"][key]
        assert entry["source"].startswith(("[law] ", "[seed] ", "[local] ", "[practice] ",
                                           "[default] ")), key
        assert key in code, f"{key} is not cited in app/domain"


def test_a_town_override_that_tightens_the_law_reaches_the_rules():
    config = merge_config(DEFAULTS, {
        "petition.handling_days": {"value": 45, "source": "镇信访联席会议纪要"},
        "petition.acceptance_notice_days": {"value": 10, "source": "镇信访联席会议纪要"},
        "risk.proceed_allowed_grades": {"value": [], "source": "县委稳评办通知"},
        "dispute.alert_risk_levels": {"value": ["中", "高"], "source": "镇调委会决定"},
    })
    assert config.rejected == ()
    assert PetitionRules.from_config(config).handling_days == 45
    assert PetitionRules.from_config(config).acceptance_notice_days == 10
    assert RiskRules.from_config(config).proceed_allowed_grades == ()
    assert DisputeRules.from_config(config).alert_risk_levels == ("中", "高")


def test_the_statutory_cap_of_five_representatives_cannot_be_changed_by_a_town():
    for value in (8, 3):
        config = merge_config(DEFAULTS, {"petition.group_visit_max_representatives": {"value": value}})
        assert config.rejected and config.value("petition.group_visit_max_representatives") == 5


def test_refusal_grounds_the_levels_rely_on_cannot_be_removed():
    grounds = [g for g in DEFAULTS["values"]["petition.refusal_grounds"]["value"]
               if g["code"] != "late"]
    config = merge_config(DEFAULTS, {"petition.refusal_grounds": {"value": grounds}})
    assert [key for key, _ in config.rejected] == ["petition.refusal_grounds"]
