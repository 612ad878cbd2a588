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
(``_plan``/``_serve`` and the ``_forward``/``_run_pair`` primitives) and on the pieces
in ``bench/link_pipes.py`` (Conn, Sender, drain_reader). Settings and counters are in
``bench/link_state.py``, the command line in ``bench/link_cli.py``.

CLI::

    python -m bench.linkproxy --listen 127.0.0.1:0 --target 127.0.0.1:8000 \
        [--kbps 50] [--latency-ms 20 --jitter-ms 5] [--control]

prints the bound port on the first stdout line, then (at exit, on SIGINT /
SIGTERM / ``quit``) one JSON line with the final counters.  With ``--control``
it reads commands from stdin, one per line, answering one JSON line each:
``stats``, ``reset``, ``kbps N|off``, ``latency MS [JITTER_MS]``, ``quit``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import threading
from typing import Any, Awaitable, Callable, Iterable, Optional, Tuple

from bench.link_cli import build_arg_parser, link_kwargs_from_args, run_cli
from bench.link_pipes import (
    CHUNK, Conn, HostPort, LinkStats, Pacer, Sender, ensure_loopback, parse_hostport)
from bench.link_state import LinkState

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


# --------------------------------------------------------------------------- the proxy


class LinkProxy(LinkState):
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
        super().__init__(kbps=kbps, latency=latency, jitter=jitter, seed=seed)
        self._idle_cv = threading.Condition(self._lock)
        self._connect_timeout = float(connect_timeout)
        self._next_id = 0
        self._pacers = {"up": Pacer(), "down": Pacer()}
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
        conn = Conn(self, cid, reader, writer, rng)
        try:
            plan = self._plan(conn)
        except Exception:  # noqa: BLE001 - never let a bad plan kill the acceptor
            log.exception("fault planning failed; passing through")
            plan = None
        self._spawn(self._handle(conn, plan))

    async def _handle(self, conn: Conn, plan: Any) -> None:
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

    def _plan(self, conn: Conn) -> Any:
        """Decide (synchronously, at accept time, in accept order) what to do with ``conn``."""
        return None

    async def _serve(self, conn: Conn, plan: Any) -> None:
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

    async def _connect_upstream(self, conn: Conn) -> bool:
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
        sender: Sender,
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

    async def _run_pair(self, conn: Conn, *coros: Awaitable[str]) -> None:
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
