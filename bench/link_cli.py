"""The command line of bench.linkproxy (``python -m bench.linkproxy``): its options, and
serving a proxy until a signal, ``quit`` or the end of stdin, with the --control protocol
(one command a line on stdin, one JSON line back)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from bench.linkproxy import LinkProxy

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
