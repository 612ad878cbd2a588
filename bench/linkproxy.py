"""Loopback TCP link simulator: a byte-counting, bandwidth-limited pass-through.

``LinkProxy`` sits between a client (a station) and a server (a hub) on
127.0.0.1 and forwards bytes both ways, like a slow link would:

* bandwidth limit in kbit/s (1 kbit = 1000 bit), one token bucket per
  direction, shared by all connections (so two concurrent transfers share the
  link instead of each getting the full rate);
* optional one-way latency (+ uniform jitter) per chunk, pipelined: it delays
  data without lowering throughput, and never reorders bytes;
* byte counters (client->server "up", server->client "down"), accepted
  connection count, all resettable.

All setters are thread-safe and take effect for the next chunk.  The event loop
runs in a daemon thread (``start()``/``stop()`` or ``with LinkProxy(...) as p``).
Only loopback addresses are accepted, both for listening and for the target.

This module must not import anything from ``tests``; the fault-injecting
subclass lives in ``tests/support/faultproxy.py`` and builds on the hooks here
(``_plan``/``_serve`` and the ``_forward``/``_run_pair`` primitives).

CLI::

    python -m bench.linkproxy --listen 127.0.0.1:0 --target 127.0.0.1:8000 \
        [--kbps 50] [--latency-ms 20 --jitter-ms 5] [--control]

prints the bound port on the first stdout line, then (at exit, on SIGINT /
SIGTERM / ``quit``) one JSON line with the final counters.  With ``--control``
it reads commands from stdin, one per line, answering one JSON line each:
``stats``, ``reset``, ``kbps N|off``, ``latency MS [JITTER_MS]``, ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import ipaddress
import json
import logging
import random
import signal
import socket
import struct
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Tuple, Union

__all__ = [
    "LinkProxy",
    "LinkStats",
    "ensure_loopback",
    "parse_hostport",
    "build_arg_parser",
    "run_cli",
    "main",
]

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


async def _drain_reader(reader: asyncio.StreamReader, idle: float) -> int:
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


class _Pacer:
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


class _Sender:
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


class _Conn:
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
        self.senders: Dict[str, _Sender] = {}
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

    def sender(self, direction: str) -> _Sender:
        s = self.senders.get(direction)
        if s is None:
            writer = self.uwriter if direction == "up" else self.cwriter
            assert writer is not None, "upstream not connected"
            s = _Sender(self.link, direction, writer, self.delay, self.rst_all)
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


# --------------------------------------------------------------------------- the proxy


class LinkProxy:
    """Counting, bandwidth-limited TCP pass-through on loopback.

    ``target`` and ``listen`` accept ``"HOST:PORT"``, ``PORT`` or ``(host, port)``;
    ``listen`` defaults to an ephemeral port on 127.0.0.1.  ``kbps`` is the link
    rate in kbit/s per direction (None/0 = unlimited); ``latency``/``jitter`` are
    one-way per-chunk delays in seconds.
    """

    def __init__(
        self,
        target: HostPort,
        listen: HostPort = ("127.0.0.1", 0),
        *,
        kbps: Optional[float] = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        seed: Optional[int] = None,
        connect_timeout: float = 5.0,
    ) -> None:
        self._target = parse_hostport(target)
        self._listen = parse_hostport(listen)
        self._lock = threading.RLock()
        self._idle_cv = threading.Condition(self._lock)
        self._connect_timeout = float(connect_timeout)
        self._rng = random.Random(seed)
        self._rate: Optional[float] = None  # bytes per second
        self._kbps: Optional[float] = None
        self._latency = 0.0
        self._jitter = 0.0
        self.set_bandwidth(kbps)
        self.set_latency(latency, jitter)
        self._bytes = {"up": 0, "down": 0}
        self._connections = 0
        self._active = 0
        self._fault_counts: collections.Counter = collections.Counter()
        self._next_id = 0
        self._pacers = {"up": _Pacer(), "down": _Pacer()}
        self._thread: Optional[threading.Thread] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stopping: Optional[asyncio.Event] = None
        self._ready = threading.Event()
        self._startup_error: Optional[BaseException] = None
        self._address: Optional[Tuple[str, int]] = None
        self._tasks: set = set()
        self._stopped = False
        # What the URL says: the proxy passes bytes, so TLS goes through it end to end
        # ("https" when the target is an HTTPS hub).
        self.scheme = "http"

    # ------------------------------------------------------------------ properties

    @property
    def target(self) -> Tuple[str, int]:
        return self._target

    @property
    def address(self) -> Tuple[str, int]:
        """(host, port) the proxy listens on; valid after start()."""
        if self._address is None:
            raise RuntimeError("proxy not started")
        return self._address

    @property
    def host(self) -> str:
        return self.address[0]

    @property
    def port(self) -> int:
        return self.address[1]

    @property
    def url(self) -> str:
        host, port = self.address
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopped

    # ------------------------------------------------------------------ runtime settings

    def set_bandwidth(self, kbps: Optional[float]) -> None:
        """Link rate in kbit/s per direction (shared across connections); None/0 = unlimited."""
        if kbps is not None and kbps < 0:
            raise ValueError("kbps must be >= 0")
        with self._lock:
            self._kbps = float(kbps) if kbps else None
            self._rate = self._kbps * 1000.0 / 8.0 if self._kbps else None

    @property
    def bandwidth(self) -> Optional[float]:
        """Current limit in kbit/s, or None when unlimited."""
        return self._kbps

    def set_latency(self, latency: float = 0.0, jitter: float = 0.0) -> None:
        """One-way delay per chunk: ``latency`` + uniform(0, ``jitter``) seconds."""
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter must be >= 0")
        with self._lock:
            self._latency = float(latency)
            self._jitter = float(jitter)

    def _latency_jitter(self) -> Tuple[float, float]:
        with self._lock:
            return self._latency, self._jitter

    def set_seed(self, seed: Optional[int]) -> None:
        """Reseed the generator that per-connection random choices derive from."""
        with self._lock:
            self._rng = random.Random(seed)

    # ------------------------------------------------------------------ counters

    def _count(self, direction: str, n: int) -> None:
        with self._lock:
            self._bytes[direction] += n

    def stats(self) -> LinkStats:
        with self._lock:
            return LinkStats(
                bytes_up=self._bytes["up"],
                bytes_down=self._bytes["down"],
                connections=self._connections,
                active=self._active,
                faults=dict(self._fault_counts),
            )

    @property
    def bytes_up(self) -> int:
        with self._lock:
            return self._bytes["up"]

    @property
    def bytes_down(self) -> int:
        with self._lock:
            return self._bytes["down"]

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def reset_counters(self) -> LinkStats:
        """Zero the byte/connection/fault counters; returns the values before the reset."""
        with self._lock:
            before = self.stats()
            self._bytes = {"up": 0, "down": 0}
            self._connections = 0
            self._fault_counts.clear()
            return before

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no connection (or background replay) is in progress."""
        with self._idle_cv:
            return self._idle_cv.wait_for(lambda: not self._tasks, timeout)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "LinkProxy":
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("proxy already started (create a new one to restart)")
            self._thread = threading.Thread(
                target=self._thread_main, name=f"{type(self).__name__}-{id(self):x}", daemon=True
            )
        self._thread.start()
        if not self._ready.wait(10.0):
            raise RuntimeError("proxy did not start in time")
        if self._startup_error is not None:
            self._thread.join(5.0)
            self._stopped = True
            raise self._startup_error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the listener and every connection, then end the loop thread. Idempotent."""
        thread = self._thread
        if thread is None or self._stopped:
            return
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # loop already closed
                pass
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("proxy thread did not stop in time")
        self._stopped = True

    close = stop

    def __enter__(self) -> "LinkProxy":
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f"{self._address[0]}:{self._address[1]}" if self._address else "unstarted"
        return f"<{type(self).__name__} {where} -> {self._target[0]}:{self._target[1]}>"

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._amain())
        except BaseException as exc:  # noqa: BLE001 - reported through start()
            if not self._ready.is_set():
                self._startup_error = exc
            else:
                log.exception("proxy loop crashed")
        finally:
            self._ready.set()
            with self._idle_cv:
                self._tasks.clear()
                self._idle_cv.notify_all()

    async def _amain(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        host, port = self._listen
        try:
            server = await asyncio.start_server(self._on_accept, host, port)
        except OSError as exc:
            self._startup_error = exc
            self._ready.set()
            return
        sockname = server.sockets[0].getsockname()
        self._address = (sockname[0], sockname[1])
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            tasks = list(self._tasks)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

    def _spawn(self, coro: Awaitable[Any]) -> "asyncio.Task[Any]":
        """Run ``coro`` as a tracked task (cancelled on stop, awaited by wait_idle)."""
        task = asyncio.ensure_future(coro)
        with self._idle_cv:
            self._tasks.add(task)

        def _done(t: "asyncio.Task[Any]") -> None:
            with self._idle_cv:
                self._tasks.discard(t)
                self._idle_cv.notify_all()
            if not t.cancelled() and t.exception() is not None:
                log.debug("proxy task failed: %r", t.exception())

        task.add_done_callback(_done)
        return task

    def _on_accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._stopping is not None and self._stopping.is_set():
            writer.transport.abort()
            return
        with self._lock:
            self._next_id += 1
            cid = self._next_id
            self._connections += 1
            self._active += 1
            rng = random.Random(self._rng.getrandbits(64))
        conn = _Conn(self, cid, reader, writer, rng)
        try:
            plan = self._plan(conn)
        except Exception:  # noqa: BLE001 - never let a bad plan kill the acceptor
            log.exception("fault planning failed; passing through")
            plan = None
        self._spawn(self._handle(conn, plan))

    async def _handle(self, conn: _Conn, plan: Any) -> None:
        graceful = True
        try:
            await self._serve(conn, plan)
        except asyncio.CancelledError:
            graceful = False
            conn.abort_all()
            for s in conn.senders.values():
                if s._task is not None:
                    s._task.cancel()
            raise
        except (OSError, EOFError, asyncio.TimeoutError) as exc:
            log.debug("connection %d failed: %r", conn.id, exc)
            conn.rst_all()
        except Exception:  # noqa: BLE001
            log.exception("connection %d crashed", conn.id)
            conn.rst_all()
        finally:
            with self._lock:
                self._active -= 1
            if graceful:
                await conn.aclose()

    # ------------------------------------------------------------------ hooks for subclasses

    def _plan(self, conn: _Conn) -> Any:
        """Decide (synchronously, at accept time, in accept order) what to do with ``conn``."""
        return None

    async def _serve(self, conn: _Conn, plan: Any) -> None:
        """Default behaviour: connect upstream and forward both ways until both sides end."""
        if not await self._connect_upstream(conn):
            return
        await self._run_pair(
            conn,
            self._forward(conn.creader, conn.sender("up")),
            self._forward(conn.ureader, conn.sender("down")),
        )

    # ------------------------------------------------------------------ primitives

    async def _open_upstream(self) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host, port = self._target
        return await asyncio.wait_for(asyncio.open_connection(host, port), self._connect_timeout)

    async def _connect_upstream(self, conn: _Conn) -> bool:
        try:
            reader, writer = await self._open_upstream()
        except (OSError, asyncio.TimeoutError) as exc:
            log.debug("connection %d: upstream connect failed: %r", conn.id, exc)
            conn.rst_all()
            return False
        conn.add_upstream(reader, writer)
        return True

    async def _forward(
        self,
        reader: Optional[asyncio.StreamReader],
        sender: _Sender,
        *,
        limit: Optional[int] = None,
        idle: float = 0.1,
        cut: str = "rst",
        tap: Optional[Callable[[bytes], None]] = None,
        gate: Optional[asyncio.Event] = None,
        first: bytes = b"",
    ) -> str:
        """Pump ``reader`` into ``sender`` until EOF (returns "eof", half-closing the sink).

        With ``limit`` set, forwards at most ``limit`` bytes and never the whole
        stream: the last byte read is held back until more data shows up, so if
        the stream ends (EOF or ``idle`` seconds of silence) before ``limit`` is
        reached the sink still misses its last byte.  Then returns ``cut`` (the
        action the caller of ``_run_pair`` should take: "rst" or "fin").
        """
        assert reader is not None
        held = b""
        sent = 0
        pending = first
        while True:
            if pending:
                data, pending = pending, b""
            elif limit is not None and held:
                try:
                    data = await asyncio.wait_for(reader.read(CHUNK), idle)
                except asyncio.TimeoutError:
                    await sender.flush()
                    return cut
            else:
                data = await reader.read(CHUNK)
            if not data:
                if limit is not None:
                    await sender.flush()
                    return cut
                await sender.finish_eof()
                return "eof"
            if tap is not None:
                tap(data)
            if gate is not None and not gate.is_set():
                await gate.wait()
            if limit is None:
                await sender.send(data)
                continue
            data = held + data
            held = b""
            room = limit - sent
            if len(data) > room:
                if room > 0:
                    await sender.send(data[:room])
                await sender.flush()
                return cut
            if len(data) > 1:
                await sender.send(data[:-1])
                sent += len(data) - 1
            held = data[-1:]

    async def _run_pair(self, conn: _Conn, *coros: Awaitable[str]) -> None:
        """Run pumps; "eof" = that direction ended, "rst" = reset everything, "fin" = close now."""
        tasks = [asyncio.ensure_future(c) for c in coros]
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for t in done:
                    exc = t.exception()
                    if exc is not None:
                        raise exc
                    action = t.result()
                    if action == "rst":
                        conn.rst_all()
                        return
                    if action == "fin":
                        return
        finally:
            for t in tasks:
                if not t.done():
                    t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ control commands

    def control(self, command: str) -> Dict[str, Any]:
        """Apply one text command (the CLI's --control protocol); returns a JSON-able reply."""
        words = command.split()
        if not words:
            return {"ok": False, "error": "empty command"}
        try:
            return self._control(words[0].lower(), words[1:])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return {"ok": False, "error": str(exc) or type(exc).__name__}

    def _control(self, cmd: str, args: List[str]) -> Dict[str, Any]:
        if cmd == "stats":
            return {"ok": True, **self.stats().as_dict()}
        if cmd == "reset":
            return {"ok": True, "before": self.reset_counters().as_dict()}
        if cmd == "kbps":
            value = args[0].lower()
            self.set_bandwidth(None if value in ("off", "none", "0") else float(value))
            return {"ok": True, "kbps": self.bandwidth}
        if cmd == "latency":
            lat = float(args[0]) / 1000.0
            jit = float(args[1]) / 1000.0 if len(args) > 1 else 0.0
            self.set_latency(lat, jit)
            return {"ok": True, "latency_ms": lat * 1000.0, "jitter_ms": jit * 1000.0}
        raise ValueError(f"unknown command {cmd!r}")


# --------------------------------------------------------------------------- CLI


def build_arg_parser(prog: Optional[str] = None, description: Optional[str] = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description or "Loopback link simulator proxy.")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT to listen on (loopback; port 0 = any)")
    p.add_argument("--target", required=True, help="HOST:PORT to forward to (loopback only)")
    p.add_argument("--kbps", type=float, default=None, help="bandwidth per direction in kbit/s")
    p.add_argument("--latency-ms", type=float, default=0.0, help="one-way delay per chunk (ms)")
    p.add_argument("--jitter-ms", type=float, default=0.0, help="extra uniform random delay (ms)")
    p.add_argument("--seed", type=int, default=None, help="seed for random choices")
    p.add_argument(
        "--control",
        action="store_true",
        help="read commands from stdin (one per line, JSON reply per line); EOF stops the proxy",
    )
    return p


def link_kwargs_from_args(args: argparse.Namespace) -> Dict[str, Any]:
    return {
        "listen": args.listen,
        "kbps": args.kbps,
        "latency": args.latency_ms / 1000.0,
        "jitter": args.jitter_ms / 1000.0,
        "seed": args.seed,
    }


def run_cli(proxy: LinkProxy, control: bool = False, out: Any = None) -> int:
    """Start ``proxy``, print its port, serve until SIGINT/SIGTERM (or quit/EOF with control)."""
    out = out or sys.stdout
    done = threading.Event()
    write_lock = threading.Lock()

    def emit(line: str) -> None:
        with write_lock:
            out.write(line + "\n")
            out.flush()

    def on_signal(signum: int, frame: Any) -> None:
        done.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        proxy.start()
        emit(str(proxy.port))
        if control:

            def read_commands() -> None:
                for line in sys.stdin:
                    line = line.strip()
                    if not line:
                        continue
                    if line.lower() in ("quit", "exit", "stop"):
                        break
                    emit(json.dumps(proxy.control(line), sort_keys=True))
                done.set()

            threading.Thread(target=read_commands, name="linkproxy-control", daemon=True).start()
        while not done.wait(0.2):
            pass
    finally:
        proxy.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    emit(json.dumps({"final": True, **proxy.stats().as_dict()}, sort_keys=True))
    return 0


def main(argv: Optional[Iterable[str]] = None) -> int:
    args = build_arg_parser(prog="python -m bench.linkproxy").parse_args(None if argv is None else list(argv))
    try:
        proxy = LinkProxy(args.target, **link_kwargs_from_args(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_cli(proxy, control=args.control)


if __name__ == "__main__":
    sys.exit(main())
