"""End-to-end smoke: the example organisation routes typical messages to the right owner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routing.engine import Router
from routing.references import extract_reference
from routing.types import CaseInput, OwnershipState

TUESDAY_10 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


@pytest.mark.parametrize(
    ("text", "category", "urgency", "rule", "team"),
    [
        pytest.param("er komt rook uit de droger!! stinkt naar verbrand plastic",
                     "product_quality", "critical", "critical-product", "quality", id="smoke-nl"),
        pytest.param("the courier never showed up today and nobody called",
                     "delivery", "normal", "delivery", "logistics", id="missed-delivery-en"),
        pytest.param("Ik ben twee keer afgeschreven voor dezelfde bestelling",
                     "billing", "high", "billing", "finance", id="double-debit-nl"),
    ],
)
def test_decide_end_to_end(
    router: Router, text: str, category: str, urgency: str, rule: str, team: str
) -> None:
    d = router.decide(CaseInput(text, now=TUESDAY_10), OwnershipState())
    assert (d.classification.category, d.classification.urgency.value) == (category, urgency)
    assert d.rule == rule
    assert d.owner.team == team
    assert d.classification.reasons
    assert d.why.startswith(f"rule '{rule}'")


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        pytest.param("order 2025-008842 is late", "2025-008842", id="order-number"),
        pytest.param("mijn bestelling hw-123456 is kapot", "HW-123456", id="hw-prefix"),
        pytest.param("no number here", None, id="none"),
        pytest.param("", None, id="empty"),
    ],
)
def test_extract_reference(router: Router, text: str, ref: str | None) -> None:
    assert extract_reference(text, router.config) == ref
