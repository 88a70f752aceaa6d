"""Telegram text formatting: HTML, MarkdownV2 and legacy Markdown into plain text + entities.

Offsets and lengths of entities are in UTF-16 code units, like Telegram's. Error messages
follow tdlib's parser (``Unsupported start tag "x" at byte offset N`` ...), wrapped into
``Bad Request: can't parse entities: ...``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .entities import Entity, sort_entities, u16len
from .errors import bad_request
from .parse_html import parse_html
from .parse_markdown import parse_markdown, parse_markdown_v2

__all__ = [
    "Entity", "check_length", "detect_entities", "format_text", "parse_html", "parse_markdown",
    "parse_markdown_v2", "sort_entities", "to_html", "u16len",
]


def _strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Telegram trims leading and trailing whitespace from messages, shifting entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = u16len(text[: len(text) - len(text.lstrip())])
    total = u16len(stripped)
    fixed = []
    for entity in entities:
        begin = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > begin:
            fixed.append({**entity, "offset": begin, "length": end - begin})
    return stripped, fixed


_ENTITY_TYPES = {
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
}


def _validate_entities(text: str, entities: Any) -> list[Entity]:
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = u16len(text)
    result = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity: Unsupported type specified")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise bad_request("can't parse MessageEntity: Field \"offset\" must be of type Number")
        if length <= 0:
            continue
        if offset + length > total:
            raise bad_request("entity beyond the end of text")
        if entity["type"] == "text_link" and not entity.get("url"):
            raise bad_request("can't parse MessageEntity: Field \"url\" must be of type String")
        result.append(dict(entity))
    return sort_entities(result)


def format_text(
    text: str,
    parse_mode: str | None,
    entities: Any = None,
) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode`` (or explicit ``entities``) and Telegram's trimming to ``text``."""
    mode = (parse_mode or "").strip().lower()
    if entities is not None and entities != []:
        parsed_text, parsed = text, _validate_entities(text, entities)
    elif mode == "html":
        parsed_text, parsed = parse_html(text)
    elif mode == "markdownv2":
        parsed_text, parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed_text, parsed = parse_markdown(text)
    elif mode in ("", "none"):
        parsed_text, parsed = text, []
    else:
        raise bad_request("unsupported parse_mode")
    return _strip(parsed_text, parsed)


def check_length(text: str, limit: int, *, caption: bool = False) -> None:
    if len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")


_AUTO_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'])"
    r"|(?P<mention>(?<![\w@])@[a-zA-Z][a-zA-Z0-9_]{3,31}\b)"
    r"|(?P<email>\b[\w.+-]+@[\w-]+\.[\w.-]*[a-zA-Z]\b)"
)
_NO_AUTO = {"code", "pre", "text_link", "url", "email", "mention", "bot_command"}


def detect_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Add the entities Telegram detects by itself (commands, URLs, mentions, e-mails)."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities
             if e["type"] in _NO_AUTO]
    found = []
    for m in _AUTO_RE.finditer(text):
        start = u16len(text[: m.start()])
        end = start + u16len(m.group(0))
        if any(a < end and start < b for a, b in taken):
            continue
        found.append({"type": m.lastgroup, "offset": start, "length": end - start})
    return sort_entities(entities + found) if found else entities


# ---------------------------------------------------------------- back to HTML

_HTML_OUT = {
    "bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "tg-spoiler",
    "code": "code", "pre": "pre", "blockquote": "blockquote",
}


def to_html(text: str, entities: list[Entity] | None) -> str:
    """Render ``text`` + ``entities`` back to Telegram HTML (useful for assertions)."""
    if not entities:
        return html.escape(text, quote=False)
    data = text.encode("utf-16-le")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in sort_entities(entities):
        kind = entity["type"]
        if kind == "text_link":
            tag, open_tag = "a", f'<a href="{html.escape(entity["url"])}">'
        elif kind == "expandable_blockquote":
            tag, open_tag = "blockquote", "<blockquote expandable>"
        elif kind == "pre" and entity.get("language"):
            tag = "pre"
            open_tag = f'<pre><code class="language-{html.escape(entity["language"])}">'
        elif kind in _HTML_OUT:
            tag = _HTML_OUT[kind]
            open_tag = f"<{tag}>"
        else:
            continue
        close_tag = "</code></pre>" if open_tag.startswith("<pre><code") else f"</{tag}>"
        opens.setdefault(entity["offset"], []).append(open_tag)
        closes.setdefault(entity["offset"] + entity["length"], []).insert(0, close_tag)
    out: list[str] = []
    units = len(data) // 2
    pos = 0
    cuts = sorted({0, units, *opens, *closes})
    for cut in cuts:
        if cut > pos:
            chunk = data[pos * 2 : cut * 2].decode("utf-16-le", errors="replace")
            out.append(html.escape(chunk, quote=False))
            pos = cut
        out.extend(closes.get(cut, []))
        out.extend(opens.get(cut, []))
    return "".join(out)
