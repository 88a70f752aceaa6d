from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing.config import Config, parse_config
from routing.engine import Router
from routing.types import Classification, Kind, Reason, Urgency

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
    return parse_config(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "test.yaml")


def with_rules(*rules: dict[str, Any]) -> Router:
    """The example organisation with these rules, then a catch-all to frontline."""
    data = config_data()
    data["rules"] = [*rules, {"name": "catch-all", "when": {}, "then": {"owner": {"team": "frontline"}}}]
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
