"""The exception of ``app.domain.decisions`` (see the package docstring for the tree)."""
from __future__ import annotations

from app.domain.errors import DomainError


class DecisionError(DomainError):
    """Data handed to a decision rule is malformed (a roster, a record, a step list);
    ``message`` is Chinese and says what to correct."""
