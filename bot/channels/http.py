"""Running an aiohttp application on a TCP port, for the web chat and the webhooks."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

SHUTDOWN_TIMEOUT = 5.0  # seconds given to requests in flight when the gateway stops


class BadHttpWithoutTraceback(logging.Filter):
    """aiohttp answers a malformed HTTP request (a control character in a header, a broken
    request line) with 400 but logs it as an ERROR with a traceback: keep one line, at
    WARNING, without the request's bytes."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 400) < 500:
            record.levelno, record.levelname = (
                logging.WARNING,
                logging.getLevelName(logging.WARNING),
            )
            record.msg, record.args = "Malformed HTTP request refused: %s", (type(error).__name__,)
            record.exc_info = record.exc_text = None
        return True


_BAD_HTTP_FILTER = BadHttpWithoutTraceback()


@contextlib.asynccontextmanager
async def serve(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve `app` while the context is open; yields the bound port (useful with port 0)."""
    server_log = logging.getLogger("aiohttp.server")
    if _BAD_HTTP_FILTER not in server_log.filters:
        server_log.addFilter(_BAD_HTTP_FILTER)
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
