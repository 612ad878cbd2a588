"""A round against a hub that cannot be reached gives up after one try of a few seconds and
says in Chinese what to check (issue #8 §1), for every way a link fails: nobody listening
(refused), a host that takes the connection and never answers, and one that never even
completes the connection. Real sockets on 127.0.0.1; the contact timeout is shortened here
only so the test does not wait the 5 s a tablet would."""
from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sync.client import HubClient
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.session import Syncer, credentials_for
from sync.store import Store
from tests.support.hubs import free_port

WAIT = 0.5


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "station.sqlite")
    store.set_identity(uuid7(), SigningKey.generate(),
                       {"kind": "village", "name": "王湾村", "token": "t0ken"})
    return store


@contextmanager
def _refusing() -> Iterator[tuple[str, list]]:
    # a free port, then nobody on it (free_port: no other xdist worker picks it for a hub)
    yield f"http://127.0.0.1:{free_port()}", []


@contextmanager
def _silent() -> Iterator[tuple[str, list]]:
    """Accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        server.close()
        for conn in accepted:
            conn.close()


@contextmanager
def _never_connects() -> Iterator[tuple[str, list]]:
    """A listening socket whose backlog is full and never drained: Linux drops the next
    SYNs, so a connection never completes (what an address with no host looks like)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    fillers = []
    try:
        for _ in range(4):                             # fill the accept queue
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
            fillers.append(filler)
        yield url, fillers
    finally:
        for filler in fillers:
            filler.close()
        server.close()


@pytest.mark.parametrize("hub, says", [
    (_refusing, "服务器没有开"),
    (_silent, "没有及时回应"),
    (_never_connects, "没有回应"),
], ids=["refused", "silent", "never-connects"])
def test_a_round_gives_up_at_once_and_says_what_to_check(tmp_path: Path, hub, says: str) -> None:
    store = _store(tmp_path)
    try:
        with hub() as (url, connections):
            client = HubClient(url, credentials_for(store), contact_timeout=WAIT)
            try:
                result = Syncer(store, client).run_round()
            finally:
                client.close()
            if hub is _silent:
                assert len(connections) == 1           # one try: no retries, no backoff
        assert not result.ok
        assert says in result.error, result.error
        assert "网络" in result.error and "同步" in result.error    # what to check, what next
        assert url in result.error                               # the address as typed
        words = set(re.findall(r"[A-Za-z]{4,}", result.error.replace(url, ""))) - {"WiFi"}
        assert not words, f"English in a cadre's message: {words} in {result.error}"
        assert client.stats.requests == 0                        # nothing was sent
    finally:
        store.close()


def test_a_tablet_waits_five_seconds_for_the_hub_by_default() -> None:
    assert HubClient("http://127.0.0.1:1").contact_timeout == 5.0
