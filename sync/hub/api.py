"""The hub's HTTP API (/v1). Routes are thin: they authenticate, decode, call the
store, and turn every Problem into a problem+json 4xx with a stable `code`."""
from __future__ import annotations

import gzip
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sync import log as events_log, wire
from sync.db import DatabaseError
from sync.errors import Problem
from sync.hub import admin, quarantine
from sync.hub.blobs import BlobStore
from sync.hub.care import Health
from sync.hub.groupcommit import GroupCommit
from sync.hub.openapi import OPENAPI
from sync.hub.pairing import Pairings
from sync.hub.store import HubStore
from sync.keys import REPLY_SIGNATURE, reply_message

log = logging.getLogger("sanji.hub")
Handler = Callable[[Request], Awaitable[Response]]


def problem_response(exc: Problem) -> JSONResponse:
    return JSONResponse(exc.to_json(), status_code=exc.status,
                        media_type="application/problem+json")


async def read_body(request: Request, limit: int = wire.MAX_COMPRESSED) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes: an
    oversized upload (signed or not) never sits whole in the hub's memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem(413, "too_large", "请求太大，请分批发送。")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "too_large", "请求太大，请分批发送。")
        chunks.append(chunk)
    return b"".join(chunks)


def gz_json(value: Any, status: int = 200, sign: Callable[[bytes], str] | None = None
            ) -> Response:
    data = wire.dumps(value)
    headers = {"content-encoding": "gzip"}
    if sign is not None:
        headers[REPLY_SIGNATURE] = sign(data)
    return Response(gzip.compress(data, compresslevel=6, mtime=0), status_code=status,
                    media_type="application/json", headers=headers)


def damaged_response(health: Health) -> JSONResponse:
    return problem_response(Problem(503, "hub_damaged", health.message()))


def create_app(hub: HubStore, blobs: BlobStore, on_pushed: Callable[[], None] | None = None,
               extra_routes: Sequence[BaseRoute] = (), health: Health | None = None
               ) -> Starlette:
    pushes = GroupCommit(hub.conn)
    pairings = Pairings(hub)
    health = health or Health(hub.path.parent)

    async def authed(request: Request, body: bytes) -> Any:
        admin.refresh_tree(hub)
        return admin.authenticate(hub, request.headers, request.method, request.url.path, body)

    async def info(request: Request) -> Response:
        public = {"level": hub.meta.get("level"), "name": hub.meta.get("name"),
                  "hub_time": hub.now_ms(), "api": "v1"}
        if not await insider(request):
            return JSONResponse(public)
        return JSONResponse({**hub.identity(), **public})

    async def insider(request: Request) -> bool:
        """An administrator (sync.hub.admin.status_token) or an enrolled node's signed
        request: they see the hub's ids, counts and error texts; others do not
        (issue #11: a public hub tells strangers nothing they could use)."""
        if admin.is_admin(hub.db_key, request.headers):
            return True
        if not request.headers.get("x-sanji-node"):
            return False
        try:
            await authed(request, b"")
        except Problem:
            return False
        return True

    async def enroll_body(request: Request) -> dict[str, Any]:
        body = wire.decode(await read_body(request, 64 * 1024),
                           request.headers.get("content-encoding"), limit=64 * 1024)
        if not isinstance(body, dict):
            raise Problem(400, "bad_request", "登记请求格式不对。")
        return body

    async def enroll_start(request: Request) -> Response:
        return JSONResponse(pairings.start(await enroll_body(request),
                                           tls=request.url.scheme == "https"))

    async def enroll(request: Request) -> Response:
        body = await enroll_body(request)
        if "session" in body:         # the SPAKE2 exchange's second step (sync.pairing)
            return JSONResponse(admin.enroll(hub, body, proven=pairings.finish(body)))
        return JSONResponse(admin.enroll(hub, body))

    async def push(request: Request) -> Response:
        raw = await read_body(request)
        headers, method, path = request.headers, request.method, request.url.path

        def store() -> dict[str, Any]:
            # The request counter and the pushed events commit together, with the
            # other pushes of the group (sync.hub.groupcommit). A push refused as a
            # whole leaves its counter unused, which is harmless: a replay of it is
            # refused the same way.
            admin.refresh_tree(hub)
            sender = admin.authenticate(hub, headers, method, path, raw)
            body = wire.decode(raw, headers.get("content-encoding"))
            if not isinstance(body, dict):
                raise Problem(400, "bad_request", "推送内容格式不对。")
            return hub.accept_push(sender, body)

        result = await pushes.run(store)
        if result["stored"] and on_pushed is not None:
            on_pushed()
        reply = {"accepted": result["accepted"], "hub_time": hub.now_ms(),
                 "epoch": hub.epoch}
        if result["problems"]:
            first = result["problems"][0]
            return JSONResponse({**first, **reply, "problems": result["problems"]},
                                status_code=first["status"],
                                media_type="application/problem+json")
        return JSONResponse(reply)

    async def pull(request: Request) -> Response:
        raw = await read_body(request)
        child = await authed(request, raw)
        body = wire.decode(raw, request.headers.get("content-encoding"), limit=1024 * 1024)
        if not isinstance(body, dict):
            raise Problem(400, "bad_request", "拉取请求格式不对。")
        have = body.get("have")
        if have is not None and not (isinstance(have, dict) and all(
                isinstance(k, str) and type(v) is int for k, v in have.items())):
            raise Problem(400, "bad_request", "have 必须是 来源→序号 的对照表。")
        limit = body.get("limit", 500)
        if type(limit) is not int:
            raise Problem(400, "bad_request", "limit 必须是整数。")
        own_after = body.get("own_after")
        if own_after is not None and (type(own_after) is not int or own_after < 0):
            raise Problem(400, "bad_request", "own_after 必须是非负整数。")
        certs_after = body.get("certs_after", 0)
        if type(certs_after) is not int or certs_after < 0:
            raise Problem(400, "bad_request", "certs_after 必须是不小于 0 的整数。")
        # Signed, so the child can tell this reply from one injected on the way (the
        # counter is the request's, already checked by authenticate).
        counter = int(request.headers["x-sanji-counter"])

        def signed(result: dict[str, Any]) -> Response:
            return gz_json({**result, "hub_time": hub.now_ms()},
                           sign=lambda data: hub.key().sign(
                               reply_message(request.url.path, child.id, counter, data)))

        result = hub.pull(child, body.get("cursor"), limit, have, own_after, certs_after)
        try:
            return signed(result)
        except (TypeError, ValueError):   # what jsoncodec.dumps cannot write: TypeError
            # One stored event cannot be encoded: set it aside (sync.hub.quarantine)
            # and answer without it, rather than fail this and every later pull.
            if not quarantine.set_aside(hub.conn, [item[0] for item in result["events"]]):
                raise
            log.warning("quarantined unservable events while serving %s", child.id)
            return signed(hub.pull(child, body.get("cursor"), limit, have, own_after,
                                   certs_after))

    async def heads(request: Request) -> Response:
        child = await authed(request, b"")
        marks = {o: s for o, s in hub.conn.execute(
            "SELECT origin, MAX(seq) FROM events GROUP BY origin")
            if hub.tree.is_within(o, child.id)}
        return JSONResponse({"heads": marks, "epoch": hub.epoch, "hub_time": hub.now_ms()})

    async def blob(request: Request) -> Response:
        sha = request.path_params["sha"]
        raw = await read_body(request) if request.method == "PATCH" else b""
        child = await authed(request, raw)
        return blobs.handle(child, request.method, sha, request.headers, raw)

    async def openapi(request: Request) -> Response:
        return JSONResponse(OPENAPI)

    async def status(request: Request) -> Response:
        if not await insider(request):
            return JSONResponse(public_status(health, hub))
        try:
            return JSONResponse(hub_status(hub, health))
        except DatabaseError as exc:          # the counts met a damaged page: say so
            if type(exc) is DatabaseError:
                health.mark_damaged(f"读写数据库时出错：{exc}")
                return JSONResponse(hub_status(hub, health))
            raise

    routes = [
        Route("/v1/info", info, methods=["GET"]),
        Route("/v1/enroll/start", enroll_start, methods=["POST"]),
        Route("/v1/enroll", enroll, methods=["POST"]),
        Route("/v1/push", push, methods=["POST"]),
        Route("/v1/pull", pull, methods=["POST"]),
        Route("/v1/heads", heads, methods=["GET"]),
        Route("/v1/blobs/{sha}", blob, methods=["HEAD", "PATCH", "GET"]),
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        Route("/v1/status", status, methods=["GET"]),
    ]
    return Starlette(routes=[*routes, *extra_routes],
                     middleware=[Middleware(DamageGate, health=health)],
                     exception_handlers=problem_handlers(health))


def problem_handlers(health: Health) -> dict[Any, Callable[[Request, Exception], Any]]:
    """Every refusal as problem+json with its catalogued status (sync.problems); a
    database that turns out damaged marks the hub so (every route then answers 503,
    DamageGate); anything else is logged and answered 500 — the hub keeps serving
    whatever one request did."""
    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc)

    async def database(request: Request, exc: Exception) -> Response:
        if type(exc) is not DatabaseError:      # locked, constraint…: not damage
            return await internal(request, exc)
        health.mark_damaged(f"读写数据库时出错：{exc}")   # malformed, not a database
        return damaged_response(health)

    async def internal(request: Request, exc: Exception) -> Response:
        log.error("unhandled error in %s", request.url.path, exc_info=exc)
        return problem_response(Problem(500, "internal", "服务器内部错误，已记录，请稍后重试。"))

    return {Problem: problem, DatabaseError: database, Exception: internal}


class DamageGate:
    """A damaged database is not served (issue #11: refuse, never 500 forever); only
    /v1/status still answers, saying so. Covers the extension's routes too."""

    def __init__(self, app: Any, health: Health) -> None:
        self.app, self.health = app, health

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and self.health.damaged
                and scope.get("path") != "/v1/status"):
            await damaged_response(self.health)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def damaged_app(health: Health, key: bytes | None = None) -> Starlette:
    """What a hub serves when its database failed the check at start (or does not open):
    /v1/status says so, everything else is refused with how to restore."""
    async def status(request: Request) -> Response:
        if not admin.is_admin(key, request.headers):
            return JSONResponse(public_status(health))
        return JSONResponse({"healthy": False, "problems": [health.message()],
                             **health.report()})

    async def refuse(request: Request) -> Response:
        return damaged_response(health)

    return Starlette(routes=[Route("/v1/status", status, methods=["GET"]),
                             Route("/{path:path}", refuse, methods=["GET", "HEAD", "POST", "PATCH"])])


def public_status(watch: Health, hub: HubStore | None = None) -> dict[str, Any]:
    """What anyone may know: whether the hub works. No counts, ids or error texts (the
    operator sees them with the admin token, a node with its signed request)."""
    healthy = not watch.damaged
    if healthy and hub is not None:
        try:
            healthy = bool(health(hub)["healthy"])
        except DatabaseError:
            healthy = False
    return {"healthy": healthy, "database": "damaged" if watch.damaged else "ok",
            "api": "v1", "details": "详细状态只给本服务器的管理员和已登记的节点看。"}


def hub_status(hub: HubStore, watch: Health | None = None) -> dict[str, Any]:
    """The hub's counters and state; its database's (`watch`: sync/hub/care.py) beside
    the relay's and the quarantine's (`health`). A damaged database gives no counts."""
    watch = watch or Health(hub.path.parent)
    report = watch.report()
    if watch.damaged:
        return {"hub_id": hub.meta.get("hub_id") if _readable(hub) else None,
                "healthy": False, "problems": [watch.message()], **report}
    events = hub.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    nodes = hub.conn.execute("SELECT COUNT(*) FROM nodes WHERE direct=1 AND revoked=0"
                             ).fetchone()[0]
    status = {"hub_id": hub.hub_id, "level": hub.meta.get("level"),
              "name": hub.meta.get("name"), "events": events, "children": nodes,
              "pending_up": hub.pending_up(),
              "last_up_success": hub.meta.get("up_last_success"),
              "last_up_error": hub.meta.get("up_last_error"), "epoch": hub.epoch}
    return {**status, **health(hub), **report}


def health(hub: HubStore) -> dict[str, Any]:
    """What needs a person (issue #7 items 5 and 6): events set aside because they cannot
    be sent on, a relay that keeps failing, and far-future events (kept, flagged, shown
    to the town). `healthy` is false while any of the first two holds."""
    held = quarantine.summary(hub.conn)
    failures = int(hub.meta.get("up_failures", "0") or 0)
    far = dict(hub.conn.execute("SELECT origin, COUNT(*) FROM events WHERE flags != 0"
                                " AND flags & ? GROUP BY origin", (events_log.FLAG_FAR_FUTURE,)))
    problems = []
    if held["count"]:
        problems.append(f"有 {held['count']} 条数据无法转发，已隔离：请把服务器状态发给县里的技术人员。")
    if failures:
        problems.append(f"向上级同步已连续失败 {failures} 次，会自动重试：请检查网络和上级服务器。")
    return {"healthy": not problems, "problems": problems, "quarantined": held,
            "relay": {"failures": failures, "next_try_at": hub.meta.get("up_next_try")},
            "far_future": {"events": sum(far.values()), "by_origin": far}}


def _readable(hub: HubStore) -> bool:
    try:
        hub.meta.get("hub_id")
    except DatabaseError:
        return False
    return True


