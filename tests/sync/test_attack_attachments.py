"""Issue #7 item 10, against real hub processes: attachments.

Before: any enrolled node downloaded any attachment by its sha (a mediation photo of
another village), HEAD told whether a sha existed, and partial uploads that never
finished stayed forever. Now a blob is served only to nodes whose scope holds a record
referencing it (or whose own subtree sent its bytes); to anyone else every method
answers exactly as for a sha nothing references; a reference written by the prober
itself is only a claim and shows nothing; partial uploads that stop growing expire.
"""
from __future__ import annotations

import hashlib
import os
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from sync.blobfiles import PARTIAL_TTL_S, BlobFiles
from sync.client import HubClient
from sync.ids import uuid7
from sync.session import Syncer, credentials_for
from sync.store import NewEvent
from tests.support.dbfiles import hub_blob
from tests.sync.crafted import Sender, problem_of, snapshot, visit
from tests.sync.faultkit import Lab, Station, fast_backoff, sync_until_clean, wait_for

PHOTO = "调解协议书签字照片".encode() * 30_000           # ~800 KB: several upload chunks


def files_of(station: Station) -> BlobFiles:
    return BlobFiles(station.data / "blobs")


def sync_with_blobs(station: Station, url: str) -> None:
    client = HubClient(url, credentials_for(station.store))
    try:
        result = Syncer(station.store, client, blobs=files_of(station),
                        backoff=fast_backoff()).run_round()
    finally:
        client.close()
    assert result.ok, result.error


def with_photo(station: Station, data: bytes, name: str = "王秀英") -> dict[str, Any]:
    ref = station.store.add_blob(files_of(station), data)
    station.store.append(NewEvent("visit.logged", uuid7(), visit(name, attachments=[ref]),
                                  "u-li"))
    return ref


def answer(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    """Everything a prober sees, but the date."""
    return (response.status_code, response.content,
            {k: v for k, v in response.headers.items() if k != "date"})


def partial(hub_data: Path, sha: str) -> Path:
    return hub_data / "blobs" / "partial" / sha


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_attachments_are_served_only_within_scope(lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    owner = lab.station(town, "王湾村")
    center = lab.station(town, "新集镇便民服务中心", kind="town")
    mallory = lab.station(town, "李庄村")
    ref = with_photo(owner, PHOTO)
    sha = ref["sha256"]
    sync_with_blobs(owner, town.url)
    absent = hashlib.sha256(b"nothing like this was ever uploaded").hexdigest()
    path = f"/v1/blobs/{sha}"

    # Not yours is indistinguishable from absent, whatever the method.
    probe = Sender.of(mallory.store, town.url)
    held = snapshot(town.data)
    for method in ("GET", "HEAD", "PATCH"):
        body = PHOTO[:100] if method == "PATCH" else b""
        headers = {"upload-offset": "0", "upload-length": str(len(PHOTO))}
        theirs = probe.send(method, path, body, gzipped=False, headers=headers)
        nothing = probe.send(method, f"/v1/blobs/{absent}", body, gzipped=False,
                             headers=headers)
        assert answer(theirs) == answer(nothing), method
        if method == "GET":
            problem_of(theirs, 404, "blob_missing")
        elif method == "PATCH":
            problem_of(theirs, 409, "blob_unreferenced")
        else:
            assert theirs.status_code == 409
    assert snapshot(town.data) == held

    # A reference the prober writes itself is a claim: it shows nothing, and wrong bytes
    # are refused without touching the owner's file.
    mallory.store.append(NewEvent("visit.logged", uuid7(), visit("李四", attachments=[ref]),
                                  "u-li"))
    sync_until_clean(mallory.store, town.url)
    head = probe.send("HEAD", path, gzipped=False)
    assert head.status_code == 200 and head.headers["upload-complete"] == "0"
    assert head.headers["upload-offset"] == "0"
    assert answer(probe.send("GET", path, gzipped=False))[:2] == answer(
        probe.send("GET", f"/v1/blobs/{absent}", gzipped=False))[:2]
    wrong = bytes(len(PHOTO))
    problem_of(probe.send("PATCH", path, wrong, gzipped=False, headers={
        "upload-offset": "0", "upload-length": str(len(PHOTO))}), 422, "blob_hash_mismatch")

    # Within scope: the owner (who sent it) and the town center (its scope holds the
    # record) get the bytes; the town hub relays it to the county.
    for reader in (owner, center):
        got = Sender.of(reader.store, town.url).send("GET", path, gzipped=False)
        assert got.status_code == 200 and got.content == PHOTO
    wait_for(lambda: (county.data / "blobs" / sha[:2] / sha).exists(), 30,
             "the town relayed the photo to the county")
    assert hub_blob(town, sha) == PHOTO


def test_unfinished_uploads_expire(lab: Lab) -> None:
    town = lab.town()
    owner = lab.station(town, "王湾村")
    photos = [PHOTO + bytes([i]) for i in range(3)]
    shas = [with_photo(owner, data)["sha256"] for data in photos]
    sync_until_clean(owner.store, town.url)          # events only: uploads not started
    sender = Sender.of(owner.store, town.url)

    def offset(sha: str) -> tuple[str, str]:
        head = sender.send("HEAD", f"/v1/blobs/{sha}", gzipped=False)
        return head.headers["upload-offset"], head.headers["upload-complete"]

    for sha, data in zip(shas, photos):
        started = sender.send("PATCH", f"/v1/blobs/{sha}", data[:262_144], gzipped=False,
                              headers={"upload-offset": "0", "upload-length": str(len(data))})
        assert started.status_code == 204 and offset(sha) == ("262144", "0")

    # A week and a day without progress: the next request for it finds it expired …
    age(partial(town.data, shas[0]), PARTIAL_TTL_S + 86_400)
    assert offset(shas[0]) == ("0", "0")
    assert not partial(town.data, shas[0]).exists()
    # … a hub that starts sweeps every expired one without being asked, and keeps the
    # one that grew within the week.
    age(partial(town.data, shas[1]), PARTIAL_TTL_S + 86_400)
    age(partial(town.data, shas[2]), PARTIAL_TTL_S - 86_400)
    town.restart()
    assert not partial(town.data, shas[1]).exists()
    assert offset(shas[2]) == ("262144", "0")

    # The sender starts the expired ones again, resumes the other, and finishes all.
    sync_with_blobs(owner, town.url)
    for sha, data in zip(shas, photos):
        got = sender.send("GET", f"/v1/blobs/{sha}", gzipped=False)
        assert got.status_code == 200 and got.content == data


def test_a_hub_file_from_before_blob_holders_keeps_serving_its_uploaders(lab: Lab) -> None:
    town = lab.town()
    owner, mallory = lab.station(town, "王湾村"), lab.station(town, "李庄村")
    ref = with_photo(owner, PHOTO)
    sync_with_blobs(owner, town.url)
    mallory.store.append(NewEvent("visit.logged", uuid7(), visit("李四", attachments=[ref]),
                                  "u-li"))
    sync_until_clean(mallory.store, town.url)
    town.stop()
    with closing(town.db()) as conn, conn:
        conn.execute("DROP TABLE blob_holders")      # schema v3: who sent what unknown
        conn.execute("UPDATE schema_version SET version=3 WHERE name='hub'")
    town.start()
    # The migration credits the bytes to the origin of the first event referencing them
    # (the uploader); a claim written later, before the upgrade, earns nothing.
    path = f"/v1/blobs/{ref['sha256']}"
    got = Sender.of(owner.store, town.url).send("GET", path, gzipped=False)
    assert got.status_code == 200 and got.content == PHOTO
    problem_of(Sender.of(mallory.store, town.url).send("GET", path, gzipped=False), 404,
               "blob_missing")
