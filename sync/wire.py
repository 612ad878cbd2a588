"""Bodies on the wire: gzip-compressed JSON, decompressed under a hard cap.

httpx does not compress requests, so we do (DESIGN.md "Push"). The hub caps both the
compressed body and what it inflates to, so a gzip bomb costs it at most the cap, and
refuses a body nested deeper than it could send on (issue #7 item 6: orjson writes at most
254 levels; the schemas bound each payload far below that).
"""
from __future__ import annotations

import gzip
import zlib
from typing import Any

from schemas.bounds import too_deep
from sync import jsoncodec
from sync.errors import Problem

MAX_COMPRESSED = 2 * 1024 * 1024        # a push body on the wire
MAX_INFLATED = 16 * 1024 * 1024         # what it may decompress to
TARGET_COMPRESSED = 256 * 1024          # batch size target (issue #2 §3)
# A push body holds a payload 5 levels down (body, runs, run, events, event), a pull
# reply 3, and a payload is at most MAX_PAYLOAD_DEPTH deep: an honest body stays under
# 16. The cap is what orjson can write, so that whatever a hub accepts it can send on; a
# payload too deep for its schema is refused by the schema, which stops only its own
# origin's run while the other runs of the same push go through.
MAX_DEPTH = 254


def encode(value: Any, level: int = 6) -> bytes:
    return gzip.compress(jsoncodec.dumps(value), compresslevel=level, mtime=0)


def dumps(value: Any) -> bytes:
    return jsoncodec.dumps(value)


def inflate(body: bytes, limit: int = MAX_INFLATED) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
        if inflater.unconsumed_tail:
            raise Problem(413, "too_large", f"解压后的数据超过 {limit // 1024 // 1024} MB 上限，请分批发送。")
        data += inflater.flush()
    except zlib.error as exc:
        raise Problem(400, "bad_gzip", "数据压缩格式损坏，请重新发送。") from exc
    if not inflater.eof:
        raise Problem(400, "bad_gzip", "压缩数据不完整（可能传输中断），请重新发送。")
    if inflater.unused_data:
        # A second gzip member or trailing bytes: never silently ignored.
        raise Problem(400, "bad_gzip", "压缩数据后面还有多余的内容，请重新发送。")
    if len(data) > limit:
        raise Problem(413, "too_large", "解压后的数据超过上限，请分批发送。")
    return data


def decode(body: bytes, content_encoding: str | None, limit: int = MAX_INFLATED) -> Any:
    if len(body) > MAX_COMPRESSED:
        raise Problem(413, "too_large", "请求太大，请分批发送。")
    if (content_encoding or "").lower() == "gzip":
        body = inflate(body, limit)
    elif len(body) > limit:
        raise Problem(413, "too_large", "请求太大，请分批发送。")
    try:
        value = jsoncodec.loads(body)
    except jsoncodec.DecodeError as exc:
        raise Problem(400, "bad_json", "数据不是有效的 JSON，请重新发送。") from exc
    if _too_deep(value):
        raise Problem(422, "too_deep",
                      f"数据嵌套超过 {MAX_DEPTH} 层，已拒收，什么也没有保存：请用正式版程序重新同步。")
    return value


def _too_deep(value: Any) -> bool:
    """Nested over MAX_DEPTH. With orjson (every hub has it) writing the value is the
    test — its only refusal for a value it has just read is nesting over 254 — at about
    0.3 µs an event, a tenth of walking it (schemas.bounds.too_deep, the fallback)."""
    if jsoncodec.orjson is not None:
        try:
            jsoncodec.orjson.dumps(value)
        except jsoncodec.orjson.JSONEncodeError:
            return True
        return False
    return too_deep(value, MAX_DEPTH)
