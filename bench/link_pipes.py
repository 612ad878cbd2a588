"""The pieces bench.linkproxy moves bytes with: loopback addresses, the counters
(LinkStats), the per-direction pacer that holds a link to its rate, the sender that
delays and paces one direction of one connection, and the connection pair (Conn).
The fault-injecting proxy of the tests (tests/support/faultproxy.py) builds on them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

if TYPE_CHECKING:
    from bench.linkproxy import LinkProxy

log = logging.getLogger("sanji.linkproxy")

CHUNK = 65536
HostPort = Union[str, int, Tuple[str, int]]


# --------------------------------------------------------------------------- addresses


def ensure_loopback(host: str) -> str:
    """Return the canonical loopback IP for ``host`` or raise ValueError.

    Only literal loopback IPs (127.0.0.0/8, ::1) and ``localhost`` (mapped to
    127.0.0.1) are accepted; names are never resolved.
    """
    h = str(host).strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if h.lower() == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        raise ValueError(f"refusing address {host!r}: only loopback IPs are allowed") from None
    if not ip.is_loopback:
        raise ValueError(f"refusing non-loopback address {host!r}: only loopback is allowed")
    return str(ip)


def parse_hostport(value: HostPort, default_host: str = "127.0.0.1") -> Tuple[str, int]:
    """Parse ``PORT``, ``HOST:PORT``, ``[::1]:PORT`` or a (host, port) tuple.

    The host must be loopback (see :func:`ensure_loopback`).
    """
    if isinstance(value, tuple):
        host, port = value[0], value[1]
    elif isinstance(value, int):
        host, port = default_host, value
    else:
        text = str(value).strip()
        if text.isdigit():
            host, port = default_host, text
        elif text.startswith("["):
            end = text.find("]")
            if end < 0 or text[end + 1 : end + 2] != ":":
                raise ValueError(f"bad address {value!r}")
            host, port = text[: end + 1], text[end + 2 :]
        else:
            host, sep, port = text.rpartition(":")
            if not sep:
                raise ValueError(f"bad address {value!r}: expected HOST:PORT")
    try:
        port_i = int(port)
    except (TypeError, ValueError):
        raise ValueError(f"bad port in {value!r}") from None
    if not 0 <= port_i <= 65535:
        raise ValueError(f"port out of range in {value!r}")
    return ensure_loopback(host), port_i


# --------------------------------------------------------------------------- stats


@dataclass(frozen=True)
class LinkStats:
    """Snapshot of a proxy's counters.

    bytes_up: bytes delivered to the server (client->server, incl. replays).
    bytes_down: bytes delivered to the client (server->client).
    connections: client connections accepted since the last reset.
    active: client connections currently open (not reset by reset_counters).
    faults: per-fault-kind count of connections that got that fault.
    """

    bytes_up: int = 0
    bytes_down: int = 0
    connections: int = 0
    active: int = 0
    faults: Dict[str, int] = field(default_factory=dict)

    @property
    def bytes_total(self) -> int:
        return self.bytes_up + self.bytes_down

    def as_dict(self) -> Dict[str, Any]:
        return {
            "bytes_up": self.bytes_up,
            "bytes_down": self.bytes_down,
            "connections": self.connections,
            "active": self.active,
            "faults": dict(self.faults),
        }


# --------------------------------------------------------------------------- low level helpers


def _rst(writer: Optional[asyncio.StreamWriter]) -> None:
    """Close the socket with SO_LINGER 0 so that the peer gets a TCP RST."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _close(writer: Optional[asyncio.StreamWriter], timeout: float = 1.0) -> None:
    """Graceful close (FIN after flushing); abort if it does not finish in time."""
    if writer is None:
        return
    try:
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), timeout)
    except (OSError, asyncio.TimeoutError):
        writer.transport.abort()


def _write_eof(writer: Optional[asyncio.StreamWriter]) -> None:
    if writer is None:
        return
    try:
        if writer.can_write_eof() and not writer.transport.is_closing():
            writer.write_eof()
    except OSError:
        pass


async def drain_reader(reader: asyncio.StreamReader, idle: float) -> int:
    """Read and discard until EOF or ``idle`` seconds without data."""
    total = 0
    while True:
        try:
            data = await asyncio.wait_for(reader.read(CHUNK), idle)
        except asyncio.TimeoutError:
            return total
        if not data:
            return total
        total += len(data)


class Pacer:
    """Token bucket as a virtual clock: FIFO, shared by every user of a direction."""

    __slots__ = ("_next",)

    def __init__(self) -> None:
        self._next = 0.0

    def reset(self) -> None:
        self._next = 0.0

    async def consume(self, nbytes: int, rate: float, burst: float) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(self._next, now - burst / rate)
        self._next = start + nbytes / rate
        wait = self._next - now
        if wait > 0:
            await asyncio.sleep(wait)


class Sender:
    """Writes one direction of a connection: latency queue, bandwidth, counters."""

    def __init__(
        self,
        link: "LinkProxy",
        direction: str,
        writer: asyncio.StreamWriter,
        delay_fn: Optional[Callable[[], float]] = None,
        on_error: Optional[Callable[[], None]] = None,
    ) -> None:
        self.link = link
        self.direction = direction
        self.writer = writer
        self._delay_fn = delay_fn
        self._on_error = on_error
        self._queue: Optional[asyncio.Queue] = None
        self._task: Optional[asyncio.Task] = None
        self._error: Optional[BaseException] = None
        self._last_due = 0.0

    async def send(self, data: bytes) -> None:
        if not data:
            return
        if self._error is not None:
            raise self._error
        delay = self._delay_fn() if self._delay_fn is not None else 0.0
        if self._task is None and delay <= 0:
            await self.transmit(data)
            return
        loop = asyncio.get_running_loop()
        if self._task is None:
            self._queue = asyncio.Queue(maxsize=32)
            self._task = loop.create_task(self._run())
        due = max(self._last_due, loop.time() + max(0.0, delay))
        self._last_due = due
        assert self._queue is not None
        await self._queue.put((due, data))

    async def flush(self) -> None:
        """Wait until everything queued so far has been written."""
        if self._queue is not None:
            await self._queue.join()
        if self._error is not None:
            raise self._error

    async def finish_eof(self) -> None:
        await self.flush()
        _write_eof(self.writer)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except BaseException:  # noqa: BLE001 - cancelled or failed; nothing to report
                pass

    async def transmit(self, data: bytes) -> None:
        """Write now (after bandwidth pacing), counting delivered bytes."""
        link = self.link
        pacer = link._pacers[self.direction]
        pos, n = 0, len(data)
        while pos < n:
            rate = link._rate
            if rate:
                step = max(512, int(rate * 0.02))
                piece = data[pos : pos + step]
                await pacer.consume(len(piece), rate, float(step))
            else:
                piece = data[pos:] if pos else data
            pos += len(piece)
            link._count(self.direction, len(piece))
            self.writer.write(piece)
            await self.writer.drain()

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        queue = self._queue
        try:
            while True:
                due, data = await queue.get()
                try:
                    wait = due - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    await self.transmit(data)
                finally:
                    queue.task_done()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the pump via send()/flush()
            self._error = exc
            while not queue.empty():
                queue.get_nowait()
                queue.task_done()
            if self._on_error is not None:
                self._on_error()


class Conn:
    """State of one proxied client connection (loop thread only)."""

    def __init__(
        self,
        link: "LinkProxy",
        cid: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        rng: random.Random,
    ) -> None:
        self.link = link
        self.id = cid
        self.rng = rng
        self.creader = reader
        self.cwriter = writer
        self.ureader: Optional[asyncio.StreamReader] = None
        self.uwriter: Optional[asyncio.StreamWriter] = None
        self.writers: List[asyncio.StreamWriter] = [writer]
        self.senders: Dict[str, Sender] = {}
        self.extra_delay = 0.0
        self.extra_jitter = 0.0
        # free-form per-connection state for subclasses
        self.captured = bytearray()
        self.capturing = False
        self.up_gate = asyncio.Event()
        self.up_gate.set()

    def add_upstream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.ureader, self.uwriter = reader, writer
        self.writers.append(writer)
        up = self.senders.get("up")
        if up is not None:
            up.writer = writer

    def delay(self) -> float:
        base, jitter = self.link._latency_jitter()
        base += self.extra_delay
        jitter += self.extra_jitter
        return base + (self.rng.uniform(0.0, jitter) if jitter > 0 else 0.0)

    def sender(self, direction: str) -> Sender:
        s = self.senders.get(direction)
        if s is None:
            writer = self.uwriter if direction == "up" else self.cwriter
            assert writer is not None, "upstream not connected"
            s = Sender(self.link, direction, writer, self.delay, self.rst_all)
            self.senders[direction] = s
        return s

    def rst_all(self) -> None:
        for w in self.writers:
            _rst(w)

    def abort_all(self) -> None:
        for w in self.writers:
            w.transport.abort()

    async def aclose(self) -> None:
        for s in list(self.senders.values()):
            await s.aclose()
        for w in self.writers:
            await _close(w)
