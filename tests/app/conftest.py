"""A real township for app-level tests: county and town hub processes, stations enrolled
through the app (so they announce themselves), cadres with PINs."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from app.accounts import Cadre, add_cadre
from app.services.desk import Desk
from app.station import Station, open_station
from sync.client import HubClient
from sync.enroll import enroll_hub
from sync.hub.server import open_hub
from tests.support.hubs import HubProcess
from tests.support.papers import set_town_papers
from tests.support.township import Township as RolesTownship, build

TODAY = date(2026, 11, 27)   # a Friday: deadlines cross a weekend


@dataclass
class Place:
    station: Station
    desk: Desk
    cadre: Cadre

    def sync(self) -> None:
        result = self.station.sync_once()
        assert result.ok, result.error


@dataclass
class Township:
    root: Path
    county: HubProcess
    town: HubProcess
    places: dict[str, Place] = field(default_factory=dict)

    def station(self, hub: HubProcess, name: str, kind: str, cadre: tuple[str, str],
                roles: tuple[str, ...] = ()) -> Place:
        """An enrolled station with one cadre; ``roles``: that cadre's roles on the tablet
        (app.accounts, e.g. "settings" for the 中心主任)."""
        _, code = hub.add_node(name, kind)
        station = open_station(self.root / f"st-{name}")
        station.enroll(hub.url, code)
        person = add_cadre(station.store, cadre[0], cadre[1], "258046", roles=roles)
        if kind == "town":   # the town sets up its papers first (镇里设置 → 文书和电话)
            set_town_papers(station, person, f"{hub.url}/status")
        place = Place(station, Desk(station, today=lambda: TODAY), person)
        self.places[name] = place
        return place


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Township]:
    county = HubProcess(tmp_path / "county", "county")
    county.init("新县")
    county.start()
    town = HubProcess(tmp_path / "town", "town")
    town.init("新集镇")
    _, code = county.add_node("新集镇", "town")
    hub = town.open()
    with HubClient(county.url) as client:
        enroll_hub(hub, client, code)
    hub.close()
    town.upstream = county.url
    town.start()
    system = Township(tmp_path, county, town)
    try:
        yield system
    finally:
        town.stop()
        county.stop()
        for place in system.places.values():
            place.station.close()


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RolesTownship]:
    """The six roles of issue #7 on real hubs (tests.support.township), once per module."""
    world = build(tmp_path_factory.mktemp("roles"))
    try:
        yield world
    finally:
        world.close()
