"""A background loop shared by the service's workers (outbox delivery, follow-up timers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from storage.store import StorageUnavailable


class PollingWorker:
    """Calls `run_once` until stopped. When a round found nothing to do, it waits `idle_poll`
    seconds or until `wake()`. A database outage or a bug is logged and retried after a pause,
    never fatal: a worker that died silently would leave messages unsent and timers unfired."""

    name = "worker"

    def __init__(self, idle_poll: float) -> None:
        self.idle_poll = idle_poll
        self.log = logging.getLogger(f"skewer.{self.name}")
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"{self.name}-worker")

    async def stop(self, grace: float = 5.0) -> None:
        """Let the round under way finish (up to `grace` seconds), then stop. A round cut off
        is safe to cut: its transaction rolls back, and its leases let another round redo it."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def before_loop(self) -> None:
        """Work to do once when the worker starts."""

    async def run_once(self) -> int:
        """Do one round; return how much was done (0: nothing was due)."""
        raise NotImplementedError

    async def run(self) -> None:
        await self.before_loop()
        while not self._stopping:
            try:
                did = await self.run_once()
            except StorageUnavailable as e:
                self.log.error("%s: database unavailable (%s); retrying", self.name, e)
                did = -1
            except Exception:
                self.log.exception("%s: unexpected error; continuing", self.name)
                did = -1
            if did == 0 or did < 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(),
                                           self.idle_poll if did == 0 else max(1.0, self.idle_poll))
