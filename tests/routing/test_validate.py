"""Config validation: each problem names file, line and key, as `skewer routes check` prints it."""

from __future__ import annotations

import pytest

from routing.config import ConfigError, parse_config
from routing.validate import check_config
from tests.routing.conftest import CONFIG_TEXT


def edited(old: str, new: str) -> str:
    assert old in CONFIG_TEXT, old
    return CONFIG_TEXT.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_example_config_is_clean() -> None:
    assert check_config(CONFIG_TEXT, "config.yaml") == []


ERRORS = [
    pytest.param("  frontline_team: frontline\n", "  frontline_tem: frontline\n",
                 "organisation.frontline_tem", "unknown key (a typo?)", "frontline_tem",
                 id="typo-in-key"),
    pytest.param("    then: {owner: {team: finance}}", "    then: {owner: {team: finanse}}",
                 "rules[8:'billing'].then.owner.team", "unknown team 'finanse'",
                 "team: finanse", id="unknown-team"),
    pytest.param("    then: {owner: {person: eva}, notify: [process_owner], tags: [privacy-incident]}",
                 "    then: {owner: {person: evaa}, notify: [process_owner], tags: [privacy-incident]}",
                 "rules[2:'data-leak'].then.owner.person", "unknown person 'evaa'", "person: evaa",
                 id="unknown-person"),
    pytest.param("    when: {category: [webshop]}\n",
                 "    when: {category: [webshop], regex: 'HW-(\\d+'}\n",
                 "rules[9:'webshop'].when.regex", "does not compile", "regex:",
                 id="bad-regex"),
    pytest.param("  - name: catch-all\n    when: {}\n", "  - name: catch-all\n    when: {channel: web}\n",
                 "rules", "must be a catch-all", "rules:\n", id="missing-catch-all"),
    pytest.param("    when: {category: [returns]}\n",
                 "    when: {category: [delivery], channel: [web]}\n",
                 "rules[5:'returns'].when", "can never fire: rule #4 'delivery'",
                 "category: [delivery], channel: [web]", id="shadowed-rule"),
    pytest.param("    timezone: Europe/Amsterdam\n", "    timezone: Europe/Amsterdm\n",
                 "organisation.hours.timezone", "unknown time zone", "Europe/Amsterdm",
                 id="unknown-timezone"),
    pytest.param("    then: {owner: {team: finance}}", "    then: {owner: {team: finance}, deadlines: asap}",
                 "rules[8:'billing'].then.deadlines", "unknown deadline profile 'asap'",
                 "deadlines: asap", id="unknown-deadline-profile"),
]


@pytest.mark.parametrize(("old", "new", "key", "message", "line_needle"), ERRORS)
def test_errors_name_line_and_key(old: str, new: str, key: str, message: str,
                                  line_needle: str) -> None:
    text = edited(old, new)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "config.yaml")
    problems = [p for p in err.value.problems if key == p.key and message in p.message]
    assert problems, [str(p) for p in err.value.problems]
    p = problems[0]
    assert p.file == "config.yaml"
    assert p.level == "error"
    assert p.line == line_of(text, line_needle)
    assert str(p).startswith(f"config.yaml:{p.line}: error: {key}:")


def test_uncovered_rota_weekday_is_a_warning() -> None:
    text = edited("      - {person: anouk, days: [thu, fri, sat, sun], hours: [\"00:00-24:00\"]}",
                  "      - {person: anouk, days: [thu, fri], hours: [\"00:00-24:00\"]}")
    parse_config(text)  # warnings do not stop the program
    warnings = [p for p in check_config(text, "config.yaml") if p.level == "warning"]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.key == "teams[6:'frontline'].rota"
    assert "sat, sun uncovered" in w.message
    assert w.line == line_of(text, "    rota:\n      - {person: youssef")


def test_person_on_no_team_or_rota_is_a_warning() -> None:
    text = edited("    members: [sanne, joris]", "    members: [sanne]")
    warnings = [p for p in check_config(text, "config.yaml") if p.level == "warning"]
    assert [w.key for w in warnings] == ["people[1:'joris'].team"]
    assert "no rule or pick can give them a case" in warnings[0].message


def test_shadow_check_is_conservative() -> None:
    # A later rule that is narrower in a way the earlier one does not constrain is fine.
    text = edited("    when: {category: [returns]}\n",
                  "    when: {category: [returns], urgency_at_least: high}\n")
    assert not [p for p in check_config(text) if "never fire" in p.message]
    # Different regexes are never assumed to overlap.
    text = CONFIG_TEXT.replace(
        "  - name: delivery\n    when: {category: [delivery]}",
        "  - name: delivery\n    when: {category: [delivery], regex: 'a'}", 1,
    ).replace(
        "  - name: returns\n    when: {category: [returns]}",
        "  - name: returns\n    when: {category: [delivery], regex: 'b'}", 1,
    )
    assert not [p for p in check_config(text) if "never fire" in p.message]


def test_not_yaml() -> None:
    problems = check_config("rules: [\n", "broken.yaml")
    assert problems[0].file == "broken.yaml" and "not valid YAML" in problems[0].message


def test_classifier_section_is_strict() -> None:
    text = CONFIG_TEXT + "\nclassifier:\n  weigths: {keyword: 2}\n"
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    assert err.value.problems[0].key == "classifier.weigths"


def test_classifier_signal_phrase_must_compile() -> None:
    text = CONFIG_TEXT + (
        "\nclassifier:\n  signals:\n    - {id: x, level: high, patterns: ['re:(unclosed']}\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    assert "does not compile" in err.value.problems[0].message
