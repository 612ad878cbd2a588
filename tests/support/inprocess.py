"""Real hub ASGI apps in-process, behind a synchronous httpx transport.

`InProcessTransport(app)` is an ``httpx.BaseTransport``: each request goes to the
Starlette app (``sync.hub.api.create_app``) through ``httpx.ASGITransport``, run to
completion on a private asyncio event loop the transport owns. So the real client
(``sync.client.HubClient``) — signing, gzip, problem+json handling — talks to the
real routes, auth and store with no sockets and no processes: fast enough for a
property test that builds and syncs a whole township per example. Where the network
itself is under test, use real processes (tests.support.hubs) instead.

`Link` puts a switchable fault in front of a transport, per link of the tree:

    ok        every request goes through
    down      the link is cut: every request fails before it reaches the hub
    lost      the first request goes through and the hub handles it, but its reply is
              lost (a lost acknowledgement); later ones go through
    cut       the first request goes through, then the link is cut (a partition in
              the middle of a sync round)

A failed request raises ``httpx.ConnectError`` (not sent) or ``httpx.ReadError``
(sent, reply lost), which HubClient turns into a TransportError as for a real link.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

LINK_MODES = ("ok", "down", "lost", "cut")


class InProcessTransport(httpx.BaseTransport):
    """Synchronous httpx transport that serves requests with an ASGI app in-process."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._loop.is_closed():
            raise httpx.ConnectError("in-process transport is closed", request=request)
        body = request.read()
        return self._loop.run_until_complete(self._forward(request, body))

    async def _forward(self, request: httpx.Request, body: bytes) -> httpx.Response:
        inner = httpx.Request(request.method, request.url, headers=request.headers,
                              content=body)
        response = await self._asgi.handle_async_request(inner)
        # Keep the bytes as the app sent them (gzip and all): the client decodes.
        raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        await response.aclose()
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=httpx.ByteStream(raw), request=request)

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()


class Link(httpx.BaseTransport):
    """A link of the tree with a fault switch; see the module docstring for modes.

    Closing a Link does not close the transport behind it (several links may share
    one hub); the owner of that transport closes it.
    """

    def __init__(self, inner: httpx.BaseTransport, name: str = "") -> None:
        self.inner = inner
        self.name = name
        self.mode = "ok"
        self._used = 0
        self.requests = 0
        self.failures = 0

    def set(self, mode: str) -> None:
        if mode not in LINK_MODES:
            raise ValueError(f"unknown link mode {mode!r}")
        self.mode, self._used = mode, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        nth, self._used = self._used, self._used + 1
        if self.mode == "down" or (self.mode == "cut" and nth >= 1):
            self.failures += 1
            raise httpx.ConnectError(f"link {self.name} is down", request=request)
        response = self.inner.handle_request(request)
        if self.mode == "lost" and nth == 0:
            response.close()
            self.failures += 1
            raise httpx.ReadError(f"link {self.name} lost the reply", request=request)
        return response

    def close(self) -> None:
        """The hub behind the link stays up."""
