"""Rules: every condition and action, first match wins, and why each earlier rule missed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from routing.types import CaseInput, CustomerFacts, OwnershipState
from tests.routing.conftest import classification, with_rules

# Amsterdam is UTC+1 in winter. 2026-11-24 is a Tuesday; 2026-12-25 a Friday (a holiday).
TUE_1000 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)   # 10:00 local, open
TUE_1245 = datetime(2026, 11, 24, 11, 45, tzinfo=UTC)  # 12:45 local, lunch gap
TUE_2200 = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 22:00 local, closed
THU_1900 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # 19:00 local, Thursday evening period
CHRISTMAS = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # Friday 10:00, but a holiday
SUN_1000 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def rule(when: dict[str, Any], **then: Any) -> dict[str, Any]:
    then.setdefault("owner", {"team": "logistics"})
    return {"name": "r", "when": when, "then": then}


CASES = [
    # when, classification kwargs, input kwargs, matches?, miss reason (substring)
    pytest.param({"category": ["delivery", "returns"]}, {"category": "returns"}, {}, True, "",
                 id="category-hit"),
    pytest.param({"category": "delivery"}, {"category": "billing"}, {}, False,
                 "category is billing, rule wants delivery", id="category-miss"),
    pytest.param({"urgency_at_least": "high"}, {"urgency": "critical"}, {}, True, "",
                 id="urgency-at-least-hit"),
    pytest.param({"urgency_at_least": "high"}, {"urgency": "normal"}, {}, False,
                 "urgency is normal, rule wants at least high", id="urgency-at-least-miss"),
    pytest.param({"urgency": ["low"]}, {"urgency": "normal"}, {}, False,
                 "urgency is normal, rule wants low", id="urgency-exactly-miss"),
    pytest.param({"urgency_at_most": "normal"}, {"urgency": "high"}, {}, False,
                 "urgency is high, rule wants at most normal", id="urgency-at-most-miss"),
    pytest.param({"kind": "compliment"}, {"kind": "question"}, {}, False,
                 "kind is question, rule wants compliment", id="kind-miss"),
    pytest.param({"channel": ["web"]}, {}, {"channel": "telegram"}, False,
                 "channel is telegram, rule wants web", id="channel-miss"),
    pytest.param({"channel": ["web"]}, {}, {"channel": "web"}, True, "", id="channel-hit"),
    pytest.param({"language": ["en"]}, {"language": "nl"}, {}, False,
                 "language is nl, rule wants en", id="language-miss"),
    pytest.param({"segment": ["business"]}, {}, {"customer": CustomerFacts(segment="business")},
                 True, "", id="segment-hit"),
    pytest.param({"segment": ["business"]}, {}, {}, False,
                 "customer segment is (none), rule wants business", id="segment-miss"),
    pytest.param({"vulnerable": True}, {}, {"customer": CustomerFacts(vulnerable=True)}, True, "",
                 id="vulnerable-hit"),
    pytest.param({"repeat": True}, {"repeat": False}, {}, False,
                 "not a repeat contact, rule wants a repeat", id="repeat-miss"),
    pytest.param({"repeat": True}, {"repeat": True}, {}, True, "", id="repeat-hit"),
    pytest.param({"keywords": ["koelkast", "fridge"]}, {}, {"text": "Mijn KOELKAST is stuk"},
                 True, "", id="keywords-hit"),
    pytest.param({"keywords": ["koelkast"]}, {}, {"text": "de oven"}, False,
                 "text has none of the keywords (koelkast)", id="keywords-miss"),
    pytest.param({"regex": r"\bHW-\d+"}, {}, {"text": "order hw-12345"}, True, "",
                 id="regex-hit-ignorecase"),
    pytest.param({"regex": r"\bHW-\d+"}, {}, {"text": "no order"}, False,
                 "text does not match", id="regex-miss"),
    pytest.param({"weekday": ["tue"]}, {}, {"now": TUE_1000}, True, "", id="weekday-hit"),
    pytest.param({"weekday": ["sat", "sun"]}, {}, {"now": TUE_1000}, False,
                 "it is tue, rule wants one of sat, sun", id="weekday-miss"),
    pytest.param({"weekday": ["tue"]}, {}, {"now": None}, False,
                 "time unknown", id="weekday-no-time"),
    pytest.param({"business_hours": True}, {}, {"now": TUE_1000}, True, "", id="open-morning"),
    pytest.param({"business_hours": True}, {}, {"now": TUE_1245}, False,
                 "outside business hours (Tue 12:45)", id="lunch-gap-closed"),
    pytest.param({"business_hours": True}, {}, {"now": THU_1900}, True, "",
                 id="thursday-evening-period"),
    pytest.param({"business_hours": False}, {}, {"now": TUE_2200}, True, "", id="closed-night"),
    pytest.param({"business_hours": True}, {}, {"now": CHRISTMAS}, False,
                 "outside business hours", id="holiday-is-closed"),
    pytest.param({"holiday": True}, {}, {"now": CHRISTMAS}, True, "", id="holiday-hit"),
    pytest.param({"holiday": True}, {}, {"now": SUN_1000}, False,
                 "not a holiday, rule wants a holiday", id="holiday-miss"),
]


@pytest.mark.parametrize(("when", "ckw", "ikw", "matches", "why"), CASES)
def test_condition(
    when: dict[str, Any], ckw: dict[str, Any], ikw: dict[str, Any], matches: bool, why: str
) -> None:
    router = with_rules(rule(when))
    ikw = {"text": "x", "now": TUE_1000, **ikw}
    d = router.decide_classified(CaseInput(**ikw), classification(**ckw), OwnershipState())
    assert (d.rule == "r") is matches
    if not matches:
        assert d.rule == "catch-all"
        assert d.skipped[0].rule == "r"
        assert why in d.skipped[0].why


def test_rule_hours_and_timezone_override_organisation() -> None:
    tokyo = {"timezone": "Asia/Tokyo", "week": {"tue": ["09:00-17:00"]}}
    router = with_rules({**rule({"business_hours": True}), "hours": tokyo})
    # 09:00 UTC is 18:00 in Tokyo: closed there, although open in Amsterdam.
    d = router.decide_classified(CaseInput("x", now=TUE_1000), classification(), OwnershipState())
    assert d.rule == "catch-all"
    assert "outside business hours (Tue 18:00)" in d.skipped[0].why


def test_first_match_wins_and_misses_are_listed_in_order() -> None:
    router = with_rules(
        {"name": "a", "when": {"category": ["billing"]}, "then": {"owner": {"team": "finance"}}},
        {"name": "b", "when": {"kind": ["compliment"]}, "then": {"owner": {"team": "frontline"}}},
        {"name": "c", "when": {"category": ["delivery"]}, "then": {"owner": {"team": "logistics"}}},
    )
    d = router.decide_classified(CaseInput("x"), classification(), OwnershipState())
    assert (d.rule, d.rule_index, d.owner.team) == ("c", 2, "logistics")
    assert [(m.rule, m.why) for m in d.skipped] == [
        ("a", "category is delivery, rule wants billing"),
        ("b", "kind is complaint, rule wants compliment"),
    ]
    assert d.why.startswith("rule 'c'")


@pytest.mark.parametrize(
    ("then", "owner_team", "owner_person", "notify", "tags", "profile"),
    [
        pytest.param({"owner": {"team": "quality"}, "notify": ["lead", "process_owner"]},
                     "quality", "daan", ("ingrid",), (), "normal", id="notify-lead-dedup"),
        pytest.param({"owner": {"team": "logistics"}, "notify": ["lead", "process_owner", "eva"],
                      "tags": ["vip", "press"], "deadlines": "critical"},
                     "logistics", "sanne", ("pieter", "marloes", "eva"), ("vip", "press"),
                     "critical", id="notify-persons-tags-profile"),
        pytest.param({"owner": {"person": "noor"}, "notify": ["lead"]},
                     "finance", "noor", ("ruud",), (), "normal", id="person-owner"),
        pytest.param({"owner": {"team": "digital"}}, "digital", None, (), (), "normal",
                     id="group-pick"),
        pytest.param({"owner": {"team": "logistics", "pick": "group"}}, "logistics", "sanne", (),
                     (), "normal", id="group-override-without-chat-falls-back"),
    ],
)
def test_actions(
    then: dict[str, Any], owner_team: str, owner_person: str | None, notify: tuple[str, ...],
    tags: tuple[str, ...], profile: str,
) -> None:
    router = with_rules({"name": "r", "when": {}, "then": then}, catch_all=False)
    d = router.decide_classified(CaseInput("x", now=TUE_1000), classification(), OwnershipState())
    assert (d.owner.team, d.owner.person) == (owner_team, owner_person)
    assert d.notify == notify
    assert d.tags == tags
    assert d.deadlines.profile == profile


def test_deadlines_follow_urgency_by_default(router: Any) -> None:
    for urgency in ("low", "normal", "high", "critical"):
        d = router.decide_classified(CaseInput("x"), classification(category="other",
                                                                    urgency=urgency))
        assert d.deadlines.profile == urgency


def test_example_config_routes_by_category(router: Any) -> None:
    expected = {"delivery": "logistics", "returns": "logistics", "installation": "field_service",
                "product_quality": "quality", "billing": "finance", "webshop": "digital",
                "privacy": "privacy_officer", "other": "frontline", "staff_conduct": "frontline"}
    for cat, team in expected.items():
        d = router.decide_classified(CaseInput("x", now=TUE_1000), classification(category=cat))
        assert d.owner.team == team, (cat, d.why)
