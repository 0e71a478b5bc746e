"""Which event loop and HTTP parser `aiwebpos-edge serve` runs on: uvicorn picks uvloop and httptools
by itself when they are installed in the venv, and the plain asyncio loop and h11 otherwise."""

from importlib.util import find_spec


def server_stack() -> str:
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    http = "httptools" if find_spec("httptools") else "h11"
    return f"{loop}+{http}"
