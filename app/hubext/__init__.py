"""What the app adds to a hub (sync.hub.server.HubExtension): the public receipt-status
page of issue #3 §3 and the table behind it.

Public surface:
    extension()                 the HubExtension `sanji hub` serves with
    table.install, table.lookup the public_status table and its projector
    status.public_status        the public view of a folded case (pure)
    page.routes                 GET /status, GET|POST /status/query
    reports.routes              GET|POST /report (检举控告 from a phone, sealed on arrival),
                                POST /v1/public-reports (the town 纪委 collects them)
    ratelimit.TokenBuckets      per-key token buckets

No exceptions of its own: receipt typos are app.domain.ReceiptError, turned into a
400 with the Chinese message at the route.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from starlette.routing import BaseRoute

from app.hubext import page, reports, table
from sync.hub.server import HubExtension
from sync.hub.store import HubStore


def extension(limits: page.Limits | None = None,
              today: Callable[[], date] = date.today) -> HubExtension:
    def install(hub: HubStore) -> None:
        table.install(hub)
        reports.install(hub)

    def routes(hub: HubStore) -> Sequence[BaseRoute]:
        return [*page.routes(hub, limits, today), *reports.routes(hub, today)]

    return HubExtension(install=install, routes=routes)


__all__ = ["extension"]
