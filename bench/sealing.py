"""Sealing cost of a report (issue #13 §5): ``python -m bench.sealing``.

A report with 5 MB of evidence (one photo-sized random file) and its text, sealed to 3
discipline devices (the town's two and the county's) with the HPKE envelope
(app/seal_envelope.py), then opened by one of them. Baseline measured in the same run:
one AES-256-GCM pass over the same bytes under a fixed key (what encrypting the evidence
costs at all), so the ratio says what HPKE and the envelope add.

Last line: ``sealing: seal <ms> ms, open <ms> ms for 5 MB to 3 recipients (<x>× / <y>× one AES-GCM pass)``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.seal_envelope import open_bytes, seal_bytes

EVIDENCE = 5 * 1024 * 1024
TEXT = ("村主任挪用危房改造补助款，附银行回单照片。" * 20).encode("utf-8")


def median_ms(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    evidence = os.urandom(EVIDENCE)
    keys = [X25519PrivateKey.generate() for _ in range(3)]
    publics = [k.public_key().public_bytes_raw() for k in keys]
    sealed = seal_bytes(evidence, publics)
    assert open_bytes(sealed, [keys[2]]) == evidence
    aes, nonce = AESGCM(AESGCM.generate_key(bit_length=256)), os.urandom(12)
    base = median_ms(lambda: aes.encrypt(nonce, evidence, None), args.runs)
    seal = median_ms(lambda: (seal_bytes(evidence, publics), seal_bytes(TEXT, publics)),
                     args.runs)
    text = seal_bytes(TEXT, publics)
    opened = median_ms(lambda: (open_bytes(sealed, [keys[2]]), open_bytes(text, [keys[2]])),
                       args.runs)
    print(f"baseline: one AES-256-GCM pass over 5 MB {base:.1f} ms (median of {args.runs})")
    print(f"sealing: seal {seal:.1f} ms, open {opened:.1f} ms for 5 MB to 3 recipients "
          f"({seal / base:.2f}× / {opened / base:.2f}× one AES-GCM pass)")


if __name__ == "__main__":
    main()
