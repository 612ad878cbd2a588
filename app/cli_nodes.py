"""`sanji node add|list|revoke|replace`: the nodes a hub knows, and the one-time
enrollment code with its QR card (app.services.enroll_card)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli_hub import hub_key
from app.cli_output import emit


def open_existing_hub(args: argparse.Namespace) -> Any:
    from app.datadir import require_hub
    from sync.hub.server import open_hub
    require_hub(args.data)        # before opening: opening creates hub.sqlite
    return open_hub(args.data, key=hub_key(args))


def node_add(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = open_existing_hub(args)
    try:
        node_id, code = admin.add_node(hub, args.name, args.kind, tuple(args.role))
        card = enroll_card(args, hub, node_id, code)
    finally:
        hub.close()
    if args.json:
        emit({"ok": True, "node_id": node_id, "code": code, "name": args.name.strip(),
               "kind": args.kind, "roles": list(args.role),
               "code_valid_days": admin.CODE_VALID_MS // (24 * 3600 * 1000), **card})
        return 0
    print(f"节点编号 {node_id}")
    print(f"登记码 {code}（只能用一次，7天内有效）")
    show_card(card)
    return 0


def enroll_card(args: argparse.Namespace, hub: Any, node_id: str, code: str) -> dict[str, Any]:
    """The enrollment QR code (app.services.enroll_card): PNG written, terminal text."""
    from app.services.enroll_card import EnrollCard, terminal_qr, write_png
    from sync.hub.tls import certificate_in_use
    from sync.tls import fingerprint, short_fingerprint
    cert = certificate_in_use(hub)
    card = EnrollCard(code, args.url.strip().rstrip("/"), fingerprint(cert))
    png = write_png(card, args.qr or Path(f"登记码-{node_id[:8]}.png"))
    return {"qr_png": str(png), "qr_text": card.text(), "fingerprint": card.fingerprint,
            "fingerprint_short": short_fingerprint(cert), "qr_terminal": terminal_qr(card)}


def show_card(card: dict[str, Any]) -> None:
    print(f"服务器证书指纹 {card['fingerprint_short']}（登记时平板会核对）")
    print("登记二维码（平板在登记页点“从照片读取二维码”，选这张二维码的照片）：")
    print(card["qr_terminal"], end="")
    print(f"二维码图片已保存：{card['qr_png']}（含登记码，登记完可删除）")


def node_list(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = open_existing_hub(args)
    try:
        nodes = admin.list_nodes(hub)
    finally:
        hub.close()
    rows = [{"id": n["id"], "kind": n["kind"], "name": n["name"],
             "roles": [r for r in (n["roles"] or "").split(",") if r],
             "direct": bool(n["direct"]), "parent": n["parent"],
             "state": "revoked" if n["revoked"] else ("enrolled" if n["enrolled_at"]
                                                      else "waiting"),
             "enrolled_at": n["enrolled_at"]} for n in nodes]
    if args.json:
        emit({"ok": True, "nodes": rows})
        return 0
    states = {"revoked": "已注销", "enrolled": "已登记", "waiting": "待登记"}
    for row in rows:
        where = "直属" if row["direct"] else "下级"
        print(f"{row['id']}  {row['kind']:8} {where} {states[row['state']]}  {row['name']}")
    return 0


def node_revoke(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = open_existing_hub(args)
    try:
        admin.revoke(hub, args.id)
    finally:
        hub.close()
    if args.json:
        emit({"ok": True, "revoked": args.id})
    else:
        print(f"已注销 {args.id}")
    return 0


def node_replace(args: argparse.Namespace) -> int:
    from sync.hub import admin
    hub = open_existing_hub(args)
    try:
        code = admin.replace_device(hub, args.id)
        card = enroll_card(args, hub, args.id, code)
    finally:
        hub.close()
    if args.json:
        emit({"ok": True, "node_id": args.id, "code": code,
               "code_valid_days": admin.CODE_VALID_MS // (24 * 3600 * 1000), **card})
        return 0
    print(f"节点 {args.id} 的旧设备登记已作废。")
    print(f"新设备的登记码 {code}（只能用一次，7天内有效）：新设备登记后第一次同步，"
          "会取回已经同步到服务器的全部记录；旧设备上没有同步的记录无法取回。")
    show_card(card)
    return 0
