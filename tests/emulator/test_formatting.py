"""Telegram's HTML / MarkdownV2 / Markdown parsing, offsets in UTF-16 like Telegram."""

from __future__ import annotations

import pytest

from emulator.errors import ApiError
from emulator.formatting import (
    detect_entities,
    format_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    to_html,
    u16len,
)


def error_of(func, text: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as info:
        func(text)
    assert info.value.code == 400
    prefix = "Bad Request: can't parse entities: "
    assert info.value.description.startswith(prefix)
    return info.value.description[len(prefix):]


def test_html_tags_and_escapes() -> None:
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code><blockquote>z</blockquote>'
        "&lt;&gt;&amp;&quot;&#65;&#x42;&nbsp;"
    )
    assert text == "bsieunskdpqcz<>&\"AB&nbsp;"
    assert [e["type"] for e in entities] == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "code", "blockquote"]


def test_html_links_pre_and_nesting() -> None:
    text, entities = parse_html(
        '<a href="https://example.com/x?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre> <b>bold <i>both</i></b>')
    assert text == "link x = 1 bold both"
    assert entities[0] == {"type": "text_link", "offset": 0, "length": 4,
                           "url": "https://example.com/x?a=1&b=2"}
    assert entities[1] == {"type": "pre", "offset": 5, "length": 5, "language": "python"}
    assert entities[2:] == [{"type": "bold", "offset": 11, "length": 9},
                            {"type": "italic", "offset": 16, "length": 4}]
    mention = parse_html('<a href="tg://user?id=42">Ann</a>')[1][0]
    assert mention["type"] == "text_mention" and mention["user"]["id"] == 42


def test_offsets_are_utf16() -> None:
    text, entities = parse_html("😀 <b>x</b>")
    assert entities == [{"type": "bold", "offset": 3, "length": 1}]
    assert u16len(text) == 4


@pytest.mark.parametrize(("html", "error"), [
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("a <b", "Unclosed start tag at byte offset 2"),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<i    aba>", 'Expected equal sign in declaration of an attribute of the tag "i" at byte '
                   "offset 0"),
    ("price < 5 and > 3", 'Unsupported start tag "" at byte offset 6'),
])
def test_html_errors(html: str, error: str) -> None:
    assert error_of(parse_html, html) == error


def test_markdown_v2() -> None:
    text, entities = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||p|| `c` [l](https://x.org) \\. \\! a\\_b")
    assert text == "b i u s p c l . ! a_b"
    assert [(e["type"], e["offset"]) for e in entities] == [
        ("bold", 0), ("italic", 2), ("underline", 4), ("strikethrough", 6), ("spoiler", 8),
        ("code", 10), ("text_link", 12)]
    text, entities = parse_markdown_v2("```python\nprint(1)\n```")
    assert text == "print(1)\n" and entities[0]["language"] == "python"
    text, entities = parse_markdown_v2(">quoted\nplain")
    assert text == "quoted\nplain" and entities == [{"type": "blockquote", "offset": 0,
                                                    "length": 6}]


@pytest.mark.parametrize(("md", "error"), [
    ("Version 1.0", "Character '.' is reserved and must be escaped with the preceding '\\'"),
    ("Hi!", "Character '!' is reserved and must be escaped with the preceding '\\'"),
    ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
    ("_open", "Can't find end of Italic entity at byte offset 0"),
    ("x *bold", "Can't find end of Bold entity at byte offset 2"),
    ("[t](http://a.b", "Can't find end of a URL at byte offset 4"),
])
def test_markdown_v2_errors(md: str, error: str) -> None:
    assert error_of(parse_markdown_v2, md) == error


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*b* _i_ `c` [l](http://x.org) 1.0 - ok!")
    assert text == "b i c l 1.0 - ok!"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]
    assert error_of(parse_markdown, "*open") == (
        "Can't find end of the entity starting at byte offset 0")


def test_format_text_trims_and_keeps_explicit_entities() -> None:
    assert format_text("  <b> hi </b> ", "HTML") == (
        "hi", [{"type": "bold", "offset": 0, "length": 2}])
    entities = [{"type": "italic", "offset": 0, "length": 2}]
    assert format_text("hi there", None, entities) == ("hi there", entities)
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode")


def test_detected_entities_and_html_round_trip() -> None:
    found = detect_entities("/start see https://x.org and @someone", [])
    assert [e["type"] for e in found] == ["bot_command", "url", "mention"]
    source = '<b>Case</b> <code>ABC-123</code> &lt;ok&gt; <a href="https://x.org/">x</a>'
    assert to_html(*parse_html(source)) == source
