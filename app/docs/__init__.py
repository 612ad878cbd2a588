"""Printable documents: pure functions from data to PDF bytes (A4, the bundled CJK font).

No Kivy, no files, no clock: the app prints or shares the bytes, the hub serves them.

Public surface, by module:
    blocks   Document, QR and the blocks: Heading, Text, Field, Fields, Grid, NumberedList,
             Blank, Signatures, Seal, Space, Slip, Together
    base     render(doc) -> bytes   (refuses an unfilled document); the page and title block
    typeset  register_font(), the font, type sizes, styles, A4 geometry
    block_layout  the blocks as reportlab flowables
    official OfficialLetter, render_letter: a 函 after GB/T 9704 (the 转办函)
    checks   unfilled(doc), placeholders(text), repeated_phrases(text)
    service  acceptance_receipt, one_time_notice, transfer_letter   (RULES.md §1)
             Phones, phones_for, receipt_qr_payload, cn_date

Later documents (调解协议书, 信访受理告知书, 听证记录, 风险评估报告) build a ``Document`` from
the same blocks in their own module and call ``render``.

Exceptions (errors.py):
    DocumentError ── NotReadyError, UnfilledError
"""
from app.docs.base import render
from app.docs.blocks import (
    QR, Blank, Block, Document, Field, Fields, Grid, Heading, NumberedList, Seal, Signatures,
    Slip, Space, Text, Together)
from app.docs.checks import placeholders, repeated_phrases, unfilled
from app.docs.errors import DocumentError, NotReadyError, UnfilledError
from app.docs.service import (
    Phones, acceptance_receipt, cn_date, one_time_notice, phones_for, receipt_qr_payload,
    transfer_letter)
from app.docs.typeset import register_font

__all__ = [
    "QR", "Blank", "Block", "Document", "DocumentError", "Field", "Fields", "Grid", "Heading",
    "NotReadyError", "NumberedList", "Phones", "Seal", "Signatures", "Slip", "Space", "Text",
    "Together", "UnfilledError", "acceptance_receipt", "cn_date", "one_time_notice",
    "phones_for", "placeholders", "receipt_qr_payload", "register_font", "render",
    "repeated_phrases", "transfer_letter", "unfilled",
]
