"""The follow-up settings are checked like the rest of the config: file, line and key."""

from __future__ import annotations

import pytest

from routing.config import ConfigError, parse_config
from tests.conftest import CONFIG


def with_followup(block: str) -> str:
    text = CONFIG.read_text("utf-8")
    start = text.index("followup:\n")
    end = text.index("\n\n", start)
    return text[:start] + block + text[end:]


def test_example_settings() -> None:
    fu = parse_config(CONFIG.read_text("utf-8")).followup
    assert [r.to for r in fu.ladder] == ["owner", "lead", "process_owner"]
    assert fu.approval_wait.days == 1 and fu.take_within is not None


@pytest.mark.parametrize(("block", "key", "message"), [
    ("followup:\n  ladder:\n    - {to: owner}\n    - {to: pietr, after: 1h}",
     "followup.ladder[1].to", "unknown person 'pietr'"),
    ("followup:\n  approval_ladder:\n    - {to: nobody}",
     "followup.approval_ladder[0].to", "unknown person 'nobody'"),
    ("followup:\n  signals: {time: '25:00'}", "followup.signals.time", "not a time of day"),
    ("followup:\n  remind_before: soon", "followup.remind_before", "not a duration"),
    ("followup:\n  escalate: yes", "followup.escalate", "unknown key"),
])
def test_mistakes_are_named(block: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_config(with_followup(block))
    text = str(e.value)
    assert key in text and message in text, text
    assert "config.yaml:" in text
