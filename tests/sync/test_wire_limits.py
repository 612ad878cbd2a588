"""A hub on a public address against strangers (issue #11), each against a real hub
process on 127.0.0.1 over its real TLS: slow headers and bodies are cut, connections
are capped, a connection serves a bounded number of requests, X-Forwarded-For counts
only from a named proxy, and /v1/status and /v1/info tell strangers nothing."""
from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.tls import unverified_context
from tests.support.hubs import HubProcess
from tests.sync.faultkit import Lab, sync_until_clean, visit_event


def hub_with(tmp_path: Path, *args: str) -> HubProcess:
    hub = HubProcess(tmp_path / "town", "town", extra_args=args)
    hub.init("新集镇")
    return hub.start()


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[HubProcess]:
    hub = hub_with(tmp_path, "--header-timeout", "1", "--body-timeout", "1",
                   "--max-connections", "4", "--keep-alive-requests", "3")
    try:
        yield hub
    finally:
        hub.stop()


def tls_socket(hub: HubProcess) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", hub.port), timeout=10)
    return unverified_context().wrap_socket(raw, server_hostname="127.0.0.1")


def drip(conn: ssl.SSLSocket, pieces: list[bytes], gap: float) -> int:
    """Send `pieces` one by one, `gap` seconds apart; how many went before the hub cut
    the connection (the rest would have kept it busy)."""
    for sent, piece in enumerate(pieces):
        try:
            conn.sendall(piece)
        except OSError:
            return sent
        time.sleep(gap)
    return len(pieces)


def closed_by_hub(conn: ssl.SSLSocket) -> bytes:
    """What the hub said before closing (b"" if nothing); fails if it keeps it open."""
    conn.settimeout(15)
    received = b""
    try:
        while chunk := conn.recv(4096):
            received += chunk
    except (ConnectionResetError, ssl.SSLError):
        pass
    except socket.timeout:
        raise AssertionError("the hub kept the slow connection open") from None
    return received


def test_a_header_drip_is_cut(strict: HubProcess) -> None:
    with tls_socket(strict) as conn:
        conn.sendall(b"GET /v1/info HTTP/1.1\r\nHost: hub\r\n")
        # 60 header lines, one every 0.25 s: 15 s of drip against a 1 s deadline.
        sent = drip(conn, [f"X-Slow-{i}: a\r\n".encode() for i in range(60)], 0.25)
        answer = closed_by_hub(conn)
    assert sent < 60, "the whole drip went through"
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert "请求发得太慢" in answer.decode("utf-8", "replace")
    assert "closed a connection" in strict.log_text() and "headers" in strict.log_text()
    assert strict.get("/v1/info").status_code == 200            # still serving others


def test_a_body_drip_is_cut(strict: HubProcess) -> None:
    with tls_socket(strict) as conn:
        conn.sendall(b"POST /v1/enroll HTTP/1.1\r\nHost: hub\r\ncontent-type: application/"
                     b"json\r\ncontent-length: 2000\r\n\r\n")
        sent = drip(conn, [b"{" + b" " * 9] * 60, 0.25)      # 10 bytes a quarter second
        closed_by_hub(conn)
    assert sent < 60
    assert "body" in strict.log_text()
    assert strict.get("/v1/info").status_code == 200


def test_connections_beyond_the_cap_are_closed_on_arrival(tmp_path: Path) -> None:
    hub = hub_with(tmp_path, "--max-connections", "3", "--header-timeout", "60")
    held: list[socket.socket] = []
    try:
        for _ in range(3):           # idle, TLS done, no request: they hold their place
            held.append(tls_socket(hub))
        with pytest.raises((OSError, ssl.SSLError)):
            extra = tls_socket(hub)   # closed during or right after the handshake
            held.append(extra)
            extra.sendall(b"GET /v1/info HTTP/1.1\r\nHost: hub\r\n\r\n")
            assert extra.recv(100) == b""
            raise ConnectionResetError("closed without an answer")
        assert "connections open" in hub.log_text()
        held.pop(0).close()
        time.sleep(0.5)
        with tls_socket(hub) as conn:            # a place is free again
            conn.sendall(b"GET /v1/info HTTP/1.1\r\nHost: hub\r\nconnection: close\r\n\r\n")
            assert closed_by_hub(conn).startswith(b"HTTP/1.1 200")
    finally:
        for conn in held:
            conn.close()
        hub.stop()


def test_a_kept_alive_connection_serves_a_bounded_number_of_requests(
        strict: HubProcess) -> None:
    with tls_socket(strict) as conn:
        answers = b""
        for _ in range(3):
            conn.sendall(b"GET /v1/info HTTP/1.1\r\nHost: hub\r\n\r\n")
            time.sleep(0.3)
            answers += conn.recv(65536)
        answers += closed_by_hub(conn)                # closed after the third
    assert answers.count(b"HTTP/1.1 200") == 3
    assert answers.lower().count(b"connection: close") == 1


def status_page_answers(hub: HubProcess, forwarded_for: str) -> int:
    with hub.http(admin_view=False) as client:
        return client.post("/status/query", data={"receipt": "XX001-20261127-001",
                                                  "phone4": "1234"},
                           headers={"x-forwarded-for": forwarded_for}).status_code


def test_x_forwarded_for_counts_only_from_a_named_proxy(tmp_path: Path) -> None:
    """The status page allows 10 queries a minute per client address. Without --proxy,
    a header naming other addresses changes nothing: the 11th query from this socket is
    refused. With --proxy 127.0.0.1 the proxy's header is the client."""
    hub = hub_with(tmp_path)
    try:
        codes = [status_page_answers(hub, f"198.51.100.{i}") for i in range(11)]
        assert 429 not in codes[:10] and codes[10] == 429, codes
    finally:
        hub.stop()
    hub.extra_args = ("--proxy", "127.0.0.1")
    hub.start()
    try:
        codes = [status_page_answers(hub, f"198.51.100.{i}") for i in range(15)]
        assert 429 not in codes, codes             # fifteen different clients
        codes = [status_page_answers(hub, "198.51.100.99") for _ in range(11)]
        assert codes[10] == 429, codes             # one client behind the proxy: limited
    finally:
        hub.stop()


def test_status_and_info_tell_strangers_nothing(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    station = lab.station(town, "王湾村")
    station.store.append_many([visit_event(f"村民{i}") for i in range(3)])
    sync_until_clean(station.store, town.url)
    with town.http(admin_view=False) as stranger:
        status = stranger.get("/v1/status").json()
        info = stranger.get("/v1/info").json()
        wrong = stranger.get("/v1/status", headers={"x-sanji-admin": "0" * 64}).json()
    text = repr((status, info, wrong))
    assert set(status) == {"healthy", "database", "api", "details"}, status
    assert status["healthy"] is True and wrong == status
    assert set(info) == {"level", "name", "hub_time", "api"}, info
    hub_id = town.status()["hub_id"]
    for secret in (hub_id, station.store.node_id, "events", "children", "problems"):
        assert str(secret) not in text
    # The operator (token from the key file) and an enrolled node see it all.
    full = town.status()
    assert full["events"] == 3 and full["children"] == 1 and full["hub_id"] == hub_id
    from sync.client import HubClient
    from sync.session import credentials_for
    with HubClient(town.url, credentials_for(station.store)) as client:
        assert client.call("GET", "/v1/status").body["events"] == 3
        assert client.call("GET", "/v1/info").body["hub_id"] == hub_id
    # Plain httpx without the pinned certificate does not even connect.
    with pytest.raises(httpx.ConnectError):
        httpx.get(town.url + "/v1/info", timeout=5)
