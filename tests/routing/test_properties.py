"""Property-based: whatever the text and availability, decide() returns an owner and never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import Router
from routing.types import CaseInput, CustomerFacts, OwnershipState, PersonState

PEOPLE = ["sanne", "joris", "pieter", "fatima", "bram", "henk", "daan", "ilse", "ingrid", "noor",
          "ruud", "tom", "kim", "eva", "youssef", "anouk", "linda", "marloes"]
WORDS = ["gas", "rook", "niet", "geen", "no", "not", "lawyer", "advocaat", "derde keer",
         "3x", "bezorger", "factuur", "refund", "app", "?", "!", "😂", "maar", "but", "if", "als",
         "Noor Hendriks", "HW-12345", "2025-000123", "geweldig hoor", "insuline", "blind"]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join),
)
states = st.builds(
    OwnershipState,
    people=st.dictionaries(
        st.sampled_from(PEOPLE),
        st.builds(PersonState, open_cases=st.integers(0, 50), away=st.booleans(),
                  unreachable=st.booleans()),
    ),
    last_assigned=st.dictionaries(st.sampled_from(["logistics", "quality", "frontline"]),
                                  st.sampled_from(PEOPLE)),
)
times = st.one_of(
    st.none(),
    st.integers(0, 60 * 24 * 14).map(lambda m: datetime(2026, 12, 20, tzinfo=UTC)
                                      + timedelta(minutes=m)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, st_=states, now=times, channel=st.sampled_from(["telegram", "web", "rasa"]),
       hint=st.sampled_from([None, "nl", "en", "de", "xx"]),
       prior=st.dictionaries(st.sampled_from(["delivery", "billing"]), st.integers(0, 5)))
def test_decide_always_has_an_owner(router: Router, text: str, st_: OwnershipState,
                                    now: datetime | None, channel: str, hint: str | None,
                                    prior: dict[str, int]) -> None:
    inp = CaseInput(text, channel=channel, language=hint,
                    customer=CustomerFacts(prior_contacts=prior), now=now)
    d = router.decide(inp, st_)
    assert router.config.has_team(d.owner.team)
    assert d.owner.person is None or router.config.has_person(d.owner.person)
    assert d.rule
    assert d.classification.reasons
    assert d.classification.language in ("nl", "en")
    assert d.why
    if d.owner.person is None:
        # Only a group pick or "nobody reachable" leaves the person open, never silently.
        team = router.config.team(d.owner.team)
        assert team.pick == "group" or (d.fallback and "nobody reachable" in d.fallback[-1])
    assert d.to_dict()["owner"]["team"] == d.owner.team
