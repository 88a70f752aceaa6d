"""Telegram-like flood limits and deterministic fault injection (both off by default)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import bad_request, too_many_requests

# Methods that count as "sending a message" for flood control.
LIMITED_METHODS = {
    "sendmessage", "sendphoto", "senddocument", "sendvoice", "sendaudio", "sendvideo",
    "sendanimation", "sendsticker", "sendvideonote", "sendmediagroup", "sendlocation",
    "sendcontact", "sendpoll", "senddice", "copymessage", "forwardmessage", "copymessages",
    "forwardmessages", "editmessagetext", "editmessagecaption", "editmessagereplymarkup",
    "editmessagemedia",
}


def _update(obj: Any, values: dict[str, Any]) -> None:
    names = {f.name for f in fields(obj)}
    for key, value in values.items():
        if key not in names:
            raise bad_request(f"unknown setting {key!r}")
        setattr(obj, key, value)


@dataclass
class RateLimitSettings:
    enabled: bool = False
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30


class _Bucket:
    def __init__(self, capacity: float, rate: float, clock: Callable[[], float]) -> None:
        self.capacity = capacity
        self.rate = rate  # tokens per second
        self.tokens = capacity
        self.clock = clock
        self.updated = clock()

    def wait_time(self) -> float:
        t = self.clock()
        self.tokens = min(self.capacity, self.tokens + (t - self.updated) * self.rate)
        self.updated = t
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class RateLimiter:
    """Token buckets: per private chat, per group and per bot overall."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = RateLimitSettings()
        self.clock = clock
        self._buckets: dict[tuple[Any, ...], _Bucket] = {}
        self.rejected = 0

    def configure(self, **values: Any) -> RateLimitSettings:
        _update(self.settings, values)
        self._buckets.clear()
        return self.settings

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self.settings), "rejected": self.rejected}

    def _bucket(self, key: tuple[Any, ...], capacity: float, rate: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, rate, self.clock)
        return bucket

    def check(self, method: str, bot_id: int, chat_id: int | None, chat_type: str | None) -> None:
        """Raise 429 if this send would exceed a limit; otherwise count it."""
        s = self.settings
        if not s.enabled or method.lower() not in LIMITED_METHODS:
            return
        buckets = [self._bucket(("bot", bot_id), s.global_per_second, s.global_per_second)]
        if chat_id is not None and chat_type == "private":
            buckets.append(self._bucket(("chat", bot_id, chat_id), max(1, s.private_burst),
                                        s.private_per_second))
        elif chat_id is not None:
            buckets.append(self._bucket(("chat", bot_id, chat_id), s.group_per_minute,
                                        s.group_per_minute / 60.0))
        wait = max(b.wait_time() for b in buckets)
        if wait > 0:
            self.rejected += 1
            raise too_many_requests(math.ceil(wait))
        for bucket in buckets:
            bucket.take()


@dataclass
class FaultSettings:
    probability: float = 0.0
    modes: list[str] = field(default_factory=lambda: ["500"])  # "429", "500", "timeout"
    methods: list[str] | None = None  # None = every method
    seed: int | None = None
    timeout: float = 5.0  # how long "timeout" holds the request
    timeout_action: str = "502"  # "502" answers Bad Gateway, "drop" closes the connection
    retry_after: int = 1  # for "429"
    after: bool = False  # fail *after* executing the method (the client can't know it worked)
    count: int | None = None  # inject at most this many faults


FAULT_MODES = {"429", "500", "timeout"}


class FaultInjector:
    def __init__(self) -> None:
        self.settings = FaultSettings()
        self._rng = random.Random()
        self.injected: list[dict[str, Any]] = []

    def configure(self, **values: Any) -> FaultSettings:
        if "modes" in values:
            modes = [str(m) for m in values["modes"]]
            unknown = set(modes) - FAULT_MODES
            if unknown or not modes:
                raise bad_request(f"unknown fault modes {sorted(unknown)}")
            values["modes"] = modes
        self.settings = FaultSettings()
        _update(self.settings, values)
        self._rng = random.Random(self.settings.seed)
        self.injected = []
        return self.settings

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self.settings), "injected": len(self.injected)}

    def pick(self, method: str) -> str | None:
        """The fault to inject into this call of ``method``, if any."""
        s = self.settings
        if s.probability <= 0:
            return None
        if s.methods is not None and method.lower() not in {m.lower() for m in s.methods}:
            return None
        if s.count is not None and len(self.injected) >= s.count:
            return None
        if self._rng.random() >= s.probability:
            return None
        mode = self._rng.choice(s.modes)
        self.injected.append({"method": method, "mode": mode, "time": time.time()})
        return mode
