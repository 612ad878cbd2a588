"""A station's data directory: its event store, attachments and sync wiring."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sync.blobfiles import BlobFiles
from sync.client import HubClient
from sync.session import RoundResult, Syncer, credentials_for
from sync.store import Store


@dataclass
class Station:
    data: Path
    store: Store
    blobs: BlobFiles

    def hub_url(self) -> str | None:
        return self.store.identity().get("hub_url")

    def sync_once(self) -> RoundResult:
        url = self.hub_url()
        if url is None:
            return RoundResult(ok=False, error="本机还没有登记：请先输入服务器地址和登记码。")
        client = HubClient(url, credentials_for(self.store))
        try:
            return Syncer(self.store, client, self.blobs).run_round()
        finally:
            client.close()


def open_station(data: Path) -> Station:
    data.mkdir(parents=True, exist_ok=True)
    return Station(data, Store(data / "station.sqlite"), BlobFiles(data / "blobs"))
