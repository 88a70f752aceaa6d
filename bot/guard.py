"""What is dropped, slowed or refused before it reaches a conversation: blocked users, unknown
groups, edits, customers sending faster than any person types, and staff-only buttons and
commands from anyone who is not staff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.context import Deps
from bot.ports import Handled, Inbound

log = logging.getLogger("skewer.guard")

# Buttons and commands only staff may use; anyone else pressing or typing them is refused.
STAFF_ACTIONS = {"take", "reply", "resolve", "handover", "consult", "cause", "ho", "co",
                 "update", "kept", "approve", "decline", "reopen"}
STAFF_COMMANDS = {"take", "reply", "resolve", "handover", "consult", "case", "mycases",
                  "promise", "kept", "offer", "reopen", "approve", "decline"}


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
    """A Handled to stop here with, or None to go on to the conversation."""
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
    if not allowed:
        log.warning("flood limit: update turned away", extra={"event": ev.event_id})
        return Handled("flood_limited", toast=deps.texts.raw(lang, "customer.flood"),
                       extra={"direct": deps.texts.raw(lang, "customer.flood")} if warn else {})
    return refuse_non_staff(ev, deps, lang)


def refuse_non_staff(ev: Inbound, deps: Deps, lang: str) -> Handled | None:
    """For a sender who is not staff: staff buttons and commands are refused (and logged), and
    in a team's group chat nothing else is taken in either."""
    not_staff = deps.texts.raw(lang, "staff.not_staff")
    if ev.is_group:
        if ev.action is not None or ev.command:
            log.warning("refused: non-staff %s:%s acted in group %s", ev.channel,
                        ev.sender.external_id, ev.chat_id)
            return Handled("refused_not_staff", toast=not_staff, alert=True,
                           extra={"direct": not_staff} if ev.command else {})
        return Handled("ignored_group_message")
    if ev.action is not None and ev.action.name in STAFF_ACTIONS:
        log.warning("refused: non-staff %s:%s pressed staff button %s", ev.channel,
                    ev.sender.external_id, ev.action.name)
        return Handled("refused_not_staff", toast=not_staff, alert=True)
    if ev.command and ev.command.lower() in STAFF_COMMANDS:
        log.warning("refused: non-staff %s:%s typed /%s", ev.channel, ev.sender.external_id,
                    ev.command)
        return Handled("refused_not_staff", extra={"direct": not_staff})
    return None
