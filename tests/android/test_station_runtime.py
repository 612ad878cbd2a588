"""The station runs on what a tablet installs (issue #8 §5): in a child process that can
import only the station's runtime requirements (no orjson, starlette, uvicorn or dev
tools), every module a tablet carries imports, and a real round with a real town hub
process (which has orjson) works both ways: the hub recomputes and accepts the hashes
and signature of visits full of escapes and CJK, and the tablet recomputes and accepts
what another station (with orjson) announced."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.station import open_station
from tests.android.tablet_round import HUB_ONLY, LAUNCH, TRICKY
from tests.support.hubs import ROOT, HubProcess, running_hub

pytestmark = pytest.mark.slow
NEIGHBOUR = '李"庄"\\村 𠀀堃👍'


@pytest.fixture
def town(tmp_path: Path) -> Iterator[HubProcess]:
    with running_hub(tmp_path / "town", "town", "新集镇") as hub:
        yield hub


def test_a_tablet_without_the_hub_packages_syncs_byte_for_byte(
        tmp_path: Path, town: HubProcess) -> None:
    # A neighbour station with orjson announces a name full of escapes (broadcast).
    _, code = town.add_node(NEIGHBOUR, "village")
    neighbour = open_station(tmp_path / "neighbour")
    neighbour.enroll(town.url, code)
    assert neighbour.sync_once().ok
    neighbour.close()

    _, code = town.add_node("王湾村", "village")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.tablet", "tests.android.tablet_round",
         str(tmp_path / "tablet"), town.url, code],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "offscreen",
             "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy"),
             "KIVY_NO_FILELOG": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    tablet = json.loads(done.stdout.strip().splitlines()[-1])

    assert tablet["orjson"] is False
    assert {"orjson", "starlette", "uvicorn"} <= set(tablet["refused"])
    # Every module a tablet carries imported, the UI included; the hub-only ones need
    # a hub package (if one no longer does, it can move to the tablet's side).
    assert {"app.ui.main", "app.station", "sync.session", "app.docs.service"} <= set(
        tablet["imported"])
    assert set(tablet["hub_only"]) >= set(HUB_ONLY)
    needs_hub = {name: missing for name, missing in tablet["hub_only"].items()
                 if not (name == LAUNCH or name.startswith(LAUNCH + ".")) or missing}
    assert all(missing in ("starlette", "uvicorn") or missing.startswith(("starlette.",
                                                                          "uvicorn."))
               for missing in needs_hub.values()), tablet["hub_only"]
    assert tablet["hub_only"][LAUNCH + ".hubs"] == "uvicorn"   # the launch package starts hubs

    # Push: the hub recomputed every hash and checked the signed head; it holds them all.
    assert tablet["sync"]["ok"] and tablet["sync"]["error"] is None
    assert tablet["sync"]["pushed"] == len(tablet["mine"]) >= len(TRICKY) + 2
    with closing(town.db()) as conn:
        held = dict(conn.execute("SELECT id, hash FROM events WHERE origin=?",
                                 (tablet["node_id"],)))
        payloads = [json.loads(p)["matter"] for (p,) in conn.execute(
            "SELECT payload FROM events WHERE origin=? AND type='visit.logged' ORDER BY seq",
            (tablet["node_id"],))]
    assert held == tablet["mine"]
    assert payloads == list(TRICKY)

    # Pull: the tablet recomputed the neighbour's hashes without orjson and kept them.
    assert tablet["quarantined"] == 0 and tablet["sync"]["pulled"] >= 1
    with closing(town.db()) as conn:
        announced = dict(conn.execute(
            "SELECT id, hash FROM events WHERE type='node.announced' AND origin<>?",
            (tablet["node_id"],)))
    assert announced and announced.items() <= tablet["others"].items()
