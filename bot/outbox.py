"""The delivery worker: sends what the outbox holds, in order per chat, and never drops silently.

Retries with backoff; a 429 waits its retry_after; a chat that blocked the bot is marked
unreachable and the case owner is told; a message that still cannot go out after its tries is
marked dead, shown by `skewer outbox list`, and surfaced to the case owner.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock, system_clock
from bot.context import Deps
from bot.ports import DeliveryError, Transport, text_payload
from bot.worker import PollingWorker
from storage import outbox as q
from storage.records import OutboxRecord
from storage.store import StorageUnavailable, Store

log = logging.getLogger("skewer.outbox")

MAX_ATTEMPTS = 8
# Longer than the transport's own timeout (20 s), so a slow send is never claimed twice.
LEASE = timedelta(seconds=30)


def backoff(attempts: int, first: float = 0.5) -> timedelta:
    base = min(300.0, first * (2 ** attempts))
    return timedelta(seconds=base * (0.8 + 0.4 * random.random()))


class OutboxWorker(PollingWorker):
    name = "outbox"

    def __init__(self, store: Store, transports: dict[str, Transport],
                 deps_ref: Callable[[], Deps],
                 clock: Clock = system_clock,
                 batch: int = 100, idle_poll: float = 0.5) -> None:
        super().__init__(idle_poll)
        self.store = store
        self.transports = transports
        self.deps_ref = deps_ref
        self.clock = clock
        self.batch = batch
        self.sent = 0
        self.max_attempts = MAX_ATTEMPTS
        self.first_backoff = 0.5  # seconds; doubles per attempt, up to 5 minutes
        # Sent, but the database was down when we tried to record it: recorded later, and
        # never sent again by this worker meanwhile.
        self._unrecorded: dict[int, tuple[OutboxRecord, str | None, datetime]] = {}
        self._to_record: list[tuple[OutboxRecord, str | None]] = []
        self._flushing: asyncio.Future[None] = asyncio.Future()
        self._flushing.set_result(None)

    async def run_once(self) -> int:
        """Claim the due head of each chat's queue and deliver; return how many were handled."""
        await self._record_unrecorded()
        now = self.clock()
        async with self.store.unit() as unit:
            items = await q.claim_due(unit, now, self.batch, LEASE, tuple(self.transports))
        items = [i for i in items if i.id not in self._unrecorded]
        if not items:
            return 0
        await asyncio.gather(*(self._deliver(item) for item in items))
        await self._flushing  # every delivery of this round is recorded before the next claim
        return len(items)

    async def _record(self, item: OutboxRecord, message_id: str | None) -> None:
        """Record a delivery at once. Deliveries that finish while a write is under way are
        written together right after it: each message is recorded within about one
        transaction of leaving, which keeps the crash window (sent, not yet recorded) small."""
        self._to_record.append((item, message_id))
        if self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush_records())
        await asyncio.shield(self._flushing)

    async def _flush_records(self) -> None:
        while self._to_record:
            batch, self._to_record = self._to_record, []
            try:
                async with self.store.unit() as unit:
                    await q.mark_sent_many(unit, batch, self.clock())
            except StorageUnavailable:
                log.warning("outbox: %d messages sent, recording them when the database is back",
                            len(batch))
                for item, mid in batch:
                    self._unrecorded[item.id] = (item, mid, self.clock())

    async def drain(self, within: float = 10.0) -> None:
        """Deliver until nothing is due (tests and shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            if await self.run_once() == 0:
                return

    async def _deliver(self, item: OutboxRecord) -> tuple[bool, str | None]:
        """Send one message; (True, message id) when it went out. Failures are settled here."""
        transport = self.transports[item.channel]
        try:
            result = await transport.deliver(item.chat_id, item.payload)
        except DeliveryError as e:
            await self._failed(item, e)
            return False, None
        except Exception as e:  # an adapter bug must not lose the message
            log.exception("outbox: transport crashed on message %s", item.id)
            await self._failed(item, DeliveryError(f"{type(e).__name__}: {e}"))
            return False, None
        self.sent += 1
        await self._record(item, result.message_id)
        return True, result.message_id

    async def _record_unrecorded(self) -> None:
        if not self._unrecorded:
            return
        pending = list(self._unrecorded.values())
        async with self.store.unit() as unit:
            await q.mark_sent_many(unit, [(item, mid) for item, mid, _at in pending],
                                   max(at for _i, _m, at in pending))
        self._unrecorded.clear()

    async def _failed(self, item: OutboxRecord, e: DeliveryError) -> None:
        now = self.clock()
        reason = str(e)
        async with self.store.unit() as unit:
            if e.retry_after is not None and not e.permanent:
                await q.mark_retry(unit, item, reason, now + timedelta(seconds=e.retry_after),
                                   count_attempt=False)
                log.warning("outbox: rate limited on chat %s, waiting %ss", item.chat_id,
                            e.retry_after)
                return
            if not e.permanent and item.attempts + 1 < self.max_attempts:
                await q.mark_retry(unit, item, reason,
                                   now + backoff(item.attempts, self.first_backoff))
                log.warning("outbox: message %s failed (%s), attempt %d", item.id, reason,
                            item.attempts + 1)
                return
            await q.mark_dead(unit, item, reason)
            log.error("outbox: message %s undeliverable: %s", item.id, reason)
            if e.unreachable:
                dropped = await q.drop_pending_for_chat(unit, item.channel, item.chat_id, reason)
                customers = await unit.set_reachable(item.channel, item.chat_id, False)
                key = "staff.customer_unreachable" if customers else "staff.undeliverable"
                await self._tell_owner(unit, item, key, skip_chat=True, error=reason,
                                       dropped=dropped)
            else:
                await self._tell_owner(unit, item, "staff.undeliverable", skip_chat=False,
                                       error=reason)

    async def _tell_owner(self, unit: Any, item: OutboxRecord, key: str, *, skip_chat: bool,
                          **info: Any) -> None:
        if item.case_id is None:
            return
        deps = self.deps_ref()
        case = await unit.case_by_id(item.case_id)
        await unit.add_event(case.id, "delivery_failed", "system", self.clock(),
                             chat=item.chat_id, channel=item.channel, key=key,
                             **{k: v for k, v in info.items() if isinstance(v, int | str)})
        # The owner's own chat, else the team's chat, else the team lead. A chat that blocked
        # the bot cannot hear about it: then the next one in that list is told.
        config = deps.config
        chats: list[str] = []
        if case.owner_person and config.has_person(case.owner_person):
            tg = config.person(case.owner_person).telegram_id
            chats += [str(tg)] if tg is not None else []
        if config.has_team(case.owner_team):
            team = config.team(case.owner_team)
            chats += [str(team.chat_id)] if team.chat_id is not None else []
            if team.lead and config.has_person(team.lead):
                tg = config.person(team.lead).telegram_id
                chats += [str(tg)] if tg is not None else []
        chats = [c for c in chats if not (skip_chat and c == item.chat_id)]
        if not chats:
            log.error("outbox: nobody could be told about case %s", case.reference)
            return
        owner_chat = chats[0]
        lang = deps.texts.lang(deps.config.organisation.default_language)
        text = deps.texts.get(lang, key, ref=case.reference, channel=item.channel,
                              attempts=item.attempts + 1, error=info.get("error", ""))
        await unit.enqueue("telegram", owner_chat, text_payload(text), self.clock(),
                           case_id=case.id, link_purpose="relay")
