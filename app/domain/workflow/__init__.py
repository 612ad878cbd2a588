"""The workflow engine (issue #9): shared types (``basics``) and the declaration a
workflow is made of (``engine``).  How to declare one: /work/notes/engine-api.md and the
four declarations (service_case, dispute_case, petition_case, risk_assessment)."""
from app.domain.workflow.basics import (
    LEVEL_RANK, LEVEL_SHORT, LEVELS, OK, RecordState, Step, Verdict, business_date, iso_date, no,
    text, texts)
from app.domain.workflow.engine import Act, Effect, Flow, Transition, act_of, holds

__all__ = ["Act", "Effect", "Flow", "act_of", "LEVELS", "LEVEL_RANK", "LEVEL_SHORT", "OK", "RecordState",
           "Step", "Transition", "Verdict", "business_date", "holds", "iso_date", "no", "text", "texts"]
