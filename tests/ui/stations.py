"""Station data folders for UI tests, without a network: an identity written the way
enrollment writes it (node id, key, kind, name, receipt short code, hub, its certificate
from the town hub, which the county certified, and the county's root key), cadres with
PINs, and events carried from one station to another in-process the way a hub relays
them, with the certificates (sealed, hash-checked and authority-checked by
Store.apply_pulled)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from app.accounts import Cadre, add_cadre, list_cadres
from app.station import Station, open_station, unlock_station
from sync import log
from sync.certs import HUB_ROLE, Root, issue
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import Store
from tests.support.papers import set_town_papers

TODAY = date(2026, 11, 27)            # a Friday: deadlines cross a weekend
NOW = datetime(2026, 11, 27, 10, 30)
PIN = "258046"
TOWN_HUB = "hub-xinji-town"
COUNTY_HUB = "hub-xin-county"
COUNTY_KEY, TOWN_KEY = SigningKey.generate(), SigningKey.generate()
ROOT = Root(COUNTY_HUB, COUNTY_KEY.public_b64, "county")
TOWN_CERT = issue(COUNTY_KEY, TOWN_HUB, COUNTY_HUB, "town", "新集镇", TOWN_KEY.public_b64,
                  (HUB_ROLE,), "XJ")


def other_town(hub_id: str = "hub-liuhe-town", name: str = "柳河镇"
               ) -> tuple[str, SigningKey, dict[str, object]]:
    """Another town hub of the same county: (its id, its key, its certificate)."""
    key = SigningKey.generate()
    return hub_id, key, issue(COUNTY_KEY, hub_id, COUNTY_HUB, "town", name, key.public_b64,
                              (HUB_ROLE,), "LH").to_json()


def make_station(path: Path, name: str = "王湾村", kind: str = "village",
                 short_code: str = "XJ001",
                 cadres: tuple[tuple, ...] = (("李建国", "村委委员"),),
                 roles: tuple[str, ...] = (), papers: bool = True,
                 town: tuple[str, SigningKey, dict[str, object]] | None = None) -> Path:
    """A station folder as enrollment leaves it, announced, with cadres (密码 258046);
    ``roles=("discipline",)``: the town 纪委's tablet, which announces its sealing key;
    a town has set up its papers (phones, status page, 机关代字) unless ``papers=False``;
    ``town``: enrolled at another town hub (``other_town()``) than 新集镇's."""
    path.mkdir(parents=True, exist_ok=True)
    store = Store(path / "station.sqlite")
    in_town = kind != "county"
    town_id, town_key, town_cert = town or (TOWN_HUB, TOWN_KEY, TOWN_CERT.to_json())
    hub = {"hub_id": town_id if in_town else COUNTY_HUB, "name": "新集镇",
           "ancestors": [town_id, COUNTY_HUB] if in_town else [COUNTY_HUB]}
    node_id, key = uuid7(), SigningKey.generate()
    cert = issue(town_key if in_town else COUNTY_KEY, node_id, hub["hub_id"], kind, name,
                 key.public_b64, roles, short_code)
    store.set_identity(node_id, key,
                       {"kind": kind, "name": name, "short_code": short_code, "hub": hub,
                        "roles": list(roles)}, ROOT, [cert.to_json(), town_cert])
    store.close()
    station = open_station(path)
    try:
        station.announce()
        people = [add_cadre(station.store, cadre_name, post, PIN,
                            roles=tuple(more[0]) if more else ())
                  for cadre_name, post, *more in cadres]   # (name, post) or (name, post, roles)
        if kind == "town" and people and papers:   # the town's papers (镇里设置 → 文书和电话)
            set_town_papers(station, people[0], "https://xinji.example.gov.cn/status")
    finally:
        station.close()
    return path


def unlocked(path: Path) -> Station:
    """A station made by make_station, opened as a cadre would (its key wrapped by the
    cadres' 密码: app/keyring.py)."""
    return unlock_station(path, PIN, 0, cadre=list_cadres(path)[0].id)


def cadre(station: Station, name: str) -> Cadre:
    return next(c for c in list_cadres(station.store) if c.name == name)


def carry(source: Station, target: Station) -> int:
    """Relay every event of ``source`` into ``target`` (as a pull would); returns how many."""
    rows = source.store.conn.execute(log.SELECT + " ORDER BY rseq").fetchall()
    events = []
    for row in rows:
        event = log.row_to_event(row)
        event.pop("rseq")
        event.pop("flags")
        event.pop("payload_json")
        events.append(event)
    cursor = {"epoch": "test", "rseq": len(events)}
    certs = [c for (node,) in source.store.conn.execute("SELECT id FROM certs")
             if (c := source.store.directory.get(node)) is not None]
    return target.store.apply_pulled(events, cursor, [c.to_json() for c in certs])
