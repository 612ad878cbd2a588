"""A station's data directory: its event store with the app's projections, its
attachments and its sync wiring. The same app runs at a village, a town or a county;
the role comes from enrollment."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.projections import Projections, install
from app.sealing import ensure_seal_key
from sync.blobfiles import BlobFiles
from sync.policy import DISCIPLINE_ROLE
from sync.store import NewEvent, Store

if TYPE_CHECKING:
    from sync.client import Credentials, HubClient
    from sync.session import RoundResult

LEVEL_NAMES = {"village": "村", "town": "镇", "county": "县"}


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

    # enrollment and sync ------------------------------------------------------------------
    def enroll(self, hub_url: str, code: str) -> dict[str, Any]:
        from sync.enroll import enroll_station
        client = hub_client(hub_url)
        try:
            ident = enroll_station(self.store, client, code)
        finally:
            client.close()
        self.projections.cases.own = {self.node_id: self.level}
        self.projections.cases._levels = None
        self.announce()
        return ident

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
        from sync.session import RoundResult, Syncer, credentials_for
        url = self.hub_url()
        if url is None:
            return RoundResult(ok=False, error="本机还没有登记：请先输入服务器地址和登记码。")
        client = hub_client(url, credentials_for(self.store))
        try:
            return Syncer(self.store, client, self.blobs).run_round()
        finally:
            client.close()

    def close(self) -> None:
        self.store.close()


def open_station(data: Path) -> Station:
    data.mkdir(parents=True, exist_ok=True)
    store = Store(data / "station.sqlite")
    install(store.conn)
    own = {store.node_id: str(store.identity().get("kind", "village"))} if store.node_id else {}
    projections = Projections(own)
    store.projectors.append(projections)
    return Station(data, store, BlobFiles(data / "blobs"), projections)
