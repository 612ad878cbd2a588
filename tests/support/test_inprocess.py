"""The in-process transport serves a real ASGI app to a synchronous httpx client, keeps
gzip bodies for the client to decode, and its Link faults behave as documented."""
from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.inprocess import InProcessTransport, Link


@pytest.fixture
def served() -> Iterator[tuple[InProcessTransport, list[bytes]]]:
    seen: list[bytes] = []

    async def echo(request: Request) -> Response:
        body = await request.body()
        seen.append(body)
        return Response(gzip.compress(b"got " + body), media_type="text/plain",
                        headers={"content-encoding": "gzip"})

    transport = InProcessTransport(Starlette(routes=[Route("/echo", echo, methods=["POST"])]))
    try:
        yield transport, seen
    finally:
        transport.close()


def test_a_request_reaches_the_app_and_the_reply_is_decoded(
        served: tuple[InProcessTransport, list[bytes]]) -> None:
    transport, seen = served
    with httpx.Client(base_url="http://hub.test", transport=transport) as client:
        reply = client.post("/echo", content=b"abc")
        assert (reply.status_code, reply.text) == (200, "got abc")
        assert client.post("/echo", content=b"def").text == "got def"
    assert seen == [b"abc", b"def"]


def test_link_faults(served: tuple[InProcessTransport, list[bytes]]) -> None:
    transport, seen = served
    link = Link(transport, "v1")
    with httpx.Client(base_url="http://hub.test", transport=link) as client:
        link.set("down")
        with pytest.raises(httpx.ConnectError):
            client.post("/echo", content=b"1")
        assert seen == []                       # never reached the hub
        link.set("lost")
        with pytest.raises(httpx.ReadError):
            client.post("/echo", content=b"2")
        assert seen == [b"2"]                   # handled, reply lost
        assert client.post("/echo", content=b"3").text == "got 3"
        link.set("cut")
        assert client.post("/echo", content=b"4").text == "got 4"
        with pytest.raises(httpx.ConnectError):
            client.post("/echo", content=b"5")
        assert seen == [b"2", b"3", b"4"]
    assert (link.requests, link.failures) == (5, 3)
    with httpx.Client(base_url="http://hub.test", transport=transport) as client:
        assert client.post("/echo", content=b"6").text == "got 6"   # closing a link keeps the hub
