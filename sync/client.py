"""The one module that touches the network: an httpx client for a hub's /v1 API.

Foreign errors are translated at this boundary (house style): a refused request
becomes a Problem with the hub's code, a broken link a TransportError (retry later).
Requests are gzip-compressed here because httpx does not compress request bodies.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from sync import jsoncodec, wire
from sync.errors import Problem, TransportError
from sync.keys import SigningKey, request_message

T = TypeVar("T")


@dataclass
class Credentials:
    node_id: str
    token: str
    key: SigningKey
    next_counter: Callable[[], int]


@dataclass
class Reply:
    body: Any
    sent_ms: int
    received_ms: int
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WireStats:
    bytes_up: int = 0
    bytes_down: int = 0
    requests: int = 0


@dataclass
class HubClient:
    base_url: str
    credentials: Credentials | None = None
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    stats: WireStats = field(default_factory=WireStats)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout,
                                 transport=self.transport,
                                 headers={"user-agent": "sanji/1"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: Any = None, compress: bool = True,
             raw: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        content = raw if raw is not None else b""
        all_headers = dict(headers or {})
        if body is not None:
            content = wire.encode(body) if compress else jsoncodec.dumps(body)
            all_headers["content-type"] = "application/json"
            if compress:
                all_headers["content-encoding"] = "gzip"
        if self.credentials is not None:
            creds = self.credentials
            counter = creds.next_counter()
            all_headers.update({
                "authorization": f"Bearer {creds.token}",
                "x-sanji-node": creds.node_id,
                "x-sanji-counter": str(counter),
                "x-sanji-signature": creds.key.sign(
                    request_message(method, path, creds.node_id, counter, content))})
        sent = int(time.time() * 1000)
        try:
            response = self.http.request(method, path, content=content or None,
                                         headers=all_headers)
            data = response.content
        except httpx.TimeoutException as exc:
            raise TransportError("连接镇里服务器超时：网络可能不稳定，稍后会自动重试。") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"连不上服务器（{type(exc).__name__}）：请检查网络，稍后会自动重试。"
                                 ) from exc
        received = int(time.time() * 1000)
        self.stats.requests += 1
        self.stats.bytes_up += len(content) + _header_bytes(all_headers) + len(path) + 20
        self.stats.bytes_down += response.num_bytes_downloaded + _header_bytes(
            response.headers) + 20
        if response.status_code == 503 and b"hub_damaged" in data[:200]:
            # Not a passing error to retry: the hub refuses until it is restored (issue
            # #11). Say so, and pass on what the hub says to its operator.
            detail = jsoncodec.loads(data).get("title", "")
            raise Problem(503, "hub_damaged", "上级服务器的数据库已损坏，暂停同步，本机的记录都还在：请告诉"
                          f"服务器管理员。服务器的说明：{detail}")
        if response.status_code >= 500:
            raise TransportError(f"服务器暂时出错（{response.status_code}），稍后会自动重试。")
        parsed: Any = None
        if data:
            try:
                parsed = jsoncodec.loads(data)
            except jsoncodec.DecodeError as exc:
                if response.status_code >= 400 or response.headers.get(
                        "content-type", "").startswith("application/json"):
                    raise TransportError("服务器回复不完整（可能传输中断），稍后会自动重试。") from exc
                parsed = data
        if response.status_code >= 400:
            if isinstance(parsed, dict) and "code" in parsed:
                extra = {k: v for k, v in parsed.items()
                         if k not in ("code", "title", "status", "type")}
                raise Problem(response.status_code, str(parsed["code"]),
                              str(parsed.get("title", "")), **extra)
            raise Problem(response.status_code, "http_error",
                          f"服务器拒绝了请求（{response.status_code}）。")
        return Reply(parsed if parsed is not None else {}, sent, received,
                     response.status_code, dict(response.headers))


def _header_bytes(headers: Any) -> int:
    return sum(len(k) + len(v) + 4 for k, v in headers.items())


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter (AWS architecture blog, 2015)."""

    base: float = 0.5
    cap: float = 30.0
    attempts: int = 6
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep

    def run(self, action: Callable[[], T]) -> T:
        for attempt in range(self.attempts):
            try:
                return action()
            except TransportError:
                if attempt == self.attempts - 1:
                    raise
                self.sleep(self.rng.uniform(0, min(self.cap, self.base * 2 ** attempt)))
        raise AssertionError("unreachable")
