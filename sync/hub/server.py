"""Running a hub: the API on uvicorn, plus the relay thread when it has a parent."""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.routing import BaseRoute

from sync.blobfiles import BlobFiles, files_key, seal_once
from sync.db import DatabaseError, encrypt_plain_file, is_plain, transaction
from sync.hlc import system_ms
from sync.hub.api import create_app, damaged_app
from sync.hub.blobs import BlobStore
from sync.hub.care import Care, Caretaker, Health, check_database
from sync.hub.limits import Limits
from sync.hub.relay import Relay
from sync.hub.store import HubStore
from sync.hub.tls import TLS_DIR, TlsFiles, key_password, server_files

log = logging.getLogger("sanji.hub")


def hub_paths(data: Path) -> tuple[Path, Path]:
    data.mkdir(parents=True, exist_ok=True)
    return data / "hub.sqlite", data / "blobs"


MARKER = "hub.json"


def open_hub(data: Path, level: str | None = None, name: str | None = None, *,
             key: bytes | None) -> HubStore:
    """The hub in `data`, its database encrypted with `key` (sync.hub.dbkey says where
    the key comes from). A file from before encryption is encrypted in place first, its
    attachments too. With `level`, a new hub gets its identity (`sanji hub init`).
    `key=None` is an unencrypted hub: the benchmarks' baseline (bench/plainhub.py) only;
    `sanji` never passes it."""
    db, blob_dir = hub_paths(data)
    if key is not None and is_plain(db):
        log.warning("encrypting %s (it was written by a release without encryption)", db)
        encrypt_plain_file(db, key)
    hub = HubStore(db, key=key)
    try:
        if level is not None:
            hub.init(level, name or ("县" if level == "county" else "镇"))
        if hub.meta.get("hub_id"):
            write_marker(data, hub)
        if blob_dir.is_dir():
            seal_once(hub_blobs(hub, blob_dir), hub.meta)
    except BaseException:
        hub.close()
        raise
    return hub


def hub_blobs(hub: HubStore, blob_dir: Path) -> BlobFiles:
    if hub.db_key is None:
        return BlobFiles(blob_dir)          # the benchmarks' plain baseline
    with transaction(hub.conn):
        key = files_key(hub.meta)
    return BlobFiles(blob_dir, key)


def write_marker(data: Path, hub: HubStore) -> None:
    """hub.json: what this directory is (a hub's, which level, which id), readable
    without the key so a command can tell a hub's directory from a station's before it
    asks for one (app/datadir.py). It holds no personal data."""
    marker = data / MARKER
    body = {"hub_id": hub.hub_id, "level": hub.meta.get("level")}
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == body:
                return
        except ValueError:
            pass
    tmp = marker.with_name(MARKER + ".tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    os.replace(tmp, marker)


@dataclass
class HubExtension:
    """What the domain adds to a hub without sync knowing the domain: tables and
    projectors on each HubStore connection, and extra routes (e.g. a public page)."""

    install: Callable[[HubStore], None] = lambda hub: None
    routes: Callable[[HubStore], Sequence[BaseRoute]] = lambda hub: ()


@dataclass(frozen=True)
class Listening:
    """How a hub listens (issue #11): HTTPS with its own certificate unless `insecure`
    (plain HTTP, for development only) or the county's (`cert`, `cert_key`); and the
    limits of sync/hub/limits.py."""

    insecure: bool = False
    cert: Path | None = None
    cert_key: Path | None = None
    limits: Limits = Limits()

    def options(self, data: Path, hub: HubStore | None, key: bytes | None
                ) -> dict[str, object]:
        base: dict[str, object] = {"log_level": "warning", "access_log": False,
                                   **self.limits.uvicorn_options()}
        if self.insecure:
            log.warning("serving plain HTTP (--insecure): tokens and personal data cross "
                        "the network unencrypted; for local development only")
            return base
        files = server_files(data, hub, key, self.cert, self.cert_key) if hub is not None \
            else self._files_without_store(data, key)
        return {**base, "ssl_certfile": str(files.certfile), "ssl_keyfile": str(files.keyfile),
                "ssl_keyfile_password": files.password}

    def _files_without_store(self, data: Path, key: bytes | None) -> TlsFiles:
        """A damaged hub still answers over HTTPS, with the files its last start wrote."""
        if self.cert is not None and self.cert_key is not None:
            return TlsFiles(self.cert, self.cert_key)
        folder = data / TLS_DIR
        return TlsFiles(folder / "cert.pem", folder / "key.pem",
                        key_password(key) if key is not None else None)


def serve(data: Path, level: str, port: int, host: str = "127.0.0.1",
          name: str | None = None, upstream_interval: float = 60.0,
          extension: HubExtension | None = None, *, key: bytes | None,
          care: Care | None = None, listening: Listening = Listening()) -> None:
    """Serve the hub in `data` until stopped. Its database is checked first (and then on
    `care`'s schedule, which also makes backups): a damaged one is not served (care.py)."""
    extension = extension or HubExtension()
    health = Health(data)
    problem = check_database(data / "hub.sqlite", key) \
        if (data / "hub.sqlite").exists() and key is not None else None
    hub = None
    if problem is None:
        try:
            hub = open_hub(data, level, name, key=key)
        except DatabaseError as exc:
            problem = f"数据库打不开：{exc}"
    health.checked_at = system_ms()
    if problem is not None or hub is None:
        health.mark_damaged(problem or "数据库打不开")
        uvicorn.run(damaged_app(health, key), host=host, port=port,
                    **listening.options(data, None, key))  # type: ignore[arg-type]
        return
    extension.install(hub)
    db, blob_dir = hub_paths(data)
    relay = None
    if hub.meta.get("upstream"):
        relay_store = HubStore(db, key=key)
        extension.install(relay_store)
        relay = Relay(relay_store, interval=upstream_interval, blobs=hub_blobs(hub, blob_dir))
    app = create_app(hub, BlobStore(hub, hub_blobs(hub, blob_dir)),
                     on_pushed=relay.poke if relay else None,
                     extra_routes=extension.routes(hub), health=health)
    options = listening.options(data, hub, key)
    caretaker = Caretaker(data, key, health, care or Care()) if key is not None else None
    if relay is not None:
        relay.start()
    if caretaker is not None:
        caretaker.start()
    try:
        uvicorn.run(app, host=host, port=port, **options)  # type: ignore[arg-type]
    finally:
        if caretaker is not None:
            caretaker.stop()
        if relay is not None:
            relay.stop()
