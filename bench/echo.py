"""A bare echo endpoint on the hub's server stack (Starlette on uvicorn, same settings
as sync.hub.server.serve): the baseline bench.hub compares the hub with.

    python -m bench.echo --port N

POST /v1/push reads the body (the hub has to receive it too) and answers a small JSON
object; GET /v1/info answers so the process can be waited for like a hub.
"""
from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def push(request: Request) -> Response:
    await request.body()
    return JSONResponse({"accepted": {}})


async def info(request: Request) -> Response:
    return JSONResponse({"api": "v1", "echo": True})


app = Starlette(routes=[Route("/v1/push", push, methods=["POST"]),
                        Route("/v1/info", info, methods=["GET"])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.echo")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
