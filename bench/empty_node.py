"""The HTTP stack's own ceiling: the checkout's routes answered by apps that do no work at all.

`python -m bench.empty_node {litestar|asgi} PORT` serves, with uvicorn exactly as `aiwebpos-edge serve`
runs it (same loop and parser, no access log), the four routes a till's sale uses:

- `litestar`: a Litestar app with the same paths and methods, each parsing its JSON body and answering a
  fixed JSON body (no auth, no database, no pricing);
- `asgi`: a bare ASGI callable answering the same fixed bodies, with no framework at all.

Driven by the same tills as the node (bench.tills), they show how many sales a second the server and
the framework alone allow on this machine, before the node does anything.
"""

import sys
from typing import Any

import uvicorn
from litestar import Litestar, get, post

_OPENED = b'{"id":"00000000-0000-0000-0000-000000000000"}'
_DUE = b'{"cash_due_cents":12345}'
_HEALTH = b'{"status":"ok"}'


@post("/api/v1/sales", status_code=201)
async def open_sale(data: dict[str, Any]) -> dict[str, str]:
    return {"id": "00000000-0000-0000-0000-000000000000"}


@post("/api/v1/sales/{sale_id:str}/lines", status_code=200)
async def add_line(sale_id: str, data: dict[str, Any]) -> dict[str, int]:
    return {"cash_due_cents": 12345}


@post("/api/v1/sales/{sale_id:str}/payments", status_code=200)
async def add_payment(sale_id: str, data: dict[str, Any]) -> dict[str, int]:
    return {"cash_due_cents": 0}


@post("/api/v1/sales/{sale_id:str}/complete", status_code=200)
async def complete(sale_id: str, data: dict[str, Any]) -> dict[str, str]:
    return {"status": "completed"}


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def litestar_app() -> Litestar:
    return Litestar([open_sale, add_line, add_payment, complete, health])


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The four routes and /health with no framework: read the body, answer a fixed one."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    path = scope["path"]
    status, body = (201, _OPENED) if path == "/api/v1/sales" else (200, _DUE)
    if path == "/health":
        body = _HEALTH
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str]) -> int:
    kind, port = argv[0], int(argv[1])
    app: Any = litestar_app() if kind == "litestar" else bare_app
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
