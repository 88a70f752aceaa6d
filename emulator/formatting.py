"""Telegram text formatting: HTML, MarkdownV2 and legacy Markdown into plain text + entities.

Offsets and lengths of entities are in UTF-16 code units, like Telegram's. Error messages
follow tdlib's parser (``Unsupported start tag "x" at byte offset N`` ...); the caller wraps
them into ``Bad Request: can't parse entities: ...``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import bad_request, entities_error

Entity = dict[str, Any]


def u16len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _Builder:
    """Accumulates plain text and tracks the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.pos += u16len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def text_since(self, start: int) -> str:
        data = "".join(self.parts).encode("utf-16-le")
        return data[start * 2 :].decode("utf-16-le", errors="replace")

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.parts), sort_entities(self.entities)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if url.startswith("tg://"):
        return url
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
        if "." not in url.split("/")[0]:
            return None
        url = "http://" + url
    scheme, rest = url.split("://", 1)
    if "/" not in rest and "?" not in rest and "#" not in rest:
        rest += "/"
    elif "/" not in rest:
        cut = min(i for i in (rest.find("?"), rest.find("#")) if i >= 0)
        rest = rest[:cut] + "/" + rest[cut:]
    return f"{scheme.lower()}://{rest}"


def _link_entity(url: str) -> tuple[str, dict[str, Any]] | None:
    mention = re.match(r"^tg://user\?id=(\d+)$", url)
    if mention:
        user = {"id": int(mention.group(1)), "is_bot": False, "first_name": ""}
        return "text_mention", {"user": user}
    normalized = _normalize_url(url)
    if normalized is None:
        return None
    return "text_link", {"url": normalized}


# ---------------------------------------------------------------- HTML

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
                                     f"{_byte_offset(src, i)}")
            attrs[attr] = src[start:i]


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into ``(text, entities)``; raises ApiError(400)."""
    out = _Builder()
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
        begin = _byte_offset(src, i)
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
    out: _Builder,
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
        link = _link_entity(href)
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


# ---------------------------------------------------------------- MarkdownV2

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
    out = _Builder()
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
                link = _link_entity(url or out.text_since(start))
                if link:
                    out.entity(link[0], start, **link[1])
                continue
            out.entity(kind, start, **extra)
            continue
        begin = _byte_offset(src, i)
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


def _close_quote(out: _Builder, quote: tuple[int, bool]) -> None:
    kind = "expandable_blockquote" if quote[1] else "blockquote"
    trailing_newline = 1 if out.parts and out.parts[-1].endswith("\n") else 0
    length = out.pos - trailing_newline - quote[0]
    if length > 0:
        out.entities.append({"type": kind, "offset": quote[0], "length": length})


def _mdv2_url(src: str, i: int) -> tuple[str, int]:
    begin = _byte_offset(src, i + 1)
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


# ---------------------------------------------------------------- legacy Markdown

_MD_MARKERS = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
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
        begin = _byte_offset(src, i)
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
            link = _link_entity(url)
            if link:
                out.entity(link[0], start, **link[1])
        else:
            out.entity(_MD_MARKERS[c], start)
    return out.result()


# ---------------------------------------------------------------- common entry points

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
