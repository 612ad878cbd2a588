"""Property: whatever is written where, whatever order nodes sync in and whichever links
are down, once the network heals and sync quiesces every node holds exactly what the
scope policy grants it, nothing twice, and identical replicas agree on their state
(issue #2 §5, last paragraph).

The township: one county hub; two town hubs under it; villages v1, v2 under town t1
and v3 under town t2; a town station under each town (s1 at t1 carries the
`discipline` role, s2 at t2 does not); a county station sc under the county; and a
fourth village v4, added at t2 from the start (records can be handed to its id) but
enrolled only at a drawn point of the run, or when the network heals. The hubs
are the real Starlette apps (sync.hub.api.create_app) on real SQLite files, served
in-process (tests.support.inprocess); stations are real Stores synced by the real
Syncer over the real HubClient; towns relay with the real Relay, one run_round() at a
time. Every link has a fault switch: down (nothing gets through), lost (the hub
handles the first request, its reply is lost), cut (the first request gets through,
then the link goes down). Hypothesis draws the writes (at most 30 events), single
sync rounds and waves of them in random order, changes of link states (they hold
until the next change), when v4 enrolls, and the push/pull/relay batch sizes (down
to one event a request). Then every link comes up and all nodes sync in rounds until
a whole round moves nothing.

Expected scope — a small pure model (`expected`) of sync/policy.py DefaultPolicy,
computed from the events as their origins wrote them, never from what was replicated:

* A node holds every event whose origin is in its subtree (pushed up / own writes).
* Otherwise it holds an event iff its parent holds it and the policy grants it to the
  node: a confidential kind only to a node with the `discipline` role; a broadcast
  kind always (so config.set reaches every node, from whichever station set it);
  any other kind iff the record's creator (origin of its first event in the order
  (hlc, origin, seq)) or its owner (the `owner` of its last event that sets one) is
  in the node's scope. A node's scope is its subtree, except for a station at its
  hub's own level (s1, s2 at their towns, sc at the county: the centers' tablets),
  whose scope is the hub's whole subtree plus the hub itself (HubStore.pull), so
  they see every record of their town (sc: of the county) and escalations handed to
  the hub's id. A village sees only its own records and those handed to it.

Choice where the policy leaves the outcome open: ownership can move more than once.
A node that was in a record's audience under an earlier owner keeps what it received
then (events are never recalled), and how much that is depends on when it synced.
So the model gives two sets: `required` (granted under the record's final owner) and
`allowed` (granted under any owner the record ever had). The test asserts
required ⊆ held ⊆ allowed; for every record whose owner was set to at most one
value — most of them — the two coincide and the check is exact.

The generator keeps writes causal, as a real user's are: a station amends or
escalates only a record it holds (has its visit.logged), and escalates only when it
holds every earlier escalation of the record; so creator and owner order never depend
on clock races, and a failing example replays exactly.

Authority (issue #7): hubs and stations run the app's policy of who may write what
(app.authority, with one change: here a visit may be handed to any node, which is how
this test moves records between scopes), and a compromised village `vx` under t1 —
its own key and token in a malicious tablet's hands (tests.support.malicious) — pushes
random forgeries between the honest steps, over whatever sync orders and partitions
Hypothesis draws: an announcement for another node, itself announced as a town, a
sealing key it may not publish, town rules, a hand-over of a record it does not hold, a
record of its town re-created under its name with an earlier clock, a certificate for
a "town" under itself with that town's events, events in another station's name. Each
is refused by t1 with a problem code and changes nothing there; and the checks below,
unchanged, show it reached no node: every replica holds exactly the honest model's
events, and its state hash is that of those events alone — the state a run without the
attacker reaches. The hubs' problem logs name no one but the attacker.
"""
from __future__ import annotations

import dataclasses
import os
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import (HealthCheck, currently_in_test_context, event, example, given,
                        settings)
from hypothesis import strategies as st

from app.authority import app_policy
from app.domain.authority import WRITERS
from schemas import load_registry
from sync import log
from sync.audit import audit, audit_hub
from sync.batching import BatchSizer
from sync.blobfiles import BlobFiles
from sync.client import Backoff, HubClient
from sync.enroll import enroll_hub, enroll_station
from sync.errors import SyncError
from sync.hub import admin
from sync.hub.api import create_app
from sync.hub.blobs import BlobStore
from sync.hub.relay import Relay
from sync.hub.store import HubStore
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.policy import DISCIPLINE_ROLE
from sync.session import Syncer, credentials_for
from sync.state import state_hash
from sync.store import NewEvent, Store
from tests.support.inprocess import InProcessTransport, Link
from tests.support.malicious import MaliciousTablet, hub_state

# --- the township ----------------------------------------------------------------------

HUBS = ("county", "t1", "t2")
STATIONS = ("v1", "v2", "v3", "v4", "s1", "s2", "sc")
PARENT = {"t1": "county", "t2": "county", "sc": "county",
          "v1": "t1", "v2": "t1", "s1": "t1", "v3": "t2", "v4": "t2", "s2": "t2"}
ROLES = {"s1": (DISCIPLINE_ROLE,)}
# (hub, name shown, kind) of each enrolled node
ENROLL = {"t1": ("county", "新集镇", "town"), "t2": ("county", "柳河镇", "town"),
          "sc": ("county", "县矛盾调处中心", "county"),
          "v1": ("t1", "王湾村", "village"), "v2": ("t1", "李庄村", "village"),
          "s1": ("t1", "新集镇纪委", "town"), "v3": ("t2", "河口村", "village"),
          "s2": ("t2", "柳河镇便民服务中心", "town")}
# Added at t2 (its id exists, so records can be handed to it) but its tablet enrolls
# only during the run, or at the latest when the network heals.
LATE = {"v4": ("t2", "新河村", "village")}
VILLAGES = ("v1", "v2", "v3", "v4")
CONFIG_WRITERS = ("s1", "s2", "sc")
LINKS = tuple(PARENT)          # a link is named after its child end
LEVEL = {"county": "county", "t1": "town", "t2": "town"}
KIND = {name: kind for name, (_, _, kind) in {**ENROLL, **LATE}.items()}
ALL_NODES = HUBS + STATIONS
MAX_EVENTS = 30
CONFIG_KEYS = ("rules.deadline_days", "catalog.version")
# The compromised village: enrolled at t1, it writes nothing honest, only forgeries.
ATTACKER = "vx"
ATTACKER_AT = ("t1", "刘庄村", "village")
# The app's declaration of who may write what, except that a visit may be handed on.
POLICY = app_policy(declared={
    **WRITERS, "visit.amended": dataclasses.replace(WRITERS["visit.amended"], moves=True)})


def url_of(hub: str) -> str:
    return f"http://{hub}.hub.test"


def hub_data(root: Path, hub: str) -> tuple[Path, Path]:
    return root / hub / "hub.sqlite", root / hub / "blobs"


def station_db(root: Path, name: str) -> Path:
    return root / name / "station.sqlite"


def open_hub_app(root: Path, hub: str) -> tuple[HubStore, InProcessTransport]:
    db, blobs = hub_data(root, hub)
    store = HubStore(db, policy=POLICY)
    app = create_app(store, BlobStore(store, BlobFiles(blobs)))
    return store, InProcessTransport(app)


def build_template(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Create and enroll the whole township once; examples start from copies of it."""
    hubs: dict[str, HubStore] = {}
    transports: dict[str, InProcessTransport] = {}
    for hub, level in (("county", "county"), ("t1", "town"), ("t2", "town")):
        db, _ = hub_data(root, hub)
        db.parent.mkdir(parents=True)
        store = HubStore(db, policy=POLICY)
        store.init(level, hub)
        store.close()
        hubs[hub], transports[hub] = open_hub_app(root, hub)
    ids = {hub: hubs[hub].hub_id for hub in HUBS}
    codes: dict[str, str] = {}
    try:
        for name, (parent, shown, kind) in [*ENROLL.items(), (ATTACKER, ATTACKER_AT)]:
            node_id, code = admin.add_node(hubs[parent], shown, kind, ROLES.get(name, ()))
            client = HubClient(url_of(parent), transport=transports[parent])
            if name in HUBS:
                enroll_hub(hubs[name], client, code)
            else:
                station_db(root, name).parent.mkdir(parents=True)
                store = Store(station_db(root, name), policy=POLICY)
                enroll_station(store, client, code)
                store.close()
            ids[name] = node_id if name not in HUBS else hubs[name].hub_id
        for name, (parent, shown, kind) in LATE.items():
            ids[name], codes[name] = admin.add_node(hubs[parent], shown, kind)
            station_db(root, name).parent.mkdir(parents=True)
            Store(station_db(root, name)).close()
    finally:
        for hub in HUBS:
            hubs[hub].close()
            transports[hub].close()
    return ids, codes


Template = tuple[Path, dict[str, str], dict[str, str]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("township")
    return (root, *build_template(root))


@dataclass
class World:
    """One example's township, opened from a fresh copy of the template."""

    root: Path
    ids: dict[str, str]
    codes: dict[str, str]
    station_batch: int
    relay_batch: int
    hubs: dict[str, HubStore] = field(default_factory=dict)
    relay_hubs: dict[str, HubStore] = field(default_factory=dict)
    transports: dict[str, InProcessTransport] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    stores: dict[str, Store] = field(default_factory=dict)
    syncers: dict[str, Syncer] = field(default_factory=dict)
    relays: dict[str, Relay] = field(default_factory=dict)
    clients: list[HubClient] = field(default_factory=list)
    # test-side bookkeeping: record label → id, and what was written
    records: list[str] = field(default_factory=list)
    label: dict[str, int] = field(default_factory=dict)
    visit_records: list[int] = field(default_factory=list)
    owner_events: dict[str, list[str]] = field(default_factory=dict)
    config_records: list[str] = field(default_factory=list)
    written: int = 0
    failures: int = 0
    enrolling: set[str] = field(default_factory=set)
    attacker_store: Store | None = None
    attacker: MaliciousTablet | None = None
    forged: list[str] = field(default_factory=list)   # the codes t1 refused them with

    def open(self) -> None:
        for hub in HUBS:
            self.hubs[hub], self.transports[hub] = open_hub_app(self.root, hub)
        for child, parent in PARENT.items():
            self.links[child] = Link(self.transports[parent], child)
        for name in STATIONS:
            self.stores[name] = Store(station_db(self.root, name), policy=POLICY)
            if name not in LATE:
                self.make_syncer(name)
        for town in ("t1", "t2"):
            db, _ = hub_data(self.root, town)
            self.relay_hubs[town] = HubStore(db, policy=POLICY)   # the relay's own connection
            client = HubClient(url_of("county"), transport=self.links[town])
            self.clients.append(client)
            relay = Relay(self.relay_hubs[town], batch=self.relay_batch, client=client)
            relay.backoff = no_wait()
            self.relays[town] = relay
        self.config_records = [self.new_record_id() for _ in CONFIG_KEYS]
        self.attacker_store = Store(station_db(self.root, ATTACKER), policy=POLICY)
        self.attacker = MaliciousTablet.of(self.attacker_store, url_of("t1"),
                                           self.transports["t1"])

    def make_syncer(self, name: str) -> None:
        store = self.stores[name]
        client = HubClient(url_of(PARENT[name]), credentials_for(store),
                           transport=self.links[name])
        self.clients.append(client)
        self.syncers[name] = Syncer(
            store, client, backoff=no_wait(),
            sizer=BatchSizer(size=self.station_batch, low=1, high=self.station_batch))

    def enroll(self, name: str) -> bool:
        """The late station enrolls with its code. A lost reply would burn the one-time
        code (the hub used it, the tablet never saw the token) and needs a new code
        from the admin, which is outside this test: a lost link counts as down here."""
        self.enrolling.add(name)
        link = self.links[name]
        link.set(link.mode)
        if link.mode == "lost":
            self.failures += 1
            return False
        client = HubClient(url_of(PARENT[name]), transport=link)
        try:
            enroll_station(self.stores[name], client, self.codes[name])
        except SyncError as exc:
            assert link.mode != "ok", f"{name} could not enroll on a working link: {exc}"
            self.failures += 1
            return False
        finally:
            client.close()
        self.make_syncer(name)
        return True

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for store in [*self.stores.values(), *self.hubs.values(), *self.relay_hubs.values(),
                      self.attacker_store]:
            store.close()
        for transport in self.transports.values():
            transport.close()

    def conn(self, node: str) -> sqlite3.Connection:
        return self.hubs[node].conn if node in HUBS else self.stores[node].conn

    def new_record_id(self) -> str:
        record = uuid7()
        self.label[record] = len(self.records)
        self.records.append(record)
        return record

    def holds_record(self, node: str, record: str) -> bool:
        return self.stores[node].conn.execute(
            "SELECT 1 FROM events WHERE record=? AND type='visit.logged'",
            (record,)).fetchone() is not None

    def held_ids(self, node: str) -> set[str]:
        return {r[0] for r in self.conn(node).execute("SELECT id FROM events")}

    # steps --------------------------------------------------------------------------------
    def write(self, step: "Write") -> None:
        if self.written >= MAX_EVENTS or step.actor not in self.syncers:
            return
        store, author = self.stores[step.actor], f"u-{step.actor}"
        new: NewEvent | None = None
        if step.action == "log":
            record = self.new_record_id()
            new = NewEvent("visit.logged", record, visit_payload(step.pick), author)
            self.visit_records.append(self.label[record])
        elif step.action == "complaint":
            new = NewEvent("complaint.filed", self.new_record_id(),
                           {"sealed": f"密件{step.pick}", "channel": "来访"}, author)
        elif step.action == "config":
            index = step.pick % len(CONFIG_KEYS)
            new = NewEvent("config.set", self.config_records[index],
                           {"key": CONFIG_KEYS[index], "value": step.pick,
                            "note": f"{step.actor} 下发"}, author)
        else:
            held = [self.records[i] for i in self.visit_records
                    if self.holds_record(step.actor, self.records[i])]
            if step.action == "escalate":
                have = self.held_ids(step.actor)
                held = [r for r in held if set(self.owner_events.get(r, [])) <= have]
            if not held:
                return
            record = held[step.pick % len(held)]
            if step.action == "amend":
                new = NewEvent("visit.amended", record,
                               {"fields": {"result": f"{step.actor} 答复 {step.pick}"},
                                "reason": "补充办理结果"}, author)
            else:
                owner = self.ids[step.target]
                if step.target in LATE and step.target not in self.syncers:
                    note("handed a record to a station not enrolled yet")
                new = NewEvent("visit.amended", record,
                               {"fields": {"remark": f"转交 {step.target}"},
                                "reason": "上报"}, author, owner=owner)
        assert new is not None
        written = store.append(new)
        if new.owner is not None:
            self.owner_events.setdefault(new.record, []).append(written["id"])
        self.written += 1

    def forge(self, step: "Forge") -> None:
        """The compromised village pushes one forgery to t1, which must refuse it whole
        with a problem code and change nothing."""
        tablet, ids = self.attacker, self.ids
        assert tablet is not None
        target = ids[step.target]
        # Records of its own town it may have learnt the id of (t1 holds them).
        known = [r for (r,) in self.hubs["t1"].conn.execute(
            "SELECT record FROM records WHERE kind='visit' ORDER BY record")]
        record = known[step.pick % len(known)] if known else uuid7()
        forged: dict[str, Any] = {}
        if step.kind == "announce_other":
            forged["events"] = [tablet.event("node.announced", target,
                                             {"name": "假冒", "level": "village"})]
        elif step.kind == "announce_town":
            forged["events"] = [tablet.event("node.announced", tablet.node_id,
                                             {"name": "刘庄镇", "level": "town"})]
        elif step.kind == "seal_key":
            forged["events"] = [tablet.event("node.announced", tablet.node_id, {
                "name": "刘庄村", "level": "village", "seal_key": "A" * 43 + "="})]
        elif step.kind == "config":
            index = step.pick % len(CONFIG_KEYS)
            forged["events"] = [tablet.event("config.set", self.config_records[index], {
                "key": CONFIG_KEYS[index], "value": -step.pick, "note": "伪造"})]
        elif step.kind == "take_owner":
            forged["events"] = [tablet.event("visit.amended", record, {
                "fields": {"remark": "转交"}, "reason": "上报"}, owner=tablet.node_id)]
        elif step.kind == "early_creator":
            if not known:
                return
            forged["events"] = [tablet.event("visit.logged", record, visit_payload(step.pick),
                                             hlc=1 << 20)]
        elif step.kind == "fake_town":
            child, child_key = uuid7(), SigningKey.generate()
            cert = tablet.certify(child, "town", "假镇", child_key.public_b64)
            ev = tablet.event("config.set", self.config_records[0], {
                "key": CONFIG_KEYS[0], "value": -1})
            forged["certs"] = [cert]
            forged["runs"] = [tablet.run([ev], origin=child, key=child_key)]
        else:   # other_origin: in an honest station's name, signed with its own key
            forged["runs"] = [tablet.run([tablet.event("visit.logged", None,
                                                       visit_payload(step.pick))],
                                         origin=target)]
        hub = self.hubs["t1"]
        before = hub_state(hub.conn)
        reply = tablet.push(**forged)
        assert reply.status_code == 403, (step, reply.status_code, reply.text)
        assert reply.headers["content-type"].startswith("application/problem+json")
        self.forged.append(reply.json()["code"])
        note(f"forgery refused: {reply.json()['code']}")
        assert hub_state(hub.conn) == before, f"{step} changed t1"

    def sync(self, actor: str) -> bool:
        """One sync round of a station or one relay round of a town; True if it worked.
        A round may fail only because its link failed."""
        link = self.links[actor]
        if actor in LATE and actor not in self.syncers:
            # Not enrolled: once its code was typed in, the tablet retries enrolling.
            return self.enroll(actor) if actor in self.enrolling else False
        link.set(link.mode)          # a lost/cut link fails afresh on each attempt
        if actor in self.relays:
            try:
                self.relays[actor].run_round()
            except SyncError as exc:
                assert link.mode != "ok", f"relay {actor} failed on a working link: {exc}"
                assert link.failures, f"relay {actor} failed without a link fault: {exc}"
                self.failures += 1
                return False
            late = [self.ids[n] for n in LATE if n not in self.syncers and PARENT[n] == actor]
            county = self.hubs["county"]
            if late and any(
                    not county.tree.is_within(creator, self.ids[actor])
                    for (creator,) in county.conn.execute(
                        f"SELECT creator FROM records WHERE owner IN"
                        f" ({','.join('?' * len(late))})", late)):
                note("a town pulled while the county held a record for a station it does not"
                     " know yet")
            return True
        result = self.syncers[actor].run_round()
        if not result.ok:
            code = (self.stores[actor].meta.get("last_error") or "")
            assert link.mode != "ok", f"{actor} failed on a working link: {result.error}"
            assert '"code": "transport"' in code, f"{actor}: not a link failure: {code}"
            self.failures += 1
        return result.ok

    def snapshot(self) -> tuple[Any, ...]:
        counts = tuple(self.conn(n).execute("SELECT COUNT(*) FROM events").fetchone()[0]
                       for n in ALL_NODES)
        pending = tuple(self.stores[s].pending_count() for s in STATIONS)
        up = tuple(self.relay_hubs[t].pending_up() for t in ("t1", "t2"))
        return counts + pending + up

    def quiesce(self) -> int:
        for link in self.links.values():
            link.set("ok")
        for name in LATE:
            if name not in self.syncers:
                assert self.enroll(name)
        for rounds in range(1, 8):
            before = self.snapshot()
            for actor in SYNCERS:
                assert self.sync(actor)
            if self.snapshot() == before:
                return rounds
        raise AssertionError("sync did not quiesce in 7 rounds")


def no_wait() -> Backoff:
    """One retry, at once: the link state, not the clock, decides what gets through."""
    return Backoff(attempts=2, base=0.0, cap=0.0, sleep=lambda _s: None)


def note(value: str) -> None:
    """A statistic for `--hypothesis-show-statistics` (ignored outside Hypothesis)."""
    if currently_in_test_context():
        event(value)


def visit_payload(n: int) -> dict[str, Any]:
    return {"name": f"村民{n}", "sex": "女" if n % 2 else "男", "age": 20 + n % 70,
            "phone": "13812345678", "address": f"{n % 9 + 1}组",
            "visited_at": "2026-11-28 09:30", "place": "便民服务站",
            "matter": "咨询城乡居民医保缴费和大病救助的办理材料", "officer": "李建国",
            "officer_post": "村委委员"}


# --- the pure model --------------------------------------------------------------------

@dataclass(frozen=True)
class Ev:
    id: str
    origin: str        # node name
    seq: int
    hlc: int
    record: str
    kind: str
    owner: str | None  # node name


def subtrees() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for node in ALL_NODES:
        members = {node}
        for other in ALL_NODES:
            up = other
            while up in PARENT:
                up = PARENT[up]
                if up == node:
                    members.add(other)
        out[node] = frozenset(members)
    return out


def scope_rule(node: str) -> Any:
    """Whose records `node` may see (HubStore.pull): a station at its hub's own level
    (a town center's tablet, the county center's) sees the hub's whole subtree and
    what was handed to the hub itself; any other node sees its own subtree."""
    parent = PARENT.get(node)
    if parent is not None and KIND[node] == LEVEL[parent]:
        return lambda sub: sub[parent] | {parent}
    return lambda sub: sub[node]


SCOPE_OF = {node: scope_rule(node) for node in ALL_NODES}


def lineage(node: str) -> set[str]:
    out = {node}
    while node in PARENT:
        node = PARENT[node]
        out.add(node)
    return out


def expected(events: list[Ev], confidential: frozenset[str], broadcast: frozenset[str],
             local: frozenset[str] = frozenset()) -> dict[str, tuple[set[str], set[str]]]:
    """node → (required, allowed) event ids; see the module docstring."""
    sub = subtrees()
    by_record: dict[str, list[Ev]] = {}
    for ev in events:
        by_record.setdefault(ev.record, []).append(ev)
    creator, final_owner, owners = {}, {}, {}
    for record, evs in by_record.items():
        evs.sort(key=lambda e: (e.hlc, e.origin, e.seq))
        creator[record] = evs[0].origin
        history = [e.owner for e in evs if e.owner is not None]
        final_owner[record] = history[-1] if history else None
        owners[record] = [None, *dict.fromkeys(history)]

    def grants(node: str, ev: Ev, owner: str | None) -> bool:
        if ev.kind in confidential:
            return DISCIPLINE_ROLE in ROLES.get(node, ())
        if ev.kind in broadcast:
            # a local kind (a town's rules) stays under the hub that certified its writer
            return ev.kind not in local or PARENT[ev.origin] in lineage(node)
        scope = SCOPE_OF[node](sub)
        return creator[ev.record] in scope or (owner is not None and owner in scope)

    def holds(node: str, ev: Ev, candidates: list[str | None]) -> bool:
        if ev.origin in sub[node]:
            return True
        if node not in PARENT:
            raise AssertionError(f"origin {ev.origin} outside the county")
        return holds(PARENT[node], ev, candidates) and any(
            grants(node, ev, owner) for owner in candidates)

    out = {}
    for node in ALL_NODES:
        required = {e.id for e in events if holds(node, e, [final_owner[e.record]])}
        allowed = {e.id for e in events if holds(node, e, owners[e.record])}
        out[node] = (required, allowed)
    return out


def test_model_on_a_hand_worked_case() -> None:
    """The model itself, on a case worked by hand: a v1 visit escalated to s2, answered
    by s2; a v3 complaint; an sc config (the county's: everywhere); an s2 config (t2's:
    in t2 only)."""
    evs = [Ev("a", "v1", 1, 10, "R", "visit", None), Ev("b", "v1", 2, 11, "R", "visit", "s2"),
           Ev("c", "s2", 1, 12, "R", "visit", None), Ev("d", "v3", 1, 13, "C", "complaint", None),
           Ev("e", "sc", 1, 14, "K", "config", None), Ev("f", "s2", 2, 15, "K", "config", None)]
    got = expected(evs, frozenset({"complaint"}), frozenset({"config"}), frozenset({"config"}))
    required = {node: sorted(req) for node, (req, allowed) in got.items()}
    assert all(req == allowed for req, allowed in got.values())
    assert required == {
        "county": list("abcdef"), "t1": list("abce"), "t2": list("abcdef"),
        "v1": list("abce"), "v2": ["e"], "s1": list("abce"), "v3": ["d", "e", "f"],
        "v4": ["e", "f"], "s2": list("abcef"), "sc": list("abce")}


# --- strategies ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    actor: str
    action: str
    pick: int
    target: str


@dataclass(frozen=True)
class Sync:
    actor: str


@dataclass(frozen=True)
class Net:
    modes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Wave:
    """Every node syncs once, in this order (all tablets online for a while)."""
    order: tuple[str, ...]


@dataclass(frozen=True)
class Enroll:
    actor: str


@dataclass(frozen=True)
class Forge:
    """The compromised village pushes one forgery (see World.forge)."""
    kind: str
    pick: int
    target: str


FORGERIES = ("announce_other", "announce_town", "seal_key", "config", "take_owner",
             "early_creator", "fake_town", "other_origin")


# New visits and hand-overs are what move records between scopes: give them weight.
ACTIONS = {name: ("log", "amend", "escalate", "log", "escalate")
           + (("complaint",) if name in VILLAGES else ())
           + (("config",) if name in CONFIG_WRITERS else ()) for name in STATIONS}


SYNCERS = (*STATIONS, "t1", "t2")
# Who a record is handed to; the late station twice, as records handed to a node its
# county does not know yet are the rare path (see the @example below).
TARGETS = (*ALL_NODES, *LATE)


@st.composite
def step(draw: st.DrawFn) -> Write | Sync | Wave | Net | Forge:
    """Of 22: ten writes; five single sync rounds; two waves of rounds, every node once
    in a random order; three changes of link states; two forgeries by the attacker."""
    roll = draw(st.integers(0, 21))
    if roll >= 20:
        return Forge(draw(st.sampled_from(FORGERIES)), draw(st.integers(0, 99)),
                     draw(st.sampled_from(STATIONS)))
    if roll < 10:
        actor = draw(st.sampled_from(STATIONS))
        return Write(actor, draw(st.sampled_from(ACTIONS[actor])), draw(st.integers(0, 99)),
                     draw(st.sampled_from(TARGETS)))
    if roll < 15:
        return Sync(draw(st.sampled_from(SYNCERS)))
    if roll < 17:
        return Wave(tuple(draw(st.permutations(SYNCERS))))
    faults = draw(st.lists(st.tuples(st.sampled_from(LINKS),
                                     st.sampled_from(("down", "lost", "cut"))), max_size=4))
    return Net(tuple(sorted(dict(faults).items())))


steps = st.lists(step(), min_size=15, max_size=80)

EXAMPLES = int(os.environ.get("SANJI_PROPERTY_EXAMPLES", "0")) or (
    300 if os.environ.get("CI") else 50)
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def township(template: Template, station_batch: int = 200, relay_batch: int = 500
             ) -> Iterator[World]:
    """A fresh copy of the enrolled township, opened; on tmpfs when there is one (fsyncs
    are free there, and the files are still real SQLite files)."""
    source, ids, codes = template
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="sanji-prop-", dir=base) as tmp:
        root = Path(tmp) / "township"
        shutil.copytree(source, root)
        world = World(root, ids, codes, station_batch, relay_batch)
        try:
            world.open()
            yield world
        finally:
            world.close()


# --- the property ----------------------------------------------------------------------------

# The whole search is one pytest item: 300 examples in CI take about five minutes on a
# shared 2-core machine, past the suite's 300 s per-test limit (pyproject), which is meant
# for one stuck test, not for a search. Each example stays bounded by the hubs' timeouts.
@pytest.mark.timeout(1500)
@PROFILE
@given(plan=steps, enroll_at=st.integers(0, 60), station_batch=st.sampled_from((1, 3, 200)),
       relay_batch=st.sampled_from((1, 4, 500)))
# Found by this test: a record handed to a station its county did not know yet (v4,
# added at t2, enrolls later) never reached it once it enrolled.
@example(plan=[Write("v1", "log", 1, "v1"), Write("v1", "escalate", 0, "v4"), Sync("v1"),
               Sync("t1"), Sync("t2")], enroll_at=5, station_batch=200, relay_batch=500)
# Every forgery at least once, on records t1 holds, between honest writes and syncs.
@example(plan=[Write("v1", "log", 1, "v1"), Write("v2", "log", 2, "v2"), Sync("v1"),
               Sync("v2"), *(Forge(kind, 1, "v2") for kind in FORGERIES),
               Write("s1", "config", 1, "s1"), Wave(SYNCERS)],
         enroll_at=0, station_batch=200, relay_batch=500)
def test_replicas_hold_exactly_their_scope_after_quiescing(
        template: Template, plan: list[Any], enroll_at: int, station_batch: int,
        relay_batch: int) -> None:
    with township(template, station_batch, relay_batch) as world:
        run_plan(world, [*plan[:enroll_at], *(Enroll(n) for n in LATE), *plan[enroll_at:]])
        check(world)


def run_plan(world: World, plan: list[Any]) -> None:
    for step in plan:
        if isinstance(step, Write):
            world.write(step)
        elif isinstance(step, Sync):
            world.sync(step.actor)
        elif isinstance(step, Wave):
            for actor in step.order:
                world.sync(actor)
        elif isinstance(step, Enroll):
            world.enroll(step.actor)
        elif isinstance(step, Forge):
            world.forge(step)
        else:
            modes = dict(step.modes)
            for name, link in world.links.items():
                link.set(modes.get(name, "ok"))
    note(f"events written: {(world.written + 9) // 10 * 10 - 9}-{(world.written + 9) // 10 * 10}"
          if world.written else "events written: 0")
    rounds = world.quiesce()
    note(f"quiesced in {rounds} rounds")
    note(f"failed sync attempts: {min(world.failures, 5)}{'+' if world.failures > 5 else ''}")


def check(world: World) -> None:
    registry = load_registry()
    name_of = {node_id: name for name, node_id in world.ids.items()}
    # What each origin wrote, read from its own file: the ground truth.
    truth: dict[str, tuple[Any, ...]] = {}
    events: list[Ev] = []
    for name in STATIONS:
        rows = world.stores[name].conn.execute(
            log.SELECT + " WHERE origin=? ORDER BY seq", (world.ids[name],)).fetchall()
        assert [r[3] for r in rows] == list(range(1, len(rows) + 1)), f"{name}: seq gap"
        for row in rows:
            e = log.row_to_event(row)
            truth[e["id"]] = row
            events.append(Ev(e["id"], name, e["seq"], e["hlc"], e["record"], e["kind"],
                             name_of[e["owner"]] if e["owner"] else None))
    assert len(events) == world.written
    model = expected(events, registry.confidential_kinds(), registry.broadcast_kinds(),
                     registry.local_kinds())
    sub = subtrees()
    town_of = {n: next((t for t in ("t1", "t2") if n in sub[t]), "county") for n in ALL_NODES}
    if any(e.kind == "visit" and town_of[e.origin] != town_of[node] and node not in HUBS
           and e.id in model[node][0] for node in ALL_NODES for e in events):
        note("a visit record crossed between towns")
    if any(req != allowed for req, allowed in model.values()):
        note("ownership moved more than once (bounds, not exact)")

    label = {e.id: f"{e.origin}#{e.seq}({e.kind} r{world.label[e.record]}"
                   f"{' →' + e.owner if e.owner else ''})" for e in events}
    hashes: dict[str, str] = {}
    for node in ALL_NODES:
        conn = world.conn(node)
        count, distinct, pairs = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT origin || ':' || seq)"
            " FROM events").fetchone()
        assert count == distinct == pairs, f"{node} holds duplicates"
        held = world.held_ids(node)
        required, allowed = model[node]
        missing, extra = required - held, held - allowed
        assert not missing and not extra, (
            f"{node}: missing {sorted(label.get(i, i) for i in missing)}, "
            f"beyond its scope {sorted(label.get(i, i) for i in extra)}")
        # Every copy is the event its origin wrote, byte for byte.
        for row in conn.execute(log.SELECT):
            assert row[1:14] == truth[row[1]][1:14], f"{node}: {label[row[1]]} differs"
        # The state it computes is the state of exactly these events, however they came.
        hashes[node] = state_hash(conn)
        assert hashes[node] == reference_hash([truth[i] for i in held]), node
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", node
    by_set: dict[frozenset[str], set[str]] = {}
    for node in ALL_NODES:
        by_set.setdefault(frozenset(world.held_ids(node)), set()).add(node)
    for group in by_set.values():
        assert len({hashes[n] for n in group}) == 1, f"identical replicas {group} disagree"
    if any(len(group) > 1 for group in by_set.values()):
        note("some nodes hold identical replicas")

    for name in STATIONS:
        store = world.stores[name]
        assert store.pending_count() == 0, name
        assert store.conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0] == 0, name
        assert audit(store.conn, {world.ids[name]}) == [], name
    for hub in HUBS:
        problems = world.hubs[hub].conn.execute("SELECT node, code FROM problems").fetchall()
        honest = [p for p in problems if p[0] != world.ids[ATTACKER]]
        assert honest == [], f"{hub} recorded problems: {honest}"
        assert hub == "t1" or not problems, f"{hub} saw the forgeries: {problems}"
        world.hubs[hub].tree.reload()
        assert audit_hub(world.hubs[hub]) == [], hub
    assert sorted(c for _, c in world.hubs["t1"].conn.execute(
        "SELECT node, code FROM problems")) == sorted(world.forged)
    for town in ("t1", "t2"):
        assert world.relay_hubs[town].pending_up() == 0, town


def reference_hash(rows: list[tuple[Any, ...]]) -> str:
    """state_hash of a fresh replica given the same events in a shuffled order."""
    conn = sqlite3.connect(":memory:")
    try:
        log.create_events_table(conn)
        shuffled = list(rows)
        random.Random(len(rows)).shuffle(shuffled)
        conn.executemany("INSERT INTO events(" + ", ".join(log.COLUMNS[1:]) + ") VALUES("
                         + ",".join("?" * (len(log.COLUMNS) - 1)) + ")",
                         [r[1:] for r in shuffled])
        return state_hash(conn)
    finally:
        conn.close()


def test_record_handed_to_a_station_its_county_does_not_know_yet_reaches_it(
        template: Template) -> None:
    """v1 hands a visit to v4 (added at t2, not enrolled yet); t1 relays it to the
    county and t2 pulls before the county has v4's certificate, so t2's cursor passes
    the record. Once v4 enrolls and t2 relays its certificate, the county must feed
    the record again: t2 and v4 receive it (fixed in sync/hub/store.py)."""
    plan: list[Any] = [Write("v1", "log", 1, "v1"), Write("v1", "escalate", 0, "v4"),
                       Sync("v1"), Sync("t1"), Sync("t2"), Enroll("v4")]
    with township(template) as world:
        run_plan(world, plan)
        check(world)
        assert len(world.held_ids("v4")) == 2   # the visit and its hand-over
