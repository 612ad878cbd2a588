"""The demo township while it is being seeded: its places (a station each, with its
Desk, cadres and clock), its cases and their scripted steps. Shared by app.launch.demo
and app.launch.demo_law."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.accounts import SETTINGS_ROLE, Cadre, add_cadre, list_cadres
from app.keyring import Keyring
from app.launch.demo_township import PIN, SEED, TOWN, PlaceSpec
from app.launch.hubs import open_local_hub
from app.services.desk import Desk, IntakeForm
from app.station import Station, unlock_station
from sync.hub import admin


class DemoError(RuntimeError):
    """The demo could not finish; the message (Chinese) says what to do."""


# places and cases ----------------------------------------------------------------------------
class DemoClock:
    """The Desk's `today`, moved to the day each step was taken."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@dataclass
class Place:
    spec: PlaceSpec
    station: Station
    clock: DemoClock
    desk: Desk
    cadres: list[Cadre]

    def sync(self) -> None:
        result = self.station.sync_once()
        if not result.ok:
            raise DemoError(f"{self.spec.name}同步失败：{result.error}")

    def holds(self, event_id: str) -> bool:
        return self.station.store.conn.execute("SELECT 1 FROM events WHERE id=?",
                                               (event_id,)).fetchone() is not None


@dataclass
class Case:
    number: int
    village: Place
    script: str
    accepted_on: date
    matter: str
    form: IntakeForm
    steps: list[tuple[str, str, int]]
    record: str = ""
    receipt_no: str = ""
    last_event: str = ""
    done: int = 0

    @property
    def pending(self) -> tuple[str, str, int] | None:
        return self.steps[self.done] if self.done < len(self.steps) else None

    def rng(self) -> random.Random:
        """Choices for the next step, the same whatever order the sync rounds take."""
        return random.Random(f"{SEED}-{self.number}-{self.done}")


@dataclass
class World:
    root: Path
    today: date
    rng: random.Random
    villages: list[Place] = field(default_factory=list)
    town: Place | None = None
    county: Place | None = None
    cases: list[Case] = field(default_factory=list)

    @property
    def places(self) -> list[Place]:
        return [*self.villages, *(p for p in (self.town, self.county) if p is not None)]

    def at(self, level: str, case: Case) -> Place:
        place = case.village if level == "village" else (
            self.town if level == "town" else self.county)
        assert place is not None
        return place


def open_place(root: Path, spec: PlaceSpec, hub_dir: Path, hub_url: str, today: date,
                roles: tuple[str, ...] = ()) -> Place:
    """The demo place of ``spec``: its station opened (enrolled at ``hub_url`` with
    ``roles`` the first time), its cadres added, a Desk on a clock set to ``today``."""
    station = open_demo_station(root / spec.folder)
    if not station.enrolled:
        hub = open_local_hub(hub_dir)
        try:
            _, code = admin.add_node(hub, spec.name, spec.kind, roles)
        finally:
            hub.close()
        station.enroll(hub_url, code)
    have = {c.name: c for c in list_cadres(station.store)}
    cadres = [have.get(name) or add_cadre(station.store, name, post, PIN,
                                          roles=settings_role(spec, index))
              for index, (name, post) in enumerate(spec.cadres)]
    clock = DemoClock(today)
    return Place(spec, station, clock, Desk(station, today=clock), cadres)


def open_demo_station(data: Path) -> Station:
    """A demo station: new (no cadre yet), or unlocked with the demo 密码."""
    holders = Keyring.of(data).holders()
    return unlock_station(data, PIN, int(time.time() * 1000),
                          cadre=holders[0].id if holders else None)


def settings_role(spec: PlaceSpec, index: int) -> tuple[str, ...]:
    """The town center's director (张敏, 便民服务中心主任) may change the town's settings."""
    return (SETTINGS_ROLE,) if spec is TOWN and index == 0 else ()
