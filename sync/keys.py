"""Ed25519 keys: nodes sign their chain heads and their requests; hubs verify.

A chain head signature covers (origin, seq, hash), so one signature vouches for every
event up to that point of the chain (DESIGN.md "Per-origin sequence + hash chain").
Hubs relay signatures unchanged, so the county can verify a village's events.
"""
from __future__ import annotations

import base64
from functools import lru_cache
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class SigningKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_b64 = b64(private.public_key().public_bytes_raw())

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_b64(cls, text: str) -> "SigningKey":
        return cls(Ed25519PrivateKey.from_private_bytes(unb64(text)))

    def to_b64(self) -> str:
        return b64(self._private.private_bytes_raw())

    def sign(self, message: bytes) -> str:
        return b64(self._private.sign(message))


@lru_cache(maxsize=4096)
def _public_key(public_b64: str) -> Ed25519PublicKey:
    """Parsed keys are kept: a hub checks the same few hundred nodes' keys all day."""
    return Ed25519PublicKey.from_public_bytes(unb64(public_b64))


def verify(public_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        _public_key(public_b64).verify(unb64(signature_b64), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def head_message(origin: str, seq: int, chain_hash: str) -> bytes:
    return f"sanji-head\n{origin}\n{seq}\n{chain_hash}".encode("utf-8")


def request_message(method: str, path: str, node: str, counter: int, body: bytes) -> bytes:
    """What a node signs for each request: the counter makes a replayed request refusable."""
    digest = hashlib.sha256(body).hexdigest()
    return f"sanji-req\n{method}\n{path}\n{node}\n{counter}\n{digest}".encode("utf-8")


def next_counter(stored: int, now_ms: int) -> int:
    """The next request counter: above the last one sent and above the clock in µs. A node
    restored from an old backup has an old stored counter; without the clock floor its
    parent would refuse every request as a replay until it had re-sent as many requests
    as it made since the backup (a week-old backup: a week of refusals)."""
    return max(stored + 1, now_ms * 1000)


REPLY_SIGNATURE = "x-sanji-reply-signature"   # the header a hub's signed reply carries


def reply_message(path: str, node: str, counter: int, body: bytes) -> bytes:
    """What a hub signs for a reply to a node's request: the node checks it with the
    hub's key it pinned at enrollment, so a reply injected on the way (a LAN, a proxy)
    is refused (issue #7 item 11). The request's counter ties it to that request."""
    digest = hashlib.sha256(body).hexdigest()
    return f"sanji-reply\n{path}\n{node}\n{counter}\n{digest}".encode("utf-8")
