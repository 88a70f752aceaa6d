"""A classification kept in the dialog state (JSON) comes back exactly as it was made."""

from __future__ import annotations

import json

import pytest

from routing.config import parse_config
from routing.engine import Router
from routing.types import CaseInput, Classification, CustomerFacts
from tests.conftest import CONFIG


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(parse_config(CONFIG.read_text(), str(CONFIG)))


@pytest.mark.parametrize("text, facts", [
    ("The app crashes every time I try to pay, I cannot order anything", {}),
    ("The app crashes every time I try to pay, I cannot order anything", {"webshop": 2}),
    ("de wasmachine lekt en er komt rook uit het stopcontact!", {}),
    ("Thank you, the fitter Bram was super friendly and helpful!", {}),
    ("hoe laat zijn jullie open?", {}),
    ("x" * 30_000 + " the courier never came", {}),
])
def test_the_json_round_trip_gives_the_same_classification(router: Router, text: str,
                                                           facts: dict[str, int]) -> None:
    c = router.classify(CaseInput(text, customer=CustomerFacts(prior_contacts=facts)))
    assert Classification.from_dict(json.loads(json.dumps(c.to_dict()))) == c
