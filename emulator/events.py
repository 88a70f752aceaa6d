"""A sequenced event log for live pages and tests (new/edited/deleted messages, answers)."""

from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Any

from .models import JSON, Signal


class EventBus:
    """Keeps the last ``capacity`` events, each with an increasing ``seq``."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._events: deque[JSON] = deque(maxlen=capacity)
        self.seq = 0
        self.signal = Signal()

    def publish(self, kind: str, **data: Any) -> JSON:
        self.seq += 1
        event = {"seq": self.seq, "type": kind, "time": time.time(), **data}
        self._events.append(event)
        self.signal.wake()
        return event

    def after(self, seq: int, chat_id: int | None = None) -> list[JSON]:
        if not self._events or seq >= self.seq:
            return []
        # seqs in the buffer are consecutive: start right after ``seq``
        start = max(0, seq - self._events[0]["seq"] + 1)
        return [
            e for e in itertools.islice(self._events, start, None)
            if chat_id is None or e.get("chat_id") == chat_id
        ]

    async def wait_after(
        self, seq: int, wait: float, chat_id: int | None = None
    ) -> list[JSON]:
        """Events after ``seq`` (for ``chat_id``), waiting up to ``wait`` s for the first one."""
        loop_time = _Deadline(wait)
        while True:
            events = self.after(seq, chat_id)
            if events or loop_time.remaining() <= 0:
                return events
            await self.signal.wait(loop_time.remaining())

    def clear(self) -> None:
        self._events.clear()
        self.signal.wake()


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + max(0.0, seconds)

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())
