"""What every channel shares: the reply model, Rasa's REST channel, cleaning and the length
limit, duplicate deliveries, the per-user rate limit, the apology when Rasa fails, splitting.

A channel only translates: platform event -> `Gateway.converse(sender, text, deliver,
metadata=...)`, and `Reply` -> platform message inside its `deliver` callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    Any,
    Generic,
    Protocol,
    TypeVar,
)

import aiohttp
import yaml

from bot import wording
from bot.channels.inputs import CHANNEL_TOKEN_HEADER, TOO_LONG_REPLY, clean_text, is_too_long
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

Clock = Callable[[], float]
DEDUP_TTL_S = 6 * 3600  # how long a platform delivery id is remembered
V = TypeVar("V")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()

    def chunks(self, limit: int) -> list[str]:
        """The text cut to the platform's length limit; the buttons go with the last chunk."""
        return split_text(self.text, limit)


Deliver = Callable[[Sequence[Reply]], Awaitable[None]]
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
GREETING = "utter_greet"


@functools.lru_cache(maxsize=1)
def greeting() -> Reply:
    """The assistant's one greeting, as Rasa answers "xin chào": the `utter_greet` response of
    domain.yml, which the gateway shows itself on /start, a Zalo follow and the web chat's
    opening (no turn of Rasa for that)."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    response = domain["responses"][GREETING][0]
    buttons = tuple(Button(b["title"], b["payload"]) for b in response.get("buttons") or ())
    return Reply(response["text"], buttons)


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters.

    Cuts fall between paragraphs when possible, else between lines, else between words,
    and only a single word longer than `limit` is cut anywhere.
    """
    return [chunk.strip() for chunk in _split(text.strip(), limit, ("\n\n", "\n", " "))]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text] if text else []
    if not separators:
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for piece in text.split(separator):
        joined = f"{current}{separator}{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
            continue
        if current.strip():
            chunks.append(current)
        parts = _split(piece, limit, finer) or [""]
        chunks.extend(parts[:-1])
        current = parts[-1]
    if current.strip():
        chunks.append(current)
    return chunks


class TTLCache(Generic[V]):
    """A dict whose entries expire `ttl` seconds after they were put, holding at most
    `maxsize` of them (the oldest go first), so memory stays bounded under any load."""

    def __init__(self, ttl: float, maxsize: int, clock: Clock = time.monotonic) -> None:
        self._ttl = ttl
        self._maxsize = maxsize
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def put(self, key: str, value: V) -> None:
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        self._expire()
        while len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)

    def _expire(self) -> None:
        # With one TTL for all, insertion order (kept by `put`) is also expiry order.
        now = self._clock()
        while self._entries and next(iter(self._entries.values()))[0] <= now:
            self._entries.popitem(last=False)


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the user once
    DROP = "drop"  # still over the limit and already told: stay silent


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class RateLimiter:
    """At most `limit` messages per `period` seconds for each user (sliding window)."""

    def __init__(
        self,
        limit: int,
        period: float = 60.0,
        clock: Clock = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._max_users = max_users
        self._windows: dict[str, _Window] = {}

    def __len__(self) -> int:
        """How many users' windows are held: at most `max_users` while some are idle."""
        return len(self._windows)

    def hit(self, user: str) -> Verdict:
        now = self._clock()
        if len(self._windows) >= self._max_users:
            self._forget_idle(now)
        window = self._windows.setdefault(user, _Window())
        while window.times and window.times[0] <= now - self._period:
            window.times.popleft()
        if len(window.times) < self._limit:
            window.times.append(now)
            window.warned = False
            return Verdict.ALLOW
        if window.warned:
            return Verdict.DROP
        window.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        idle = [
            user
            for user, w in self._windows.items()
            if not w.times or w.times[-1] <= now - self._period
        ]
        for user in idle:
            del self._windows[user]


class GatewayState(Protocol):
    """Duplicate-delivery memory and rate-limit windows: in this process (`MemoryState`) or
    shared by several gateway instances (`bot.channels.state.RedisState`, with REDIS_URL)."""

    async def first_delivery(self, key: str) -> bool: ...

    async def hit(self, user: str) -> Verdict: ...

    async def close(self) -> None: ...


class MemoryState:
    """The gateway's state in this process only: right for a single gateway instance."""

    def __init__(self, limiter: RateLimiter, deliveries: TTLCache[bool]) -> None:
        self._limiter = limiter
        self._deliveries = deliveries

    async def first_delivery(self, key: str) -> bool:
        if self._deliveries.get(key):
            return False
        self._deliveries.put(key, True)
        return True

    async def hit(self, user: str) -> Verdict:
        return self._limiter.hit(user)

    async def close(self) -> None:
        """Nothing to release."""


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer usefully."""


class RasaClient:
    """Rasa's REST channel: POST {sender, message, metadata}, get a list of bot messages.

    `token` (RASA_CHANNEL_TOKEN) proves to Rasa's input channel that the gateway speaks.
    """

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, timeout: float, token: str = ""
    ) -> None:
        self._session = session
        self._url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._headers = {CHANNEL_TOKEN_HEADER: token} if token else {}

    async def send(self, sender: str, message: str, metadata: Mapping[str, str]) -> list[Reply]:
        body = {"sender": sender, "message": message, "metadata": dict(metadata)}
        try:
            async with self._session.post(
                self._url, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
        return parse_rasa_replies(data)


def parse_rasa_replies(data: Any) -> list[Reply]:
    """Turn Rasa's JSON into replies; an image URL becomes a line of text.

    Nothing to say counts as a failure: Rasa answers `[]` when an action failed.
    """
    if not isinstance(data, list):
        raise RasaUnavailable(f"unexpected reply: {type(data).__name__}")
    replies = []
    for item in data:
        if not isinstance(item, dict):
            continue
        lines = [
            line for line in (str(item.get(k) or "").strip() for k in ("text", "image")) if line
        ]
        raw_buttons = item.get("buttons")
        listed = raw_buttons if isinstance(raw_buttons, list) else []
        buttons = tuple(button for button in map(_parse_button, listed) if button)
        if buttons and not lines:
            lines = [wording.CHOOSE_ONE]
        if lines:
            text = unicodedata.normalize("NFC", "\n".join(lines))
            replies.append(Reply(text, buttons))
    if not replies:
        raise RasaUnavailable("no message to show in the reply")
    return replies


def _parse_button(data: Any) -> Button | None:
    if not isinstance(data, dict):
        return None
    title, payload = str(data.get("title") or ""), str(data.get("payload") or "")
    if not (title or payload):
        return None
    return Button(title=title or payload, payload=payload or title)


class _KeyedLocks:
    """One lock per user, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Desk(Protocol):
    """Where a conversation handed to staff goes instead of Rasa (`bot.channels.handoff`)."""

    async def intercept(self, sender: str, text: str) -> list[Reply] | None: ...


class Gateway:
    """The channel-independent conversation logic shared by Telegram, Zalo and web chat."""

    def __init__(
        self,
        rasa: RasaClient,
        *,
        hotline_text: str,
        rate_limit_per_minute: int,
        clock: Clock = time.monotonic,
        dedup_ttl: float = DEDUP_TTL_S,
        dedup_maxsize: int = 50_000,
        state: GatewayState | None = None,
        desk: Desk | None = None,
    ) -> None:
        self._rasa = rasa
        self.desk = desk
        self.hotline_text = hotline_text
        self._state = state or MemoryState(
            RateLimiter(rate_limit_per_minute, clock=clock),
            TTLCache(dedup_ttl, dedup_maxsize, clock),
        )
        self._locks = _KeyedLocks()
        self._welcome = greeting()  # read at start: a missing domain.yml fails here, not later

    async def is_duplicate(self, delivery_key: str) -> bool:
        """True when this platform delivery (update_id, msg_id, ...) was already seen."""
        return not await self._state.first_delivery(delivery_key)

    async def converse(
        self, sender: str, text: str, deliver: Deliver, *, metadata: Mapping[str, str]
    ) -> None:
        """Forward a user's text (or button payload) to Rasa and deliver the answer.

        `metadata` reaches the actions with the message: `channel`, and `client_address`
        where the network address is known (web chat), for per-address rate limits.
        A conversation handed to staff goes to the desk instead, and the bot stays silent.
        """
        async with self._turn(sender, deliver) as allowed:
            if allowed:
                message = clean_text(text)
                held = await self.desk.intercept(sender, message) if self.desk and message else None
                await deliver(
                    held if held is not None else await self._answer(sender, message, metadata)
                )

    async def say(self, sender: str, replies: Sequence[Reply], deliver: Deliver) -> None:
        """Deliver replies composed by the gateway itself, under the same rate limit."""
        async with self._turn(sender, deliver) as allowed:
            if allowed:
                await deliver(replies)

    def welcome(self) -> Reply:
        return self._welcome

    def hotline(self) -> Reply:
        return Reply(wording.HOTLINE.format(hotline=self.hotline_text))

    @contextlib.asynccontextmanager
    async def _turn(self, sender: str, deliver: Deliver) -> AsyncIterator[bool]:
        """One turn of one user, after their previous turn is answered (so answers keep the
        order of the questions); yields whether the rate limit lets it through."""
        async with self._locks.hold(sender):
            verdict = await self._state.hit(sender)
            if verdict is Verdict.WARN:
                await deliver([Reply(wording.RATE_LIMITED)])
            yield verdict is Verdict.ALLOW

    async def _answer(
        self, sender: str, message: str, metadata: Mapping[str, str]
    ) -> Sequence[Reply]:
        """Rasa's answer, unless the message is blank or too long for the NLU."""
        if not message:
            return [Reply(wording.TEXT_ONLY)]
        if is_too_long(message):
            return [Reply(TOO_LONG_REPLY)]
        return await self._ask_rasa(sender, message, metadata)

    async def _ask_rasa(
        self, sender: str, message: str, metadata: Mapping[str, str]
    ) -> Sequence[Reply]:
        try:
            return await self._rasa.send(sender, message, metadata)
        except RasaUnavailable as error:
            log.warning("Rasa unavailable (%s channel): %s", sender.split(":", 1)[0], error)
            return [Reply(wording.APOLOGY.format(hotline=self.hotline_text))]
