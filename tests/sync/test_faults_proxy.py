"""Fault tests over a broken network (issue #2 §5): a lost acknowledgement, and 200+
sync rounds through a proxy that drops, resets, truncates, delays and duplicates
connections, with 0 events lost and 0 duplicated at town and county.

The hubs here serve plain HTTP (`--insecure`): the proxy's faults act on HTTP requests
(a request answered but its reply lost, a request delivered twice), which TLS would
turn into failed handshakes before the hub sees anything. These faults still happen
behind TLS — between a TLS-terminating reverse proxy (`--proxy`) and the hub, or
by a client retrying a request whose reply was lost — so the sync protocol itself must
take them, and that is what these tests check."""
from __future__ import annotations

import random
import threading

import pytest

from tests.sync.faultkit import (Lab, Station, assert_gapless, assert_holds_exactly, audit, chain,
                                 config_event, count, hub_db, ids, query, station_db,
                                 sync_until_clean, sync_via, visit_event, wait_for)


def test_lost_acknowledgement_costs_one_harmless_re_push(lab: Lab) -> None:
    town = lab.town(insecure=True)
    village = lab.station(town, "王湾村")
    proxy = lab.proxy(town)
    village.store.append_many([visit_event(f"村民{i}") for i in range(50)])

    # The hub commits the push, the reply never arrives; no retry in this round. (A round
    # first reaches the hub on a connection of its own: that one gets through.)
    proxy.queue_faults([None, "lost_ack"])
    result = sync_via(village.store, proxy.url, attempts=1)
    assert not result.ok
    proxy.wait_idle()
    assert proxy.fault_kinds()[:2] == [None, "lost_ack"]
    assert count(hub_db(town)) == 50            # committed at the hub …
    assert village.store.pending_count() == 50  # … but the station never heard

    # Next round: the same 50 go again and are acknowledged, stored once.
    result = sync_via(village.store, proxy.url)
    assert result.ok, result.error
    assert result.pushed == 50
    assert village.store.pending_count() == 0
    assert_holds_exactly(hub_db(town), village)
    assert count(hub_db(town)) == 50
    assert query(hub_db(town), "SELECT code FROM problems") == []

    # A lost ack inside one round is retried by the backoff: still exact.
    village.store.append_many([visit_event(f"村民{i}") for i in range(50, 80)])
    proxy.queue_faults([None, "lost_ack"])
    result = sync_via(village.store, proxy.url, attempts=3)
    assert result.ok and result.pushed == 30, result.error
    assert_holds_exactly(hub_db(town), village)
    assert assert_gapless(hub_db(town), village.store.node_id or "") == 80
    assert audit(town) == []


def test_lost_acknowledgement_of_a_pull_refetches_without_duplicates(lab: Lab) -> None:
    town = lab.town(insecure=True)
    writer = lab.station(town, "新集镇便民服务中心", kind="town")   # sends rules down
    reader = lab.station(town, "李庄村")
    writer.store.append_many([config_event(f"holiday.d{i}", i) for i in range(30)])
    assert sync_via(writer.store, town.url).ok
    proxy = lab.proxy(town)
    proxy.queue_fault("lost_ack")               # the reader has nothing to push: this is its pull
    result = sync_via(reader.store, proxy.url, attempts=1)
    assert not result.ok
    assert count(station_db(reader)) == 0 and reader.store.pull_cursor() is None
    result = sync_via(reader.store, proxy.url)
    assert result.ok and result.pulled == 30, result.error
    assert ids(station_db(reader)) == ids(hub_db(town), writer.store.node_id)
    assert count(station_db(reader)) == 30


KINDS = ("drop", "reset", "truncate", "delay", "duplicate", "lost_ack")
ROUNDS_PER_STATION = 70


@pytest.mark.slow
def test_two_hundred_rounds_through_a_faulty_link_lose_and_duplicate_nothing(
        lab: Lab) -> None:
    county = lab.county(insecure=True)
    # town → county goes through a faulty link too; the town is restarted onto it.
    town = lab.town(county=county, insecure=True)
    up_link = lab.proxy(county, seed=7, probabilities={k: 0.05 for k in KINDS},
                        delay=0.02, delay_jitter=0.02)
    town.stop()
    town.upstream = up_link.url
    town.start()
    # The town center's tablet (sends rules down; sees the whole town) and two villages.
    stations = [lab.station(town, "新集镇便民服务中心", kind="town"),
                *(lab.station(town, name) for name in ("李庄村", "张集村"))]
    center = stations[0]
    link = lab.proxy(town, seed=11, probabilities={k: 0.07 for k in KINDS},
                     delay=0.02, delay_jitter=0.03, max_cut_bytes=4096,
                     idle_timeout=0.03)

    failures: list[int] = []

    def village_life(station: Station, seed: int) -> None:
        """70 rounds: append 0–4 visits (at the center, sometimes a config) offline,
        then try to sync."""
        rng, failed = random.Random(seed), 0
        for round_no in range(ROUNDS_PER_STATION):
            new = [visit_event(f"村民{round_no}-{i}") for i in range(rng.randint(0, 4))]
            if rng.random() < 0.3 and station is center:
                new.append(config_event(f"rule.s{seed}.r{round_no}", round_no))
            if new:
                station.store.append_many(new)
            result = sync_via(station.store, link.url, attempts=2, keepalive=False,
                              timeout=5.0)
            failed += not result.ok
        failures.append(failed)

    # The three villages sync concurrently, as real ones do.
    threads = [threading.Thread(target=village_life, args=(s, n)) for n, s in
               enumerate(stations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(failures) == len(stations)
    assert len(stations) * ROUNDS_PER_STATION >= 200
    kinds = set(link.fault_kinds())
    assert set(KINDS) <= kinds, f"not every fault happened: {kinds}"
    assert sum(failures) > 10, "the link was not faulty enough to test anything"

    # Heal and quiesce: every station pushes everything, then pulls the others' config.
    link.set_passthrough(True)
    up_link.set_passthrough(True)
    for station in stations:
        sync_until_clean(station.store, link.url)
    for station in stations:
        assert sync_via(station.store, link.url).ok
    total = sum(count(station_db(s), s.store.node_id) for s in stations)
    assert total > 300
    wait_for(lambda: count(hub_db(county)) == total, 30, "county caught up")
    link.wait_idle()
    up_link.wait_idle()

    for station in stations:
        origin = station.store.node_id or ""
        assert_gapless(station_db(station), origin)
        for hub in (town, county):
            assert_holds_exactly(hub_db(hub), station)        # 0 lost, same hashes
        assert query(station_db(station), "SELECT COUNT(*) FROM quarantine") == [(0,)]
        # Each station holds its own events plus the center's config, once; the center
        # holds the whole town's.
        others = [s for s in stations if s is not station]
        expected = ids(station_db(station), origin) | set().union(*(
            ids(station_db(s), s.store.node_id) if station is center else
            {r[0] for r in query(station_db(s), "SELECT id FROM events WHERE origin=? AND "
                                 "kind='config'", (s.store.node_id,))} for s in others))
        held = ids(station_db(station))
        assert held == expected
        assert count(station_db(station)) == len(held)
    for hub in (town, county):
        assert count(hub_db(hub)) == total                  # 0 duplicated, nothing foreign
        assert audit(hub) == []
    assert chain(hub_db(town), stations[0].store.node_id or "") == chain(
        hub_db(county), stations[0].store.node_id or "")
