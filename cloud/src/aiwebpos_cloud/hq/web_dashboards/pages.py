"""The HQ dashboards page: static HTML, CSS and plain JavaScript served by the HQ app itself (no CDN,
no build step), drawing its charts as inline SVG from the JSON API with the token the login stored."""

from pathlib import Path

from litestar import Router
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"
PAGE_PATH = "/hq/dashboards"


def dashboards_static() -> Router:
    """`/hq/dashboards/` and its files. Public: the page holds no data, and a browser cannot send the
    token with a page load anyway; every figure comes from the API, which asks for it."""
    return create_static_files_router(
        path=PAGE_PATH, directories=[STATIC], html_mode=True, opt={"public": True}, name="hq-dashboards"
    )
