"""The shipped supervision rules (numbers from defaults.json) for the tests."""
from __future__ import annotations

from typing import Any

import schemas.config
from app.domain.config import merge_config
from app.domain.supervision.rules import SupervisionRules

DEFAULTS = schemas.config.load_defaults()
RULES = SupervisionRules.from_config(merge_config(DEFAULTS, {}))


def rules_with(**overrides) -> SupervisionRules:
    config = merge_config(DEFAULTS, {f"supervision.{k}": {"value": v, "source": "测试"}
                                     for k, v in overrides.items()})
    assert config.rejected == (), config.rejected
    return SupervisionRules.from_config(config)


# the 监委会 members' own keys (app.domain.supervision.member_keys) -----------------------
def member_key() -> tuple[Any, str]:
    """A member's key pair: the private key and the public half as the events carry it."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private, base64.b64encode(public).decode("ascii")


def signed(event: dict, private: Any) -> dict:
    """`event` with its payload signed by `private` as the member's tablet signs it."""
    import base64

    from app.domain.supervision.member_keys import signed_bytes
    payload = {k: v for k, v in event["payload"].items() if k != "signature"}
    sig = private.sign(signed_bytes(event["type"], event["record"], event["origin"], payload))
    return {**event, "payload": {**payload, "signature": base64.b64encode(sig).decode()}}
