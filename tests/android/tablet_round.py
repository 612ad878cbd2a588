"""A station as a tablet runs it, for tests/android/test_station_runtime.py:

    python -m tests.support.tablet tests.android.tablet_round DATA HUB_URL CODE

Under tests.support.tablet only the station's requirements can be imported (no orjson,
no starlette/uvicorn, no dev tools). This imports every module a tablet carries,
enrolls DATA with the hub, records visits whose text is full of what JSON escapes,
syncs, and prints one JSON line saying what happened.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from datetime import datetime
from pathlib import Path

# Modules only a hub or `sanji up` runs (on a tablet they cannot be imported, and are
# never asked for); the test checks each of them does need a hub-only package. The
# launch package (`sanji up`, the demo and its seeds) is a desktop's as a whole: most of
# it starts hubs, and what does not (seed data) is only imported by what does.
HUB_ONLY = ("sync.hub.api", "sync.hub.server", "sync.hub.blobs", "sync.hub.limits", "app.hubext",
            "app.launch")
LAUNCH = "app.launch"
TRICKY = ('说："屋顶漏雨，\\墙/裂了"\n\t已记录', "堃喆赟 𠀀𪚥 👍🏽 é\u0301", "行\u2028分\u2029隔\x7f\x01结尾")


def import_everything() -> tuple[list[str], dict[str, str]]:
    imported, hub_only = [], {}
    for package in ("schemas", "sync", "app"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if any(info.name == h or info.name.startswith(h + ".") for h in HUB_ONLY):
                try:
                    importlib.import_module(info.name)
                except ModuleNotFoundError as exc:
                    hub_only[info.name] = str(exc.name)
                else:
                    hub_only[info.name] = ""
                continue
            importlib.import_module(info.name)
            imported.append(info.name)
    return imported, hub_only


def main(data: Path, hub_url: str, code: str) -> dict:
    from app.accounts import add_cadre
    from app.enrolling import enroll_data_dir
    from app.services.frontdesk import VisitForm, log_visit
    from app.station import open_station
    from sync import jsoncodec

    imported, hub_only = import_everything()
    enrolled = enroll_data_dir(data, hub_url, code)
    station = open_station(data)
    try:
        cadre = add_cadre(station.store, "李建国", "便民服务站代办员", "258046")
        for n, text in enumerate(TRICKY):
            log_visit(station.store, cadre, VisitForm(
                name="王秀英", matter=text, opinion=text[::-1], address="新集镇王湾村三组",
                remark=f"第{n}次"), datetime(2026, 11, 27, 9, n))
        result = station.sync_once()
        conn = station.store.conn
        mine = dict(conn.execute("SELECT id, hash FROM events WHERE origin=?",
                                 (station.node_id,)))
        others = dict(conn.execute("SELECT id, hash FROM events WHERE origin<>?",
                                   (station.node_id,)))
        quarantined = conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
    finally:
        station.close()
    finder = next(f for f in sys.meta_path if type(f).__name__ == "NotOnTablet")
    return {"orjson": jsoncodec.orjson is not None, "refused": sorted(finder.refused),
            "imported": imported, "hub_only": hub_only, "node_id": enrolled["node_id"],
            "sync": {"ok": result.ok, "pushed": result.pushed, "pulled": result.pulled,
                     "error": result.error},
            "mine": mine, "others": others, "quarantined": quarantined}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]), ensure_ascii=False))
