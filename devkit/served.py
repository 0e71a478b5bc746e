"""An ASGI app served by uvicorn in a thread of the test process, on a free port, for Chromium to open
(Playwright's sync API runs its own event loop, so the app cannot share the test's)."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from devkit.mosquitto import free_port


@contextmanager
def served(app: Any, what: str = "the app") -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    port = free_port()
    # Open event streams (a till page's device events) would hold a graceful shutdown for ever: cut them.
    config = uvicorn.Config(app, port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
