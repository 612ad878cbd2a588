"""The station's side of TLS (issue #11): a hub is trusted by the one certificate it
showed at enrollment, never by the system's CA store.

A village tablet talks to its own town hub only. Trusting the hundreds of public CAs
a phone ships with would let anyone who gets a certificate for the hub's name (or
installs a CA on the tablet) read the town's traffic; trusting the one certificate
proven at enrollment (sync.pairing) does not. So the client context verifies the
chain against that certificate alone (OpenSSL's partial-chain flag lets the pinned
leaf be the trust anchor, self-signed or issued by the county's CA) and skips the host
name check: the pinned certificate is the hub's identity, whatever address it is
reached at (a LAN address, a proxy, a new IP after a router change).

A certificate the client has not pinned yet is met only during enrollment, where the
PAKE proves it (sync/pairing.py) before anything secret is sent.
"""
from __future__ import annotations

import hashlib
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from sync.errors import Problem, TransportError


@dataclass(frozen=True)
class Pin:
    """The certificate a station (or a town hub, towards its county) pinned at
    enrollment, and the hub's name to say in messages."""

    cert: str          # PEM
    hub_name: str = ""


def der_of(pem: str) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem)


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate (DER), hex: what `sanji node add` prints and the QR
    code carries."""
    return hashlib.sha256(der_of(pem)).hexdigest()


def short_fingerprint(pem: str) -> str:
    """The first 16 hex digits in groups of four, for people to compare by eye."""
    digits = fingerprint(pem)[:16].upper()
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def pinned_context(pem: str) -> ssl.SSLContext:
    """A client context that accepts exactly the certificate `pem` (see module doc)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    ctx.load_verify_locations(cadata=pem)
    return ctx


def unverified_context() -> ssl.SSLContext:
    """Only to read the certificate a hub shows before enrollment proves it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def is_https(url: str) -> bool:
    return urlsplit(url).scheme == "https"


def peer_certificate(url: str, timeout: float = 10.0) -> str:
    """The certificate (PEM) the server at `url` shows, unverified: sync/pairing.py
    proves it with the enrollment code before the station trusts it."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                unverified_context().wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(f"连不上服务器（{url}）：请检查平板是否连上了网络，服务器地址是否照"
                             f"镇里给的填写（{exc.__class__.__name__}）。") from exc
    if not der:
        raise TransportError(f"服务器（{url}）没有出示证书：请核对地址。")
    return ssl.DER_cert_to_PEM_cert(der)


def certificate_refused(exc: BaseException) -> bool:
    """Did this (httpx) error come from the pinned certificate not matching?"""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class WrongCertificate(Problem):
    """The hub showed another certificate than the one pinned at enrollment. Nothing
    was sent: the handshake failed before the request."""

    def __init__(self, url: str, hub_name: str) -> None:
        who = f"“{hub_name}”服务器" if hub_name else "服务器"
        super().__init__(
            495, "hub_certificate_changed",
            f"{who}（{url}）出示的证书和本机登记时记下的不一样，本机已停止连接，没有发送任何数据："
            "可能有人在冒充服务器，也可能镇里换了服务器。请打电话问镇里：如果镇里换了服务器，"
            "请管理员用 sanji node replace 给本机一个新的登记码，重新登记；如果镇里没有换，"
            "请不要继续使用这个网络（WiFi），换一个网络再点“同步”。")


class NotPinned(Problem):
    def __init__(self, url: str) -> None:
        super().__init__(409, "not_pinned", f"本机没有记下服务器（{url}）的证书，不能发送登录凭证："
                         "请重新登记本机（向镇里要新的登记码）。")


__all__ = ["NotPinned", "Pin", "WrongCertificate", "certificate_refused", "der_of",
           "fingerprint", "is_https", "peer_certificate", "pinned_context",
           "short_fingerprint", "unverified_context"]
