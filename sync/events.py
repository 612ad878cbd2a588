"""The event envelope: checking it, hashing it, and its compact wire forms.

An event is a dict with the envelope fields of canonical.HASHED_FIELDS plus
`payload` (a dict), `payload_json` (its canonical text, what the hash covers),
`prev` and `hash`. On the wire (push) an event is a short list; seq, origin, prev and
hash are implied by the run it travels in and recomputed by the receiver, which saves
about 130 bytes an event and means a receiver never trusts a hash it did not compute.
"""
from __future__ import annotations

from typing import Any

from schemas import PayloadError, Registry
from schemas.bounds import MAX_PAYLOAD_CHARS
from sync.canonical import canonical_json, event_hash
from sync.errors import Problem
from sync.hlc import MAX_HLC
from sync.ids import is_uuid

MAX_NAME = 64
MAX_SEQ = 2**62

# Push form: [id, hlc, type, v, record, kind, author, owner, payload]
PUSH_FIELDS = ("id", "hlc", "type", "v", "record", "kind", "author", "owner")
# Pull form: [id, origin, seq, hlc, type, v, record, kind, author, owner, payload, prev, hash]
PULL_FIELDS = ("id", "origin", "seq", "hlc", "type", "v", "record", "kind", "author", "owner")


def bad(code: str, message: str, **extra: object) -> Problem:
    return Problem(422, code, message, **extra)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME and value.isprintable()


def check_envelope(event: dict[str, Any], registry: Registry) -> None:
    """Raise a 422 Problem unless the envelope and payload are well formed."""
    where = {"event_id": event.get("id") if isinstance(event.get("id"), str) else None}
    if not is_uuid(event.get("id")):
        raise bad("bad_event_id", "事件编号格式不对（应为 UUID）。", **where)
    if not is_uuid(event.get("record")):
        raise bad("bad_record_id", "记录编号格式不对（应为 UUID）。", **where)
    for name in ("origin", "author"):
        if not _is_name(event.get(name)):
            raise bad("bad_envelope", f"事件的 {name} 字段缺失或格式不对。", **where)
    owner = event.get("owner")
    if owner is not None and not _is_name(owner):
        raise bad("bad_envelope", "事件的 owner 字段格式不对。", **where)
    for name, limit in (("seq", MAX_SEQ), ("hlc", MAX_HLC), ("v", 1000)):
        value = event.get(name)
        if type(value) is not int or not 0 < value <= limit:
            raise bad("bad_envelope", f"事件的 {name} 字段缺失或超出范围。", **where)
    etype = event.get("type")
    if not isinstance(etype, str) or not registry.knows(etype, event["v"]):
        raise bad("unknown_event_type",
                  f"不认识的事件类型 {etype!r} 版本 {event['v']}：请升级接收方程序。", **where)
    if registry.kind_of(etype, event["v"]) != event.get("kind"):
        raise bad("bad_envelope", f"事件类型 {etype} 不属于记录种类 {event.get('kind')!r}。",
                  **where)
    if not isinstance(event.get("payload"), dict):
        raise bad("schema_invalid", "事件内容必须是一个对象。", **where)
    try:
        registry.validate(etype, event["v"], event["payload"])
    except PayloadError as exc:
        raise bad(exc.code, exc.message, **where) from exc
    if "payload_json" in event:
        check_size(event)


def check_size(event: dict[str, Any]) -> None:
    """Raise a 422 Problem if a sealed event's payload is over MAX_PAYLOAD_CHARS (issue #7
    item 6; schemas/bounds.py: every schema's largest payload fits, bar the free values
    of town rules and the catalog, which this cap bounds)."""
    if len(event["payload_json"]) > MAX_PAYLOAD_CHARS:
        raise bad("payload_too_large",
                  f"事件内容超过 {MAX_PAYLOAD_CHARS // 1024}K 字符的上限：请把附件单独上传、长文字分条记录。",
                  event_id=event.get("id") if isinstance(event.get("id"), str) else None)


def seal(event: dict[str, Any], prev: str) -> dict[str, Any]:
    """Fill payload_json, prev and hash in place; returns the event."""
    event["payload_json"] = canonical_json(event["payload"])
    event["prev"] = prev
    event["hash"] = event_hash(prev, event, event["payload_json"])
    return event


def to_push(event: dict[str, Any]) -> list[Any]:
    return [event[f] for f in PUSH_FIELDS] + [event["payload"]]


def from_push(item: object, origin: str, seq: int) -> dict[str, Any]:
    if not isinstance(item, list) or len(item) != len(PUSH_FIELDS) + 1:
        raise bad("bad_envelope", "推送的事件格式不对。")
    event = dict(zip(PUSH_FIELDS, item))
    event["payload"] = item[-1]
    event["origin"] = origin
    event["seq"] = seq
    return event


def to_pull(event: dict[str, Any]) -> list[Any]:
    return [event[f] for f in PULL_FIELDS] + [event["payload"], event["prev"], event["hash"]]


def from_pull(item: object) -> dict[str, Any]:
    """An event of a pull reply. One that cannot be read comes back as an envelope that
    fails check_envelope, so the receiver quarantines it and goes on with the others
    (one bad item must not stop every later pull)."""
    if not isinstance(item, list) or len(item) != len(PULL_FIELDS) + 3:
        return {"id": None, "unreadable": repr(item)[:200]}
    event = dict(zip(PULL_FIELDS, item))
    event["payload"], event["prev"], event["hash"] = item[-3], item[-2], item[-1]
    return event


def pulled(body: object) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events and the cursor of a pull reply; a reply without them, or with a cursor
    the hub could not take back (it is stored and sent on the next pull), is refused."""
    events = body.get("events", []) if isinstance(body, dict) else None
    cursor = body.get("cursor") if isinstance(body, dict) else None
    if not isinstance(events, list) or not isinstance(cursor, dict) or not _is_cursor(cursor):
        raise Problem(502, "bad_reply", "服务器的回复缺少数据或游标，已忽略：请稍后再同步，一直这样请告诉镇里。")
    return [from_pull(item) for item in events], cursor


def pulled_certs(body: dict[str, Any]) -> tuple[list[Any], int | None]:
    """The certificates of a pull reply and the position they run to (each certificate
    is checked against its chain by whoever keeps it, sync.certs)."""
    certs, through = body.get("certs"), body.get("certs_through")
    return (certs if isinstance(certs, list) else [],
            through if type(through) is int and through >= 0 else None)


def _is_cursor(cursor: object) -> bool:
    return isinstance(cursor, dict) and set(cursor) == {"epoch", "fseq", "id"} \
        and type(cursor["fseq"]) is int and 0 <= cursor["fseq"] <= MAX_SEQ \
        and all(isinstance(cursor[k], str) and len(cursor[k]) <= MAX_NAME
                for k in ("epoch", "id"))
