"""The exception of ``app.domain.supervision`` (see the package docstring for the tree)."""
from __future__ import annotations

from app.domain.errors import DomainError


class SupervisionError(DomainError):
    """Data handed to a supervision rule is malformed (a roster, a case, an assessment
    scheme or score sheet); ``message`` is Chinese and says what to correct."""
