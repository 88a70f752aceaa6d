from __future__ import annotations

from pathlib import Path

import pytest

from routing.config import Config, parse_config
from routing.engine import Router

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def config() -> Config:
    return parse_config((ROOT / "config.yaml").read_text(encoding="utf-8"), "config.yaml")


@pytest.fixture(scope="session")
def router(config: Config) -> Router:
    return Router(config)
