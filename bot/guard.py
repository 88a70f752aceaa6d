"""What is dropped or slowed before it reaches a conversation: blocked users, unknown groups,
edits, and customers sending faster than any person types."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.context import Deps
from bot.ports import Handled, Inbound

log = logging.getLogger("skewer.guard")


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class FloodLimit:
    """Per-customer token bucket: `per_minute` messages a minute, bursts up to that many."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}

    def allow(self, key: str, per_minute: int) -> tuple[bool, bool]:
        """(allowed, warn): warn once per flood, when the first message is turned away."""
        now = self.clock()
        b = self.buckets.get(key)
        if b is None:
            if len(self.buckets) > 100_000:
                self.buckets.clear()  # idle buckets are full anyway; bound the memory
            b = self.buckets[key] = _Bucket(float(per_minute), now)
        b.tokens = min(float(per_minute), b.tokens + (now - b.stamp) * per_minute / 60.0)
        b.stamp = now
        if b.tokens >= 1:
            b.tokens -= 1
            if b.tokens >= per_minute / 2:
                b.warned = False
            return True, False
        warn = not b.warned
        b.warned = True
        return False, warn


def screen(ev: Inbound, deps: Deps, is_staff: bool, flood: FloodLimit) -> Handled | None:
    """A Handled to stop here with, or None to go on."""
    tg = deps.config.telegram
    if ev.channel == "telegram":
        try:
            sender = int(ev.sender.external_id)
        except ValueError:
            sender = 0
        if sender in tg.blocked_users:
            log.warning("dropped: update from blocked user", extra={"event": ev.event_id})
            return Handled("dropped_blocked")
        if ev.is_group and deps.config.team_by_chat_id(int(ev.chat_id)) is None:
            log.warning("dropped: update from a group that is no team's chat",
                        extra={"event": ev.event_id, "chat": ev.chat_id})
            return Handled("dropped_unknown_group")
    lang = deps.texts.lang(ev.sender.language_code)
    if ev.unsupported == "edit":
        if is_staff or ev.is_group:
            return Handled("ignored_edit")
        return Handled("edit_not_taken", extra={"direct": deps.texts.raw(lang, "customer.edited")})
    if is_staff:
        return None
    allowed, warn = flood.allow(f"{ev.channel}:{ev.sender.external_id}", tg.flood_per_minute)
    if allowed:
        return None
    log.warning("flood limit: update turned away", extra={"event": ev.event_id})
    return Handled("flood_limited", toast=deps.texts.raw(lang, "customer.flood"),
                   extra={"direct": deps.texts.raw(lang, "customer.flood")} if warn else {})
