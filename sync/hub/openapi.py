"""The hub's published OpenAPI description (GET /v1/openapi.json)."""
from __future__ import annotations

from typing import Any

_AUTH: list[dict[str, list[str]]] = [{"node": []}]
_PROBLEM = {"description": "problem+json with a stable `code` and a Chinese `title`",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _op(summary: str, auth: bool = True, body: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {
        "200": {"description": "OK"}, "4XX": _PROBLEM}}
    if auth:
        op["security"] = _AUTH
        op["parameters"] = [
            {"name": "X-Sanji-Node", "in": "header", "required": True, "schema": {"type": "string"}},
            {"name": "X-Sanji-Counter", "in": "header", "required": True,
             "description": "strictly increasing per node; a repeat is refused as replayed",
             "schema": {"type": "integer"}},
            {"name": "X-Sanji-Signature", "in": "header", "required": True,
             "description": "Ed25519 over 'sanji-req\\nMETHOD\\nPATH\\nNODE\\nCOUNTER\\nsha256(body)'",
             "schema": {"type": "string"}}]
    if body:
        op["requestBody"] = {"required": True, "description": body,
                             "content": {"application/json": {"schema": {"type": "object"}}}}
    return op


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Sanji hub", "version": "1",
             "description": "Offline-first replication between village stations, town and "
                            "county hubs. Bodies may be gzip (Content-Encoding: gzip)."},
    "paths": {
        "/v1/info": {"get": _op("Level, name, hub time; to the operator (X-Sanji-Admin) or a "
                                "node also the hub's identity", auth=False)},
        "/v1/enroll/start": {"post": _op(
            "SPAKE2 enrollment, first step (sync/pairing.py): reply session, msg, confirm "
            "(HMAC under the exchanged key over the hub's certificate fingerprint)",
            auth=False, body="{hint: the code's first 4 digits, msg: SPAKE2 B message}")},
        "/v1/enroll": {"post": _op("Enrollment's second step: node id, token, hub identity, the node's "
                                   "certificate, its hub's chain and the root key (node_id: town hubs only)",
                                   auth=False, body="{session, proof, pubkey, node_id?} "
                                                    "(or {code, pubkey} once, from old clients)")},
        "/v1/push": {"post": _op(
            "Push runs of events; reply accepted (origin → accepted_through)",
            body="{runs: [{origin, from_seq, prev, events: [[id,hlc,type,v,record,kind,author,"
                 "owner,payload]], head: {seq, hash, sig, signer?}}], nodes?: [cert]}")},
        "/v1/pull": {"post": _op(
            "Pull events in scope after a cursor, with the certificates stored after "
            "certs_after and the root; the reply is signed (X-Sanji-Reply-Signature: "
            "Ed25519 over 'sanji-reply\\nPATH\\nNODE\\nCOUNTER\\nsha256(body)')",
            body="{cursor: {epoch, fseq, id} | null, limit?, have?, certs_after?, "
                 "own_after?}")},
        "/v1/heads": {"get": _op("Per-origin high-water marks for the caller's subtree")},
        "/v1/blobs/{sha}": {
            "head": _op("How much of an attachment is held (Upload-Offset); to a node whose "
                        "scope holds no record referencing it, the same answer as for a sha "
                        "nothing references (409 blob_unreferenced)"),
            "patch": _op("Append a chunk at Upload-Offset (Upload-Length = total); a partial "
                         "upload that does not grow for a week expires"),
            "get": _op("Download an attachment: only within the caller's scope, else 404 "
                       "blob_missing as for an absent one")},
        "/v1/status": {"get": _op(
            "To anyone: healthy, database. To the operator (X-Sanji-Admin) or a node: "
            "hub counters and relay state: healthy, problems (Chinese), quarantined events "
            "the hub cannot send on, relay failures in a row and next try, far-future "
            "events by origin; database (ok | damaged), damage, restore, checked_at, "
            "last_backup, last_backup_error", auth=False)},
        "/v1/openapi.json": {"get": _op("This document", auth=False)},
    },
    "components": {
        "securitySchemes": {"node": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Problem": {"type": "object", "required": ["code", "title", "status"],
                                "properties": {"code": {"type": "string"},
                                               "title": {"type": "string"},
                                               "status": {"type": "integer"},
                                               "accepted": {"type": "object"}}}},
    },
}
