"""What a hub on a public address needs to survive strangers (issue #11).

uvicorn bounds a header's size and closes idle keep-alive connections, but it lets a
client drip a request's headers (or body) one byte at a time for ever (slowloris): any
byte cancels its keep-alive timer, and it has no header time-out. So the hub runs
uvicorn's own h11 protocol with deadlines added here:

- a request's headers must be complete within `header_timeout` seconds of its first
  byte (or of the connection, for the first request);
- its body within `body_timeout` seconds plus one second per `min_body_rate` bytes it
  declares (a slow village link still uploads a large batch; a drip does not last);
- at most `max_connections` connections at once: one more is closed on arrival (idle
  ones are closed after `keep_alive` seconds, slow ones by the deadlines above);
- at most `max_requests` requests on one connection, then it is closed after the reply.

`X-Forwarded-For` is read only from the proxies named with `--proxy` (uvicorn's
proxy-headers middleware with exactly that list; by default it would trust
127.0.0.1, so a local reverse proxy's clients would all look like one, and anyone
connecting from the hub's own machine could claim any address).
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("sanji.hub")


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    min_body_rate: int = 2048           # bytes per second a declared body may take
    max_connections: int = 256
    keep_alive: int = 5                 # seconds an idle connection is kept
    max_requests: int = 1000            # per connection
    max_header_bytes: int = 16 * 1024
    proxies: tuple[str, ...] = ()       # --proxy: addresses whose X-Forwarded-For counts

    def uvicorn_options(self) -> dict[str, Any]:
        guarded = type("Guarded", (GuardedH11Protocol,), {"limits": self})
        return {"http": guarded, "timeout_keep_alive": self.keep_alive,
                "h11_max_incomplete_event_size": self.max_header_bytes,
                "proxy_headers": bool(self.proxies),
                "forwarded_allow_ips": list(self.proxies) if self.proxies else [],
                "timeout_graceful_shutdown": 10}


def check_proxy(text: str) -> str:
    """A --proxy value: an IP address or network (10.0.0.1, 10.0.0.0/24)."""
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as exc:
        raise ValueError(f"--proxy {text}：应为反向代理的 IP 地址，例如 10.0.0.1 或 10.0.0.0/24。"
                         ) from exc
    return text.strip()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the deadlines of the module docstring."""

    limits = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = ""           # "head" | "body" | ""
        self._served = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning("connection from %s refused: %d connections open (cap %d)",
                        self.client, len(self.connections) - 1, self.limits.max_connections)
            transport.abort()
            return
        self._arm("head", self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase == "" and self.conn.their_state is h11.IDLE:
            # The first byte of the next request on a kept-alive connection.
            self._arm("head", self.limits.header_timeout)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        self._served += 1
        super().on_response_complete()
        self._follow()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and self._served + 1 >= self.limits.max_requests:
            # This reply is the connection's last: uvicorn closes after it and, seeing
            # the close in the request's headers, says so in the reply's.
            self.cycle.keep_alive = False
            headers = self.cycle.scope["headers"]
            if (b"connection", b"close") not in headers:
                # uvicorn builds the scope's headers as a list (h11_impl), typed Iterable.
                assert isinstance(headers, list)
                headers.append((b"connection", b"close"))

    def _follow(self) -> None:
        """Move the deadline along with the request's state."""
        state = self.conn.their_state
        if state is h11.SEND_BODY and self._phase == "head":
            declared = _content_length(self.headers)
            self._arm("body", self.limits.body_timeout + declared / self.limits.min_body_rate)
        elif state is not h11.SEND_BODY and state is not h11.IDLE:
            self._disarm()                   # the request is in: the app answers it
        elif state is h11.IDLE and self._phase == "body":
            self._disarm()

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, ""

    def _too_slow(self) -> None:
        phase = self._phase
        log.warning("closed a connection from %s: its %s did not arrive in time", self.client,
                    "headers" if phase == "head" else "body")
        self._deadline, self._phase = None, ""
        if self.transport.is_closing():
            return
        if phase == "head" and self.conn.our_state is h11.IDLE:
            self._refuse()      # nothing answered yet: say why (a body's app may answer)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
        self.transport.close()

    def _refuse(self) -> None:
        body = "请求发得太慢，连接已关闭。".encode("utf-8")
        try:
            self.transport.write(self.conn.send(h11.Response(
                status_code=408, headers=[(b"content-type", b"text/plain; charset=utf-8"),
                                          (b"content-length", str(len(body)).encode()),
                                          (b"connection", b"close")])))
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:
            pass


def _content_length(headers: list[tuple[bytes, bytes]] | None) -> int:
    for name, value in headers or []:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0


__all__ = ["GuardedH11Protocol", "Limits", "check_proxy"]
