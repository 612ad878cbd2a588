"""Fault-injecting loopback TCP proxy for tests (builds on ``bench.linkproxy``).

``FaultProxy`` is a :class:`bench.linkproxy.LinkProxy` (bandwidth limit, latency,
byte counters, loopback-only) that can also break connections.  Each accepted
client connection gets at most one fault, decided at accept time, in accept
order:

1. passthrough mode on  -> no fault (queued faults stay queued);
2. else the next queued fault, if any (``queue_fault``: "next N connections get X");
3. else one drawn with the configured probabilities (``set_probabilities``).

All random choices come from ``random.Random(seed)`` (one derived generator per
connection, in accept order), so a seeded run with sequential clients is
reproducible.

Fault kinds (``Fault.kind``):

``drop``       accept, then close without ever connecting upstream.
``reset``      RST (SO_LINGER 0) both sides at byte ``after`` of the ``direction``
               stream ("request" = client->server, "response" = server->client).
               The last byte of the stream is always held back, so the cut
               happens at ``min(after, len(stream) - 1)``: the peer never gets
               the whole stream (a request reset means the server handler never
               runs; a response reset means the client never gets a full answer).
``truncate``   forward the request fully, deliver only ``after`` response bytes
               (``min(after, len - 1)``, same hold-back rule), then close (FIN).
``delay``      every chunk, both directions, is delayed ``delay`` +
               uniform(0, ``jitter``) seconds (pipelined, order kept).
``duplicate``  forward the request; when the server starts answering, replay the
               captured request on a fresh upstream connection, so the server
               sees it twice.  ``deliver="first"``: the client gets the first
               answer, the replay's answer is discarded (it may finish after the
               client got its answer: use ``wait_idle()``).  ``deliver="second"``:
               the first answer is discarded and the client gets the replay's
               answer (by then both requests have been handled); the rest of the
               connection continues on the second upstream connection.
``lost_ack``   forward the request fully, let the server answer (read until it
               is idle/closed), then close the client side without delivering a
               single response byte: the server committed, the client never hears.

"Idle" means ``idle_timeout`` seconds (default 0.1) with no data.

Usage::

    with FaultProxy(("127.0.0.1", hub_port), seed=1) as proxy:
        proxy.queue_fault("lost_ack")                 # next connection only
        proxy.queue_fault(Fault("reset", direction="response", after=10), count=2)
        proxy.set_probabilities(drop=0.1, delay=0.2)  # for everything else
        httpx.post(proxy.url + "/sync", ...)

CLI (same as ``python -m bench.linkproxy`` plus fault options)::

    python -m tests.support.faultproxy --listen 127.0.0.1:0 --target 127.0.0.1:PORT \
        [--seed N] [--drop P] [--reset P] [--truncate P] [--delay P] [--duplicate P] \
        [--lost-ack P] [--delay-ms MS] [--delay-jitter-ms MS] [--max-cut-bytes N] \
        [--kbps K] [--latency-ms MS] [--passthrough] [--control]

prints the port on the first stdout line.  ``--control`` adds stdin commands
(one JSON reply line each): ``stats``, ``reset``, ``kbps N|off``,
``latency MS [JITTER_MS]``, ``passthrough on|off``, ``prob KIND P``,
``probs [KIND=P ...]``, ``queue KIND [COUNT] [key=value ...]``, ``clear``,
``seed N``, ``log``, ``quit``.
"""

from __future__ import annotations

import asyncio
import collections
import sys
from dataclasses import asdict, dataclass, replace
from typing import Any, Deque, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from bench.link_cli import build_arg_parser, link_kwargs_from_args, run_cli
from bench.link_pipes import CHUNK, Conn, HostPort, Sender, drain_reader
from bench.linkproxy import LinkProxy, LinkStats

__all__ = ["FAULT_KINDS", "Fault", "FaultProxy", "LinkProxy", "LinkStats", "main"]

FAULT_KINDS: Tuple[str, ...] = ("drop", "reset", "truncate", "delay", "duplicate", "lost_ack")
_DIRECTIONS = ("request", "response")
_DELIVER = ("first", "second")


@dataclass(frozen=True)
class Fault:
    """One fault; parameters left as None are drawn (seeded) or taken from the proxy's defaults."""

    kind: str
    direction: Optional[str] = None  # reset: "request" | "response"
    after: Optional[int] = None  # reset / truncate: bytes forwarded before the cut
    delay: Optional[float] = None  # delay: fixed seconds per chunk
    jitter: Optional[float] = None  # delay: extra uniform(0, jitter) seconds per chunk
    deliver: Optional[str] = None  # duplicate: which answer the client gets

    def __post_init__(self) -> None:
        kind = self.kind.replace("-", "_").lower()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        object.__setattr__(self, "kind", kind)
        if self.direction is not None and self.direction not in _DIRECTIONS:
            raise ValueError(f"direction must be one of {_DIRECTIONS}")
        if self.deliver is not None and self.deliver not in _DELIVER:
            raise ValueError(f"deliver must be one of {_DELIVER}")
        if self.after is not None and self.after < 0:
            raise ValueError("after must be >= 0")
        if (self.delay is not None and self.delay < 0) or (self.jitter is not None and self.jitter < 0):
            raise ValueError("delay and jitter must be >= 0")

    @classmethod
    def coerce(cls, value: Union[str, "Fault"], **params: Any) -> "Fault":
        if isinstance(value, Fault):
            return replace(value, **params) if params else value
        return cls(str(value), **params)

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _parse_value(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


class FaultProxy(LinkProxy):
    """LinkProxy + per-connection faults (see module docstring).

    Keyword arguments (all also settable at runtime, thread-safely):
      seed, kbps, latency, jitter   as for LinkProxy;
      probabilities  mapping kind -> probability (sum <= 1);
      passthrough    start in pass-through mode (no faults);
      delay, delay_jitter  defaults for the "delay" fault (seconds);
      max_cut_bytes  random ``after`` for reset/truncate is uniform in [0, max_cut_bytes];
      idle_timeout   silence (s) taken to mean "the stream is complete";
      replay_timeout how long a duplicate replay waits for the server's answer.
    """

    def __init__(
        self,
        target: HostPort,
        listen: HostPort = ("127.0.0.1", 0),
        *,
        seed: Optional[int] = None,
        probabilities: Optional[Mapping[str, float]] = None,
        passthrough: bool = False,
        delay: float = 0.05,
        delay_jitter: float = 0.05,
        max_cut_bytes: int = 2048,
        idle_timeout: float = 0.1,
        replay_timeout: float = 30.0,
        **link_kwargs: Any,
    ) -> None:
        super().__init__(target, listen, seed=seed, **link_kwargs)
        self._probs: Dict[str, float] = {}
        self._queue: Deque[Fault] = collections.deque()
        self._passthrough = bool(passthrough)
        self._delay_default = (0.0, 0.0)
        self._max_cut = 0
        self._idle = 0.1
        self._replay_timeout = float(replay_timeout)
        self._log: Deque[Tuple[int, Optional[Fault]]] = collections.deque(maxlen=100_000)
        self.set_probabilities(probabilities or {})
        self.set_delay(delay, delay_jitter)
        self.set_max_cut_bytes(max_cut_bytes)
        self.set_idle_timeout(idle_timeout)

    # ------------------------------------------------------------------ runtime settings

    def set_passthrough(self, enabled: bool = True) -> None:
        """Pass-through mode: no faults at all (queue kept, probabilities ignored)."""
        with self._lock:
            self._passthrough = bool(enabled)

    @property
    def passthrough(self) -> bool:
        return self._passthrough

    def set_probabilities(self, probabilities: Optional[Mapping[str, float]] = None, **kw: float) -> None:
        """Replace all fault probabilities (kinds not given become 0). Sum must be <= 1."""
        merged = dict(probabilities or {})
        merged.update(kw)
        probs: Dict[str, float] = {}
        for kind, p in merged.items():
            k = Fault(kind).kind
            p = float(p)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probability for {k} must be in [0, 1]")
            if p:
                probs[k] = p
        if sum(probs.values()) > 1.0 + 1e-9:
            raise ValueError("fault probabilities must sum to <= 1")
        with self._lock:
            self._probs = probs

    def set_probability(self, kind: str, probability: float) -> None:
        """Change one kind's probability, keeping the others."""
        with self._lock:
            probs = dict(self._probs)
            probs[Fault(kind).kind] = probability
            self.set_probabilities(probs)

    @property
    def probabilities(self) -> Dict[str, float]:
        with self._lock:
            return dict(self._probs)

    def queue_fault(self, fault: Union[str, Fault], count: int = 1, **params: Any) -> None:
        """The next ``count`` connections (after those already queued) get ``fault``."""
        f = Fault.coerce(fault, **params)
        if count < 0:
            raise ValueError("count must be >= 0")
        with self._lock:
            self._queue.extend([f] * count)

    def queue_faults(self, faults: Iterable[Union[str, Fault, None]]) -> None:
        """Queue several faults in order; ``None`` queues an explicitly fault-free connection."""
        items = [None if f is None else Fault.coerce(f) for f in faults]
        with self._lock:
            self._queue.extend(items)  # type: ignore[arg-type]

    def clear_queue(self) -> List[Optional[Fault]]:
        with self._lock:
            items = list(self._queue)
            self._queue.clear()
            return items

    def pending_faults(self) -> List[Optional[Fault]]:
        with self._lock:
            return list(self._queue)

    def set_delay(self, delay: float, jitter: float = 0.0) -> None:
        """Default parameters of the "delay" fault (seconds per chunk)."""
        if delay < 0 or jitter < 0:
            raise ValueError("delay and jitter must be >= 0")
        with self._lock:
            self._delay_default = (float(delay), float(jitter))

    def set_max_cut_bytes(self, n: int) -> None:
        if n < 0:
            raise ValueError("max_cut_bytes must be >= 0")
        with self._lock:
            self._max_cut = int(n)

    def set_idle_timeout(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("idle_timeout must be > 0")
        with self._lock:
            self._idle = float(seconds)

    def fault_log(self) -> List[Tuple[int, Optional[Fault]]]:
        """(connection id, resolved Fault or None) for each accepted connection, oldest first."""
        with self._lock:
            return list(self._log)

    def fault_kinds(self) -> List[Optional[str]]:
        """Just the kinds from :meth:`fault_log` (None = no fault)."""
        return [f.kind if f is not None else None for _, f in self.fault_log()]

    def reset_counters(self) -> LinkStats:
        with self._lock:
            before = super().reset_counters()
            self._log.clear()
            return before

    # ------------------------------------------------------------------ planning (loop thread, accept order)

    def _plan(self, conn: Conn) -> Optional[Fault]:
        rng = conn.rng
        with self._lock:
            roll = rng.random()  # always drawn, so the stream does not depend on the queue
            if self._passthrough:
                fault: Optional[Fault] = None
            elif self._queue:
                fault = self._queue.popleft()
            else:
                fault = None
                acc = 0.0
                for kind in FAULT_KINDS:
                    acc += self._probs.get(kind, 0.0)
                    if roll < acc:
                        fault = Fault(kind)
                        break
            if fault is not None:
                fault = self._resolve(fault, rng)
                self._fault_counts[fault.kind] += 1
            self._log.append((conn.id, fault))
            return fault

    def _resolve(self, f: Fault, rng: Any) -> Fault:
        if f.kind == "reset":
            return replace(
                f,
                direction=f.direction or rng.choice(_DIRECTIONS),
                after=f.after if f.after is not None else rng.randint(0, self._max_cut),
            )
        if f.kind == "truncate":
            return replace(f, after=f.after if f.after is not None else rng.randint(0, self._max_cut))
        if f.kind == "delay":
            d, j = self._delay_default
            return replace(f, delay=d if f.delay is None else f.delay, jitter=j if f.jitter is None else f.jitter)
        if f.kind == "duplicate":
            return replace(f, deliver=f.deliver or rng.choice(_DELIVER))
        return f

    # ------------------------------------------------------------------ serving

    async def _serve(self, conn: Conn, fault: Optional[Fault]) -> None:
        if fault is None:
            await super()._serve(conn, None)
            return
        kind = fault.kind
        if kind == "drop":
            return  # _handle closes the client connection
        if not await self._connect_upstream(conn):
            return
        idle = self._idle
        up, down = conn.sender("up"), conn.sender("down")
        if kind == "delay":
            conn.extra_delay = fault.delay or 0.0
            conn.extra_jitter = fault.jitter or 0.0
            up_pump = self._forward(conn.creader, up)
            down_pump = self._forward(conn.ureader, down)
        elif kind == "reset" and fault.direction == "request":
            up_pump = self._forward(conn.creader, up, limit=fault.after, idle=idle, cut="rst")
            down_pump = self._forward(conn.ureader, down)
        elif kind in ("reset", "truncate"):
            cut = "rst" if kind == "reset" else "fin"
            up_pump = self._forward(conn.creader, up)
            down_pump = self._forward(conn.ureader, down, limit=fault.after, idle=idle, cut=cut)
        elif kind == "lost_ack":
            up_pump = self._forward(conn.creader, up)
            down_pump = self._lost_ack(conn, idle)
        elif kind == "duplicate":
            conn.capturing = True

            def tap(data: bytes) -> None:
                if conn.capturing:
                    conn.captured += data

            up_pump = self._forward(conn.creader, up, tap=tap, gate=conn.up_gate)
            down_pump = self._duplicate(conn, fault.deliver or "first", idle)
        else:  # pragma: no cover - Fault validates kinds
            raise AssertionError(kind)
        await self._run_pair(conn, up_pump, down_pump)

    async def _lost_ack(self, conn: Conn, idle: float) -> str:
        assert conn.ureader is not None
        first = await conn.ureader.read(CHUNK)
        if first:
            await drain_reader(conn.ureader, idle)
        return "fin"

    async def _duplicate(self, conn: Conn, deliver: str, idle: float) -> str:
        assert conn.ureader is not None
        down = conn.sender("down")
        first = await conn.ureader.read(CHUNK)
        conn.capturing = False
        if not first:
            await down.finish_eof()
            return "eof"
        request = bytes(conn.captured)
        if deliver == "first":
            self._spawn(self._replay(request, idle))
            return await self._forward(conn.ureader, down, first=first)
        # deliver == "second": switch the client over to a fresh upstream connection
        conn.up_gate.clear()
        try:
            old_reader, old_writer = conn.ureader, conn.uwriter
            reader, writer = await self._open_upstream()
            conn.add_upstream(reader, writer)  # also retargets the "up" sender
            self._spawn(self._drain_and_close(old_reader, old_writer, idle))
            await conn.sender("up").send(request)
        finally:
            conn.up_gate.set()
        return await self._forward(reader, down)

    async def _replay(self, request: bytes, idle: float) -> None:
        reader, writer = await self._open_upstream()
        sender = Sender(self, "up", writer)
        try:
            await sender.send(request)
            first = await asyncio.wait_for(reader.read(CHUNK), self._replay_timeout)
            if first:
                await drain_reader(reader, idle)
        except (OSError, asyncio.TimeoutError):
            writer.transport.abort()
        finally:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError):
                writer.transport.abort()

    async def _drain_and_close(self, reader: Any, writer: Any, idle: float) -> None:
        try:
            await drain_reader(reader, idle)
        except OSError:
            pass
        finally:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError):
                writer.transport.abort()

    # ------------------------------------------------------------------ control commands

    def _control(self, cmd: str, args: List[str]) -> Dict[str, Any]:
        if cmd == "passthrough":
            on = (args[0].lower() if args else "on") in ("on", "1", "true", "yes")
            self.set_passthrough(on)
            return {"ok": True, "passthrough": on}
        if cmd == "prob":
            self.set_probability(args[0], float(args[1]))
            return {"ok": True, "probabilities": self.probabilities}
        if cmd == "probs":
            pairs = dict(a.split("=", 1) for a in args)
            self.set_probabilities({k: float(v) for k, v in pairs.items()})
            return {"ok": True, "probabilities": self.probabilities}
        if cmd == "queue":
            kind = args[0]
            rest = args[1:]
            count = 1
            if rest and "=" not in rest[0]:
                count = int(rest.pop(0))
            params = {k: _parse_value(v) for k, v in (a.split("=", 1) for a in rest)}
            self.queue_fault(kind, count, **params)
            return {"ok": True, "pending": [f.as_dict() if f else None for f in self.pending_faults()]}
        if cmd == "clear":
            return {"ok": True, "cleared": len(self.clear_queue())}
        if cmd == "seed":
            self.set_seed(int(args[0]) if args and args[0].lower() != "none" else None)
            return {"ok": True}
        if cmd == "log":
            return {"ok": True, "log": [[cid, f.as_dict() if f else None] for cid, f in self.fault_log()]}
        return super()._control(cmd, args)


def main(argv: Optional[Iterable[str]] = None) -> int:
    p = build_arg_parser(prog="python -m tests.support.faultproxy", description="Fault-injecting loopback proxy.")
    for kind in FAULT_KINDS:
        p.add_argument(f"--{kind.replace('_', '-')}", type=float, default=0.0, metavar="P",
                       help=f"probability of the {kind} fault per connection")
    p.add_argument("--delay-ms", type=float, default=50.0, help="delay fault: fixed delay per chunk (ms)")
    p.add_argument("--delay-jitter-ms", type=float, default=50.0, help="delay fault: jitter per chunk (ms)")
    p.add_argument("--max-cut-bytes", type=int, default=2048, help="reset/truncate: random cut in [0, N] bytes")
    p.add_argument("--idle-ms", type=float, default=100.0, help="silence taken as end of stream (ms)")
    p.add_argument("--passthrough", action="store_true", help="start with faults disabled")
    args = p.parse_args(None if argv is None else list(argv))
    try:
        proxy = FaultProxy(
            args.target,
            probabilities={k: getattr(args, k) for k in FAULT_KINDS},
            passthrough=args.passthrough,
            delay=args.delay_ms / 1000.0,
            delay_jitter=args.delay_jitter_ms / 1000.0,
            max_cut_bytes=args.max_cut_bytes,
            idle_timeout=args.idle_ms / 1000.0,
            **link_kwargs_from_args(args),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_cli(proxy, control=args.control)


if __name__ == "__main__":
    sys.exit(main())
