"""Rasa's input channel served in-process by Sanic, in front of a scripted stand-in for the
agent, registered exactly as `rasa run` registers channels (rasa.core.channels.register)."""

from __future__ import annotations

import contextlib
import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.rasa_input import GatewayRestInput

Behaviour = Callable[[UserMessage], Awaitable[None]]
_app_names = itertools.count()


class FakeAgent:
    """Stands in for `rasa.core.agent.Agent`; `behaviour` answers each message (default:
    echo the text). Every message it receives is kept, metadata included."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.behaviour: Behaviour = echo

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await self.behaviour(message)


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"Rasa: {message.text}")


@contextlib.asynccontextmanager
async def serve_channel(channel: GatewayRestInput, agent: FakeAgent) -> AsyncIterator[str]:
    """Serve `channel` on a free loopback port; yields its webhook URL."""
    Sanic.test_mode = True  # what Sanic's own test client sets to start apps repeatedly
    app = Sanic(f"rasa_channel_test_{next(_app_names)}", configure_logging=False)
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        finally:
            await server.before_stop()
            await server.close()
            await server.after_stop()
