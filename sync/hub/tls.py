"""The hub's side of TLS (issue #11): HTTPS by default.

A hub makes its own key (ECDSA P-256: fast handshakes on a tablet) and a self-signed
certificate the first time it needs one, and keeps both in its encrypted database, so
a backup carries them and a restored hub is still the hub its stations pinned
(sync/tls.py). uvicorn (the ssl module) loads a key only from a file: at each start the
key is written to `tls/key.pem` in the data directory, encrypted (PKCS#8) under a
password derived from the database key, which lives outside the data directory
(sync/hub/dbkey.py) — a copy of the directory carries no usable private key, as it
carries no readable database. The certificate (public) is `tls/cert.pem`.

A county that has a certificate of its own (a real domain name, its CA, a reverse
proxy's) passes it with `--cert FILE --cert-key FILE`; the hub then shows that one and
stations pin it. The certificate in use is recorded (`tls_cert_in_use`) so `sanji node
add` prints the fingerprint stations will see.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.db import transaction
from sync.errors import StoreError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

TLS_DIR = "tls"
CERT_META, KEY_META, IN_USE_META = "tls_cert", "tls_key", "tls_cert_in_use"
VALID_DAYS = 30 * 366    # a self-signed certificate is replaced only by re-enrolling


class TlsError(StoreError):
    def __init__(self, message: str) -> None:
        super().__init__("tls", message)


@dataclass(frozen=True)
class TlsFiles:
    """What uvicorn needs to serve HTTPS."""

    certfile: Path
    keyfile: Path
    password: str | None = None

    def cert_pem(self) -> str:
        return self.certfile.read_text(encoding="ascii")


def own_certificate(hub: "HubStore") -> tuple[str, str]:
    """The hub's own (certificate PEM, private key PEM), made on first use."""
    cert, key = hub.meta.get(CERT_META), hub.meta.get(KEY_META)
    if cert and key:
        return cert, key
    name = str(hub.meta.get("name") or hub.meta.get("level") or "sanji")
    cert, key = self_signed(name, str(hub.meta.get("hub_id") or ""))
    with transaction(hub.conn):
        hub.meta.set(CERT_META, cert)
        hub.meta.set(KEY_META, key)
    return cert, key


def self_signed(name: str, hub_id: str) -> tuple[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "三级联动"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name[:64] or "sanji"),
                         *([x509.NameAttribute(NameOID.SERIAL_NUMBER, hub_id)]
                           if hub_id else [])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(private, hashes.SHA256()))
    key_pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return (cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            key_pem.decode("ascii"))


def key_password(db_key: bytes) -> str:
    """The password of tls/key.pem: derived from the database key (outside the data
    directory), so it is never stored."""
    return hmac.new(db_key, b"sanji tls key file", hashlib.sha256).hexdigest()


def server_files(data: Path, hub: "HubStore", db_key: bytes | None,
                 cert: Path | None = None, cert_key: Path | None = None) -> TlsFiles:
    """The files to serve HTTPS with: the county's (`cert`, `cert_key`) if given, else
    the hub's own, written to data/tls/. Records the certificate in use."""
    if (cert is None) != (cert_key is None):
        raise TlsError("--cert 和 --cert-key 要一起给出：证书文件和它的私钥文件。")
    if cert is not None and cert_key is not None:
        files = TlsFiles(cert, cert_key)
        _check_loadable(files)
    else:
        files = _write_own(data, hub, db_key)
    presented = _first_certificate(files.cert_pem())
    if hub.meta.get(IN_USE_META) != presented:
        with transaction(hub.conn):
            hub.meta.set(IN_USE_META, presented)
    return files


def certificate_in_use(hub: "HubStore") -> str:
    """The certificate stations see (and pin): the county's if the hub last served
    with one, else the hub's own (made now if needed)."""
    return hub.meta.get(IN_USE_META) or own_certificate(hub)[0]


def _write_own(data: Path, hub: "HubStore", db_key: bytes | None) -> TlsFiles:
    cert_pem, key_pem = own_certificate(hub)
    folder = data / TLS_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    password = key_password(db_key) if db_key is not None else None
    private = serialization.load_pem_private_key(key_pem.encode("ascii"), None)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode("ascii")) if password
        else serialization.NoEncryption())        # the benchmarks' plain baseline only
    sealed = private.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8, encryption)
    keyfile, certfile = folder / "key.pem", folder / "cert.pem"
    _write(keyfile, sealed, 0o600)
    _write(certfile, cert_pem.encode("ascii"), 0o644)
    return TlsFiles(certfile, keyfile, password)


def _write(path: Path, content: bytes, mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _check_loadable(files: TlsFiles) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(files.certfile, files.keyfile, files.password)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"证书 {files.certfile} 和私钥 {files.keyfile} 用不了（{exc}）："
                       "请核对两个文件是同一套、格式是 PEM、私钥没有设密码。") from exc


def _first_certificate(chain_pem: str) -> str:
    """The leaf of a PEM chain (what a client pins)."""
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    if begin not in chain_pem or end not in chain_pem:
        raise TlsError("证书文件里没有 PEM 格式的证书。")
    return chain_pem[chain_pem.index(begin):chain_pem.index(end) + len(end)] + "\n"


__all__ = ["TlsError", "TlsFiles", "certificate_in_use", "key_password", "own_certificate",
           "self_signed", "server_files"]
