"""The till: static files served by the node itself (no CDN: the store may have no internet), talking to
the JSON API with the cashier's token. No build step and no server-side rendering: the page is a few
kilobytes of HTML, CSS and plain JavaScript, cheap for a Pi to serve and for a till to load."""

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_302_FOUND

STATIC = Path(__file__).parent / "static"

till_files = create_static_files_router(
    path="/till", directories=[STATIC], html_mode=True, opt={"public": True}, name="till"
)


@get("/", opt={"public": True}, include_in_schema=False)
async def home() -> Response[None]:
    return Response(None, status_code=HTTP_302_FOUND, headers={"Location": "/till/"})
