"""The domain package's one exception hierarchy.

    DomainError            base; ``message`` is Chinese and fit to show to the user as is
     ├── CatalogError      the matter catalog, or an edit of it, is malformed
     ├── ConfigError       the rule defaults, or a town override of them, are malformed
     ├── CalendarError     the town-maintained holiday list is malformed
     └── ReceiptError      a typed receipt number is not valid (typo, wrong shape)

Input that is expected to be wrong often (ID numbers, phone numbers typed at the window)
is answered with a result object instead of an exception; a workflow transition is
answered with a ``Verdict``.  Exceptions are for data that should have been valid.
"""
from __future__ import annotations


class DomainError(ValueError):
    """Base of every error raised by ``app.domain``; ``message`` is user-facing Chinese."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CatalogError(DomainError):
    """The matter catalog (事项目录) or a catalog edit event is malformed."""


class ConfigError(DomainError):
    """The rule defaults or a town override is malformed."""


class CalendarError(DomainError):
    """The town-maintained holiday list (节假日安排) is malformed."""


class ReceiptError(DomainError):
    """A receipt number (受理回执编号) typed by a user is not valid."""
