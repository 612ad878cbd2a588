"""Sizes the protocol holds to, in one module that imports nothing (sync.blobfiles uses
them, sync.problems names them in its messages)."""
from __future__ import annotations

MAX_BLOB = 20 * 1024 * 1024   # a phone photo or a multi-page scan; bigger needs compressing
