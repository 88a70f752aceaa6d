"""Typed keys of the objects an emulator aiohttp application holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .state import EmulatorState

if TYPE_CHECKING:
    from .webhook import WebhookManager

STATE_KEY = web.AppKey("emulator_state", EmulatorState)
WEBHOOKS_KEY: web.AppKey[WebhookManager] = web.AppKey("emulator_webhooks")
