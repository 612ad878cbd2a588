"""Sync for a screen that must never freeze: a round on its own connection (run it in a
background thread), then a catch-up of the screen's station on the main thread, and the
status line in Chinese.

Why its own connection: one SQLite connection shared by two threads would interleave
their transactions. Why the catch-up: the round adopts the hub's clock offset and the
pulled events' clock stamps on *its* Store; the screen's Store must adopt them too, or an
action taken right after seeing a pulled answer could be stamped before it and replay
out of order (DESIGN.md "Clock"). Pulled node announcements also change which level each
origin has, which the case fold caches.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.services.errors import ServiceError
from app.station import Station, open_station
from sync.client import HubClient
from sync.errors import SyncError
from sync.session import RoundResult, Syncer, credentials_for
from sync.status import SyncStatus

Progress = Callable[[str, int, int], None]   # (stage "push"|"pull", done, total or 0)
log = logging.getLogger(__name__)


def sync_round(data: Path, key: bytes, progress: Progress | None = None) -> RoundResult:
    """One push-then-pull round for the station in ``data`` (opened with ``key``, which
    the app holds only while a cadre has it unlocked), on a connection of its own."""
    try:
        station = open_station(data, key)
    except Exception as exc:
        log.exception("sync round could not open the station")
        return RoundResult(ok=False, error=f"同步前打不开本机数据（{type(exc).__name__}）：请重新登录后再试。")
    try:
        url = station.hub_url()
        if url is None:
            return RoundResult(ok=False, error="本机还没有登记：请先输入服务器地址和登记码。")
        try:
            client = HubClient(url, credentials_for(station.store))
        except SyncError as exc:
            return RoundResult(ok=False, error=getattr(exc, "message", str(exc)))
        try:
            result = Syncer(station.store, client, station.blobs, progress=progress).run_round()
        finally:
            client.close()
        if result.ok:
            station.after_round()
        return result
    except Exception:  # a bug must not kill the background thread silently
        log.exception("sync round failed")
        return RoundResult(ok=False, error="同步时程序出错了：请稍后再点“同步”；仍不行请联系"
                                           "镇里管理员（详细原因已记在程序日志里）。")
    finally:
        station.close()


def check_hub_url(text: str) -> str | None:
    """What is wrong with a typed hub address, or None."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(/.*)?", text.strip()):
        return "服务器地址要以 https:// 开头，例如 https://192.168.1.10:8732，请照镇里给的地址填写。"
    return None


UNENCRYPTED = "连接未加密"


def link_note(hub_url: str | None) -> str:
    """A hub reached over plain HTTP (`sanji hub --insecure`, development only) is said
    on screen: tokens and residents' data then cross the network readable."""
    return UNENCRYPTED if (hub_url or "").startswith("http://") else ""


def check_enroll_code(text: str) -> str | None:
    digits = re.sub(r"[\s\-－]", "", text)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 12):
        return f"登记码是12位数字（现在是{len(digits)}位），请对照镇里给的登记码重新输入。"
    return None


def enroll(data: Path, hub_url: str, code: str, fingerprint: str = "") -> dict[str, object]:
    """Enroll the station in ``data`` on its own connection (the app then reopens it).
    `fingerprint`: the hub certificate's, from the enrollment QR code. Raises
    ServiceError with what to do."""
    problems = [p for p in (check_hub_url(hub_url), check_enroll_code(code)) if p]
    if problems:
        raise ServiceError("；".join(problems), problems)
    station = open_station(data)
    try:
        return station.enroll(hub_url.strip().rstrip("/"), re.sub(r"[\s\-－]", "", code),
                              fingerprint)
    except SyncError as exc:
        raise ServiceError(getattr(exc, "message", str(exc))) from exc
    finally:
        station.close()


def catch_up(station: Station) -> None:
    """Adopt what a round on another connection learned (clock offset and stamps)."""
    store = station.store
    store.clock.offset_ms = int(store.meta.get("clock_offset", "0") or 0)
    store.clock.observe(int(store.meta.get("hlc_last", "0") or 0))
    station.projections.cases._levels = None  # node levels may have arrived


def _when(ms: int, now: datetime) -> str:
    at = datetime.fromtimestamp(ms / 1000)
    if at.date() == now.date():
        return f"今天 {at:%H:%M}"
    if (now.date() - at.date()).days == 1:
        return f"昨天 {at:%H:%M}"
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def status_line(status: SyncStatus, now: datetime) -> str:
    """"上次同步 今天 10:32 · 待上传 3 条" — what the top bar shows."""
    if not status.enrolled:
        return "本机未登记"
    last = f"上次同步 {_when(status.last_success_ms, now)}" if status.last_success_ms \
        else "还没有同步成功过"
    pending = f"待上传 {status.pending} 条" if status.pending else "全部已上传"
    parts = [last, pending]
    if status.quarantined:
        parts.append(f"{status.quarantined} 条有问题已隔离")
    if status.clock_warning:
        parts.append("本机日期时间可能不对，请核对")
    return " · ".join(parts)


def progress_text(stage: str, done: int, total: int) -> str:
    if stage == "push":
        return f"正在上传 {done}/{total} 条" if total else "正在上传"
    return f"正在下载，已收到 {done} 条"


__all__ = ["UNENCRYPTED", "catch_up", "check_enroll_code", "check_hub_url", "enroll",
           "link_note", "progress_text",
           "status_line", "sync_round"]
