"""A large rule set decides correctly and explains every miss.

How fast (the issue's aim: p99 <= 1 ms at 1,000 rules) is measured by `make bench-routing`,
not by a timed test: this shared machine is too noisy for timing assertions.
"""

from __future__ import annotations

from typing import Any

from routing.engine import Router
from routing.types import CaseInput, OwnershipState
from tests.routing.conftest import config_data, make_config

CATS = ["delivery", "installation", "product_quality", "billing", "webshop", "returns"]


def big_rules(n: int) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for i in range(n - 1):
        cat = CATS[i % len(CATS)]
        when: dict[str, Any] = {"category": [cat]}
        if i % 3 == 0:
            when["keywords"] = [f"sku{i}", f"model {i}x"]
        elif i % 3 == 1:
            when["urgency_at_least"] = "critical"
            when["channel"] = ["web", f"kiosk{i}"]
        else:
            when["regex"] = rf"\bHW-{i:05d}\b"
            when["business_hours"] = bool(i % 2)
        rules.append({"name": f"r{i}", "when": when, "then": {"owner": {"team": "quality"}}})
    rules.append({"name": "catch-all", "when": {}, "then": {"owner": {"team": "frontline"}}})
    return rules


def test_a_thousand_rules_decide_and_explain_every_miss() -> None:
    data = config_data()
    data["rules"] = big_rules(1000)
    router = Router(make_config(data))
    inp = CaseInput("de bezorger is niet gekomen en de koelkast is beschadigd, order HW-12345")
    c = router.classify(inp)
    state = OwnershipState()
    d = router.decide_classified(inp, c, state)
    assert d.rule == "catch-all" and len(d.skipped) == 999
    assert d.skipped[1].why == "category is delivery, rule wants installation"
