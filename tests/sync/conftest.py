"""Fixtures: a county hub, a town hub under it and stations under the town, all real
processes and real SQLite files."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.station import Station, open_station
from sync.client import HubClient
from sync.enroll import enroll_hub, enroll_station
from tests.support.hubs import HubProcess
from tests.sync.faultkit import Lab


@dataclass
class Township:
    root: Path
    county: HubProcess
    towns: list[HubProcess] = field(default_factory=list)
    stations: dict[str, Station] = field(default_factory=dict)

    def add_town(self, name: str) -> HubProcess:
        town = HubProcess(self.root / f"town-{len(self.towns)}", "town")
        town.init(name)
        _, code = self.county.add_node(name, "town")
        hub = town.open()
        client = HubClient(self.county.url)
        enroll_hub(hub, client, code)
        client.close()
        hub.close()
        town.upstream = self.county.url
        town.start()
        self.towns.append(town)
        return town

    def add_station(self, town: HubProcess, name: str, kind: str = "village",
                    roles: tuple[str, ...] = ()) -> Station:
        _, code = town.add_node(name, kind, roles)
        station = open_station(self.root / f"station-{name}")
        client = HubClient(town.url)
        enroll_station(station.store, client, code)
        client.close()
        self.stations[name] = station
        return station

    def stop(self) -> None:
        for hub in [*self.towns, self.county]:
            hub.stop()


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Township]:
    county = HubProcess(tmp_path / "county", "county")
    county.init("新县")
    county.start()
    system = Township(tmp_path, county)
    try:
        yield system
    finally:
        system.stop()
        for station in system.stations.values():
            station.store.close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """Hub processes, stations and proxies of one test (tests.sync.faultkit.Lab)."""
    world = Lab(tmp_path)
    try:
        yield world
    finally:
        world.close()
