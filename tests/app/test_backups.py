"""`sanji backup` / `sanji restore` for hubs and stations, scheduled hub backups with
retention, and a damaged hub that refuses to serve (issue #11 "Backups and damage").
Real hub processes and the real command line."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.accounts import add_cadre, sign_in
from app.services.frontdesk import VisitForm, log_visit
from app.station import Station, open_station
from sync.db import connect
from sync.problems import CATALOGUE
from tests.app.test_cli import sanji
from tests.support.hubs import HubProcess, running_hub

pytestmark = pytest.mark.slow
PIN = "258046"


@pytest.fixture
def town(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "town", "town", "新集镇") as hub:
        yield hub


def village(tmp_path: Path, town: HubProcess, name: str = "王湾村") -> tuple[Station, str]:
    _, code = town.add_node(name, "village")
    station = open_station(tmp_path / name)
    station.enroll(town.url, code)
    cadre = add_cadre(station.store, "李建国", "村委委员", PIN)
    return station, cadre.id


def visit(station: Station, n: int) -> None:
    from datetime import datetime
    cadre = next(iter(station.keyring.holders()))
    log_visit(station.store, cadre, VisitForm(name=f"张秀兰{n}", phone="13912345678",
                                             matter="咨询高龄津贴", opinion="已告知"),
              datetime(2026, 11, 27, 9, 0))


def chains(db) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for origin, seq in db.execute("SELECT origin, seq FROM events ORDER BY origin, seq"):
        out.setdefault(origin, []).append(seq)
    return out


def test_a_hub_is_backed_up_while_it_takes_pushes_and_restores(tmp_path: Path,
                                                               town: HubProcess) -> None:
    station, _ = village(tmp_path, town)
    for n in range(20):
        visit(station, n)
    assert station.sync_once().ok
    stop = threading.Event()

    def keep_pushing() -> None:        # the hub is busy while the backup runs
        n = 100
        while not stop.is_set():
            visit(station, n)
            station.sync_once()
            n += 1

    pusher = threading.Thread(target=keep_pushing)
    pusher.start()
    try:
        time.sleep(0.5)
        made = sanji("backup", "--data", town.data, "--to", tmp_path / "town.bak", "--json",
                     cwd=tmp_path)
    finally:
        stop.set()
        pusher.join()
    assert made.code == 0, made.err
    assert made.json()["kind"] == "hub" and made.json()["size"] > 0
    raw = (tmp_path / "town.bak").read_bytes()
    assert "张秀兰".encode() not in raw and b"13912345678" not in raw
    assert sanji("backup", "--data", town.data, "--to", tmp_path / "town.bak",
                 cwd=tmp_path).code == 2                # never over an existing file

    # Restore: refused into a directory that holds something, or without the key.
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("留着", encoding="utf-8")
    refused = sanji("restore", "--from", tmp_path / "town.bak", "--data", taken, cwd=tmp_path)
    assert refused.code == 2 and "不是空目录" in refused.err
    keyless = sanji("restore", "--from", tmp_path / "town.bak", "--data", tmp_path / "new",
                    cwd=tmp_path, env={"SANJI_HUB_KEY_FILE": str(tmp_path / "missing.key")})
    assert keyless.code == 2 and not (tmp_path / "new").exists()

    restored = tmp_path / "town2"
    done = sanji("restore", "--from", tmp_path / "town.bak", "--data", restored, "--json",
                 "--key-file", town.key_file, cwd=tmp_path)
    assert done.code == 0, done.err
    assert done.json()["kind"] == "hub" and done.json()["name"] == "新集镇"
    with closing(connect(restored / "hub.sqlite", town.key)) as copy, \
            closing(town.db()) as live:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied, now = chains(copy), chains(live)
        # A consistent snapshot: every chain gapless from 1, a prefix of the live one.
        for origin, seqs in copied.items():
            assert seqs == list(range(1, len(seqs) + 1))
            assert now[origin][:len(seqs)] == seqs
        assert sum(map(len, copied.values())) >= 21
        epochs = [dict(db.execute("SELECT key, value FROM meta WHERE key='epoch'"))
                  for db in (copy, live)]
        assert epochs[0] != epochs[1]               # restored: a new epoch
    station.close()


def test_a_station_backup_opens_with_its_cadres_pins_and_gets_its_records_back(
        tmp_path: Path, town: HubProcess) -> None:
    station, cadre = village(tmp_path, town)
    for n in range(3):
        visit(station, n)
    assert station.sync_once().ok
    made = sanji("backup", "--data", station.data, "--to", tmp_path / "wang.bak",
                 cwd=tmp_path, env={"SANJI_PIN": PIN})
    assert made.code == 0, made.err
    wrong = sanji("backup", "--data", station.data, "--to", tmp_path / "other.bak",
                  cwd=tmp_path, env={"SANJI_PIN": "999991"})
    assert wrong.code == 2 and "密码不对" in wrong.err and not (tmp_path / "other.bak").exists()
    for n in range(3, 7):                           # after the backup, synced
        visit(station, n)
    assert station.sync_once().ok
    head = station.store.pending_count(), station.store.conn.execute(
        "SELECT MAX(seq) FROM events WHERE origin=?", (station.node_id,)).fetchone()[0]
    station.close()

    # The tablet dies; its backup goes onto another.
    restored = tmp_path / "new-tablet"
    done = sanji("restore", "--from", tmp_path / "wang.bak", "--data", restored, cwd=tmp_path)
    assert done.code == 0, done.err
    assert "先同步一次" in done.out
    _, key = sign_in(restored, cadre, PIN, int(time.time() * 1000))
    back = open_station(restored, key)
    node = back.node_id
    try:
        with pytest.raises(Exception, match="先同步一次"):
            visit(back, 99)                         # its chain goes on at the hub
        assert back.sync_once().ok
        assert back.store.conn.execute("SELECT MAX(seq) FROM events WHERE origin=?",
                                       (back.node_id,)).fetchone()[0] == head[1]
        visit(back, 100)                            # and now it writes on after them
        assert back.sync_once().ok and back.store.pending_count() == 0
    finally:
        back.close()
    with closing(town.db()) as db:
        seqs = chains(db)[node]
        assert seqs == list(range(1, head[1] + 2))  # nothing lost, nothing twice


def test_a_hub_backs_itself_up_on_schedule_and_keeps_the_newest(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    inside = HubProcess(tmp_path / "town", "town")
    inside.init("新集镇")
    refused = sanji("hub", "--level", "town", "--data", inside.data, "--port", "1",
                    "--backup-dir", inside.data / "backups", cwd=tmp_path)
    assert refused.code == 2 and "数据目录之外" in refused.err
    hub = HubProcess(tmp_path / "town", "town", extra_args=(
        "--backup-dir", str(folder), "--backup-hours", str(1.2 / 3600), "--backup-keep", "2"))
    hub.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            status = hub.get("/v1/status", timeout=5).json()
            made = status["last_backup"]
            if made and made["pruned"] >= 1:
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.3)
        assert status["database"] == "ok" and status["last_backup_error"] is None
        kept = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        assert len(kept) == 2 and Path(made["file"]).name in kept
    finally:
        hub.stop()
    restored = sanji("restore", "--from", folder / kept[-1], "--data", tmp_path / "again",
                     "--key-file", hub.key_file, cwd=tmp_path)
    assert restored.code == 0, restored.err


def damage(db: Path) -> None:
    """Flip bytes in the middle of the file, as a dying disk would."""
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        for at in range(4096 * 3, size - 4096, 4096 * 2):
            handle.seek(at + 200)
            handle.write(b"\xde\xad\xbe\xef" * 8)


def test_a_damaged_hub_refuses_to_serve_and_says_how_to_restore(tmp_path: Path) -> None:
    hub = HubProcess(tmp_path / "town", "town", extra_args=("--check-minutes", "0.02"))
    hub.init("新集镇")
    station, _ = village(tmp_path, hub.start())
    for n in range(30):
        visit(station, n)
    assert station.sync_once().ok
    with closing(hub.db()) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Damaged while it runs: the scheduled check finds it (every 1.2 s here).
    damage(hub.data / "hub.sqlite")
    try:
        deadline = time.monotonic() + 30
        while (status := hub.get("/v1/status", timeout=5).json())["database"] == "ok":
            assert time.monotonic() < deadline, "the check never found the damage"
            time.sleep(0.3)
        assert status["database"] == "damaged" and "sanji restore" in status["restore"]
        assert status["healthy"] is False and "已损坏" in status["problems"][0]
        assert "events" not in status                  # no counts from a damaged file
        refused = station.sync_once()
        assert not refused.ok and "已损坏" in (refused.error or "")
        answer = hub.get("/v1/info", timeout=5)
        assert answer.status_code == 503 and answer.json()["code"] == "hub_damaged"
        # The catalogue's message as title, the hub's own account (how to restore) as detail.
        assert answer.json()["title"] == CATALOGUE["hub_damaged"].message
        assert "sanji restore" in answer.json()["detail"]
    finally:
        hub.stop()
    assert "服务器数据库已损坏" in hub.log_text()
    # Started again on the damaged file: the check at start refuses it at once.
    hub.start()
    try:
        status = hub.get("/v1/status", timeout=5).json()
        assert status["database"] == "damaged" and status["damage"]
        assert hub.post("/v1/push", content=b"{}", timeout=5).status_code == 503
    finally:
        hub.stop()
        station.close()
    assert json.dumps(status, ensure_ascii=False).count("sanji restore") >= 1
