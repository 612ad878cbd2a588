"""The docs package's one exception hierarchy.

    DocumentError          base; ``message`` is Chinese and fit to show to the user as is;
     │                     ``code``: "font" (font file missing), "layout" (content cannot
     │                     be laid out on A4 pages)
     ├── NotReadyError     the case lacks what the document needs (a receipt for a case not
     │                     yet accepted, a 转办函 for a case never forwarded)
     └── UnfilledError     a value the paper prints is empty or a placeholder (checks.unfilled):
                           the paper is not made at all

reportlab's own LayoutError is translated at the boundary (``base.render``).
"""
from __future__ import annotations


class DocumentError(ValueError):
    """Base of every error raised by ``app.docs``; ``message`` is user-facing Chinese."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotReadyError(DocumentError):
    """The case has not reached the step the document records."""


class UnfilledError(DocumentError):
    """A value the document prints is missing or a placeholder; nothing was rendered."""
