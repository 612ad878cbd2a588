"""镇里概况's figures: one village's (or the town's total) and the report for a period.
Apart from app.services.overview, which builds them and prints them through
app.docs.overview, so the document reads them without importing the service back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.shared.report_periods import Period


@dataclass(frozen=True)
class PlaceFigures:
    origin: str
    name: str
    # 便民服务
    accepted: int = 0           # taken in during the period
    closed: int = 0             # finished during the period
    closed_on_time: int = 0
    withdrawn: int = 0          # 撤件 during the period
    active: int = 0             # being handled now
    overdue: int = 0            # past the promised date now
    oldest_overdue: str | None = None
    rated: int = 0              # of the cases finished in the period
    satisfied: int = 0
    # 矛盾纠纷
    disputes: int = 0           # registered in the period
    settled: int = 0            # 调解成功 in the period
    failed: int = 0             # 调解不成 in the period
    disputes_open: int = 0
    disputes_overdue: int = 0
    high_risk_open: int = 0
    # 信访
    petitions: int = 0          # registered in the period
    answered: int = 0           # answered in the period
    petitions_open: int = 0
    petitions_overdue: int = 0

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None

    @property
    def settle_rate(self) -> float | None:
        done = self.settled + self.failed
        return self.settled / done if done else None


@dataclass(frozen=True)
class TownReport:
    town: str
    period: Period
    today: date
    places: tuple[PlaceFigures, ...]
    total: PlaceFigures
