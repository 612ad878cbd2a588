"""The one error screens catch: what was wrong, in Chinese, and what to do."""
from __future__ import annotations


class ServiceError(ValueError):
    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or [message]
