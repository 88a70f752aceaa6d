"""Use-cases for `python -m rasa_sdk --actions handlers.rasa`: built once, from the environment
(SKEWER_CONFIG, the database URL the config names). Staff notifications are written to the
outbox and sent by the running Skewer service, which shares the database."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from bot.api_cases import OmniService
from bot.app import build_deps
from bot.clock import Clock, system_clock
from bot.settings import Runtime, config_path, load_config
from storage.store import Store

#: What the actions take as now. The system clock; a test that runs the service on its
#: controllable clock sets the same clock here, so both sides share one time.
clock: Clock = system_clock


def _now() -> datetime:
    return clock()


@cache
def cases() -> OmniService:
    path = config_path()
    config = load_config(path)
    runtime = Runtime.from_env(config)
    deps = build_deps(config, path)
    return OmniService(Store(runtime.database_url), lambda: deps, _now)
