"""A town hub's real ASGI app (sync API + the public status page) in-process, with
stations enrolled and syncing through the real client over an in-process transport,
and a Starlette TestClient for the citizen's browser. Fast; the network itself is
tested with real processes in test_status_processes.py."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import app.station
from app.accounts import Cadre, add_cadre
from app.hubext import extension, page
from app.hubext.ratelimit import TokenBuckets
from app.services.desk import Desk, Intake, IntakeForm
from app.station import Station, open_station

from sync.client import HubClient
from sync.hub import admin
from sync.hub.api import create_app
from sync.hub.blobs import BlobStore
from sync.hub.server import hub_blobs, open_hub
from tests.support.keys import HUB_KEY
from sync.hub.store import HubStore
from tests.support.papers import set_town_papers

TODAY = date(2026, 11, 27)
URL = "http://town.test"


class AsgiTransport(httpx.BaseTransport):
    """Synchronous httpx transport into an ASGI app, on a private event loop."""

    def __init__(self, asgi: Starlette, client: tuple[str, int] = ("127.0.0.1", 50000)
                 ) -> None:
        self._inner = httpx.ASGITransport(app=asgi, client=client)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        return self._loop.run_until_complete(self._forward(request, body))

    async def _forward(self, request: httpx.Request, body: bytes) -> httpx.Response:
        inner = httpx.Request(request.method, request.url, headers=request.headers,
                              content=body)
        response = await self._inner.handle_async_request(inner)
        raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        await response.aclose()
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=httpx.ByteStream(raw), request=request)

    def close(self) -> None:
        """Clients come and go (HubClient closes its httpx client after each round);
        the transport lives until `shutdown`."""

    def shutdown(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()


@dataclass
class Window:
    station: Station
    desk: Desk
    cadre: Cadre

    def sync(self) -> None:
        result = self.station.sync_once()
        assert result.ok, result.error


@dataclass
class Town:
    root: Path
    hub: HubStore
    asgi: Starlette
    transport: AsgiTransport
    clock: list[float]
    days: list[date]
    windows: list[Window] = field(default_factory=list)
    browsers: list[AsgiTransport] = field(default_factory=list)

    def window(self, name: str, kind: str, cadre: tuple[str, str]) -> Window:
        _, code = admin.add_node(self.hub, name, kind)
        station = open_station(self.root / f"st-{len(self.windows)}")
        station.enroll(URL, code)
        person = add_cadre(station.store, cadre[0], cadre[1], "258046")
        if kind == "town":   # the town sets up its papers first (镇里设置 → 文书和电话)
            set_town_papers(station, person, f"{URL}/status")
        place = Window(station, Desk(station, today=lambda: TODAY), person)
        self.windows.append(place)
        return place

    def browser(self, client_ip: str = "203.0.113.7") -> httpx.Client:
        """A citizen's browser at `client_ip` (the rate limit is per address)."""
        transport = AsgiTransport(self.asgi, client=(client_ip, 50000))
        self.browsers.append(transport)
        return httpx.Client(transport=transport, base_url=URL)


def intake(window: Window, phone: str = "13812345678", matter: str = "SB-001",
           **extra: Any) -> Intake:
    return window.desk.intake(window.cadre, IntakeForm(
        name="王秀英", phone=phone, matter_code=matter, summary="申请办理城乡居民养老保险参保登记",
        id_number="11010519491231002X", group="三组", address="王湾村三组12号",
        materials_present=["居民身份证"], **extra))


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Town]:
    hub = open_hub(tmp_path / "town", "town", "新集镇", key=HUB_KEY)
    clock = [1000.0]     # the rate limiter's clock, moved by the tests
    days = [TODAY]       # the hub's date (已超期), moved by the tests
    ext = extension(page.Limits(TokenBuckets(10, 60.0, clock=lambda: clock[0]),
                                TokenBuckets(20, 3600.0, clock=lambda: clock[0]),
                                TokenBuckets(10, 3600.0, clock=lambda: clock[0]),
                                TokenBuckets(1, page.COOL_DOWN_S, clock=lambda: clock[0])),
                    today=lambda: days[0])
    ext.install(hub)
    asgi = create_app(hub, BlobStore(hub, hub_blobs(hub, tmp_path / "town" / "blobs")),
                      extra_routes=ext.routes(hub))
    transport = AsgiTransport(asgi)

    def client(base_url: str, credentials: Any = None) -> HubClient:
        return HubClient(base_url, credentials, transport=transport)

    monkeypatch.setattr(app.station, "hub_client", client)
    system = Town(tmp_path, hub, asgi, transport, clock, days)
    try:
        yield system
    finally:
        for window in system.windows:
            window.station.close()
        for browser in system.browsers:
            browser.shutdown()
        transport.shutdown()
        hub.close()

