"""The gateway's own state in Redis, so that several gateway instances behave as one.

Two things must not depend on which instance a platform delivery reaches:

- the duplicate-delivery memory: `SET key NX EX ttl` succeeds only for the first delivery;
- the per-user rate limit: a sliding window in a sorted set, checked and updated by one Lua
  script (atomic across instances, timed by the Redis server's clock, not the instances').

Keys hold a hash of the delivery id or user id, not the id itself. When Redis cannot be
reached the gateway lets the message through (logged as a warning): a citizen is never
silenced because the shared memory is down; at worst a duplicate is answered twice.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.channels.gateway import DEDUP_TTL_S, Verdict

log = logging.getLogger(__name__)

KEY_PREFIX = "tro-ly:gateway"
# KEYS: window (sorted set of message times), warned flag. ARGV: limit, period (s), nonce.
_RATE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local ttl = math.ceil(period * 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, clock[1] .. '.' .. clock[2] .. '.' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('DEL', KEYS[2])
  return 'allow'
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ttl) then
  return 'warn'
end
return 'drop'
"""


def _hashed(kind: str, key: str) -> str:
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


class RedisState:
    """Duplicate-delivery memory and rate-limit windows shared through Redis."""

    def __init__(
        self,
        client: aioredis.Redis,
        limit: int,
        period: float = 60.0,
        dedup_ttl: float = DEDUP_TTL_S,
    ) -> None:
        self._client = client
        self._limit = limit
        self._period = period
        self._dedup_ttl = math.ceil(dedup_ttl)
        self._rate = client.register_script(_RATE_SCRIPT)

    @classmethod
    def from_url(cls, url: str, limit: int, dedup_ttl: float = DEDUP_TTL_S) -> RedisState:
        client = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return cls(client, limit, dedup_ttl=dedup_ttl)

    async def first_delivery(self, key: str) -> bool:
        try:
            stored = await self._client.set(
                _hashed("delivery", key), b"1", nx=True, ex=self._dedup_ttl
            )
        except (RedisError, OSError) as error:
            log.warning(
                "Redis unavailable, delivery not checked for duplicates: %s", type(error).__name__
            )
            return True
        return bool(stored)

    async def hit(self, user: str) -> Verdict:
        keys = [_hashed("window", user), _hashed("warned", user)]
        try:
            verdict = await self._rate(
                keys=keys, args=[self._limit, self._period, secrets.token_hex(4)]
            )
        except (RedisError, OSError) as error:
            log.warning("Redis unavailable, rate limit not applied: %s", type(error).__name__)
            return Verdict.ALLOW
        return Verdict(verdict.decode() if isinstance(verdict, bytes) else verdict)

    async def close(self) -> None:
        await self._client.close()
