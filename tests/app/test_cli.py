"""The operator's commands, run as an operator runs them (`python -m app.cli …` in its
own process) against real hub processes on 127.0.0.1: setting up a town hub on a new
directory as the README says, commands on the wrong kind of directory leaving it as it
was (and an enrollment code unspent), and --json output (issue #8 §4)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.hubs import ROOT, HubProcess, free_port, wait_for_relay

pytestmark = pytest.mark.slow


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


def sanji(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """Run `sanji`. A hub directory's key is kept beside it (as HubProcess keeps it,
    outside the directory), named to the command by SANJI_HUB_KEY_FILE; a station's
    command ignores it."""
    words = list(map(str, args))
    extra = {}
    if "--data" in words:
        data = Path(words[words.index("--data") + 1])
        extra["SANJI_HUB_KEY_FILE"] = str(data.parent / f"{data.name}.key")
    done = subprocess.run([sys.executable, "-m", "app.cli", *words], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **extra, **(env or {})})
    return Ran(done.returncode, done.stdout, done.stderr)


def listing(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


@pytest.fixture
def county(tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(tmp_path / "county", "county")
    made = sanji("hub", "init", "--level", "county", "--data", hub.data, "--name", "新县",
                 "--json", cwd=tmp_path)
    assert made.code == 0, made.err
    assert made.json()["created"] is True and made.json()["level"] == "county"
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def code_from(ran: Ran) -> str:
    assert ran.code == 0, ran.err
    return ran.json()["code"]


def test_a_town_hub_is_set_up_on_a_new_directory_as_the_readme_says(
        tmp_path: Path, county: HubProcess) -> None:
    town_dir = tmp_path / "town"
    code = code_from(sanji("node", "add", "--data", county.data, "--name", "新集镇",
                           "--kind", "town", "--json", cwd=tmp_path))

    # Enrolling the new directory straight away: refused, nothing made, the code unspent.
    early = sanji("enroll", "--data", town_dir, "--hub", county.url, "--code", code,
                  "--json", cwd=tmp_path)
    assert early.code == 2
    assert early.json()["error"]["code"] == "wrong_data_dir"
    assert "sanji hub init --level town" in early.err and "登记码没有用掉" in early.err
    assert not town_dir.exists()

    made = sanji("hub", "init", "--level", "town", "--data", town_dir, "--name", "新集镇",
                 cwd=tmp_path)
    assert made.code == 0 and "已新建镇服务器“新集镇”" in made.out, made.err
    again = sanji("hub", "init", "--level", "town", "--data", town_dir, "--json",
                  cwd=tmp_path)
    assert again.code == 0 and again.json()["created"] is False
    assert again.json()["name"] == "新集镇"
    assert sanji("hub", "init", "--level", "county", "--data", town_dir, cwd=tmp_path).code == 2

    # The same code now enrolls the hub (it was never spent).
    enrolled = sanji("enroll", "--data", town_dir, "--hub", county.url, "--code", code,
                     "--json", cwd=tmp_path)
    assert enrolled.code == 0, enrolled.err
    body = enrolled.json()
    assert body["ok"] is True and body["as"] == "hub" and body["level"] == "town"
    assert body["parent"]["name"] == "新县" and "token" not in enrolled.out
    assert sanji("enroll", "--data", town_dir, "--hub", county.url, "--code", code,
                 cwd=tmp_path).code == 2          # once only

    town = HubProcess(town_dir, "town", upstream=county.url)
    town.start()
    try:
        station_dir = tmp_path / "wangwan"
        village_code = code_from(sanji("node", "add", "--data", town_dir, "--name", "王湾村",
                                       "--kind", "village", "--json", cwd=tmp_path))
        # A new directory at a town hub can only be a station.
        joined = sanji("enroll", "--data", station_dir, "--hub", town.url, "--code",
                       village_code, "--json", cwd=tmp_path)
        assert joined.code == 0, joined.err
        station = joined.json()
        assert station["as"] == "station" and station["name"] == "王湾村"
        assert station["kind"] == "village" and station["short_code"]
        assert "token" not in joined.out

        synced = sanji("sync", "--data", station_dir, "--json", cwd=tmp_path)
        assert synced.code == 0, synced.err
        result = synced.json()
        assert result["ok"] is True and result["error"] is None
        assert result["pushed"] >= 1            # its node.announced
        wait_for_relay(town.url)
        with closing(county.db()) as conn:
            assert conn.execute("SELECT COUNT(*) FROM events WHERE origin=?",
                                (station["node_id"],)).fetchone()[0] == result["pushed"]

        nodes = sanji("node", "list", "--data", town_dir, "--json", cwd=tmp_path)
        assert nodes.code == 0
        (row,) = nodes.json()["nodes"]
        assert row == {"id": station["node_id"], "kind": "village", "name": "王湾村",
                       "roles": [], "direct": True, "parent": body["hub_id"],
                       "state": "enrolled", "enrolled_at": row["enrolled_at"]}
        assert isinstance(row["enrolled_at"], int)
        county_nodes = sanji("node", "list", "--data", county.data, "--json", cwd=tmp_path)
        states = {(n["name"], n["state"], n["direct"]) for n in county_nodes.json()["nodes"]}
        assert ("新集镇", "enrolled", True) in states
    finally:
        town.stop()


def test_commands_on_the_wrong_directory_leave_it_as_it_was(
        tmp_path: Path, county: HubProcess) -> None:
    new = tmp_path / "nothing-yet"
    for args in (("node", "add", "--data", new, "--name", "王湾村", "--kind", "village"),
                 ("node", "list", "--data", new), ("node", "revoke", "x", "--data", new),
                 ("sync", "--data", new)):
        ran = sanji(*args, "--json", cwd=tmp_path)
        assert ran.code == 2, args
        assert ran.json()["ok"] is False and ran.err.startswith("错误：")
        assert not new.exists(), args

    # A station directory is not a hub, and a hub directory is not a station.
    code = code_from(sanji("node", "add", "--data", county.data, "--name", "县民政局窗口",
                           "--kind", "county", "--json", cwd=tmp_path))
    window = tmp_path / "window"
    joined = sanji("enroll", "--data", window, "--hub", county.url, "--code", code,
                   "--station", "--json", cwd=tmp_path)
    assert joined.code == 0, joined.err
    assert joined.json()["as"] == "station" and joined.json()["kind"] == "county"
    before = listing(window)
    ran = sanji("node", "add", "--data", window, "--name", "某村", "--kind", "village",
                cwd=tmp_path)
    assert ran.code == 2 and "服务站" in ran.err
    assert sanji("hub", "init", "--level", "town", "--data", window, "--name", "某镇",
                 cwd=tmp_path).code == 2
    assert listing(window) == before and not (window / "hub.sqlite").exists()

    hub_files = listing(county.data)
    ran = sanji("sync", "--data", county.data, cwd=tmp_path)
    assert ran.code == 2 and "sanji hub --upstream" in ran.err
    ran = sanji("enroll", "--data", county.data, "--hub", county.url, "--code", code,
                cwd=tmp_path)
    assert ran.code == 2 and "县是最上一级" in ran.err
    ran = sanji("app", "--data", county.data, cwd=tmp_path)
    assert ran.code == 2 and "不能当作服务站打开" in ran.err
    assert not (county.data / "station.sqlite").exists() and listing(county.data) == hub_files


def test_a_refused_station_enrollment_leaves_no_station_behind(
        tmp_path: Path, county: HubProcess) -> None:
    town_dir = tmp_path / "town"
    assert sanji("hub", "init", "--level", "town", "--data", town_dir, "--name", "新集镇",
                 cwd=tmp_path).code == 0
    code = code_from(sanji("node", "add", "--data", county.data, "--name", "新集镇",
                           "--kind", "town", "--json", cwd=tmp_path))
    assert sanji("enroll", "--data", town_dir, "--hub", county.url, "--code", code,
                 cwd=tmp_path).code == 0
    town = HubProcess(town_dir, "town", upstream=county.url)
    town.start()
    try:
        station_dir = tmp_path / "st"
        wrong = sanji("enroll", "--data", station_dir, "--hub", town.url, "--code",
                      "0000-0000-0000", "--json", cwd=tmp_path)
        assert wrong.code == 2 and wrong.json()["error"]["code"] == "bad_code"
        assert "登记码不对" in wrong.json()["error"]["message"]
        assert not station_dir.exists()
        # A hub directory cannot enroll at a town, and not at all as a station.
        other = HubProcess(tmp_path / "other-town", "town")
        other.init("柳河镇")
        ran = sanji("enroll", "--data", other.data, "--hub", town.url, "--code", code,
                    cwd=tmp_path)
        assert ran.code == 2 and "镇服务器要登记到县服务器" in ran.err
        ran = sanji("enroll", "--data", other.data, "--hub", county.url, "--code", code,
                    "--station", cwd=tmp_path)
        assert ran.code == 2 and not (other.data / "station.sqlite").exists()
        # Not a Sanji hub at that address: said so, nothing made.
        ran = sanji("enroll", "--data", station_dir, "--hub",
                    f"http://127.0.0.1:{free_port()}", "--code", code, cwd=tmp_path)
        assert ran.code == 2 and not station_dir.exists()
    finally:
        town.stop()
