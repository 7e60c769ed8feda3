"""Running an aiohttp application on a TCP port, for the web chat and the webhooks."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from aiohttp import web

SHUTDOWN_TIMEOUT = 5.0  # seconds given to requests in flight when the gateway stops


@contextlib.asynccontextmanager
async def serve(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve `app` while the context is open; yields the bound port (useful with port 0)."""
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
