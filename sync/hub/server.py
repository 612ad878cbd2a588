"""Running a hub: the API on uvicorn, plus the relay thread when it has a parent."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.routing import BaseRoute

from sync.blobfiles import BlobFiles
from sync.hub.api import create_app
from sync.hub.blobs import BlobStore
from sync.hub.relay import Relay
from sync.hub.store import HubStore

log = logging.getLogger("sanji.hub")


def hub_paths(data: Path) -> tuple[Path, Path]:
    data.mkdir(parents=True, exist_ok=True)
    return data / "hub.sqlite", data / "blobs"


def open_hub(data: Path, level: str | None = None, name: str | None = None) -> HubStore:
    db, _ = hub_paths(data)
    hub = HubStore(db)
    if level is not None:
        hub.init(level, name or ("县" if level == "county" else "镇"))
    return hub


@dataclass
class HubExtension:
    """What the domain adds to a hub without sync knowing the domain: tables and
    projectors on each HubStore connection, and extra routes (e.g. a public page)."""

    install: Callable[[HubStore], None] = lambda hub: None
    routes: Callable[[HubStore], Sequence[BaseRoute]] = lambda hub: ()


def serve(data: Path, level: str, port: int, host: str = "127.0.0.1",
          name: str | None = None, upstream_interval: float = 60.0,
          extension: HubExtension | None = None) -> None:
    extension = extension or HubExtension()
    hub = open_hub(data, level, name)
    extension.install(hub)
    db, blob_dir = hub_paths(data)
    relay = None
    if hub.meta.get("upstream"):
        relay_store = HubStore(db)
        extension.install(relay_store)
        relay = Relay(relay_store, interval=upstream_interval, blobs=BlobFiles(blob_dir))
    app = create_app(hub, BlobStore(hub, BlobFiles(blob_dir)),
                     on_pushed=relay.poke if relay else None,
                     extra_routes=extension.routes(hub))
    if relay is not None:
        relay.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if relay is not None:
            relay.stop()
