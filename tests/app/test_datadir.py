"""What a data directory is, found out without creating anything (app/datadir.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.datadir import DataDirError, hub_level, kind_of, require_hub, undone_on_failure
from app.station import open_station
from sync.hub.server import open_hub
from tests.support.keys import HUB_KEY


@pytest.mark.parametrize("folder", ["town", "新集镇 服务器", "a#b?c%d"])
def test_a_hub_directory_is_recognised_whatever_its_name(tmp_path: Path, folder: str) -> None:
    data = tmp_path / folder
    assert kind_of(data) == "new" and not data.exists()
    open_hub(data, "town", "新集镇", key=HUB_KEY).close()
    assert hub_level(data) == "town" and kind_of(data) == "hub"


def test_a_hub_file_without_identity_is_not_a_hub(tmp_path: Path) -> None:
    open_hub(tmp_path / "left-over", key=HUB_KEY).close()     # what `node add` used to leave behind
    assert hub_level(tmp_path / "left-over") is None
    with pytest.raises(DataDirError, match="sanji hub init"):
        require_hub(tmp_path / "left-over")


def test_a_station_directory_is_a_station(tmp_path: Path) -> None:
    open_station(tmp_path / "st").close()
    assert kind_of(tmp_path / "st") == "station"
    with pytest.raises(DataDirError, match="服务站"):
        require_hub(tmp_path / "st")


def test_what_a_failed_step_created_is_removed(tmp_path: Path) -> None:
    new = tmp_path / "new"
    with pytest.raises(RuntimeError), undone_on_failure(new):
        open_station(new).close()
        raise RuntimeError("refused")
    assert not new.exists()

    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("村里的说明", encoding="utf-8")
    with pytest.raises(RuntimeError), undone_on_failure(kept):
        open_station(kept).close()
        raise RuntimeError("refused")
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]

    with undone_on_failure(kept):           # success keeps what was made
        open_station(kept).close()
    assert kind_of(kept) == "station"
