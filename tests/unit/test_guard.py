"""Screening before any conversation runs (bot/guard.py): blocked users, unknown groups, edits,
the flood limit, and staff-only buttons and commands from anyone who is not staff."""

from __future__ import annotations

import logging

import pytest

from bot.context import Deps
from bot.guard import STAFF_ACTIONS, STAFF_COMMANDS, FloodLimit, screen
from bot.ports import Action, Inbound, Sender
from bot.texts import Texts
from routing.config import parse_config
from routing.engine import Router
from tests.conftest import CONFIG

NOT_STAFF = "This is for staff only."
TEAM_CHAT = "-1005001"  # the digital team's group chat in config.yaml


def make_deps(extra_telegram: str = "") -> Deps:
    text = CONFIG.read_text()
    if extra_telegram:
        text = text.replace("  mode: polling", f"  mode: polling\n{extra_telegram}", 1)
    config = parse_config(text, str(CONFIG))
    org = config.organisation
    return Deps(config=config, router=Router(config), texts=Texts(org.languages, org.default_language))


@pytest.fixture(scope="module")
def deps() -> Deps:
    return make_deps()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def event(sender: str = "7001", *, channel: str = "telegram", chat: str | None = None,
          is_group: bool = False, text: str = "", command: str | None = None,
          action: Action | None = None, unsupported: str | None = None) -> Inbound:
    return Inbound(channel=channel, event_id=f"e-{sender}-{text}-{command}-{action}",
                   sender=Sender(channel, sender, "Eve", "en"), chat_id=chat or sender,
                   is_group=is_group, text=text, command=command, action=action,
                   unsupported=unsupported)


def run(ev: Inbound, deps: Deps, *, is_staff: bool = False, flood: FloodLimit | None = None):
    return screen(ev, deps, is_staff, flood or FloodLimit())


# -- what goes on to the conversation ------------------------------------------------------
def test_a_customer_message_goes_on(deps: Deps) -> None:
    assert run(event(text="my fridge is broken"), deps) is None


def test_customer_buttons_and_commands_go_on(deps: Deps) -> None:
    for action in (Action("send", "tok"), Action("done", "tok"), Action("rate", "ABC-234", "4")):
        assert run(event(action=action), deps) is None, action
    for command in ("start", "help", "status", "link"):
        assert run(event(command=command), deps) is None, command


def test_staff_go_on_with_staff_buttons_commands_and_group_messages(deps: Deps) -> None:
    assert run(event("1001", command="take", text="ABC-234"), deps, is_staff=True) is None
    assert run(event("1001", action=Action("take", "ABC-234")), deps, is_staff=True) is None
    assert run(event("1001", chat=TEAM_CHAT, is_group=True, text="on it"), deps,
               is_staff=True) is None


# -- staff-only buttons and commands --------------------------------------------------------
@pytest.mark.parametrize("name", sorted(STAFF_ACTIONS))
def test_a_staff_button_from_a_customer_is_refused_with_an_alert(deps: Deps, name: str,
                                                                  caplog) -> None:
    caplog.set_level(logging.WARNING, logger="skewer.guard")
    got = run(event(action=Action(name, "ABC-234")), deps)
    assert got is not None
    assert (got.outcome, got.toast, got.alert, got.extra) == ("refused_not_staff", NOT_STAFF, True, {})
    assert f"refused: non-staff telegram:7001 pressed staff button {name}" in caplog.text


@pytest.mark.parametrize("name", sorted(STAFF_COMMANDS))
def test_a_staff_command_from_a_customer_is_refused_in_the_chat(deps: Deps, name: str,
                                                                 caplog) -> None:
    caplog.set_level(logging.WARNING, logger="skewer.guard")
    got = run(event(command=name.upper() if name == "take" else name), deps)
    assert got is not None
    assert (got.outcome, got.toast, got.extra) == ("refused_not_staff", None, {"direct": NOT_STAFF})
    assert "refused: non-staff telegram:7001 typed /" in caplog.text


def test_other_channels_are_refused_the_same_way(deps: Deps) -> None:
    got = run(event("w-1", channel="web", action=Action("resolve", "ABC-234")), deps)
    assert got is not None and got.outcome == "refused_not_staff"


def test_in_a_team_chat_a_non_member_may_not_act_and_is_not_listened_to(deps: Deps,
                                                                        caplog) -> None:
    caplog.set_level(logging.WARNING, logger="skewer.guard")
    pressed = run(event(chat=TEAM_CHAT, is_group=True, action=Action("rate", "ABC-234", "5")), deps)
    assert pressed is not None
    assert (pressed.outcome, pressed.toast, pressed.alert, pressed.extra) == (
        "refused_not_staff", NOT_STAFF, True, {})
    typed = run(event(chat=TEAM_CHAT, is_group=True, command="start"), deps)
    assert typed is not None
    assert (typed.outcome, typed.extra) == ("refused_not_staff", {"direct": NOT_STAFF})
    assert f"acted in group {TEAM_CHAT}" in caplog.text
    talked = run(event(chat=TEAM_CHAT, is_group=True, text="hello all"), deps)
    assert talked is not None and talked.outcome == "ignored_group_message"
    assert talked.extra == {} and talked.toast is None


# -- dropped, answered or slowed ------------------------------------------------------------
def test_blocked_users_and_unknown_groups_are_dropped(caplog) -> None:
    deps = make_deps("  blocked_users: [7002]")
    got = run(event("7002", text="hello"), deps)
    assert got is not None and (got.outcome, got.extra) == ("dropped_blocked", {})
    stranger = run(event("7003", chat="-999123", is_group=True, command="take"), deps)
    assert stranger is not None and stranger.outcome == "dropped_unknown_group"
    # Staff are not exempt from the unknown-group rule.
    staff = run(event("1001", chat="-999123", is_group=True, text="hi"), deps, is_staff=True)
    assert staff is not None and staff.outcome == "dropped_unknown_group"


def test_an_edit_is_answered_for_customers_and_ignored_for_staff_and_groups(deps: Deps) -> None:
    got = run(event(unsupported="edit"), deps)
    assert got is not None and got.outcome == "edit_not_taken"
    assert "send the correction as a new message" in got.extra["direct"]
    staff = run(event("1001", unsupported="edit"), deps, is_staff=True)
    assert staff is not None and staff.outcome == "ignored_edit"
    group = run(event(chat=TEAM_CHAT, is_group=True, unsupported="edit"), deps)
    assert group is not None and group.outcome == "ignored_edit"


def test_the_flood_limit_warns_once_and_comes_before_the_staff_check() -> None:
    deps = make_deps("  flood_per_minute: 3")
    clock = Clock()
    flood = FloodLimit(clock)
    got = [run(event(command="take"), deps, flood=flood) for _ in range(5)]
    assert [g.outcome if g else None for g in got] == ["refused_not_staff"] * 3 + ["flood_limited"] * 2
    assert "faster than I can take them in" in got[3].extra["direct"]  # type: ignore[union-attr]
    assert got[4].extra == {} and got[4].toast  # type: ignore[union-attr]
    # Staff are never slowed.
    for _ in range(10):
        assert run(event("1001", text="x"), deps, is_staff=True, flood=flood) is None
    clock.t += 60
    assert run(event(text="calm again"), deps, flood=flood) is None
