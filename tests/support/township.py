"""A real township for authority tests (issue #7): hub processes and app stations.

    county hub 新县 ─┬─ town hub 新集镇 ─┬─ 王湾村          (role "A": village A, its 监委会's tablet)
                     │                    ├─ 李庄村          ("B": village B)
                     │                    ├─ 新集镇便民服务中心 ("center": a town station)
                     │                    └─ 新集镇纪委       ("jiwei": a town station, discipline)
                     ├─ 县人社局窗口       ("window": a county station)
                     └─ town hub 柳河镇 ──── 柳河村          ("other": a station of another town)

The hubs are real `sanji hub` processes on 127.0.0.1 (with the app's extension: the
write policy and the public status page); the stations are the app's own (open_station,
enrolled through the API, so they announce themselves), each with a cadre (密码 PIN).
`sync()` runs rounds until the towns' relays and every station have passed everything
on. Snapshots: tests.support.malicious.hub_state / station_state.
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.accounts import Cadre, add_cadre
from app.services.desk import Desk
from app.station import Station, open_station
from sync.client import HubClient
from sync.enroll import enroll_hub
from tests.support.hubs import HubProcess, wait_for_relay
from tests.support.malicious import MaliciousTablet, hub_state, station_state

TODAY = date(2026, 11, 27)
PIN = "258046"     # every cadre's 密码 (6–12 digits)
ROLES = ("A", "B", "center", "jiwei", "window", "other")
# role → (hub, name, kind, roles)
# 王湾村's tablet is certified for its 村务监督委员会 (issue #13 §3); 李庄村's is plain
PLACES = {"A": ("town", "王湾村", "village", ("village_supervision",)),
          "B": ("town", "李庄村", "village", ()),
          "center": ("town", "新集镇便民服务中心", "town", ()),
          "jiwei": ("town", "新集镇纪委", "town", ("discipline",)),
          "window": ("county", "县人社局窗口", "county", ()),
          "other": ("other_town", "柳河村", "village", ())}


@dataclass
class Place:
    role: str
    station: Station
    desk: Desk
    cadre: Cadre
    hub: HubProcess

    @property
    def id(self) -> str:
        return self.station.node_id

    def sync(self) -> None:
        result = self.station.sync_once()
        assert result.ok, f"{self.role}: {result.error}"

    def tablet(self) -> MaliciousTablet:
        """This station's identity in a forger's hands."""
        return MaliciousTablet.of(self.station.store, self.hub.url)

    def state(self) -> dict[str, Any]:
        return station_state(self.station.store.conn)


@dataclass
class Township:
    root: Path
    county: HubProcess
    town: HubProcess
    other_town: HubProcess
    places: dict[str, Place] = field(default_factory=dict)

    @property
    def hubs(self) -> dict[str, HubProcess]:
        return {"county": self.county, "town": self.town, "other_town": self.other_town}

    def __getitem__(self, role: str) -> Place:
        return self.places[role]

    def sync(self, rounds: int = 2) -> None:
        """Stations push, the towns relay up and down, stations pull: twice over, so what
        one town's station wrote reaches the other town's."""
        for _ in range(rounds):
            for place in self.places.values():
                place.sync()
            wait_for_relay(self.town.url)
            wait_for_relay(self.other_town.url)
        for place in self.places.values():
            place.sync()

    def hub_states(self) -> dict[str, Any]:
        states = {}
        for name, hub in self.hubs.items():
            with closing(hub.db()) as conn:      # the hub's (encrypted) file, beside it
                states[name] = hub_state(conn)
        return states

    def station_states(self, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        return {role: place.state() for role, place in self.places.items()
                if role not in exclude}

    def problems(self, hub: str, node: str) -> list[str]:
        """The refusals a hub recorded for pushes from `node`, oldest first."""
        with closing(self.hubs[hub].db()) as conn:
            return [c for (c,) in conn.execute("SELECT code FROM problems WHERE node=?"
                                               " ORDER BY id", (node,))]

    def close(self) -> None:
        for hub in self.hubs.values():
            hub.stop()
        for place in self.places.values():
            place.station.close()


def _town(root: Path, county: HubProcess, name: str) -> HubProcess:
    town = HubProcess(root / name, "town")
    town.init(name)
    _, code = county.add_node(name, "town")
    hub = town.open()
    try:
        with HubClient(county.url) as client:
            enroll_hub(hub, client, code)
    finally:
        hub.close()
    town.upstream = county.url
    return town.start()


def build(root: Path) -> Township:
    county = HubProcess(root / "county", "county")
    county.init("新县")
    county.start()
    world = Township(root, county, _town(root, county, "新集镇"),
                     _town(root, county, "柳河镇"))
    try:
        for role, (hub_name, name, kind, roles) in PLACES.items():
            hub = world.hubs[hub_name]
            _, code = hub.add_node(name, kind, roles)
            station = open_station(root / f"st-{role}")
            station.enroll(hub.url, code)
            cadre = add_cadre(station.store, f"{name[:2]}干部", "工作人员", PIN)
            world.places[role] = Place(role, station, Desk(station, today=lambda: TODAY),
                                       cadre, hub)
        world.sync()
    except BaseException:
        world.close()
        raise
    return world
