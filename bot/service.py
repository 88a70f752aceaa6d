"""The one entry every channel calls: handle an inbound event durably and exactly once.

Per event: one transaction that records the event id (a redelivery has no second effect),
loads the chat's dialog state, runs the use-case, stores the new state and every outgoing
message (the outbox), and commits. Only then is anything sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, system_clock
from bot.context import Ctx, Deps
from bot.conversation import handle_customer
from bot.guard import FloodLimit, screen
from bot.ports import Handled, Inbound
from bot.staff import handle_staff
from storage.store import ConcurrentUpdate, StorageUnavailable, Store

log = logging.getLogger("skewer.service")


class Service:
    def __init__(self, store: Store, deps: Deps, *, clock: Clock = system_clock,
                 on_outbox: Callable[[], None] | None = None) -> None:
        self.store = store
        self.deps = deps
        self.clock = clock
        self.on_outbox = on_outbox or (lambda: None)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.flood = FloodLimit()
        # Events whose sender was already told the database is down: the adapter retries such
        # an event until it is stored, and the customer should hear about it once, not per try.
        self._told_down: OrderedDict[str, None] = OrderedDict()

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def staff_person(self, ev: Inbound) -> Any:
        if ev.channel != "telegram":
            return None
        try:
            return self.deps.config.staff_by_telegram_id(int(ev.sender.external_id))
        except ValueError:
            return None

    async def handle(self, ev: Inbound) -> Handled:
        started = time.perf_counter()
        deps = self.deps  # one config for the whole event, even if a reload happens meanwhile
        person = self.staff_person(ev)
        stop = screen(ev, deps, person is not None, self.flood)
        if stop is not None:
            self._log(ev, stop, started)
            return stop
        key = (f"staff:{ev.sender.external_id}" if person is not None
               else f"{ev.channel}:{ev.chat_id}")
        async with self._lock(key):
            result = await self._run(ev, deps, key, person)
        self._log(ev, result, started)
        return result

    async def _run(self, ev: Inbound, deps: Deps, key: str, person: Any) -> Handled:
        for attempt in range(6):
            try:
                async with self.store.unit() as unit:
                    now = self.clock()
                    if not await unit.claim_event(ev.channel, ev.event_id, now,
                                                  check=attempt > 0):
                        return Handled("duplicate")
                    ctx = Ctx(deps, unit, ev, now)
                    state, version = await unit.load_conversation(key)
                    if person is not None:
                        result = await handle_staff(ctx, state, person)
                    else:
                        customer = await unit.customer_for(
                            ev.channel, ev.sender.external_id, ev.chat_id,
                            ev.sender.first_name, deps.texts.lang(ev.sender.language_code), now)
                        result = await handle_customer(ctx, state, customer)
                    await unit.save_conversation(key, state, version, now)
                    await unit.set_event_outcome(ev.channel, ev.event_id, result.outcome)
                self.on_outbox()
                return result
            except (ConcurrentUpdate, IntegrityError) as e:
                log.info("retrying %s after a concurrent update (%s)", ev.event_id, type(e).__name__)
                await asyncio.sleep(0.01 * (attempt + 1))
            except StorageUnavailable as e:
                log.error("storage unavailable while handling %s: %s", ev.event_id, e)
                return self._unavailable(ev, deps)
            except Exception:
                # A bug must not be silent, and must not show the customer a traceback.
                log.exception("unhandled error while handling %s", ev.event_id)
                lang = deps.texts.lang(ev.sender.language_code)
                return Handled("error", extra={"direct": deps.texts.raw(lang, "customer.error")})
        return self._unavailable(ev, deps, "conflict_gave_up")

    def _unavailable(self, ev: Inbound, deps: Deps,
                     outcome: str = "storage_unavailable") -> Handled:
        """Nothing was stored. A message is retried by the adapter until it is (so the customer
        need not send it again); a button press is not, so they are asked to press again."""
        lang = deps.texts.lang(ev.sender.language_code)
        if ev.action is not None:
            key = "customer.not_stored" if ev.action.name == "send" else "customer.error"
        else:
            key = "customer.not_stored_retrying"
        extra: dict[str, Any] = {"retryable": True}
        if ev.event_id not in self._told_down:
            self._told_down[ev.event_id] = None
            while len(self._told_down) > 1000:
                self._told_down.popitem(last=False)
            extra["direct"] = deps.texts.raw(lang, key)
        return Handled(outcome, toast=None, extra=extra)

    @staticmethod
    def _log(ev: Inbound, result: Handled, started: float) -> None:
        log.info("update handled", extra={
            "event": ev.event_id, "channel": ev.channel, "outcome": result.outcome,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        })
