"""A town hub is two connections on one file: the API serving its children's pulls and
the relay storing what its county sends down — a county desk's rules and that desk's
certificate, in one transaction. A pull must hand a child every event its feed passes,
each with its origin's certificate, however the relay's commits fall around it: the
child's cursor moves past what it skipped, and a high-water-mark re-sync after a restore
(tests/sync/test_faults_restore.py) never brings a skipped older event back.

Real hub processes on 127.0.0.1 for the county and the enrollments; the town's two
connections are opened in this process (as `sanji hub` opens them) so that the relay's
commit lands at a known point between two pulls of the API's connection."""
from __future__ import annotations

from sync.events import pulled, pulled_certs
from sync.hub.relay import Relay
from tests.sync.faultkit import (Lab, config_event, hub_db, ids, query, station_db,
                                 sync_until_clean)


def test_a_pull_serves_what_the_relay_stored_since_the_api_read_its_certificates(
        lab: Lab) -> None:
    county = lab.county()
    town = lab.town(county=county)
    li = lab.station(town, "李庄村")
    sync_until_clean(li.store, li.hub_url() or "")
    town.stop()
    api, relay_side = town.open(), town.open()
    relay = Relay(relay_side)
    try:
        child = api.tree.get(li.store.node_id or "")
        assert child is not None

        def pull_into_li() -> None:
            reply = api.pull(child, li.store.pull_cursor(), certs_after=li.store.certs_after())
            events, cursor = pulled(reply)
            certs, certs_through = pulled_certs(reply)
            li.store.apply_pulled(events, cursor, certs, certs_through)

        pull_into_li()                     # the API's connection has read the certificates
        # A county desk enrolled since then writes rules for every town below it; the
        # town's relay stores them with the desk's certificate.
        desk = lab.station(county, "县信访局", kind="county")
        desk.store.append_many([config_event(f"county.n{i}", i) for i in range(4)])
        sync_until_clean(desk.store, desk.hub_url() or "")
        relay.pull_all()
        rules = ids(station_db(desk), desk.store.node_id)
        assert rules <= ids(hub_db(town))     # stored by the relay's connection

        pull_into_li()
        assert rules <= ids(station_db(li))
        assert query(station_db(li), "SELECT code FROM quarantine") == []
    finally:
        relay.client.close()
        api.close()
        relay_side.close()
