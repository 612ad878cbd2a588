"""The demo township while it is being seeded: its places (a station each, with its
Desk, cadres and clock), its cases and their scripted steps. Shared by app.launch.demo
and app.launch.demo_law."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.accounts import Cadre
from app.launch.demo_township import SEED, PlaceSpec
from app.services.desk import Desk, IntakeForm
from app.station import Station


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


