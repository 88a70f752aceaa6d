"""Long staff messages are split so every part fits Telegram's 4096 and stays valid HTML."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.parse_html import parse_html
from handlers.telegram.outbound import LIMIT, split_html

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _escaped_story(parts: list[str]) -> str:
    return html.escape(" ".join(parts), quote=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=900), st.integers(0, 3))
def test_every_chunk_fits_and_parses(parts: list[str], newlines: int) -> None:
    story = _escaped_story(parts)
    head = "<b>New case ABC-234</b> · high\n<b>Why high</b>: money lost\n" * newlines
    text = f"{head}<b>What happened</b>\n{story}\n\n<i>Reply to this message.</i>"
    chunks = split_html(text)
    assert all(len(c) <= LIMIT for c in chunks)
    for c in chunks:
        parse_html(c)  # raises like Telegram's "can't parse entities"
    plain = "".join(parse_html(c)[0] for c in chunks)
    assert plain.replace("\n", "").replace(" ", "") == \
        html.unescape(_strip(text)).replace("\n", "").replace(" ", "")


def _strip(text: str) -> str:
    import re

    return re.sub(r"</?(b|i)>", "", text)


def test_short_lines_then_a_long_line_all_fit() -> None:
    text = "short line\n" * 3 + "x " * 3000
    chunks = split_html(text)
    assert all(len(c) <= LIMIT for c in chunks)
    assert chunks[0].startswith("short line")


def test_a_long_line_fills_the_rest_of_the_current_chunk() -> None:
    text = "<b>New case</b>\n<b>What happened</b>\n" + "&lt;b&gt; " * 1200
    chunks = split_html(text)
    assert all(len(c) <= LIMIT for c in chunks)
    assert chunks[0].startswith("<b>New case</b>") and "&lt;b&gt;" in chunks[0]
