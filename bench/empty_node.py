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

import msgspec
import uvicorn
from litestar import Litestar, get, post

# What each route answers, the same from both apps (the tills read `id` and `cash_due_cents`).
OPENED: dict[str, Any] = {"id": "00000000-0000-0000-0000-000000000000"}
SCANNED: dict[str, Any] = {"cash_due_cents": 12345}
PAID: dict[str, Any] = {"cash_due_cents": 0}
COMPLETED: dict[str, Any] = {"status": "completed"}
HEALTHY: dict[str, Any] = {"status": "ok"}


@post("/api/v1/sales", status_code=201)
async def open_sale(data: dict[str, Any]) -> dict[str, Any]:
    return OPENED


@post("/api/v1/sales/{sale_id:str}/lines", status_code=200)
async def add_line(sale_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return SCANNED


@post("/api/v1/sales/{sale_id:str}/payments", status_code=200)
async def add_payment(sale_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return PAID


@post("/api/v1/sales/{sale_id:str}/complete", status_code=200)
async def complete(sale_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return COMPLETED


@get("/health")
async def health() -> dict[str, Any]:
    return HEALTHY


def litestar_app() -> Litestar:
    return Litestar([open_sale, add_line, add_payment, complete, health])


# The bare app's answers by the path's last part (a sale's id comes before it), encoded once.
_BARE = {
    part: (status, msgspec.json.encode(body))
    for part, status, body in (
        ("sales", 201, OPENED),
        ("lines", 200, SCANNED),
        ("payments", 200, PAID),
        ("complete", 200, COMPLETED),
        ("health", 200, HEALTHY),
    )
}


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The four routes and /health with no framework: read the body, answer a fixed one."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    status, body = _BARE[scope["path"].rsplit("/", 1)[-1]]
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
