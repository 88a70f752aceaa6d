"""Telegram's sending limits, kept on our side so we rarely meet a 429 at all.

About 30 messages a second overall, about one a second per chat (short bursts are tolerated),
and 20 a minute per group. Token buckets; waiting happens before the call, never after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TelegramLimits:
    overall_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float = 5.0

    @classmethod
    def unlimited(cls) -> TelegramLimits:
        inf = float("inf")
        return cls(inf, inf, inf, inf, inf)


class Bucket:
    def __init__(self, capacity: float, per_second: float, clock: Callable[[], float]) -> None:
        self.capacity = capacity
        self.rate = per_second
        self.tokens = capacity
        self.clock = clock
        self.stamp = clock()

    def wait_time(self) -> float:
        """Seconds until a token is available; takes it when it is available now."""
        if self.rate == float("inf"):
            return 0.0
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Limiter:
    def __init__(self, limits: TelegramLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.overall = Bucket(max(1.0, limits.overall_per_second), limits.overall_per_second, clock)
        self.chats: dict[int, Bucket] = {}

    def _chat(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:
                bucket = Bucket(self.limits.group_burst, self.limits.group_per_minute / 60, self.clock)
            else:
                bucket = Bucket(self.limits.chat_burst, self.limits.chat_per_second, self.clock)
            if len(self.chats) > 50_000:
                self.chats.clear()  # idle buckets are full anyway; bound the memory
            self.chats[chat_id] = bucket
        return bucket

    async def acquire(self, chat_id: int) -> None:
        for bucket in (self._chat(chat_id), self.overall):
            while (delay := bucket.wait_time()) > 0:  # noqa: ASYNC110 - a timed wait, nothing to signal
                await asyncio.sleep(delay)
