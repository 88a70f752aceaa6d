"""Telegram's HTML parse mode (tags b, i, u, s, tg-spoiler, a, code, pre, blockquote...).

Error messages follow tdlib: ``Unsupported start tag "x" at byte offset N`` and so on.
"""

from __future__ import annotations

import re

from .entities import Builder, Entity, byte_offset, link_entity
from .errors import entities_error

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));?")


def _decode_entity(src: str, i: int) -> tuple[str, int]:
    """Decode an HTML entity at ``src[i] == '&'``; unknown entities stay literal."""
    m = _ENTITY_RE.match(src, i)
    if not m:
        return "&", i + 1
    if m.group(1):
        return _NAMED_ENTITIES[m.group(1)], m.end()
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if code > 0x10FFFF:
        return "&", i + 1
    if 0xD800 <= code <= 0xDFFF:
        raise entities_error(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    return chr(code), m.end()


def _decode_attr(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "&":
            text, i = _decode_entity(value, i)
            out.append(text)
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_attributes(src: str, i: int, name: str, begin: int) -> tuple[dict[str, str], int]:
    n = len(src)
    attrs: dict[str, str] = {}
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise entities_error(f'Unclosed start tag "{name}" at byte offset {begin}')
        if src[i] == ">":
            return attrs, i + 1
        start = i
        while i < n and (src[i].isalnum() or src[i] in "-_"):
            i += 1
        attr = src[start:i].lower()
        if not attr:
            raise entities_error(f'Empty attribute name in the tag "{name}" at byte offset {begin}')
        while i < n and src[i].isspace():
            i += 1
        if i < n and src[i] != "=":
            if attr == "expandable" and name == "blockquote":
                attrs[attr] = ""
                continue
            raise entities_error(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {begin}'
            )
        i += 1
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise entities_error(f'Unclosed start tag "{name}" at byte offset {begin}')
        if src[i] in "\"'":
            quote = src[i]
            end = src.find(quote, i + 1)
            if end < 0:
                raise entities_error(f"Unclosed start tag at byte offset {begin}")
            attrs[attr] = _decode_attr(src[i + 1 : end])
            i = end + 1
        else:
            start = i
            while i < n and (src[i].isalnum() or src[i] in ".-"):
                i += 1
            if i < n and not src[i].isspace() and src[i] != ">":
                raise entities_error(f"Unexpected end of name token at byte offset "
                                     f"{byte_offset(src, i)}")
            attrs[attr] = src[start:i]


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into ``(text, entities)``; raises ApiError(400)."""
    out = Builder()
    stack: list[tuple[str, dict[str, str], int]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            text, i = _decode_entity(src, i)
            out.add(text)
            continue
        if c != "<":
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        begin = byte_offset(src, i)
        if i + 1 < n and src[i + 1] == "/":
            i += 2
            start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            name = src[start:i].lower()
            while i < n and src[i].isspace():
                i += 1
            if not stack:
                raise entities_error(f"Unexpected end tag at byte offset {begin}")
            if i >= n or src[i] != ">":
                raise entities_error(f"Unclosed end tag at byte offset {begin}")
            i += 1
            open_name, attrs, entity_start = stack.pop()
            if name and name != open_name:
                raise entities_error(
                    f'Unmatched end tag at byte offset {begin}, expected "</{open_name}>", '
                    f'found "</{name}>"'
                )
            _close_html_tag(out, open_name, attrs, entity_start, stack)
            continue
        i += 1
        start = i
        while i < n and not src[i].isspace() and src[i] != ">":
            i += 1
        name = src[start:i].lower()
        if i >= n:
            raise entities_error(f"Unclosed start tag at byte offset {begin}")
        if name not in _HTML_TAGS:
            raise entities_error(f'Unsupported start tag "{name}" at byte offset {begin}')
        attrs, i = _parse_attributes(src, i, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise entities_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                                 f"{begin}")
        stack.append((name, attrs, out.pos))
    if stack:
        raise entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: Builder,
    name: str,
    attrs: dict[str, str],
    start: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> None:
    kind = _HTML_TAGS[name]
    if kind == "text_link":
        href = attrs.get("href")
        if href is None:
            return
        link = link_entity(href)
        if link:
            out.entity(link[0], start, **link[1])
        return
    if kind == "custom_emoji":
        out.entity(kind, start, custom_emoji_id=attrs["emoji-id"])
        return
    if kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
        return
    if kind == "code":
        language = attrs.get("class", "")
        parent = stack[-1] if stack else None
        if parent and parent[0] == "pre" and parent[2] == start:
            if language.startswith("language-") and len(language) > 9:
                parent[1]["language"] = language[9:]
            return  # <pre><code> is a single pre entity
        if language.startswith("language-") and len(language) > 9:
            out.entity("pre", start, language=language[9:])
            return
    if kind == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
        return
    out.entity(kind, start)
