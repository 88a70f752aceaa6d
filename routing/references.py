"""Order and reference numbers in a message, by the organisation's `reference.patterns`."""

from __future__ import annotations

import re
from functools import lru_cache

from routing.config import Config

_MAX_SCAN = 20_000


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def extract_reference(text: str, config: Config) -> str | None:
    """The first reference in the text, trying the patterns in config order; None if none.

    Patterns earlier in the list win over later ones, whatever their position in the text,
    so a specific order-number format beats a generic run of digits.
    """
    if not text:
        return None
    head = text[:_MAX_SCAN]
    for rx in _compiled(tuple(config.reference.patterns)):
        m = rx.search(head)
        if m:
            return m.group(0).strip().upper()
    return None
