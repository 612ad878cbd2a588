"""A station's data directory: its event store with the app's projections, its
attachments and its sync wiring. The same app runs at a village, a town or a county;
the role comes from enrollment.

    station.sqlite   the encrypted database (sync/db.py)
    station.keys     its key, wrapped by each cadre's 密码 (app/keyring.py)
    blobs/           attachments, encrypted with a key kept in the database

A station is opened with its key: a cadre's sign-in gives it (app.accounts.sign_in).
Before the first cadre exists (a new tablet, right after enrollment) the keyring holds
the key in clear and `open_station(data)` needs none.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.accounts import cadre_roles
from app.authority import station_policy
from app.keyring import RESTORED, Keyring
from app.projections import Projections, install
from app.sealing import ensure_seal_key
from sync.blobfiles import BlobFiles, files_key, seal_once
from sync.db import WrongKey, encrypt_plain_file, is_plain, rekey, transaction
from sync.errors import StoreError
from sync.policy import DISCIPLINE_ROLE
from sync.store import RESYNC, NewEvent, Store

if TYPE_CHECKING:
    from sync.client import Credentials, HubClient
    from sync.session import RoundResult

LEVEL_NAMES = {"village": "村", "town": "镇", "county": "县"}
ANNOUNCE_LATER = "announce_after_resync"


def hub_client(url: str, credentials: "Credentials | None" = None) -> "HubClient":
    """The client a station talks to its hub with. The network stack (httpx) is imported
    here, not at start-up, so the app draws its first frame sooner; tests replace this
    function to route stations through an in-process hub."""
    from sync.client import HubClient
    return HubClient(url, credentials)


@dataclass
class Station:
    data: Path
    store: Store
    blobs: BlobFiles
    projections: Projections

    # identity -------------------------------------------------------------------------
    @property
    def enrolled(self) -> bool:
        return self.store.node_id is not None

    @property
    def node_id(self) -> str:
        return self.store.node_id or ""

    def identity(self) -> dict[str, Any]:
        return self.store.identity()

    @property
    def level(self) -> str:
        return str(self.identity().get("kind", "village"))

    @property
    def name(self) -> str:
        return str(self.identity().get("name", ""))

    @property
    def short_code(self) -> str | None:
        return self.identity().get("short_code")

    def hub_id(self) -> str | None:
        return (self.identity().get("hub") or {}).get("hub_id")

    def ancestors(self) -> list[str]:
        return list((self.identity().get("hub") or {}).get("ancestors", []))

    def hub_url(self) -> str | None:
        return self.identity().get("hub_url")

    def hub_connection(self, url: str) -> "HubClient":
        """A client to ``url`` signed with this station's credentials (through
        ``hub_client``, which tests replace)."""
        from sync.session import credentials_for
        return hub_client(url, credentials_for(self.store))

    # enrollment and sync ------------------------------------------------------------------
    def enroll(self, hub_url: str, code: str, fingerprint: str = "") -> dict[str, Any]:
        from sync.enroll import enroll_station
        client = hub_client(hub_url)
        try:
            client.reach()               # an unreachable hub is said in seconds, code unused
            ident = enroll_station(self.store, client, code, fingerprint=fingerprint)
        finally:
            client.close()
        self.projections.cases.own = {self.node_id: self.level}
        self.projections.cases._levels = None
        if self.store.meta.get(RESYNC):
            # A replacement for a lost tablet: its records come back with the first sync;
            # it announces itself (a new sealing key, if any) once they are back.
            with transaction(self.store.conn):
                self.store.meta.set(ANNOUNCE_LATER, 1)
        else:
            self.announce()
        return ident

    def after_round(self) -> None:
        """After a sync round: a replacement tablet whose records are back announces
        itself and registers the cadres added meanwhile (app.accounts)."""
        if self.store.meta.get(RESYNC):
            return
        if self.store.meta.get(ANNOUNCE_LATER):
            self.announce()
            with transaction(self.store.conn):
                self.store.meta.set(ANNOUNCE_LATER, None)
        from app.accounts import register_waiting
        register_waiting(self.store)
        if DISCIPLINE_ROLE in self.identity().get("roles", []) and self.level == "town":
            # 检举控告 citizens sent through the town's public page (issue #13 §1)
            from app.sealing import collect_public_reports
            from sync.errors import SyncError
            try:
                collect_public_reports(self)
            except SyncError:
                pass          # the hub is unreachable or older: the next round tries again

    def announce(self) -> None:
        """Tell every level this station's name, level and receipt code (broadcast)."""
        payload = {"name": self.name, "level": self.level}
        if self.short_code:
            payload["short_code"] = self.short_code
        if self.hub_id():
            payload["hub"] = self.hub_id() or ""
        if DISCIPLINE_ROLE in self.identity().get("roles", []):
            # The town 纪委's device: its sealing key pair is made here at enrollment (the
            # private half stays on this device); the public half lets every station of
            # the town seal 检举控告 for it (app/sealing.py, RULES.md §4).
            payload["seal_key"] = ensure_seal_key(self.store)
        self.store.append(NewEvent("node.announced", self.node_id, payload, "system"))

    def sync_once(self) -> RoundResult:
        from sync.session import RoundResult, Syncer
        url = self.hub_url()
        if url is None:
            return RoundResult(ok=False, error="本机还没有登记：请先输入服务器地址和登记码。")
        client = self.hub_connection(url)
        try:
            result = Syncer(self.store, client, self.blobs).run_round()
        finally:
            client.close()
        if result.ok:
            self.after_round()
        return result

    # keys ---------------------------------------------------------------------------------
    @property
    def key(self) -> bytes:
        """The database key this station was opened with (held only while it is open)."""
        assert self.store.db_key is not None
        return self.store.db_key

    @property
    def keyring(self) -> Keyring:
        return Keyring.of(self.data)

    @property
    def in_setup(self) -> bool:
        """No cadre yet: the key is in the keyring in clear (see app.keyring)."""
        return self.keyring.setup_key() is not None

    def note_unsynced(self, now_ms: int) -> int:
        """Write how many own records the hub has not confirmed into the keyring, where
        the sign-in screen can show it before anyone unlocks; returns the count."""
        count = self.store.pending_count()
        self.keyring.note_unsynced(count, now_ms)
        return count

    def close(self) -> None:
        self.store.close()


STATION_FILE = "station.sqlite"


class StationLocked(StoreError):
    def __init__(self) -> None:
        super().__init__("locked", "本机数据已加密：请点您的名字，输入您的密码解锁。")


def open_station(data: Path, key: bytes | None = None) -> Station:
    """The station in `data`, opened with `key` (from a cadre's sign-in). Without a key:
    a new directory becomes a new station (its key kept in clear until the first cadre
    is added); a station with cadres refuses (StationLocked)."""
    data.mkdir(parents=True, exist_ok=True)
    db, keyring = data / STATION_FILE, Keyring.of(data)
    if not keyring.exists():
        if db.exists() and not is_plain(db):
            raise StoreError("no_keyring", f"{data} 里本机的钥匙文件（station.keys）不见了，"
                             "数据打不开：请从备份恢复（sanji restore），或从镇里重新登记本机。")
        fresh = secrets.token_bytes(32)
        if db.exists():
            encrypt_plain_file(db, fresh)      # an older release's plain file
        keyring.create(fresh)
    store = _open_store(db, keyring, key)
    # who may write what (issue #7), on its writes and pulls; and a 监委会 member's account
    # only the committee's own records (issue #13 §3)
    store.policy = station_policy(lambda author: cadre_roles(store, author))
    try:
        install(store.conn)
        with transaction(store.conn):
            blob_key = files_key(store.meta)
        blobs = BlobFiles(data / "blobs", blob_key)
        seal_once(blobs, store.meta)
        if key is not None:
            take_up_restore(store, Keyring.of(data))
    except BaseException:
        store.close()
        raise
    own = {store.node_id: str(store.identity().get("kind", "village"))} if store.node_id else {}
    projections = Projections(own, store.directory)
    store.projectors.append(projections)
    store.certified_hooks.append(projections.certified)
    station = Station(data, store, blobs, projections)
    if station.enrolled:      # the sign-in screen's title, before the next unlock
        keyring.note_station(station.name, station.level)
    return station


def _open_store(db: Path, keyring: Keyring, key: bytes | None) -> Store:
    """Open with `key` or the setup key, finishing a first-cadre setup that a crash cut
    short (app.accounts._end_setup: the new key's wrap saved, the rekey maybe not)."""
    setup = keyring.setup_key()
    if key is None:
        if setup is None:
            raise StationLocked()
        try:
            return Store(db, key=setup)
        except WrongKey:
            if not keyring.holders():
                raise
            keyring.end_setup()                # the rekey was done: only PINs open it now
            raise StationLocked() from None
    try:
        store = Store(db, key=key)
    except WrongKey:
        if setup is None:
            raise
        store = Store(db, key=setup)           # saved the wrap, crashed before the rekey
        rekey(store.conn, key)
        store.db_key = key
    if setup is not None and setup != key:
        keyring.end_setup()
    return store


def take_up_restore(store: Store, keyring: Keyring) -> bool:
    """At the first open after a restore (app.backups): block writing until a sync has
    brought back this station's own records (sync.store.RESYNC); returns whether it was
    restored."""
    body = keyring.load()
    if RESTORED not in body:
        return False
    with transaction(store.conn):
        store.meta.set(RESYNC, json.dumps(body[RESTORED]))
        store.meta.set("pull_cursor", None)    # read the hub's whole feed again
    del body[RESTORED]
    keyring.save(body)
    return True


def unlock_station(data: Path, pin: str, now_ms: int, cadre: str | None = None) -> Station:
    """Open the station in `data` as a cadre would: `cadre` (a name or id; may be left
    out when the station has one cadre) and their 密码. For commands (`sanji sync`,
    `sanji backup`) and the demo. A station with no cadre yet opens without a 密码."""
    from app.accounts import AccountError, sign_in
    keyring = Keyring.of(data)
    if not keyring.exists() or keyring.setup_key() is not None:
        return open_station(data)
    holders = keyring.holders()
    if cadre is None and len(holders) == 1:
        chosen = holders[0]
    else:
        matches = [h for h in holders if cadre in (h.name, h.id)]
        if len(matches) != 1:
            names = "、".join(h.name for h in holders)
            raise AccountError(("本机有几位干部，请用 --cadre 写明是谁" if cadre is None else
                                f"本机没有干部“{cadre}”（或有重名，请写编号）")
                               + f"：{names}。")
        chosen = matches[0]
    _, key = sign_in(data, chosen.id, pin, now_ms)
    return open_station(data, key)
