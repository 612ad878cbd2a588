"""Tests for tests/support/faultproxy.py and bench/linkproxy.py (real sockets on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.linkproxy import LinkProxy, parse_hostport
from tests.support.faultproxy import Fault, FaultProxy

REPO = Path(__file__).resolve().parents[2]
PROXY_THREAD_PREFIXES = ("LinkProxy-", "FaultProxy-")


# --------------------------------------------------------------------------- servers


class EchoServer:
    """asyncio TCP echo server in its own thread; echoes until the client half-closes."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._tasks: set = set()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="echo", daemon=True)

    def start(self) -> "EchoServer":
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def stop(self) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)
        assert not self._thread.is_alive()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()
        await asyncio.sleep(0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            self._tasks.discard(task)
            writer.transport.abort() if task.cancelling() else writer.close()


class AppState:
    def __init__(self) -> None:
        self.commits = 0

    def reset(self) -> None:
        self.commits = 0


def make_app(state: AppState) -> Starlette:
    async def commit(request: Request) -> Response:
        body = await request.body()
        state.commits += 1
        return JSONResponse({"n": state.commits, "len": len(body)})

    async def blob(request: Request) -> Response:
        return Response(b"x" * int(request.path_params["n"]), media_type="application/octet-stream")

    async def echo(request: Request) -> Response:
        return Response(await request.body(), media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route("/commit", commit, methods=["POST"]),
            Route("/blob/{n:int}", blob, methods=["GET"]),
            Route("/echo", echo, methods=["POST"]),
        ]
    )


class UvicornThread:
    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="critical",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.port = 0

    def start(self) -> "UvicornThread":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            assert self.thread.is_alive(), "uvicorn thread died"
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture(scope="module")
def echo() -> EchoServer:
    srv = EchoServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def hub_server() -> Tuple[UvicornThread, AppState]:
    state = AppState()
    srv = UvicornThread(make_app(state)).start()
    yield srv, state
    srv.stop()


@pytest.fixture
def hub(hub_server: Tuple[UvicornThread, AppState]) -> Tuple[int, AppState]:
    srv, state = hub_server
    state.reset()
    return srv.port, state


@pytest.fixture
def make_proxy() -> Callable[..., FaultProxy]:
    made: List[LinkProxy] = []

    def factory(port: int, cls: type = FaultProxy, **kw: object) -> FaultProxy:
        p = cls(("127.0.0.1", port), **kw)
        made.append(p)
        return p.start()

    yield factory
    for p in made:
        p.stop()
        assert not p.running


@pytest.fixture(autouse=True)
def no_leaked_proxy_threads() -> None:
    yield
    leaked = [t.name for t in threading.enumerate() if t.name.startswith(PROXY_THREAD_PREFIXES)]
    assert not leaked, f"proxy threads still running: {leaked}"


# --------------------------------------------------------------------------- client helpers


def http_post(url: str, body: bytes = b"{}") -> httpx.Response:
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        return client.post(url, content=body)


def raw_exchange(addr: Tuple[str, int], request: bytes, half_close: bool = False) -> Tuple[bytes, Optional[OSError]]:
    """Send ``request``, read until EOF; returns (received bytes, error or None)."""
    chunks: List[bytes] = []
    with socket.create_connection(addr, timeout=5.0) as s:
        try:
            s.sendall(request)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            while True:
                data = s.recv(65536)
                if not data:
                    return b"".join(chunks), None
                chunks.append(data)
        except OSError as exc:
            return b"".join(chunks), exc


def echo_roundtrip(addr: Tuple[str, int], payload: bytes) -> bytes:
    got, err = raw_exchange(addr, payload, half_close=True)
    assert err is None, err
    return got


def http_request(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


# --------------------------------------------------------------------------- addresses


def test_only_loopback_allowed() -> None:
    for bad in [("10.0.0.1", 80), "192.168.1.2:8000", "example.com:80", ("0.0.0.0", 80), "8.8.8.8:53"]:
        with pytest.raises(ValueError):
            FaultProxy(bad)
        with pytest.raises(ValueError):
            LinkProxy(bad)
    with pytest.raises(ValueError):
        LinkProxy(("127.0.0.1", 80), listen=("0.0.0.0", 0))
    assert parse_hostport("localhost:81") == ("127.0.0.1", 81)
    assert parse_hostport("[::1]:82") == ("::1", 82)
    assert parse_hostport(83) == ("127.0.0.1", 83)
    assert parse_hostport("127.1.2.3:84") == ("127.1.2.3", 84)
    with pytest.raises(ValueError):
        Fault("explode")


# --------------------------------------------------------------------------- pass-through and counters


def test_passthrough_counts_bytes_exactly(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port, cls=LinkProxy)
    assert echo_roundtrip(proxy.address, b"a" * 1000) == b"a" * 1000
    st = proxy.stats()
    assert (st.bytes_up, st.bytes_down, st.connections) == (1000, 1000, 1)
    assert echo_roundtrip(proxy.address, b"b" * 3000) == b"b" * 3000
    assert proxy.wait_idle(5)
    before = proxy.reset_counters()
    assert (before.bytes_up, before.bytes_down, before.connections, before.active) == (4000, 4000, 2, 0)
    st = proxy.stats()
    assert (st.bytes_up, st.bytes_down, st.connections, st.bytes_total) == (0, 0, 0, 0)


def test_http_passthrough_mode_ignores_faults(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port, probabilities={"drop": 1.0}, passthrough=True)
    proxy.queue_fault("lost_ack")
    for i in range(3):
        r = http_post(proxy.url + "/commit", b"x" * 10)
        assert r.status_code == 200 and r.json() == {"n": i + 1, "len": 10}
    assert proxy.pending_faults() == [Fault("lost_ack")]  # queue kept while in pass-through
    st = proxy.stats()
    assert st.connections == 3 and st.faults == {}
    assert st.bytes_up > 3 * 10 and st.bytes_down > 0
    proxy.set_passthrough(False)
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit")  # queued lost_ack
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit")  # drop by probability
    assert proxy.fault_kinds()[-2:] == ["lost_ack", "drop"]
    assert state.commits == 4


# --------------------------------------------------------------------------- faults


def test_drop(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    proxy.queue_fault("drop")
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit")
    assert proxy.wait_idle(5)
    assert state.commits == 0
    assert proxy.stats().bytes_up == 0
    assert http_post(proxy.url + "/commit").json()["n"] == 1  # the queue held just one
    assert proxy.fault_kinds() == ["drop", None]


def test_reset_response_sends_rst(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    proxy.queue_fault(Fault("reset", direction="response", after=10))
    got, err = raw_exchange(proxy.address, http_request("POST", "/commit", b"{}"))
    assert isinstance(err, ConnectionResetError), (got, err)
    assert len(got) <= 10
    assert state.commits == 1  # the request got through; only the answer was cut
    assert proxy.stats().bytes_down <= 10


def test_reset_request_never_reaches_handler(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    # "after" beyond the request's length: the last byte is still held back
    proxy.queue_fault("reset", direction="request", after=10_000)
    request = http_request("POST", "/commit", b"y" * 100)
    got, err = raw_exchange(proxy.address, request)
    assert isinstance(err, ConnectionResetError), (got, err)
    assert got == b""
    assert proxy.wait_idle(5)
    assert proxy.stats().bytes_up == len(request) - 1
    assert state.commits == 0
    proxy.queue_fault("reset", direction="request", after=20)
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit", b"z" * 100)
    assert proxy.wait_idle(5)
    assert state.commits == 0


def test_random_resets_always_break_the_exchange(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port, seed=3, probabilities={"reset": 1.0}, max_cut_bytes=400)
    for _ in range(6):
        with pytest.raises(httpx.TransportError):
            http_post(proxy.url + "/commit", b"q" * 50)
    assert proxy.wait_idle(5)
    faults = [f for _, f in proxy.fault_log()]
    assert all(f is not None and f.kind == "reset" and 0 <= f.after <= 400 for f in faults)
    # a response only exists once the handler ran; a cut request never reaches it
    assert state.commits == sum(1 for f in faults if f.direction == "response")
    assert proxy.stats().faults == {"reset": 6}


def test_truncate(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, _ = hub
    proxy = make_proxy(port)
    request = http_request("GET", "/blob/5000")
    full, err = raw_exchange(proxy.address, request)
    assert err is None and full.endswith(b"x" * 5000)
    proxy.queue_fault("truncate", after=100)
    got, err = raw_exchange(proxy.address, request)
    assert err is None  # clean close (FIN), not a reset
    assert got == full[:100]
    proxy.queue_fault("truncate", after=10**6)  # longer than the answer: still short by one
    got, err = raw_exchange(proxy.address, request)
    assert err is None and got == full[:-1]
    proxy.queue_fault("truncate")  # random cut point
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        with pytest.raises(httpx.TransportError):
            client.get(proxy.url + "/blob/5000")
    assert proxy.fault_log()[-1][1].after is not None


def test_delay_fault(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port)
    proxy.queue_fault("delay", delay=0.25, jitter=0.0)
    t0 = time.monotonic()
    assert echo_roundtrip(proxy.address, b"ping") == b"ping"
    elapsed = time.monotonic() - t0
    assert 0.5 <= elapsed < 2.0  # 0.25 s each way
    t0 = time.monotonic()
    assert echo_roundtrip(proxy.address, b"ping") == b"ping"  # next connection: no delay
    assert time.monotonic() - t0 < 0.25


def test_latency_is_pipelined(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port, cls=LinkProxy, latency=0.1)
    t0 = time.monotonic()
    with socket.create_connection(proxy.address, timeout=5) as s:
        for i in range(10):
            s.sendall(b"%02d" % i)
            time.sleep(0.01)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while chunk := s.recv(4096):
            got += chunk
    elapsed = time.monotonic() - t0
    assert got == b"".join(b"%02d" % i for i in range(10))
    assert 0.25 <= elapsed < 1.0  # ~0.1 s of writes + 0.1 s each way, not 10 x 0.2 s


def test_duplicate_deliver_second(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    proxy.queue_fault("duplicate", deliver="second")
    r = http_post(proxy.url + "/commit", b"d" * 30)
    assert r.status_code == 200
    assert r.json() == {"n": 2, "len": 30}  # the client got the replay's answer
    assert state.commits == 2


def test_duplicate_deliver_first(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    proxy.queue_fault("duplicate", deliver="first")
    r = http_post(proxy.url + "/commit", b"d" * 30)
    assert r.json() == {"n": 1, "len": 30}
    assert proxy.wait_idle(5)
    assert state.commits == 2
    assert proxy.stats().faults == {"duplicate": 1}


def test_lost_ack(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port)
    proxy.queue_fault("lost_ack")
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit", b"{}")
    assert state.commits == 1  # the server committed ...
    assert proxy.stats().bytes_down == 0  # ... and the client never heard back


def test_queue_then_probabilities(hub: Tuple[int, AppState], make_proxy: Callable[..., FaultProxy]) -> None:
    port, state = hub
    proxy = make_proxy(port, probabilities={"drop": 1.0})
    proxy.queue_faults([Fault("duplicate", deliver="second"), None])
    assert http_post(proxy.url + "/commit").json()["n"] == 2
    assert http_post(proxy.url + "/commit").json()["n"] == 3
    with pytest.raises(httpx.TransportError):
        http_post(proxy.url + "/commit")
    assert proxy.fault_kinds() == ["duplicate", None, "drop"]
    proxy.set_probabilities()  # all zero
    assert http_post(proxy.url + "/commit").json()["n"] == 4
    with pytest.raises(ValueError):
        proxy.set_probabilities(drop=0.6, reset=0.6)


def _run_seeded(port: int, seed: int, make_proxy: Callable[..., FaultProxy]) -> list:
    proxy = make_proxy(
        port,
        seed=seed,
        probabilities={"drop": 0.3, "delay": 0.3, "reset": 0.15},
        delay=0.0,
        delay_jitter=0.005,
        max_cut_bytes=3,
        idle_timeout=0.05,
    )
    for _ in range(16):
        raw_exchange(proxy.address, b"ping", half_close=True)
    assert proxy.wait_idle(5)
    log = proxy.fault_log()
    proxy.stop()
    return log


def test_seeded_choices_are_reproducible(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    a = _run_seeded(echo.port, 42, make_proxy)
    b = _run_seeded(echo.port, 42, make_proxy)
    c = _run_seeded(echo.port, 7, make_proxy)
    assert a == b
    assert a != c
    kinds = {f.kind if f else None for _, f in a}
    assert {"drop", "delay", None} <= kinds


# --------------------------------------------------------------------------- bandwidth


def test_bandwidth_limit_50kbit_25kb(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port, cls=LinkProxy, kbps=50)
    payload = os.urandom(25_000)
    t0 = time.monotonic()
    assert echo_roundtrip(proxy.address, payload) == payload
    elapsed = time.monotonic() - t0
    expected = 25_000 * 8 / 50_000  # 4 s (each direction has its own 50 kbit/s)
    assert 0.8 <= elapsed / expected <= 2.0, elapsed
    st = proxy.stats()
    assert (st.bytes_up, st.bytes_down, st.connections) == (25_000, 25_000, 1)


def test_bandwidth_is_shared_across_connections(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port, kbps=200)  # 25 000 bytes/s per direction
    results: List[bytes] = []

    def one() -> None:
        results.append(echo_roundtrip(proxy.address, b"s" * 12_500))

    t0 = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    elapsed = time.monotonic() - t0
    assert results == [b"s" * 12_500] * 2
    assert 0.8 <= elapsed / 1.0 <= 2.0, elapsed  # 25 000 bytes total at 25 000 B/s, not 0.5 s


def test_bandwidth_can_change_at_runtime(echo: EchoServer, make_proxy: Callable[..., FaultProxy]) -> None:
    proxy = make_proxy(echo.port, cls=LinkProxy, kbps=20)  # 50 KB would take 20 s
    threading.Timer(0.3, proxy.set_bandwidth, args=(None,)).start()
    t0 = time.monotonic()
    assert echo_roundtrip(proxy.address, b"r" * 50_000) == b"r" * 50_000
    assert time.monotonic() - t0 < 3.0
    assert proxy.bandwidth is None


# --------------------------------------------------------------------------- lifecycle and CLI


def test_stop_closes_everything(echo: EchoServer) -> None:
    proxy = FaultProxy(("127.0.0.1", echo.port)).start()
    addr = proxy.address
    with socket.create_connection(addr, timeout=5) as s:
        s.sendall(b"hi")
        assert s.recv(10) == b"hi"
        t0 = time.monotonic()
        proxy.stop()
        assert time.monotonic() - t0 < 2.0
        try:
            assert s.recv(10) == b""
        except ConnectionResetError:
            pass
    proxy.stop()  # idempotent
    assert not proxy.running
    with pytest.raises(OSError):
        socket.create_connection(addr, timeout=1).close()
    with pytest.raises(RuntimeError):
        proxy.start()


def test_unreachable_target_resets_client() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]  # bound, not listening: connections are refused
        with LinkProxy(("127.0.0.1", dead_port)) as proxy:
            try:  # the RST may even beat the client's connect() to completion
                got, err = raw_exchange(proxy.address, b"hello")
            except ConnectionResetError:
                got, err = b"", None
            assert got == b""
            assert err is None or isinstance(err, (ConnectionResetError, BrokenPipeError)), err
            assert proxy.wait_idle(5) and proxy.stats().bytes_up == 0


def _spawn(args: List[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_faultproxy_cli_with_control(echo: EchoServer) -> None:
    proc = _spawn(["-m", "tests.support.faultproxy", "--listen", "127.0.0.1:0",
                   "--target", f"127.0.0.1:{echo.port}", "--seed", "1", "--control"])
    try:
        port = int(proc.stdout.readline())
        assert echo_roundtrip(("127.0.0.1", port), b"x" * 500) == b"x" * 500

        def cmd(line: str) -> dict:
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())

        st = cmd("stats")
        assert (st["bytes_up"], st["bytes_down"], st["connections"]) == (500, 500, 1)
        assert cmd("queue drop 1")["pending"] == [{"kind": "drop"}]
        got, _ = raw_exchange(("127.0.0.1", port), b"hello", half_close=True)
        assert got == b""
        assert cmd("reset")["before"]["faults"] == {"drop": 1}
        assert cmd("kbps 100")["kbps"] == 100.0
        assert cmd("bogus")["ok"] is False
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        final = json.loads(proc.stdout.readline())
        assert final["final"] is True and final["connections"] == 0
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdin.close()
        proc.stdout.close()


def test_linkproxy_cli_sigterm_prints_stats(echo: EchoServer) -> None:
    proc = _spawn(["-m", "bench.linkproxy", "--target", f"127.0.0.1:{echo.port}"])
    try:
        port = int(proc.stdout.readline())
        assert echo_roundtrip(("127.0.0.1", port), b"z" * 123) == b"z" * 123
        proc.send_signal(signal.SIGTERM)
        final = json.loads(proc.stdout.readline())
        assert (final["bytes_up"], final["bytes_down"], final["connections"]) == (123, 123, 1)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdin.close()
        proc.stdout.close()


def test_cli_refuses_non_loopback_target() -> None:
    r = subprocess.run([sys.executable, "-m", "bench.linkproxy", "--target", "10.0.0.1:80"],
                       cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "loopback" in r.stderr


def test_bench_does_not_import_tests() -> None:
    code = ("import sys, bench.linkproxy; "
            "bad = [m for m in sys.modules if m == 'tests' or m.startswith('tests.')]; "
            "assert not bad, bad; from bench.linkproxy import LinkProxy")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=30)
