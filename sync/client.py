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
from sync.problems import entry
from sync.keys import REPLY_SIGNATURE, SigningKey, reply_message, request_message, verify
from sync.tls import (NotPinned, Pin, WrongCertificate, certificate_refused, is_https,
                      pinned_context, unverified_context)

T = TypeVar("T")


@dataclass
class Credentials:
    node_id: str
    token: str
    key: SigningKey
    next_counter: Callable[[], int]
    pin: Pin | None = None     # the hub's certificate, pinned at enrollment (sync.tls)


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


def transport_problem(exc: httpx.HTTPError, base_url: str, waited: float) -> TransportError:
    """What a failed request means for the person at the tablet: what to check, in Chinese
    (never the exception's class name, which says nothing to a village cadre)."""
    where = f"服务器（{base_url}）"
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportError(f"连不上{where}，等了{waited:g}秒没有回应：请检查平板是否连上了网络"
                              "（WiFi或手机流量），服务器地址是否照镇里给的填写；再点“同步”。")
    if isinstance(exc, httpx.ConnectError):
        return TransportError(f"连不上{where}：请检查平板是否连上了网络（WiFi或手机流量），服务器"
                              "地址是否照镇里给的填写；如果都对，可能是镇里的服务器没有开，请打电话问镇里，"
                              "开了再点“同步”。")
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(f"{where}没有及时回应（等了{waited:g}秒）：网络可能很慢或不稳定，"
                              "请换个信号好的地方再点“同步”，稍后也会自动重试。")
    return TransportError(f"和{where}的连接中断了：网络不稳定，请检查网络后再点“同步”，"
                          "稍后也会自动重试。")


@dataclass
class HubClient:
    base_url: str
    credentials: Credentials | None = None
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    stats: WireStats = field(default_factory=WireStats)
    # A round starts by reaching the hub within this many seconds, or gives up at once
    # with what to check (issue #8 §1): a cadre should not wait minutes for "no network".
    contact_timeout: float = 5.0
    # Over https the hub must show this certificate (sync.tls); without one only public,
    # credential-free calls are made (enrollment proves the certificate first).
    pin: Pin | None = None

    def __post_init__(self) -> None:
        if self.pin is None and self.credentials is not None:
            self.pin = self.credentials.pin
        verify: Any = True
        if is_https(self.base_url):
            if self.pin is None and self.credentials is not None:
                raise NotPinned(self.base_url)
            verify = pinned_context(self.pin.cert) if self.pin else unverified_context()
        self.http = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout,
                                 transport=self.transport, verify=verify,
                                 headers={"user-agent": "sanji/1"})

    def refused(self, exc: httpx.HTTPError, waited: float) -> Exception:
        """What a failed request raises: the pinned certificate refused (not a passing
        error: nothing is retried or sent), else a transport problem."""
        if self.pin is not None and certificate_refused(exc):
            return WrongCertificate(self.base_url, self.pin.hub_name)
        return transport_problem(exc, self.base_url, waited)

    def close(self) -> None:
        self.http.close()

    def reach(self) -> None:
        """Raise TransportError (saying what to check) unless the hub answers its public
        /v1/info within ``contact_timeout`` seconds; one try, no retries. The connection
        is closed after it, so the round's own requests start on a fresh one."""
        try:
            response = self.http.request("GET", "/v1/info", timeout=self.contact_timeout,
                                         headers={"connection": "close"})
        except httpx.HTTPError as exc:
            raise self.refused(exc, self.contact_timeout) from exc
        self.stats.requests += 1
        _refuse_if_damaged(response.status_code, response.content)
        if response.status_code >= 500:
            raise TransportError(f"服务器暂时出错（{response.status_code}），稍后会自动重试。")

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: Any = None, compress: bool = True,
             raw: bytes | None = None, headers: dict[str, str] | None = None,
             signed_by: str | None = None) -> Reply:
        """One request. With `signed_by` (the hub's public key, pinned at enrollment) a
        successful reply must carry the hub's signature over this request's counter and
        the reply's bytes; one without is treated as a broken link (issue #7 item 11)."""
        content = raw if raw is not None else b""
        counter = 0
        all_headers = dict(headers or {})
        if body is not None:
            content = wire.encode(body) if compress else jsoncodec.dumps(body)
            all_headers["content-type"] = "application/json"
            if compress:
                all_headers["content-encoding"] = "gzip"
        if self.credentials is not None:
            if is_https(self.base_url) and self.pin is None:
                # Credentials given after construction: the link was never pinned.
                raise NotPinned(self.base_url)
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
        except httpx.HTTPError as exc:
            raise self.refused(exc, self.timeout) from exc
        received = int(time.time() * 1000)
        self.stats.requests += 1
        self.stats.bytes_up += len(content) + _header_bytes(all_headers) + len(path) + 20
        self.stats.bytes_down += response.num_bytes_downloaded + _header_bytes(
            response.headers) + 20
        _refuse_if_damaged(response.status_code, data)
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
                raise from_reply(response.status_code, parsed)
            # Not a hub's problem+json (a proxy's page, say): its status is kept aside.
            raise Problem(400, "http_error", f"服务器拒绝了请求（{response.status_code}）。",
                          http_status=response.status_code)
        if signed_by is not None and not verify(
                signed_by, reply_message(path, self.credentials.node_id if self.credentials
                                         else "", counter, data),
                response.headers.get(REPLY_SIGNATURE, "")):
            raise TransportError("服务器的回复没有正确的签名（可能在网络上被人篡改），已丢弃，"
                                 "没有采用；稍后会自动重试，如果一直这样请告诉镇里管理员。")
        return Reply(parsed if parsed is not None else {}, sent, received,
                     response.status_code, dict(response.headers))


def from_reply(status: int, body: dict[str, Any]) -> Problem:
    """The hub's problem+json as a Problem whose message is what this client's catalogue
    says for the code (sync.problems: shown on screen, in the station's words whatever
    release the hub runs); the hub's own words stay in `detail`."""
    code = str(body["code"])
    extra = {k: v for k, v in body.items() if k not in ("code", "title", "status", "type")}
    known = entry(code)
    message = known.message if known is not None else str(body.get("title", ""))
    extra.setdefault("detail", body.get("title", ""))
    return Problem(status, code, message, **extra)


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


def _refuse_if_damaged(status: int, data: bytes) -> None:
    """A damaged hub is not a passing error to retry: it refuses until it is restored
    (issue #11), already at the round's first contact. Say so, and pass on what the hub
    says to its operator."""
    if status == 503 and b"hub_damaged" in data[:200]:
        said = jsoncodec.loads(data)
        detail = said.get("detail") or said.get("title", "")
        raise Problem(503, "hub_damaged", "上级服务器的数据库已损坏，暂停同步，本机的记录都还在：请告诉"
                      f"服务器管理员。服务器的说明：{detail}")
