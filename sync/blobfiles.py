"""Content-addressed files for attachments (photos and scans of signed papers).

A blob's name is its SHA-256, so the same bytes twice are one file, and a finished file
is never rewritten. Uploads land in partial/ and move into place only once their hash
checks, so a torn upload never looks complete. A partial upload that has not grown for
PARTIAL_TTL_S is deleted (issue #7 item 10: unfinished uploads expire); a sender that
comes back later starts that file again from its first byte.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

MAX_BLOB = 20 * 1024 * 1024   # a phone photo or a multi-page scan; bigger needs compressing
# A week without progress: longer than a village's link is usually down (a holiday week
# included), short enough that abandoned uploads do not fill the hub's disk.
PARTIAL_TTL_S = 7 * 24 * 3600


class BlobFiles:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            partial = self.partial(sha)
            partial.write_bytes(data)
            self._finish(sha, partial)
        return sha

    def partial(self, sha: str) -> Path:
        return self.root / "partial" / sha

    def partial_size(self, sha: str) -> int:
        partial = self.partial(sha)
        return partial.stat().st_size if partial.exists() else 0

    def expire_partial(self, sha: str, now: float | None = None) -> bool:
        """Delete one partial upload if it has not grown for PARTIAL_TTL_S."""
        return self._expire(self.partial(sha), time.time() if now is None else now)

    def expire_partials(self, now: float | None = None) -> int:
        """Delete every partial upload that has not grown for PARTIAL_TTL_S."""
        now = time.time() if now is None else now
        return sum(self._expire(path, now) for path in (self.root / "partial").iterdir())

    @staticmethod
    def _expire(partial: Path, now: float) -> bool:
        try:
            if now - partial.stat().st_mtime < PARTIAL_TTL_S:
                return False
            partial.unlink()
        except FileNotFoundError:   # finished or expired by another request meanwhile
            return False
        return True

    def append(self, sha: str, offset: int, chunk: bytes) -> int:
        """Append at `offset` (must equal the bytes held); returns the new size."""
        partial = self.partial(sha)
        with open(partial, "ab") as handle:
            if handle.tell() != offset:
                raise ValueError(handle.tell())
            handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            return handle.tell()

    def finish(self, sha: str) -> bool:
        """Move a fully uploaded partial into place if its hash checks; else discard it."""
        partial = self.partial(sha)
        digest = hashlib.sha256()
        with open(partial, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha:
            partial.unlink()
            return False
        self._finish(sha, partial)
        return True

    def _finish(self, sha: str, partial: Path) -> None:
        target = self.path(sha)
        target.parent.mkdir(exist_ok=True)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()
