"""Skewer reads the wall clock in one place (bot/clock.py): everything else is given the time,
so a test can run the whole product on one controllable clock and never mixes it with the real
one. The emulator is Telegram's stand-in and keeps Telegram's (real) time."""

from __future__ import annotations

import re

from tests.conftest import ROOT

READS = re.compile(r"\b(?:datetime\.now|datetime\.utcnow|date\.today|time\.time|utcnow)\(")
PRODUCT = ("bot", "handlers", "routing", "storage")
ALLOWED = {"bot/clock.py"}


def test_only_bot_clock_reads_the_wall_clock() -> None:
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED or "/migrations/" in name:
                continue
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if READS.search(line.split("#", 1)[0]):
                    found.append(f"{name}:{n}: {line.strip()}")
    assert not found, "take a Clock or a `now` instead:\n" + "\n".join(found)


def test_the_check_sees_a_clock_read() -> None:
    assert READS.search("    at = datetime.now(UTC)")
    assert READS.search("t = time.time()")
    assert not READS.search("now = self.clock()")
