from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing.config import Config, ConfigError, parse_config
from routing.engine import Router
from routing.types import Classification, Kind, Reason, Urgency
from routing.validate import semantic_problems

ROOT = Path(__file__).resolve().parents[2]
CONFIG_TEXT = (ROOT / "config.yaml").read_text(encoding="utf-8")
BASE_DATA: dict[str, Any] = yaml.safe_load(CONFIG_TEXT)


@pytest.fixture(scope="session")
def config() -> Config:
    return parse_config(CONFIG_TEXT, "config.yaml")


@pytest.fixture(scope="session")
def router(config: Config) -> Router:
    return Router(config)


def config_data() -> dict[str, Any]:
    """A fresh, mutable copy of the example organisation's config as plain data."""
    return copy.deepcopy(BASE_DATA)


def make_config(data: dict[str, Any]) -> Config:
    """Validate like parse_config does, without the YAML round trip (fast enough per test)."""
    config = Config.model_validate(data)
    errors = [p for p in semantic_problems(config, data, {}, "test.yaml") if p.level == "error"]
    if errors:
        raise ConfigError(errors)
    return config


def with_rules(*rules: dict[str, Any], catch_all: bool = True) -> Router:
    """The example organisation with these rules, then (by default) a catch-all to frontline."""
    data = config_data()
    tail = [{"name": "catch-all", "when": {}, "then": {"owner": {"team": "frontline"}}}]
    data["rules"] = [*rules, *(tail if catch_all else [])]
    return Router(make_config(data))


def classification(
    category: str = "delivery",
    urgency: str = "normal",
    kind: str = "complaint",
    language: str = "nl",
    repeat: bool = False,
    named: tuple[str, ...] = (),
) -> Classification:
    return Classification(
        urgency=Urgency(urgency),
        urgency_reasons=(Reason("test", "", f"urgency={urgency}"),),
        category=category,
        category_reasons=(),
        kind=Kind(kind),
        kind_reasons=(),
        language=language,
        repeat_contact=repeat,
        named_people=named,
    )
