"""Picking up a changed config in a running service: validate first, refuse a bad one, record it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from routing.config import Config

log = logging.getLogger("skewer.reload")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rules_diff(old: Config | None, new: Config) -> dict[str, Any]:
    """Which rules were added, removed, changed or moved (order matters: first match wins)."""
    new_rules = {r.name: r.model_dump(mode="json") for r in new.rules}
    if old is None:
        return {"initial": True, "rules": list(new_rules)}
    old_rules = {r.name: r.model_dump(mode="json") for r in old.rules}
    old_order = [r.name for r in old.rules]
    new_order = [r.name for r in new.rules]
    common = [n for n in new_order if n in old_rules]
    return {
        "added": [n for n in new_order if n not in old_rules],
        "removed": [n for n in old_order if n not in new_rules],
        "changed": [n for n in common if old_rules[n] != new_rules[n]],
        "moved": [n for n in common if [x for x in old_order if x in new_rules].index(n)
                  != common.index(n)],
        "other_sections_changed": old.model_dump(mode="json", exclude={"rules"})
        != new.model_dump(mode="json", exclude={"rules"}),
    }


class ConfigWatcher:
    """Polls the config file's content; a change triggers `reload` (SIGHUP does it at once)."""

    def __init__(self, path: Path, reload: Callable[[], Awaitable[Any]], interval: float = 2.0,
                 initial_hash: str | None = None) -> None:
        self.path = path
        self.reload = reload
        self.interval = interval
        self.last_hash = initial_hash
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="config-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                text = self.path.read_text("utf-8")
            except OSError as e:
                log.warning("config file unreadable (%s); keeping the running config", e.strerror)
                continue
            digest = sha256(text)
            if digest != self.last_hash:
                self.last_hash = digest
                try:
                    await self.reload()
                except Exception:
                    log.exception("config reload failed; keeping the running config")
