"""Ownership: picks per team, and a fallback chain that never leaves a case unassigned."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from routing.engine import Router
from routing.types import CaseInput, OwnershipState, PersonState
from tests.routing.conftest import classification, config_data, make_config, with_rules

TUE_1000 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday, youssef on the frontline rota
THU_1000 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday, anouk on the rota
MON_0030_LOCAL = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # Tue 00:30 Amsterdam, Mon in UTC


def owner_rule(owner: dict[str, Any], notify: list[str] | None = None) -> Router:
    then: dict[str, Any] = {"owner": owner}
    if notify:
        then["notify"] = notify
    return with_rules({"name": "r", "when": {}, "then": then}, catch_all=False)


def state(away: tuple[str, ...] = (), unreachable: tuple[str, ...] = (),
          open_cases: dict[str, int] | None = None,
          last: dict[str, str] | None = None) -> OwnershipState:
    people = {p: PersonState(away=True) for p in away}
    people.update({p: PersonState(unreachable=True) for p in unreachable})
    for p, n in (open_cases or {}).items():
        people[p] = PersonState(open_cases=n)
    return OwnershipState(people=people, last_assigned=last or {})


def decide(router: Router, st: OwnershipState, now: datetime | None = TUE_1000) -> Any:
    return router.decide_classified(CaseInput("x", now=now), classification(), st)


@pytest.mark.parametrize(
    ("owner", "st", "now", "team", "person", "steps"),
    [
        pytest.param({"team": "logistics"}, state(), TUE_1000, "logistics", "sanne", [],
                     id="round-robin-first"),
        pytest.param({"team": "logistics"}, state(last={"logistics": "sanne"}), TUE_1000,
                     "logistics", "joris", [], id="round-robin-next"),
        pytest.param({"team": "logistics"}, state(last={"logistics": "joris"}), TUE_1000,
                     "logistics", "sanne", [], id="round-robin-wraps"),
        pytest.param({"team": "logistics"}, state(away=("joris",), last={"logistics": "sanne"}),
                     TUE_1000, "logistics", "sanne", ["joris is away"],
                     id="round-robin-skips-away"),
        pytest.param({"team": "field_service"}, state(open_cases={"fatima": 5, "bram": 2}),
                     TUE_1000, "field_service", "bram", [], id="fewest-open"),
        pytest.param({"team": "field_service"},
                     state(open_cases={"fatima": 1}, unreachable=("bram",)), TUE_1000,
                     "field_service", "fatima", ["bram is unreachable"],
                     id="fewest-open-skips-unreachable"),
        pytest.param({"team": "frontline"}, state(), TUE_1000, "frontline", "youssef", [],
                     id="rota-tuesday"),
        pytest.param({"team": "frontline"}, state(), THU_1000, "frontline", "anouk", [],
                     id="rota-thursday"),
        pytest.param({"team": "frontline"}, state(), MON_0030_LOCAL, "frontline", "youssef", [],
                     id="rota-uses-local-time"),
        pytest.param({"team": "digital"}, state(away=("tom", "kim")), TUE_1000, "digital", None,
                     [], id="group-chat-takes-it"),
        pytest.param({"person": "eva"}, state(), TUE_1000, "privacy_officer", "eva", [],
                     id="person"),
    ],
)
def test_pick(owner: dict[str, Any], st: OwnershipState, now: datetime, team: str,
              person: str | None, steps: list[str]) -> None:
    d = decide(owner_rule(owner), st, now)
    assert (d.owner.team, d.owner.person) == (team, person)
    assert list(d.fallback) == steps


@pytest.mark.parametrize(
    ("st", "team", "person", "steps"),
    [
        pytest.param(state(away=("sanne",)), "logistics", "joris",
                     ["sanne is away", "deputy joris"], id="deputy"),
        pytest.param(state(away=("sanne", "joris")), "logistics", "pieter",
                     ["sanne is away", "deputy joris is away", "team lead pieter"], id="team-lead"),
        pytest.param(state(away=("sanne", "joris"), unreachable=("pieter",)), "frontline",
                     "youssef", ["sanne is away", "deputy joris is away",
                                 "team lead pieter is unreachable", "frontline on duty youssef"],
                     id="frontline-on-duty"),
        pytest.param(state(away=("sanne", "joris", "pieter", "youssef")), "frontline", "linda",
                     ["sanne is away", "deputy joris is away", "team lead pieter is away",
                      "youssef is away", "frontline lead linda"], id="frontline-lead"),
        pytest.param(state(away=("sanne", "joris", "pieter", "youssef", "anouk", "linda")),
                     "frontline", None, None, id="nobody-reachable-frontline-queue"),
    ],
)
def test_fallback_chain_for_a_person(st: OwnershipState, team: str, person: str | None,
                                     steps: list[str] | None) -> None:
    d = decide(owner_rule({"person": "sanne"}), st)
    assert (d.owner.team, d.owner.person) == (team, person)
    if steps is not None:
        assert list(d.fallback) == steps
    else:
        assert d.fallback[-1] == "nobody reachable: the frontline team's queue"
    assert "complaints desk" not in d.why


def test_whole_team_away_goes_to_lead_then_frontline() -> None:
    d = decide(owner_rule({"team": "logistics"}), state(away=("sanne", "joris")))
    assert (d.owner.team, d.owner.person) == ("logistics", "pieter")
    assert d.fallback == ("sanne is away", "joris is away", "team lead pieter")
    assert "team lead pieter" in d.why


def test_off_duty_per_rota_falls_back() -> None:
    # youssef is on the frontline rota mon-wed only: on Thursday a rule naming him falls back.
    d = decide(owner_rule({"person": "youssef"}), state(), THU_1000)
    assert (d.owner.team, d.owner.person) == ("frontline", "anouk")
    assert d.fallback[0] == "youssef is off duty per the frontline rota"
    assert d.fallback[1] == "deputy anouk"


def test_config_away_flag_counts() -> None:
    data = config_data()
    for p in data["people"]:
        if p["id"] == "eva":
            p["away"] = True
    router = Router(make_config(data))
    c = classification(category="privacy", urgency="high")
    d = router.decide_classified(CaseInput("x", now=TUE_1000), c, state())
    assert d.rule == "data-leak"
    assert d.fallback[0] == "eva is away"
    assert d.owner.person is not None and d.owner.person != "eva"


def test_rota_without_time_takes_rota_order() -> None:
    d = decide(owner_rule({"team": "frontline"}), state(), None)
    assert d.owner.person == "youssef"
    assert d.fallback == ("time unknown: frontline rota taken in order",)


def test_named_employee_goes_to_their_team_lead() -> None:
    router = with_rules(
        {"name": "conduct", "when": {"category": ["staff_conduct"]},
         "then": {"owner": {"team": "frontline", "prefer": "named_employee_lead"}}})
    named = classification(category="staff_conduct", named=("noor",))
    d = router.decide_classified(CaseInput("x", now=TUE_1000), named, state())
    assert (d.owner.team, d.owner.person) == ("finance", "ruud")
    assert d.fallback == ("named employee noor: their team lead ruud",)
    nobody = router.decide_classified(CaseInput("x", now=TUE_1000),
                                      classification(category="staff_conduct"), state())
    assert (nobody.owner.team, nobody.owner.person) == ("frontline", "youssef")


def test_named_employee_end_to_end(router: Router) -> None:
    d = router.decide(CaseInput("Noor Hendriks hing gewoon op en was erg onbeschoft",
                                now=TUE_1000), state())
    assert d.classification.category == "staff_conduct"
    assert d.classification.named_people == ("noor",)
    assert (d.owner.team, d.owner.person) == ("finance", "ruud")
