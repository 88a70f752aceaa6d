"""Telegram's MarkdownV2 and legacy Markdown parse modes (errors worded like tdlib's)."""

from __future__ import annotations

import re
from typing import Any

from .entities import Builder, Entity, byte_offset, link_entity
from .errors import entities_error

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough":
    "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _mdv2_closes(kind: str, src: str, i: int) -> bool:
    c = src[i]
    nxt = src[i + 1] if i + 1 < len(src) else ""
    return {
        "bold": c == "*",
        "italic": c == "_" and nxt != "_",
        "underline": c == "_" and nxt == "_",
        "strikethrough": c == "~",
        "spoiler": c == "|" and nxt == "|",
        "code": c == "`",
        "pre": src.startswith("```", i),
        "text_link": c == "]",
        "custom_emoji": c == "]",
    }.get(kind, False)


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    out = Builder()
    stack: list[tuple[str, int, int, dict[str, Any]]] = []  # kind, start, byte offset, extra
    quote: tuple[int, bool] | None = None  # start, expandable
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if c == "\\" and i + 1 < n and 0 < ord(src[i + 1]) < 127:
            out.add(src[i + 1])
            i += 2
            continue
        line_start = i == 0 or src[i - 1] == "\n"
        if not in_code and line_start:
            if c == ">" or src.startswith("**>", i):
                if quote is None:
                    quote = (out.pos, src.startswith("**>", i))
                i += 3 if src.startswith("**>", i) else 1
                continue
            if quote is not None:
                _close_quote(out, quote)
                quote = None
        if c not in _MDV2_RESERVED or (in_code and c not in "`"):
            if quote is not None and quote[1] and c == "|" and src.startswith("||\n", i):
                i += 2  # end marker of an expandable quote line
                continue
            out.add(c)
            i += 1
            continue
        if stack and _mdv2_closes(stack[-1][0], src, i):
            kind, start, _, extra = stack.pop()
            i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
            if kind in ("text_link", "custom_emoji"):
                url = ""
                if i < n and src[i] == "(":
                    url, i = _mdv2_url(src, i)
                if kind == "custom_emoji":
                    m = re.match(r"^tg://emoji\?id=(\d+)$", url)
                    if m:
                        out.entity("custom_emoji", start, custom_emoji_id=m.group(1))
                    continue
                link = link_entity(url or out.text_since(start))
                if link:
                    out.entity(link[0], start, **link[1])
                continue
            out.entity(kind, start, **extra)
            continue
        begin = byte_offset(src, i)
        extra: dict[str, Any] = {}
        if c == "_" and i + 1 < n and src[i + 1] == "_":
            kind, i = "underline", i + 2
        elif c == "_":
            kind, i = "italic", i + 1
        elif c == "*":
            kind, i = "bold", i + 1
        elif c == "~":
            kind, i = "strikethrough", i + 1
        elif c == "|" and i + 1 < n and src[i + 1] == "|":
            kind, i = "spoiler", i + 2
        elif c == "[":
            kind, i = "text_link", i + 1
        elif c == "!" and i + 1 < n and src[i + 1] == "[":
            kind, i = "custom_emoji", i + 2
        elif src.startswith("```", i):
            kind, i = "pre", i + 3
            m = re.match(r"([^\s`]+)[ \t]*\r?\n", src[i:])
            if m:
                extra["language"] = m.group(1)
                i += m.end()
            elif i < n and src[i] == "\n":
                i += 1
        elif c == "`":
            kind, i = "code", i + 1
        else:
            raise entities_error(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        stack.append((kind, out.pos, begin, extra))
    if stack:
        kind, _, begin, extra = stack[-1]
        name = "PreCode" if kind == "pre" and extra.get("language") else _MDV2_NAMES[kind]
        raise entities_error(f"Can't find end of {name} entity at byte offset {begin}")
    if quote is not None:
        _close_quote(out, quote)
    return out.result()


def _close_quote(out: Builder, quote: tuple[int, bool]) -> None:
    kind = "expandable_blockquote" if quote[1] else "blockquote"
    trailing_newline = 1 if out.parts and out.parts[-1].endswith("\n") else 0
    length = out.pos - trailing_newline - quote[0]
    if length > 0:
        out.entities.append({"type": kind, "offset": quote[0], "length": length})


def _mdv2_url(src: str, i: int) -> tuple[str, int]:
    begin = byte_offset(src, i + 1)
    i += 1
    url: list[str] = []
    while i < len(src) and src[i] != ")":
        if src[i] == "\\" and i + 1 < len(src):
            url.append(src[i + 1])
            i += 2
            continue
        url.append(src[i])
        i += 1
    if i >= len(src):
        raise entities_error(f"Can't find end of a URL at byte offset {begin}")
    return "".join(url), i + 1


_MD_MARKERS = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    out = Builder()
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if c not in _MD_MARKERS:
            out.add(c)
            i += 1
            continue
        begin = byte_offset(src, i)
        start = out.pos
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end < 0:
                raise entities_error(f"Can't find end of the entity starting at byte offset "
                                     f"{begin}")
            body = src[i + 3 : end]
            language = ""
            m = re.match(r"([^\s`]+)\n", body)
            if m:
                language, body = m.group(1), body[m.end():]
            out.add(body)
            out.entity("pre", start, **({"language": language} if language else {}))
            i = end + 3
            continue
        close = "]" if c == "[" else c
        end = src.find(close, i + 1)
        if end < 0:
            raise entities_error(f"Can't find end of the entity starting at byte offset {begin}")
        out.add(src[i + 1 : end])
        i = end + 1
        if c == "[":
            url = ""
            if i < n and src[i] == "(":
                close_paren = src.find(")", i)
                if close_paren < 0:
                    raise entities_error(f"Can't find end of a URL at byte offset {begin}")
                url, i = src[i + 1 : close_paren], close_paren + 1
            link = link_entity(url)
            if link:
                out.entity(link[0], start, **link[1])
        else:
            out.entity(_MD_MARKERS[c], start)
    return out.result()
